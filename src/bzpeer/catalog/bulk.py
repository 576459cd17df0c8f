"""Fast bulk writes for the import path: ids allocated up front, rows inserted
with the driver's own ``executemany``. Django's ``bulk_create`` costs more per
row than parsing does."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any, TypeVar

from django.db import connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys for rows about to be inserted.

    PostgreSQL draws them from the column's sequence, so concurrent importers
    never collide. SQLite has one writer at a time (transactions are
    ``IMMEDIATE``), so inside the import's transaction ``max(id)`` is stable.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    ignore_conflicts: bool = False,
) -> None:
    """INSERT many rows of ``columns`` (database column names) in one executemany.

    Goes straight to the DB-API cursor: Django's wrapper adds a few
    microseconds per row, which at a million mentions is most of the cost.
    On SQLite each statement inserts up to ``SQLITE_VARIABLES`` values' worth
    of rows (``VALUES (...), (...), ...``): a statement per row cost about
    2.7 us per mention row, many rows per statement 1.75 us.
    """
    if not rows:
        return
    if connection.vendor == "sqlite":
        insert_flat(model, columns, list(chain.from_iterable(rows)), ignore_conflicts)
        return
    if not ignore_conflicts:
        _copy(model, columns, rows)
        return
    head, one, suffix = _insert_sql(model, columns, ignore_conflicts, "%s")
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.executemany(head + one + suffix, rows)


def insert_flat(
    model: type[models.Model],
    columns: Sequence[str],
    values: list[Any],
    ignore_conflicts: bool = False,
) -> None:
    """``insert_rows`` of rows given one after another in a flat list
    (``len(columns)`` values a row): what SQLite's statements take, so a
    caller with many small rows (mentions) builds no tuple per row."""
    width = len(columns)
    if len(values) % width:
        raise ValueError(f"{len(values)} values do not make rows of {width}")
    if not values:
        return
    sqlite = connection.vendor == "sqlite"
    head, one, suffix = _insert_sql(model, columns, ignore_conflicts, "?" if sqlite else "%s")
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if not sqlite:
            rows = [values[i : i + width] for i in range(0, len(values), width)]
            if ignore_conflicts:
                cursor.executemany(head + one + suffix, rows)
            else:
                _copy(model, columns, rows)
            return
        per = max(1, SQLITE_VARIABLES // width)
        step = per * width
        full = len(values) - len(values) % step
        if full:
            cursor.executemany(
                head + ", ".join([one] * per) + suffix,
                [values[i : i + step] for i in range(0, full, step)],
            )
        if full < len(values):
            rest = (len(values) - full) // width
            cursor.execute(head + ", ".join([one] * rest) + suffix, values[full:])
    finally:
        cursor.close()


def _copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: the rows through ``COPY ... FROM STDIN`` (psycopg's row
    writer), the fastest way in; an INSERT that must skip conflicts cannot
    use it."""
    cols = ", ".join(f'"{c}"' for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
        f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN'
    ) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_sql(
    model: type[models.Model], columns: Sequence[str], ignore_conflicts: bool, mark: str
) -> tuple[str, str, str]:
    """``INSERT INTO table (columns) VALUES ``, one row's placeholders, and the
    conflict clause."""
    cols = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return f'INSERT INTO "{model._meta.db_table}" ({cols}) VALUES ', one, suffix


def timestamp(value: datetime) -> datetime | str:
    """``value`` as ``insert_rows`` should pass it: on SQLite the text Django's
    registered adapter would make of it (``isoformat(" ")``), made once for a
    batch's rows instead of adapted row by row."""
    return value.isoformat(" ") if connection.vendor == "sqlite" else value


def dates_as_text() -> bool:
    """Whether ``insert_rows`` should get dates as ISO text, the form Django's
    SQLite adapter makes of each one, a Python call a value (about a
    microsecond a row); PostgreSQL's driver takes the dates themselves."""
    return connection.vendor == "sqlite"


SQLITE_VARIABLES = 999  # parameters per statement: SQLite's limit before 3.32, Django's too
# Values per IN list: a statement never grows with the size of an import.
IN_SLICE = 900

T = TypeVar("T")


