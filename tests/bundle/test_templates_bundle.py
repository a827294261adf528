"""Configurable products travel with a bundle as templates.json, checked like every file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.demo import demo_path
from pegboard.errors import BundleError
from pegboard.services.company_data import read_company, replace_company


def _lighting(tmp_path: Path) -> Path:
    folder = tmp_path / "lighting"
    shutil.copytree(demo_path("lighting"), folder)
    return folder


def test_templates_round_trip_and_stay_out_of_bom_csv(session: Session, tmp_path: Path) -> None:
    source = read_bundle(_lighting(tmp_path))
    assert [t["item"] for t in source.templates] == ["BODY-7040", "LR-7040"]
    replace_company(session, source, author="test")
    with session.begin():
        first = read_company(session)
    assert {r.parent for r in first.bom}.isdisjoint({"BODY-7040", "LR-7040"})
    write_dataset(first, tmp_path / "out")
    again = read_bundle(tmp_path / "out")
    replace_company(session, again, author="test")
    with session.begin():
        second = read_company(session)
    assert second.canonical() == first.canonical()
    lr = next(t for t in second.templates if t["item"] == "LR-7040")
    emergency = next(line for line in lr["lines"] if line.get("condition"))
    assert emergency == {
        "component": "SA-EMG-KIT-3H",
        "qty": "1",
        "condition": "emergency == 'yes'",
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda t: t[1]["lines"][1].update(qty="__import__('os').system('x')"),
            "functions may be called",
        ),
        (lambda t: t[1]["lines"][1].update(component="NO-SUCH-ITEM"), "unknown item"),
        (lambda t: t[0].update(item="EXT-AL-7040"), "type make"),
        (lambda t: t[1]["parameters"][0].update(kind="colour"), "kind"),
    ],
)
def test_a_bad_template_is_reported_and_nothing_is_read(
    tmp_path: Path, change, reason: str
) -> None:  # type: ignore[no-untyped-def]
    folder = _lighting(tmp_path)
    path = folder / "templates.json"
    templates = json.loads(path.read_text())
    change(templates)
    path.write_text(json.dumps(templates))
    with pytest.raises(BundleError) as caught:
        read_bundle(folder)
    (problem,) = caught.value.problems
    assert problem.file == "templates.json"
    assert reason in problem.reason


def test_templates_json_must_be_json(tmp_path: Path) -> None:
    folder = _lighting(tmp_path)
    (folder / "templates.json").write_text("[{")
    with pytest.raises(BundleError, match="not valid JSON"):
        read_bundle(folder)
