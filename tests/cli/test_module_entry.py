"""``python -m pegboard`` is ``pegboard``: its messages name the command a user types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_python_m_pegboard_names_itself_pegboard(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pegboard", "report", "late", "--no-such-option"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PEGBOARD_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "(see pegboard report late --help)" in done.stderr
    assert "__main__" not in done.stderr + done.stdout
