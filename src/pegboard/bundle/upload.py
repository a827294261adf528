"""Uploaded bundles, saved and unpacked safely, and the bundle as a zip for download.

Shared by the JSON API and the web pages. The zip is unpacked by hand, never
with ``extractall``: entries with an absolute path or ``..`` are refused, as
are archives with too many files or that unpack to more than ``max_bytes``
(counted while unpacking, not taken from the archive's word).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy.orm import Session

from pegboard.bundle.importer import TEMPLATES_FILE, read_bundle
from pegboard.bundle.writer import write_dataset, write_plan
from pegboard.errors import ValidationError
from pegboard.services import plan_results
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.jobs import Progress, Work
from pegboard.services.planning import current_run

MAX_FILES = 100
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""
MAX_UNPACKED_BYTES = 4 * 1024**3
"""What an uploaded zip may unpack to, in total."""
CHUNK = 1024 * 1024


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


def _too_big(max_bytes: int) -> str:
    return f"the zip unpacks to more than {max_bytes // 1024**2} MiB"


def _copy_capped(src: IO[bytes], dst: IO[bytes], written: int, max_bytes: int) -> int:
    while chunk := src.read(CHUNK):
        written += len(chunk)
        if written > max_bytes:
            raise refuse(_too_big(max_bytes))
        dst.write(chunk)
    return written


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
    (the archive's single top folder when the files sit in one)."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = zf.infolist()
            if len(entries) > max_files:
                raise refuse(f"the zip holds {len(entries)} entries (at most {max_files})")
            if sum(e.file_size for e in entries) > max_bytes:
                raise refuse(_too_big(max_bytes))
            written = 0
            for entry in entries:
                path = safe_name(entry.filename)
                if entry.is_dir() or not _wanted(path):
                    continue
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(entry) as src, target.open("wb") as dst:
                    written = _copy_capped(src, dst, written, max_bytes)
    except zipfile.BadZipFile as e:
        raise refuse(f"not a readable zip file ({e})") from e
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as e:  # e.g. encrypted
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


def stage_upload(
    filename: str | None,
    stream: IO[bytes],
    workdir: Path,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_UNPACKED_BYTES,
) -> Path:
    """Save the upload under ``workdir``; the path ``read_bundle`` should read."""
    name = clean_filename(filename)
    saved = workdir / "upload" / name
    saved.parent.mkdir()
    with saved.open("wb") as dst:
        shutil.copyfileobj(stream, dst, CHUNK)
    if upload_kind(name, saved) == "xlsx":
        return saved
    folder = unpack_zip(saved, workdir / "bundle", max_files=max_files, max_bytes=max_bytes)
    saved.unlink()
    return folder


def import_work(source: Path, workdir: Path, *, author: str, name: str) -> Work:
    """The background work of an import: read the staged bundle, replace the company's
    data, and remove ``workdir`` whatever happens."""

    def work(s: Session, progress: Progress) -> dict[str, Any]:
        try:
            data = read_bundle(source, progress)
            counts = replace_company(s, data, author=author, progress=progress)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return {"file": name, "rows": counts}

    return work


def zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, arcname=path.name)


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
