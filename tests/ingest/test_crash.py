"""kill -9 at several points of an import, then a re-run: the database ends
exactly as after one clean run. Runs on the engine the suite runs on."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bzpeer.demo import DATA

LISTINGS = [str(DATA / "arxiv/listings"), str(DATA / "arxiv/oai")]

FINGERPRINT = r"""
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings"
import django
django.setup()
from django.db.models import Count
from bzpeer.catalog.models import *
from bzpeer.ingest.models import ImportRun
print(json.dumps({
    "records": sorted(SourceRecord.objects.values_list("source", "external_id", "payload_hash")),
    "works": sorted(Work.objects.values_list("title", "year", "type", "venue_name")),
    "versions": WorkVersion.objects.count(),
    "identifiers": sorted(WorkIdentifier.objects.values_list("scheme", "value")),
    "mentions": sorted(AuthorshipMention.objects.values_list(
        "version__source_record__external_id", "position", "raw_name", "author__display_name")),
    "authors": sorted(Author.objects.values_list("display_name", "works_count")),
    "topics": WorkTopic.objects.count(),
    "quarantine": sorted(Quarantine.objects.values_list("locator", "reason")),
    "status": list(ImportRun.objects.values_list("status", flat=True)),
}, default=str))
"""


def _database_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh database of the suite's engine for the subprocesses."""
    url = os.environ.get("DATABASE_URL")
    env = dict(
        os.environ,
        BZPEER_HOME=str(tmp_path),
        BZPEER_IMPORT_BATCH="300",
        BZPEER_SECRET_KEY="a-secret-for-the-crash-tests-only",
    )
    if not url:
        env["BZPEER_SQLITE"] = str(tmp_path / f"crash-{uuid.uuid4().hex}.sqlite3")
        yield env
        return
    import psycopg

    name = f"bzpeer_crash_{uuid.uuid4().hex[:12]}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _database_env(tmp_path)


@pytest.fixture
def clean_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    yield from _database_env(tmp_path_factory.mktemp("clean"))


def _bzpeer(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bzpeer.cli", *args],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run(env: dict[str, str], *args: str) -> None:
    process = _bzpeer(env, *args)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()[-2000:]


def _fingerprint(env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINT],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout)


def _progress(env: dict[str, str]) -> tuple[int, str]:
    """(source records committed, status of the latest run) read beside the importer."""
    query = (
        "SELECT (SELECT COUNT(*) FROM catalog_sourcerecord), "
        "(SELECT status FROM ingest_importrun ORDER BY id DESC LIMIT 1)"
    )
    try:
        if "BZPEER_SQLITE" in env:
            with sqlite3.connect(f"file:{env['BZPEER_SQLITE']}?mode=ro", uri=True, timeout=5) as db:
                count, status = db.execute(query).fetchone()
        else:
            import psycopg

            with psycopg.connect(env["DATABASE_URL"]) as db:
                count, status = db.execute(query).fetchone()
    except (sqlite3.OperationalError, Exception):  # tables not there yet
        return 0, ""
    return int(count or 0), str(status or "")


def _kill_when(env: dict[str, str], ready: object, *args: str) -> bool:
    """Start an import, SIGKILL its process group once ``ready(count, status)``."""
    process = _bzpeer(env, *args)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if ready(*_progress(env)):  # type: ignore[operator]
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    process.wait()
    return False


def test_kill_dash_nine_at_several_points_then_resume(fresh_db, clean_db):
    args = ("import", "arxiv", "-q", *LISTINGS)
    _run(clean_db, "migrate")
    _run(clean_db, *args)
    expected = _fingerprint(clean_db)
    assert len(expected["records"]) > 3000

    _run(fresh_db, "migrate")
    kills = [
        lambda count, status: status == "running",  # before the first batch lands
        lambda count, status: count >= 600,  # a few batches in
        lambda count, status: count >= 2100,  # further on, after a resume
        lambda count, status: status == "resolving",  # during author resolution
    ]
    killed = sum(_kill_when(fresh_db, ready, *args) for ready in kills)
    assert killed >= 3, "the import finished before it could be killed"
    _run(fresh_db, *args)  # carries on from the checkpoint
    got = _fingerprint(fresh_db)
    assert got.pop("status")[0] == "done"
    expected.pop("status")
    for key, value in expected.items():
        assert got[key] == value, key


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="concurrency is PostgreSQL's")
def test_concurrent_imports_on_postgresql_duplicate_nothing(fresh_db, clean_db):
    overlapping = [
        (str(DATA / "arxiv/listings"),),
        (str(DATA / "arxiv/listings"), str(DATA / "arxiv/oai")),
    ]
    _run(clean_db, "migrate")
    for paths in overlapping:
        _run(clean_db, "import", "arxiv", "-q", *paths)
    expected = _fingerprint(clean_db)

    _run(fresh_db, "migrate")
    processes = [_bzpeer(fresh_db, "import", "arxiv", "-q", *paths) for paths in overlapping]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-2000:]
    got = _fingerprint(fresh_db)
    for key in ("records", "works", "identifiers", "versions", "topics", "quarantine"):
        assert got[key] == expected[key], key
    # Each mention resolved once, to one record per name as in a sequential run.
    assert len(got["mentions"]) == len(expected["mentions"])
    assert all(m[3] for m in got["mentions"])


def _running_in_group(group: int) -> list[int]:
    """Processes of a process group that have not exited (zombies aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _, pgrp = stat.rpartition(")")[2].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(int(entry.name))
    return found


def test_parser_processes_end_when_the_writer_is_killed(fresh_db):
    """kill -9 of the importing process alone: its parser processes, which read
    the input themselves, notice that nobody reads their windows and exit."""
    _run(fresh_db, "migrate")
    process = _bzpeer(fresh_db, "import", "arxiv", "-q", *LISTINGS)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if _progress(fresh_db)[0] > 0 and len(_running_in_group(process.pid)) > 1:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while _running_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _running_in_group(process.pid)
    if left:
        os.killpg(process.pid, signal.SIGKILL)
    assert not left, f"parser processes left running: {left}"
