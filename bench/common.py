"""What the benchmarks share: the listing corpus they default to, and running
a measurement in a fresh process against its own SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTINGS = (
    HERE.parent.parent
    / "shared/data/arxiv/arxiv-browse-listings/arxiv-monthly-listings-astro-ph-2000-2023.tar.gz"
)


def ensure_corpus(path: Path, works: int, *options: str) -> bool:
    """Generate ``works`` synthetic OpenAlex works at ``path`` (bench/make_corpus.py,
    seeded) unless the file is there; True when it was made now."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(HERE / "make_corpus.py"), "--works", str(works)]
    subprocess.run([*command, "--out", str(path), *options], check=True)
    return True


def run_child(code: str, db: Path, *args: str) -> dict[str, float]:
    """Run ``code`` (which prints one JSON line last) in a fresh interpreter
    whose catalog is the SQLite file ``db``; return that line."""
    env = dict(os.environ, BZPEER_SQLITE=str(db), BZPEER_HOME=str(db.parent))
    env.setdefault("BZPEER_SECRET_KEY", "bench-only-not-a-secret")  # a fresh home has none
    out = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, check=True, capture_output=True, text=True
    )
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}
