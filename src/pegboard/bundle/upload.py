"""Uploaded bundles, saved and unpacked safely, the import job, and the bundle as a zip
for download.

Shared by the JSON API, the web pages and the command line. The zip is unpacked by
hand, never with ``extractall``: entries with an absolute path or ``..`` are refused,
as are archives with too many files, a file that unpacks to more than
``BUNDLE_LIMIT``, or all of them together to more (counted while unpacking, not taken
from the archive's word); a workbook is checked the same way before it is read.

An upload is staged in a folder of its own (``pegboard-import-<pid>-…`` in the
temporary directory), removed when the import ends whatever happens, and at a server's
start for every such folder whose process is gone (``remove_stale_staging``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.bundle.archive import BUNDLE_LIMIT, TooBig, copy_capped, mib, workbook_problem
from pegboard.bundle.importer import TEMPLATES_FILE, read_bundle, read_upsert
from pegboard.bundle.reader import Progress as ReadProgress
from pegboard.bundle.upsert import FilePreview, summary
from pegboard.bundle.writer import write_dataset, write_plan
from pegboard.config import get_settings
from pegboard.db import is_initialised, session_factory
from pegboard.errors import ValidationError
from pegboard.services import plan_results
from pegboard.services._gc import collector_paused
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.company_upsert import Counts, upsert_company
from pegboard.services.dataset import Dataset
from pegboard.services.jobs.kinds import (
    IMPORT_BLOCKED_BY,
    JobKind,
    Prepared,
    Progress,
    Work,
    register,
)
from pegboard.services.jobs.liveness import process_alive, this_process
from pegboard.services.jobs.records import reap_dead_jobs
from pegboard.services.permissions import Permission
from pegboard.services.planning import current_run

log = logging.getLogger(__name__)

MAX_FILES = 100
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""
MAX_UNPACKED_BYTES = BUNDLE_LIMIT
"""What an uploaded zip may unpack to: each file, and all of them together."""
MAX_UPLOAD_BYTES = BUNDLE_LIMIT
"""What an upload may weigh as it comes (the HTTP limit of its route is the same)."""
CHUNK = 1024 * 1024
STAGING_PREFIXES = ("pegboard-import-", "pegboard-export-", "pegboard-upsert-")
PREVIEW_PREFIX = "pegboard-upsert-"
PREVIEW_META = "preview.json"
PREVIEW_LIFETIME = 3600
"""Seconds a previewed upload stays to be applied (an older one is removed)."""

Read = Callable[[Path, ReadProgress], Dataset]


def refuse(message: str, **params: object) -> ValidationError:
    return ValidationError(message, field="file", **params)


def safe_name(name: str) -> PurePosixPath:
    """The entry's path inside the bundle folder; refused when it could leave it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or path.is_absolute()
        or name.startswith(("/", "\\"))
        or ".." in path.parts
        or (path.parts and ":" in path.parts[0])  # a Windows drive, C:
        or "\x00" in name
    ):
        raise refuse(f"the zip has an unsafe entry {name!r} (absolute, or with '..')", entry=name)
    return path


def _wanted(path: PurePosixPath) -> bool:
    """CSV files and templates.json; the rest (``__MACOSX/``, ``.DS_Store``) is skipped."""
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return False
    return path.suffix.lower() == ".csv" or path.name == TEMPLATES_FILE


def _too_big(error: TooBig) -> ValidationError:
    return refuse(
        f"the zip was not unpacked: {error} (a bundle, and each of its files, is limited "
        f"to {mib(error.limit)})",
        entry=error.what,
        limit=error.limit,
    )


def _bundle_folder(root: Path) -> Path:
    if any(root.glob("*.csv")) or (root / TEMPLATES_FILE).exists():
        return root
    folders = [p for p in root.iterdir() if p.is_dir()]
    if len(folders) == 1:
        return _bundle_folder(folders[0])
    raise refuse("the zip holds no CSV files of a bundle")


