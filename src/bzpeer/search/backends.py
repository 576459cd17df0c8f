"""The index's tables and queries for each database, chosen by the
connection's vendor: SQLite FTS5 (bm25 with column weights) or PostgreSQL
``tsvector`` with a GIN index (``ts_rank`` with the same column order).

Every document has three weighted columns: ``name`` (a title, a person's or
an institution's name), ``other`` (a work's authors, a name's variants and
aliases) and ``more`` (a work's venue). Text arrives normalised
(``search.text.normal``): both engines see the same words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# A query: every group must match; a group matches when one of its words does
# (a word and its typo mends). A word with ``True`` matches as a prefix.
Word = tuple[str, bool]
Query = list[list[Word]]
Row = tuple[int, str, str, str]

ENTITY_TABLES = ("works", "authors", "institutions", "topics", "sources")


class Backend(Protocol):
    def create(self, cursor: Any) -> None: ...
    def drop(self, cursor: Any) -> None: ...
    def write(self, cursor: Any, entity: str, rows: Sequence[Row]) -> None: ...
    def clear(self, cursor: Any, entity: str) -> None: ...
    def extra(
        self, entity: str, base: str, query: Query, since: int | None = None
    ) -> dict[str, Any]: ...
    def ids(self, entity: str, query: Query, since: int | None = None) -> tuple[str, list[Any]]: ...
    def count(self, entity: str, query: Query) -> int: ...
    def cutoff(self, entity: str, query: Query, n: int) -> int | None: ...
    def top(self, entity: str, query: Query, since: int | None, n: int) -> list[int]: ...


class SQLite:
    @staticmethod
    def table(entity: str) -> str:
        return f"search_fts_{entity}"

    def create(self, cursor: Any) -> None:
        for entity in ENTITY_TABLES:
            # detail=column: no phrase queries (none are made), a smaller index
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table(entity)} USING fts5"
                "(name, other, more, tokenize='unicode61', detail=column)"
            )

    def drop(self, cursor: Any) -> None:
        for entity in ENTITY_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table(entity)}")

    def write(self, cursor: Any, entity: str, rows: Sequence[Row]) -> None:
        table = self.table(entity)
        ids = [r[0] for r in rows]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)
        cursor.executemany(
            f"INSERT INTO {table} (rowid, name, other, more) VALUES (%s, %s, %s, %s)", rows
        )

    def clear(self, cursor: Any, entity: str) -> None:
        cursor.execute(f"DELETE FROM {self.table(entity)}")

    @staticmethod
    def expression(query: Query) -> str:
        groups = []
        for group in query:
            alternatives = [f'"{w}"*' if prefix else f'"{w}"' for w, prefix in group]
            groups.append("(" + " OR ".join(alternatives) + ")")
        return " AND ".join(groups)

    def ids(self, entity: str, query: Query, since: int | None = None) -> tuple[str, list[Any]]:
        table = self.table(entity)
        sql, params = f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [self.expression(query)]
        if since is None:
            return sql, params
        return f"{sql} AND rowid >= %s", [*params, since]

    def count(self, entity: str, query: Query) -> int:
        table = self.table(entity)
        return (
            _one(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [self.expression(query)])
            or 0
        )

    def cutoff(self, entity: str, query: Query, n: int) -> int | None:
        table = self.table(entity)
        return _one(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s "
            "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [self.expression(query), n - 1],
        )

    def top(self, entity: str, query: Query, since: int | None, n: int) -> list[int]:
        table = self.table(entity)
        where = f"{table} MATCH %s"
        params: list[Any] = [self.expression(query)]
        if since is not None:
            where += " AND rowid >= %s"
            params.append(since)
        return _column(
            f"SELECT rowid FROM {table} WHERE {where} "
            f"ORDER BY bm25({table}, 10.0, 3.0, 1.0), rowid DESC LIMIT %s",
            [*params, n],
        )

    def extra(
        self, entity: str, base: str, query: Query, since: int | None = None
    ) -> dict[str, Any]:
        table = self.table(entity)
        where = [f"{table}.rowid = {base}.id", f"{table} MATCH %s"]
        params: list[Any] = [self.expression(query)]
        if since is not None:
            where.append(f"{table}.rowid >= %s")
            params.append(since)
        return {
            "tables": [table],
            "where": where,
            "params": params,
            "select": {"relevance": f"-bm25({table}, 10.0, 3.0, 1.0)"},
        }


class Postgres:
    @staticmethod
    def table(entity: str) -> str:
        return f"search_doc_{entity}"

    def create(self, cursor: Any) -> None:
        for entity in ENTITY_TABLES:
            table = self.table(entity)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, doc tsvector NOT NULL)"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_doc ON {table} USING gin (doc)")

    def drop(self, cursor: Any) -> None:
        for entity in ENTITY_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table(entity)}")

    def write(self, cursor: Any, entity: str, rows: Sequence[Row]) -> None:
        cursor.executemany(
            f"INSERT INTO {self.table(entity)} (id, doc) VALUES (%s, "
            "setweight(to_tsvector('simple', %s), 'A') || "
            "setweight(to_tsvector('simple', %s), 'B') || "
            "setweight(to_tsvector('simple', %s), 'C')) "
            "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
            rows,
        )

    def clear(self, cursor: Any, entity: str) -> None:
        cursor.execute(f"DELETE FROM {self.table(entity)}")

    @staticmethod
    def expression(query: Query) -> str:
        groups = []
        for group in query:
            alternatives = [f"'{w}':*" if prefix else f"'{w}'" for w, prefix in group]
            groups.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(groups)

    def ids(self, entity: str, query: Query, since: int | None = None) -> tuple[str, list[Any]]:
        table = self.table(entity)
        sql = f"SELECT id FROM {table} WHERE doc @@ to_tsquery('simple', %s)"
        if since is None:
            return sql, [self.expression(query)]
        return f"{sql} AND id >= %s", [self.expression(query), since]

    def count(self, entity: str, query: Query) -> int:
        sql, params = self.ids(entity, query)
        return _one(f"SELECT count(*) FROM ({sql}) AS found", params) or 0

    def cutoff(self, entity: str, query: Query, n: int) -> int | None:
        sql, params = self.ids(entity, query)
        return _one(f"{sql} ORDER BY id DESC LIMIT 1 OFFSET %s", [*params, n - 1])

    def top(self, entity: str, query: Query, since: int | None, n: int) -> list[int]:
        table = self.table(entity)
        expression = self.expression(query)
        where = "doc @@ to_tsquery('simple', %s)"
        params: list[Any] = [expression]
        if since is not None:
            where += " AND id >= %s"
            params.append(since)
        return _column(
            f"SELECT id FROM {table} WHERE {where} "
            "ORDER BY ts_rank(doc, to_tsquery('simple', %s)) DESC, id DESC LIMIT %s",
            [*params, expression, n],
        )

    def extra(
        self, entity: str, base: str, query: Query, since: int | None = None
    ) -> dict[str, Any]:
        table = self.table(entity)
        expression = self.expression(query)
        where = [f"{table}.id = {base}.id", f"{table}.doc @@ to_tsquery('simple', %s)"]
        params: list[Any] = [expression]
        if since is not None:
            where.append(f"{table}.id >= %s")
            params.append(since)
        return {
            "tables": [table],
            "where": where,
            "params": params,
            "select": {"relevance": f"ts_rank({table}.doc, to_tsquery('simple', %s))"},
            "select_params": [expression],
        }


def _one(sql: str, params: list[Any]) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _column(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def backend(conn: BaseDatabaseWrapper | None = None) -> Backend:
    vendor = (conn or connection).vendor
    if vendor == "sqlite":
        return SQLite()
    if vendor == "postgresql":
        return Postgres()
    raise NotImplementedError(f"no search index for the {vendor} database")