def slices(values: Sequence[T], size: int = IN_SLICE) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``, for the ORM's
    ``__in`` lookups over lists that grow with the input (``select_in`` does
    the same for raw SQL)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def select_in(
    sql: str, values: Sequence[Any], params: Sequence[Any] = (), size: int = IN_SLICE
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` for every value, run in slices: ``{in}`` in the query
    stands for the slice's placeholders and ``?`` for one parameter
    (``params`` come first). Raw, for the same reason as ``insert_rows``:
    Django prepares each value of an ``__in`` lookup at a few microseconds apiece.
    """
    mark = "?" if connection.vendor == "sqlite" else "%s"
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    out: list[tuple[Any, ...]] = []
    cursor = raw.cursor()
    try:
        for start in range(0, len(values), size):
            part = list(values[start : start + size])
            query = sql.replace("?", mark).replace("{in}", ", ".join([mark] * len(part)))
            cursor.execute(query, [*params, *part])
            out.extend(cursor.fetchall())
    finally:
        cursor.close()
    return out


CATALOG_LOCK = 7_248_411  # any constant; names the catalog's write lock


def lock_catalog() -> None:
    """Serialise catalog writers until the current transaction ends.

    Imports look up what exists, then insert what does not; two importers
    doing that at once could both insert the same record. On PostgreSQL a
    transaction-scoped advisory lock makes batches from concurrent imports
    take turns (parsing still runs in parallel). SQLite already has a single
    writer: transactions begin IMMEDIATE.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATALOG_LOCK])


# Indexes an import into an empty catalog never reads (work matching then
# keeps title ends in memory, see ``ingest.work_ends``): such an import drops
# them and builds each once at its end, instead of inserting into it row by
# row at random places.
_DEFERRED = {
    "catalog.AuthorshipMention": ("name_key", "person_key", "author_id"),
    "catalog.Work": ("title_head", "title_tail", "year", "venue_id"),
    "catalog.WorkVersion": ("venue_id",),
    "catalog.WorkTopic": ("topic_id",),
}


def deferred_indexes() -> dict[str, str]:
    """Name -> CREATE INDEX statement of the indexes a bulk import may defer,
    exactly as the models (and so the migrations) define them."""
    from django.apps import apps

    editor = connection.schema_editor()
    out: dict[str, str] = {}
    for label, columns in _DEFERRED.items():
        model = apps.get_model(label)
        table = model._meta.db_table
        # The schema editor's own index DDL: the same statements the migrations ran.
        for statement in editor._model_indexes_sql(model):  # type: ignore[attr-defined]
            if any(statement.references_column(table, column) for column in columns):
                out[str(statement.parts["name"]).strip('"')] = str(statement)
    return out


def existing_indexes() -> set[str]:
    """Names of the indexes the database has."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


def drop_deferred_indexes() -> None:
    """Drop the deferrable indexes (SQLite only; call inside the transaction
    that writes the first batch, so a rollback keeps them)."""
    assert connection.vendor == "sqlite"
    present = existing_indexes()
    with connection.cursor() as cursor:
        for name in deferred_indexes():
            if name in present:
                cursor.execute(f'DROP INDEX "{name}"')


def restore_indexes() -> list[str]:
    """Build any deferrable index that is missing: after a bulk import, or
    after one that was killed before its end. Returns the names built."""
    present = existing_indexes()
    missing = [(name, sql) for name, sql in deferred_indexes().items() if name not in present]
    if missing:
        # On SQLite, sort in a temporary file with a small page cache (which
        # also bounds the sorter's memory): an import's peak memory is here.
        # The temporary store cannot change inside a transaction.
        small = connection.vendor == "sqlite"
        in_transaction = connection.in_atomic_block
        with connection.cursor() as cursor:
            if small:
                cursor.execute("PRAGMA temp_store")
                temp_store = int(cursor.fetchone()[0])
                cursor.execute("PRAGMA cache_size")
                cache_size = int(cursor.fetchone()[0])
                if not in_transaction:
                    cursor.execute("PRAGMA temp_store = FILE")
                cursor.execute("PRAGMA cache_size = -8192")
            try:
                for _, sql in missing:
                    cursor.execute(sql)
            finally:
                if small:
                    if not in_transaction:
                        cursor.execute(f"PRAGMA temp_store = {temp_store}")
                    cursor.execute(f"PRAGMA cache_size = {cache_size}")
    return [name for name, _ in missing]
