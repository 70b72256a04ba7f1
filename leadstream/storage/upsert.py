"""Insert-or-update in the dialect at hand: SQLite's ON CONFLICT, MySQL's ON DUPLICATE KEY."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Table
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def upsert_statement(engine: Engine, table: Table, keys: Sequence[str], changed: Sequence[str]):
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
    engine: Engine,
    table: Table,
    rows: list[dict],
    keys: Sequence[str],
    changed: Sequence[str] | None = None,
) -> int:
    """Insert rows; where a row's keys exist, update `changed` (default: every other column)."""
    if not rows:
        return 0
    changed = changed if changed is not None else [c for c in rows[0] if c not in keys]
    statement = upsert_statement(engine, table, keys, changed)
    with engine.begin() as connection:
        connection.execute(statement, rows)
    return len(rows)
