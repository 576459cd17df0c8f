"""Settings read from the environment refuse a bad value by its variable's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from bzpeer.settings import env_int


def test_a_whole_number_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BZPEER_IMPORT_BATCH", raising=False)
    assert env_int("BZPEER_IMPORT_BATCH", 2500, minimum=1) == 2500
    monkeypatch.setenv("BZPEER_IMPORT_BATCH", "300")
    assert env_int("BZPEER_IMPORT_BATCH", 2500, minimum=1) == 300


@pytest.mark.parametrize("value", ["", "abc", "-1", "2.5", " 3", "3_000", "0", "²"])
def test_a_bad_number_names_its_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BZPEER_IMPORT_BATCH", value)
    with pytest.raises(ImproperlyConfigured, match="BZPEER_IMPORT_BATCH"):
        env_int("BZPEER_IMPORT_BATCH", 2500, minimum=1)
