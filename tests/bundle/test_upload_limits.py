"""Uploads that would become gigabytes (issue #20, item 4), at the real limits.

An xlsx of 1.55 MB held 1.5 GiB of shared strings; a 1.57 MB zip wrote 1.6 GB to the
temporary folder; 20 M blank rows kept a server busy for minutes. Each is refused now,
quickly, with a located message, nothing written to disk or to the database (the API
tests run on SQLite and PostgreSQL).
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.api import create_app
from pegboard.bundle import archive
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.upload import stage_upload, unpack_zip
from pegboard.errors import BundleError, ValidationError
from pegboard.model import Job, Role
from pegboard.services import users

OVER = archive.BUNDLE_LIMIT + 8 * 1024**2
"""A little past the limit: what each bomb unpacks to."""


def _bomb(member: str, piece: bytes, into: Path, others: dict[str, bytes] | None = None) -> Path:
    """A zip whose ``member`` unpacks to ``OVER`` bytes of ``piece`` repeated (a few MB)."""
    chunk = piece * (1024**2 // len(piece) + 1)
    chunk = chunk[: 1024**2]
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in (others or {}).items():
            zf.writestr(name, data)
        with zf.open(member, "w", force_zip64=True) as f:
            for _ in range(OVER // len(chunk)):
                f.write(chunk)
    return into


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bombs")
    return _bomb("items.csv", b"ITEM-0001,a description\n", folder / "bomb.zip")


@pytest.fixture(scope="module")
def xlsx_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook whose shared strings part unpacks past the limit."""
    folder = tmp_path_factory.mktemp("bombs")
    book = Workbook()
    book.active.title = "items"
    book.active.append(["code", "description"])
    plain = folder / "plain.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    return _bomb("xl/sharedStrings.xml", b"<si><t>A</t></si>", folder / "book.xlsx", parts)


def test_a_zip_member_past_the_limit_is_refused_before_anything_is_written(
    zip_bomb: Path, tmp_path: Path
) -> None:
    assert zip_bomb.stat().st_size < 20 * 1024**2
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        unpack_zip(zip_bomb, tmp_path / "out")
    assert "items.csv unpacks to more than 512 MiB" in caught.value.message
    assert caught.value.params["entry"] == "items.csv"
    assert not any((tmp_path / "out").iterdir())  # not a byte on disk
    assert time.monotonic() - started < 30


def test_a_workbook_part_past_the_limit_is_refused_before_it_is_read(xlsx_bomb: Path) -> None:
    with pytest.raises(BundleError) as caught:
        read_bundle(xlsx_bomb)
    (problem,) = caught.value.problems
    assert problem.file == "book.xlsx"
    assert "up to xl/sharedStrings.xml unpack to more than 512 MiB together" in problem.reason


def test_an_uploaded_workbook_is_checked_too(xlsx_bomb: Path, tmp_path: Path) -> None:
    with xlsx_bomb.open("rb") as upload, pytest.raises(ValidationError) as caught:
        stage_upload("book.xlsx", upload, tmp_path)
    assert caught.value.message.startswith("the workbook was not read: the files up to xl/shared")


def test_an_upload_past_the_limit_is_refused(tmp_path: Path) -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            b[:] = b"x" * len(b)
            return len(b)

    with pytest.raises(ValidationError) as caught:
        stage_upload("big.zip", io.BufferedReader(Endless()), tmp_path)
    assert caught.value.message == "the upload is larger than 512 MiB"


def test_twenty_million_blank_csv_lines_stop_at_the_row_limit(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "items.csv").write_text("item,description,type,uom\n" + "\n" * 20_000_000)
    started = time.monotonic()
    with pytest.raises(BundleError) as caught:
        read_bundle(folder)
    (problem,) = [p for p in caught.value.problems if "rows" in p.reason]
    assert problem.file == "items.csv" and problem.line == archive.MAX_ROWS + 2
    assert "more than 5,000,000 rows" in problem.reason
    assert time.monotonic() - started < 60


def test_a_sheet_past_excels_row_limit_stops_there(tmp_path: Path) -> None:
    """One cell on row 20,000,000 makes a spreadsheet library fill in every row before it."""
    book = Workbook()
    book.active.title = "items"
    book.active.append(["item", "description", "type", "uom"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    far = b'<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>X</t></is></c></row>'
    parts[sheet] = parts[sheet].replace(b"</sheetData>", far + b"</sheetData>")
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:D1"', b'<dimension ref="A1:D20000000"')
    sparse = tmp_path / "sparse.xlsx"
    with zipfile.ZipFile(sparse, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(BundleError) as caught:
        read_bundle(sparse)
    (problem,) = [p for p in caught.value.problems if "rows" in p.reason]
    assert problem.file == "sparse.xlsx[items]" and problem.line == archive.MAX_SHEET_ROWS + 1
    assert "more than 1,048,576 rows" in problem.reason


def test_the_api_refuses_both_bombs_and_leaves_nothing(
    engine: Engine, zip_bomb: Path, xlsx_bomb: Path
) -> None:
    with db.session_factory(engine)() as s:
        users.create_user(
            s, name="ada", password="correct horse battery", role=Role.ADMIN, author="t"
        )
        _, secret = users.create_token(s, user="ada", name="t", author="t")
    staging = Path(tempfile.gettempdir())

    def mine() -> set[Path]:
        return set(staging.glob(f"pegboard-import-{os.getpid()}-*"))

    before = mine()
    with TestClient(create_app(engine)) as api:
        for bomb, kind in ((zip_bomb, "application/zip"), (xlsx_bomb, "application/vnd.ms-excel")):
            sent = api.post(
                "/api/bundle/import",
                headers={"Authorization": f"Bearer {secret}"},
                files={"file": (bomb.name, bomb.read_bytes(), kind)},
            )
            assert sent.status_code == 422, sent.text
            assert "to more than 512 MiB" in sent.json()["error"]["message"]
    assert mine() == before  # the staging folder went with the refusal
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