def unpack_zip(
    archive: Path, into: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_UNPACKED_BYTES
) -> Path:
    """Unpack the bundle's files safely into ``into``; returns the folder holding them
    (the archive's single top folder when the files sit in one). Every file and the
    whole may unpack to ``max_bytes`` at most: measured by decompressing before anything
    is written, and counted again while writing."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = zf.infolist()
            if len(entries) > max_files:
                raise refuse(f"the zip holds {len(entries)} entries (at most {max_files})")
            wanted = []
            for entry in entries:
                path = safe_name(entry.filename)
                if not entry.is_dir() and _wanted(path):
                    wanted.append((entry, path))
            counted = 0
            for entry, _ in wanted:  # measured first: a bomb is refused before a byte is written
                with zf.open(entry) as src:
                    counted = copy_capped(
                        src,
                        None,
                        name=entry.filename,
                        written=counted,
                        member_limit=max_bytes,
                        total_limit=max_bytes,
                    )
            written = 0
            for entry, path in wanted:
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(entry) as src, target.open("wb") as dst:
                    written = copy_capped(
                        src,
                        dst,
                        name=entry.filename,
                        written=written,
                        member_limit=max_bytes,
                        total_limit=max_bytes,
                    )
    except TooBig as e:
        raise _too_big(e) from e
    except zipfile.BadZipFile as e:
        raise refuse(f"not a readable zip file ({e})") from e
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as e:  # e.g. encrypted
        raise refuse(f"cannot unpack the zip ({e})") from e
    except (EOFError, zipfile.error, ValueError) as e:  # a truncated or corrupt entry
        raise refuse(f"cannot unpack the zip ({e})") from e
    return _bundle_folder(into)


def upload_kind(filename: str, saved: Path) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".zip" or (suffix == "" and zipfile.is_zipfile(saved)):
        return "zip"
    raise refuse(
        f"upload a .zip of the bundle's CSV files or an .xlsx workbook, not {filename!r}",
        filename=filename,
    )


def clean_filename(filename: str | None) -> str:
    """The upload's base name, never a path."""
    return Path((filename or "bundle.zip").replace("\\", "/")).name or "bundle.zip"


def stage_within_limits(filename: str | None, upload: IO[bytes], workdir: Path) -> Path:
    """``stage_upload`` with the configured limits (``PEGBOARD_UPLOAD_LIMIT_BYTES``,
    ``PEGBOARD_UPLOAD_MAX_FILES``): what every upload of a bundle is held to."""
    limits = get_settings()
    return stage_upload(
        filename,
        upload,
        workdir,
        max_files=limits.upload_max_files,
        max_bytes=limits.upload_limit_bytes,
    )


def stage_upload(
    filename: str | None,
    stream: IO[bytes],
    workdir: Path,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_upload: int = MAX_UPLOAD_BYTES,
) -> Path:
    """Save the upload (``max_upload`` bytes at most) under ``workdir``; the path
    ``read_bundle`` should read. A zip is unpacked, a workbook checked part by part;
    either may unpack to ``max_bytes`` at most."""
    name = clean_filename(filename)
    saved = workdir / "upload" / name
    saved.parent.mkdir()
    with saved.open("wb") as dst:
        try:
            copy_capped(
                stream, dst, name="the upload", member_limit=max_upload, total_limit=max_upload
            )
        except TooBig as e:
            raise refuse(f"the upload is larger than {mib(max_upload)}", limit=max_upload) from e
    if upload_kind(name, saved) == "xlsx":
        problem = workbook_problem(saved, limit=max_bytes)
        if problem is not None:
            raise refuse(f"the workbook was not read: {problem}", limit=max_bytes)
        return saved
    folder = unpack_zip(saved, workdir / "bundle", max_files=max_files, max_bytes=max_bytes)
    saved.unlink()
    return folder


# --- staging folders ---------------------------------------------------------------------


def staging_folder(kind: str = "import") -> Path:
    """A new folder for one upload or export, named after this process."""
    return Path(tempfile.mkdtemp(prefix=f"pegboard-{kind}-{os.getpid()}-"))


def _owner_alive(folder: Path) -> bool:
    """Whether the process named in the folder's name still runs (``True`` when the name
    names none this machine can check)."""
    rest = folder.name.split("-", 2)[-1]
    pid_text = rest.split("-", 1)[0]
    if not pid_text.isdigit():
        return False  # a folder of an older version, whose process did not say
    return process_alive(this_process().host, int(pid_text), None) is not False


