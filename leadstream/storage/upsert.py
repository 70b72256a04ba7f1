"""Insert-or-update in the dialect at hand: SQLite's ON CONFLICT, MySQL's ON DUPLICATE KEY."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

Database = Engine | Connection  # an engine, or a connection inside the caller's transaction


@contextmanager
def writing(db: Database) -> Iterator[Connection]:
    """A connection to write with: in a new transaction for an engine, else the caller's."""
    if isinstance(db, Connection):
        yield db
    else:
        with db.begin() as connection:
            yield connection


def upsert_statement(engine: Database, table: Table, keys: Sequence[str], changed: Sequence[str]):
    """A one-row upsert; executed with a list of rows it is compiled once and batched."""
    if engine.dialect.name == "sqlite":
        statement = sqlite_insert(table)
        return statement.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={c: statement.excluded[c] for c in changed},
        )
    statement = mysql_insert(table)
    return statement.on_duplicate_key_update({c: statement.inserted[c] for c in changed})


def upsert(
    db: Database,
    table: Table,
    rows: list[dict],
    keys: Sequence[str],
    changed: Sequence[str] | None = None,
) -> int:
    """Insert rows; where a row's keys exist, update `changed` (default: every other column)."""
    if not rows:
        return 0
    changed = changed if changed is not None else [c for c in rows[0] if c not in keys]
    statement = upsert_statement(db, table, keys, changed)
    with writing(db) as connection:
        connection.execute(statement, rows)
    return len(rows)
