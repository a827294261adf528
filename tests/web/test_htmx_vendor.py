"""htmx from npm (issue #19): served at /static/vendor/htmx.min.js from node_modules with
the lockfile's version, loaded by every page under a policy that still allows no inline
script, no eval and no inline style; a missing package is a clear start-up error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pegboard.web import vendor

ROOT = Path(__file__).resolve().parents[2]


def test_htmx_served_from_node_modules_with_the_locked_version(web: TestClient) -> None:
    locked = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    version = locked["packages"]["node_modules/htmx.org"]["version"]
    served = web.get(vendor.HTMX_URL)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    installed = ROOT / "node_modules" / "htmx.org"
    assert json.loads((installed / "package.json").read_text("utf-8"))["version"] == version
    assert served.content == (installed / "dist" / "htmx.min.js").read_bytes()
    assert not (ROOT / "src" / "pegboard" / "web" / "static" / "vendor").exists()


def test_pages_load_htmx_under_a_strict_policy(web: TestClient) -> None:
    login = web.get("/login")
    policy = login.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert f'<script src="{vendor.HTMX_URL}" defer></script>' in login.text
    config = login.text.split('name="htmx-config" content=\'')[1].split("'")[0]
    assert json.loads(config) == {
        "includeIndicatorStyles": False,  # else htmx adds a <style> the policy refuses
        "allowEval": False,
        "allowScriptTags": False,
    }
    assert "<script>" not in login.text


def test_a_missing_htmx_is_an_error_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(vendor.AssetsMissingError, match=r"run scripts/install \(npm ci\)"):
        vendor.htmx_file([tmp_path / "node_modules"])
    (tmp_path / "node_modules" / vendor.HTMX_FILE).parent.mkdir(parents=True)
    (tmp_path / "node_modules" / vendor.HTMX_FILE).write_text("// htmx", "utf-8")
    assert vendor.htmx_file([tmp_path / "x", tmp_path / "node_modules"]).read_text() == "// htmx"
