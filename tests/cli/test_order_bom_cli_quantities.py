"""``pegboard order configure/show`` print a configured line's formula quantities to the
item's decimals, never with float noise (issue #13, whole units)."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.demo import demo_path

NOISE = ("0.7000000000000001", "1.4000000000000001", "0.016800000000000002", "0.700000")


def test_a_configured_order_bom_reads_as_written(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"}
        )
        assert result.exit_code == 0, result.output
        return result.output

    run("import", str(demo_path("lighting")))
    number = run("order", "create", "--customer", "Brightside Retail").strip()
    run("order", "add-line", number, "--item", "LR-7040", "--qty", "2", "--due", "2027-01-04")
    run("order", "confirm", number)
    # a 4.2 m run: 4.2 / 6 m of profile, 4.2 / 3 m of diffuser (+5 %), 4.2 × 0.004 kg of powder
    for out in (
        run("order", "configure", number, "1", "--param", "length_m=4.2"),
        run("order", "show", number),
    ):
        for noise in NOISE:
            assert noise not in out
        assert "0.7 × EXT-AL-7040" in out
        assert "1.4 × DIF-OPAL-7040" in out and "(+5 % scrap)" in out
        assert "0.0168 × PWD-RAL9016" in out
        assert "2 × SA-LEDMOD-2240" in out  # ceil(4.2 / 2.24) pieces
