"""The batch stages on a Dask cluster build the catalog a single machine
builds: the same works, versions, author records and assignments, topics,
search index included (``bzpeer digest --content``)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from distributed import LocalCluster

ROOT = Path(__file__).resolve().parents[2]
BZPEER = ROOT / ".venv" / "bin" / "bzpeer"
DEMO = ROOT / "src" / "bzpeer" / "demo" / "data"
IMPORTS = [
    ("arxiv", DEMO / "arxiv" / "listings"),  # 3,208 works, 23,213 mentions
    ("openalex", DEMO / "openalex" / "works"),
]


def build(folder: Path, *cluster: str) -> tuple[str, str]:
    """A fresh SQLite catalog with the imports (each resolved) and enriched;
    its digest, and what enrichment printed."""
    env = dict(os.environ, BZPEER_SQLITE=str(folder / "catalog.sqlite3"))
    env.pop("DATABASE_URL", None)

    def bzpeer(*args: str) -> str:
        done = subprocess.run(
            [str(BZPEER), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    bzpeer("migrate")
    for source, path in IMPORTS:
        bzpeer("import", source, str(path), "--quiet", *cluster)
    enriched = bzpeer("enrich", "--quiet", *cluster)
    return bzpeer("digest", "--content"), enriched


@pytest.fixture(scope="module")
def scheduler():
    """Two worker processes, one thread each, started and stopped here."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


def test_a_cluster_import_builds_the_catalog_one_machine_builds(scheduler, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    alone, enriched = build(tmp_path / "one")
    spread, _ = build(tmp_path / "two", "--cluster", scheduler)
    assert spread == alone
    placed = re.search(r"(\d[\d,]*) by their venue, (\d[\d,]*) by the model", enriched)
    assert placed and int(placed[1].replace(",", "")) > 0  # works the cluster placed
    rows = dict(line.split("\t")[:2] for line in alone.splitlines())
    assert int(rows["catalog_authorshipmention"]) > 23_000
    assert int(rows["catalog_author"]) > 15_000


def test_an_address_where_no_scheduler_answers_is_a_clear_error(tmp_path):
    env = dict(os.environ, BZPEER_SQLITE=str(tmp_path / "catalog.sqlite3"))
    env.pop("DATABASE_URL", None)
    subprocess.run([str(BZPEER), "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [str(BZPEER), "resolve", "--cluster", "tcp://127.0.0.1:9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
