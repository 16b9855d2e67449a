"""PostgreSQL through psycopg 3, spoken like :mod:`sqlite3`: the store's and the digest index's
shared plumbing (no northnews import).

The store of record and the WARC digest index keep one SQL text for both backends, written with
SQLite's ``?`` placeholders; :func:`qmark` turns them into psycopg's ``%s`` (and a literal ``%``
into ``%%``) outside quoted strings. Rows answer both ``row[0]`` and ``row["name"]``, and
``dict(row)``, as :class:`sqlite3.Row` does, so code reading rows does not know the backend.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

PG_SCHEMES = ("postgresql://", "postgres://")


def is_pg_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(PG_SCHEMES)


def qmark(sql: str) -> str:
    """``?`` → ``%s`` and ``%`` → ``%%``, except inside '…' and "…" literals."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
            out.append("%%" if ch == "%" else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class Row(tuple[Any, ...]):
    """A result row readable by position, by column name, and as a mapping (``dict(row)``)."""

    _names: tuple[str, ...] = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self._names


def row_factory(cursor: Any) -> Any:
    """psycopg row factory making :class:`Row` objects (one subclass per result shape)."""
    desc = cursor.description
    if desc is None:
        return tuple
    names = tuple(d.name for d in desc)
    shaped = type("Row", (Row,), {"_names": names, "_index": {n: i for i, n in enumerate(names)}})
    return lambda values: shaped(values)


class Connection:
    """A psycopg connection in autocommit mode with :mod:`sqlite3`'s ``execute`` habits.

    ``execute`` returns the psycopg cursor (``fetchone``, ``fetchall``, iteration, ``rowcount``).
    Transactions are explicit: ``with conn.transaction(): …``.
    """

    def __init__(self, url: str, *, autocommit: bool = True, application_name: str = "northnews") -> None:
        import psycopg

        self.url = url
        self.raw = psycopg.connect(url, autocommit=autocommit, row_factory=row_factory,
                                   application_name=application_name)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        if params is None or len(params) == 0:
            return self.raw.execute(sql)  # no parameters: psycopg reads no placeholder
        return self.raw.execute(qmark(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        cur = self.raw.cursor()
        cur.executemany(qmark(sql), [tuple(r) for r in rows])
        return cur

    def transaction(self) -> Any:
        return self.raw.transaction()

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        self.raw.close()


#: A transaction-level advisory lock on a text (hashed to one bigint key); released at commit.
ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not an SQL identifier: {name!r}")
    return f'"{name}"'
