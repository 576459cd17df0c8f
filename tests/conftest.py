from __future__ import annotations

from pathlib import Path

import pytest

from bzpeer.demo import DATA

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo data, loaded once through the real importers, under every test."""
    from bzpeer.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(show_progress=False)


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def write(tmp_path: Path):
    """Write a small input file for a test and return its path."""

    def _write(name: str, content: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return _write
