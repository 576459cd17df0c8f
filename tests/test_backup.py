"""Backup and restore as an operator runs them (docs/operations.md)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.conf import settings

from bzpeer.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_a_backup_restored_into_a_wiped_database_is_the_same_database():
    """scripts/backup-check.sh on this suite's database kind, in a throwaway
    database of its own: load, digest, back up, wipe, restore, digest."""
    postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    env = dict(os.environ, BZPEER=str(ROOT / ".venv" / "bin" / "bzpeer"))
    # a cluster of its own beside the suite's (scripts/with-postgres.sh)
    env["PG_PORT"] = str(int(os.environ.get("PG_PORT", "55432")) + 7)
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        ["bash", "scripts/backup-check.sh", "postgres" if postgres else "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "identical after restore" in done.stdout


def test_restore_asks_for_yes_and_names_a_missing_file(capsys, tmp_path):
    assert main(["restore", str(tmp_path / "catalog.backup")]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["restore", "--yes", str(tmp_path / "nothing.backup")]) == 2
    assert "no such backup file" in capsys.readouterr().err
