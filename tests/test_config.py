"""Settings from ``PEGBOARD_*`` variables: the upload limits, and a bad value refused
naming the variable and the value (issue #20)."""

from __future__ import annotations

import pytest

from pegboard.config import UPLOAD_FILES, UPLOAD_LIMIT, get_settings
from pegboard.errors import ValidationError


def test_the_upload_limits_default_to_the_bundle_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEGBOARD_UPLOAD_LIMIT_BYTES", raising=False)
    monkeypatch.delenv("PEGBOARD_UPLOAD_MAX_FILES", raising=False)
    settings = get_settings()
    assert (settings.upload_limit_bytes, settings.upload_max_files) == (UPLOAD_LIMIT, 100)
    monkeypatch.setenv("PEGBOARD_UPLOAD_LIMIT_BYTES", "1048576")
    assert get_settings().upload_limit_bytes == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEGBOARD_UPLOAD_MAX_FILES", "many"),
        ("PEGBOARD_UPLOAD_MAX_FILES", str(UPLOAD_FILES + 1)),
        ("PEGBOARD_UPLOAD_LIMIT_BYTES", "0"),
        ("PEGBOARD_UPLOAD_LIMIT_BYTES", str(UPLOAD_LIMIT + 1)),
        ("PEGBOARD_PROMISE_WORKERS", "-1"),
        ("PEGBOARD_PROMISE_TIME_LIMIT", "0"),
    ],
)
def test_a_bad_setting_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        get_settings()
    assert refused.value.params["field"] == name
    assert name in refused.value.message and value in refused.value.message
