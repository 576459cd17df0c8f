"""``bzpeer backup``, ``bzpeer restore`` and ``bzpeer digest``: a copy of the
whole database, put back, and a fingerprint to show the two are the same.

- SQLite: SQLite's online backup (``sqlite3.Connection.backup``), page by
  page in one read transaction, so a backup taken while the site serves and
  imports is consistent; restore copies the pages back into the database file.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean`` (one
  transaction), with the connection settings of ``DATABASE_URL``; the
  PostgreSQL client programs must be on ``PATH`` or in ``PG_BIN``.

``digest`` reads every table of the database (Django's, the project's, the
task queue's, the search index's) in primary-key order and prints its row
count and a sha256 of its rows, and on PostgreSQL every sequence's next
value: two databases with the same digest hold the same rows and would
number the next rows alike. ``scripts/backup-check.sh`` backs up a loaded
database, wipes it, restores it and compares digests, on both databases.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


class BackupError(Exception):
    """A backup or restore that cannot run here (a missing program, a bad file)."""


def backup(path: Path) -> None:
    """Write a copy of the whole database to ``path`` (replaced if it exists)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        path.unlink(missing_ok=True)
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    _run(_program("pg_dump"), "--format=custom", "--no-owner", f"--file={path}")


def restore(path: Path) -> None:
    """Replace the database's content with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path}: not an SQLite backup ({exc})") from exc
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()  # pg_restore drops the tables this connection may lock
    _run(
        _program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        str(path),
    )


# Tables whose rows record when and how a run went, not what it built.
# The revision token is random at each write (``catalog.revision``).
RUN_TABLES = (
    "ingest_importrun",
    "django_migrations",
    "django_session",
    "bzpeer_cache",
    "catalog_catalogrevision",
)


def digest(content_only: bool = False) -> list[tuple[str, int, str]]:
    """(table, rows, sha256 of its rows in key order), every table, sorted
    by name; on PostgreSQL also ``("sequence <name>", next value, "")``.

    ``content_only``: what two runs of the same input must agree on, wherever
    they ran: without the run tables (``RUN_TABLES``, the task queue's),
    without date-time columns (when a row was written) and sequences."""
    columns = _columns_without_times() if content_only else {}
    out: list[tuple[str, int, str]] = []
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            if content_only and (table in RUN_TABLES or table.startswith("django_tasks")):
                continue
            quoted = connection.ops.quote_name(table)
            select = ", ".join(map(connection.ops.quote_name, columns.get(table, []))) or "*"
            cursor.execute(f"SELECT {select} FROM {quoted} ORDER BY 1")
            sha = hashlib.sha256()
            rows = 0
            for row in cursor:
                sha.update(repr(tuple(map(_plain, row))).encode("utf-8"))
                rows += 1
            out.append((table, rows, sha.hexdigest()))
        if connection.vendor == "postgresql" and not content_only:
            cursor.execute(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2"
            )
            for schema, name, last in cursor.fetchall():
                out.append((f"sequence {schema}.{name}", int(last or 0), ""))
    return out


def _columns_without_times() -> dict[str, list[str]]:
    """Each model's table -> its columns but the date-times, key first."""
    from django.apps import apps
    from django.db import models

    out: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.DateTimeField)]
        key = model._meta.pk
        ordered = [key, *(f for f in fields if f is not key)] if key is not None else fields
        out[model._meta.db_table] = [f.column for f in ordered]
    return out


def _plain(value: object) -> object:
    """Binary values as hex: a ``memoryview``'s repr is its address."""
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    return value


def _program(name: str) -> str:
    """A PostgreSQL client program: ``PG_BIN``, then Debian's versioned
    folders (newest first), then ``PATH``."""
    folders = [settings.BZPEER_PG_BIN]
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in folders:
        candidate = Path(folder) / name
        if folder and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} not found: install PostgreSQL's client programs or set PG_BIN")


def _run(program: str, *args: str) -> None:
    """Run a PostgreSQL client program against the configured database (its
    settings as one libpq URI: nothing put in the environment)."""
    db = connection.settings_dict
    user = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(str(db["PASSWORD"]), safe="")
    host = str(db.get("HOST") or "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    at = "@" if user else ""
    uri = f"postgresql://{user}{at}{quote(host, safe='')}{port}/{quote(str(db['NAME']), safe='')}"
    done = subprocess.run(
        [program, f"--dbname={uri}", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(program).name} failed: {done.stderr.strip()[-2000:]}")