def remove_stale_staging(root: Path | None = None) -> list[Path]:
    """Remove the staging folders left by processes that ended (a crash, a kill) and
    return them; the folders of running processes, this one's included, stay."""
    root = root or Path(tempfile.gettempdir())
    removed = []
    for folder in root.iterdir() if root.is_dir() else []:
        if not folder.name.startswith(STAGING_PREFIXES) or not folder.is_dir():
            continue
        if not _owner_alive(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def clean_up_after_crashes(engine: Engine) -> None:
    """What a server does as it starts: remove the staging folders of processes that
    ended, and fail the open jobs whose process is gone (so a crash neither fills the
    disk nor blocks plans). Never stops the start: a failure is logged."""
    try:
        for folder in remove_stale_staging():
            log.info("removed the staging folder %s of a process that ended", folder)
        if is_initialised(engine):
            with session_factory(engine)() as s:
                if failed := reap_dead_jobs(s):
                    log.info("%d job(s) whose process had ended marked failed", failed)
    except Exception:
        log.exception("cleaning up after earlier processes failed")


# --- the import job ----------------------------------------------------------------------


def import_work(
    source: Path, workdir: Path | None, *, author: str, name: str, read: Read = read_bundle
) -> Work:
    """The work of an import: read the bundle, replace the company's data, and remove
    ``workdir`` (the staged upload) whatever happens."""

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        try:
            with collector_paused():
                data = read(source, progress)
                counts = replace_company(s, data, author=author, progress=progress)
        finally:
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
        return {"file": name, "rows": counts}

    return work


def upsert_work(
    source: Path,
    workdir: Path | None,
    *,
    author: str,
    name: str,
    expected: Counts | None = None,
) -> Work:
    """The work of an import in upsert mode: read the bundle against the company, add and
    change its rows in place (``services.company_upsert``, one transaction), and remove
    ``workdir`` whatever happens. The result says per file what was added, changed and
    left, as the preview does."""

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        try:
            diffs = upsert_company(
                s,
                lambda company: read_upsert(source, company, progress),
                author=author,
                expected=expected,
            )
        finally:
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
        # the job's result is JSON: amounts and dates as their text
        files = json.loads(json.dumps([asdict(summary(d)) for d in diffs], default=str))
        rows = {f["file"]: f["added"] + f["changed"] for f in files}
        return {"file": name, "rows": rows, "upsert": files}

    return work


def _prepare_import(
    *,
    author: str,
    upload: IO[bytes] | None = None,
    filename: str | None = None,
    source: Path | None = None,
    read: Read = read_bundle,
    allow_empty: bool = False,
    upsert: bool = False,
    preview_token: str | None = None,
) -> Prepared:
    """An import of an upload (a zip or an xlsx, staged and checked here, so a bad file
    is refused before a job exists) or of a bundle on disk (``source``). An items.csv
    without rows (which deletes every item) is refused unless ``allow_empty``. With
    ``upsert`` the bundle's rows are added and changed in place (``upsert_work``): an
    import job all the same, so it waits for plan runs and imports, and they for it;
    ``preview_token`` is the token of a previewed upload (``stage_upsert_preview``), applied as
    it was previewed."""
    if preview_token is not None:
        return _prepare_staged(preview_token, author)
    if allow_empty:
        if read is not read_bundle:
            raise ValueError("allow_empty applies to reading a bundle (read_bundle)")
        read = partial(read_bundle, allow_empty=True)
    if source is not None:
        if upsert:
            return Prepared(upsert_work(source, None, author=author, name=source.name))
        return Prepared(import_work(source, None, author=author, name=source.name, read=read))
    if upload is None:
        raise refuse("choose a file to upload")
    workdir = staging_folder("import")
    try:
        # the upload itself is capped by the HTTP layer (the same setting)
        staged = stage_within_limits(filename, upload, workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    name = clean_filename(filename)
    if upsert:
        work = upsert_work(staged, workdir, author=author, name=name)
    else:
        work = import_work(staged, workdir, author=author, name=name, read=read)
    return Prepared(work, discard=lambda: shutil.rmtree(workdir, ignore_errors=True))


def _prepare_staged(token: str, author: str) -> Prepared:
    """The upsert of a previewed upload, refused when the preview is gone, expired or
    someone else's; its folder goes once the job ends (kept if the job never starts, so
    the person may apply it once the plan run that blocked it ends)."""
    folder = staged_preview(token, author)
    meta = json.loads((folder / PREVIEW_META).read_text())
    expected = counts_from(meta["expected"])
    work = upsert_work(
        folder / meta["source"], folder, author=author, name=meta["name"], expected=expected
    )
    return Prepared(work)


register(JobKind("import", "import", Permission.IMPORT, IMPORT_BLOCKED_BY, _prepare_import))


# --- export ------------------------------------------------------------------------------


def snapshot(session: Session, folder: Path) -> dict[str, int]:
    """The data and the current plan, read in one transaction (one consistent view):
    what ``pegboard export``, the API and the web all write. Returns rows per file."""
    session.commit()  # end the transaction the sign-in check began; read afresh
    with session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        counts = write_dataset(read_company(session), folder)
        if current_run(session) is not None:
            counts |= write_plan(
                folder,
                plan_results.planned_order_rows(session),
                plan_results.pegging_rows(session),
                plan_results.exception_rows(session),
                plan_results.order_date_rows(session),
            )
    return counts


@dataclass(frozen=True)
class ExportArchive:
    """The bundle as a zip in a staging folder of its own; ``remove()`` once it is sent."""

    path: Path
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    """Rows written per file or sheet."""

    @property
    def filename(self) -> str:
        return self.path.name

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def export_archive(session: Session) -> ExportArchive:
    """The company's data and the current plan as one zip (``snapshot``), named by the
    moment: what the API and the web hand out. Nothing is left behind on failure."""
    workdir = staging_folder("export")
    try:
        folder = workdir / "bundle"
        snapshot(session, folder)
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        archive = workdir / f"pegboard-{stamp}.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, arcname=path.name)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return ExportArchive(archive, workdir)


def export_workbook(session: Session, path: Path | None = None) -> ExportArchive:
    """The company's data as one ``.xlsx`` workbook (``bundle.workbook``: a sheet per
    file and one for the templates), read in one transaction like ``snapshot``; it imports
    again as it is. Written to ``path`` (the CLI) or, without it, to a staging folder
    of its own named by the moment (the API and the web: ``remove()`` once sent). The plan
    is not in it: it is made again by planning after an import."""
    from pegboard.bundle.workbook import write_workbook

    workdir = staging_folder("export")
    try:
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        target = path if path is not None else workdir / f"pegboard-{stamp}.xlsx"
        session.commit()  # end the transaction the sign-in check began; read afresh
        with session.begin():
            if session.get_bind().dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            data = read_company(session)
        counts = write_workbook(data, target)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return ExportArchive(target, workdir, counts)


def upsert_preview(session: Session, path: Path) -> list[FilePreview]:
    """What importing ``path`` in upsert mode would add and change (``bundle.upsert``),
    checked by the same rules as an import and read as applying it reads it (against the
    company, ``read_upsert``); reads the company, writes nothing."""
    from pegboard.bundle.upsert import preview

    session.commit()  # read afresh
    with session.begin():
        company = read_company(session)
    return preview(company, read_upsert(path, company)[0])


def upsert_preview_upload(
    session: Session, filename: str | None, upload: IO[bytes]
) -> list[FilePreview]:
    """``upsert_preview`` of an uploaded zip or workbook (the API and the admin page),
    staged with the import's limits and removed again; writes nothing."""
    workdir = staging_folder("preview")
    try:
        staged = stage_within_limits(filename, upload, workdir)
        return upsert_preview(session, staged)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- a previewed upsert kept to be applied -----------------------------------------------


@dataclass(frozen=True)
class StagedPreview:
    """A previewed upload kept under ``token`` (the web's Apply button posts it back)."""

    token: str
    previews: list[FilePreview]


def stage_upsert_preview(
    session: Session, filename: str | None, upload: IO[bytes], *, author: str
) -> StagedPreview:
    """Preview an uploaded zip or workbook (``upsert_preview``) and keep it, staged with
    the import's limits, for ``author`` to apply for ``PREVIEW_LIFETIME`` seconds: what is
    applied is the very file previewed, and refused if the company changed so that it
    would write other counts (``upsert_company``'s ``expected``). Older kept previews go."""
    remove_expired_previews()
    workdir = staging_folder("upsert")
    try:
        staged = stage_within_limits(filename, upload, workdir)
        previews = upsert_preview(session, staged)
        meta = {
            "author": author,
            "name": clean_filename(filename),
            "source": staged.relative_to(workdir).as_posix(),
            "expected": counts_from({p.file: (p.added, p.changed) for p in previews}),
            "created": time.time(),
        }
        (workdir / PREVIEW_META).write_text(json.dumps(meta))
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return StagedPreview(workdir.name.removeprefix(PREVIEW_PREFIX), previews)


def counts_from(pairs: dict[str, Any]) -> Counts:
    """Per file the rows added and changed (those with any), as ``upsert_company`` checks
    them; from a preview, or read back from the kept preview's JSON."""
    return {f: (int(a), int(c)) for f, (a, c) in pairs.items() if a or c}


def staged_preview(token: str, author: str) -> Path:
    """The folder of a kept preview; refused unless it is ``author``'s and still fresh."""
    gone = refuse(
        "that preview is no longer kept (older than an hour, or the server restarted): "
        "preview the file again"
    )
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        raise gone
    folder = Path(tempfile.gettempdir()) / f"{PREVIEW_PREFIX}{token}"
    meta = folder / PREVIEW_META
    if not meta.is_file() or _expired(meta):
        raise gone
    if json.loads(meta.read_text()).get("author") != author:
        raise refuse("that preview is another person's: preview the file yourself")
    return folder


def remove_expired_previews(root: Path | None = None) -> None:
    """Remove kept previews older than ``PREVIEW_LIFETIME`` (never applied)."""
    root = root or Path(tempfile.gettempdir())
    for folder in root.glob(f"{PREVIEW_PREFIX}*"):
        meta = folder / PREVIEW_META
        if folder.is_dir() and meta.is_file() and _expired(meta):
            shutil.rmtree(folder, ignore_errors=True)


def _expired(meta: Path) -> bool:
    """Kept longer than ``PREVIEW_LIFETIME``, by the moment written in it (the same clock
    as this check's, so a clock set to another day, as the tests' is, ages it alike);
    an unreadable one is expired."""
    try:
        created = float(json.loads(meta.read_text())["created"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return not 0 <= time.time() - created <= PREVIEW_LIFETIME
