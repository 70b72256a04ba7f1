"""sql/schema.sql, which docker-compose's MySQL loads, matches the schema the code creates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from leadstream.storage.ddl import mysql_ddl
from leadstream.storage.schema import metadata

SCHEMA_SQL = Path(__file__).resolve().parents[2] / "sql" / "schema.sql"


def test_committed_ddl_is_current():
    assert SCHEMA_SQL.read_text() == mysql_ddl(), (
        "run: python -m leadstream.storage.ddl > sql/schema.sql"
    )


def _structure(url: str) -> dict:
    inspector = inspect(create_engine(url))
    found = {}
    for table in sorted(inspector.get_table_names()):
        found[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "options": {
                k: v
                for k, v in inspector.get_table_options(table).items()
                if k in ("mysql_default charset", "mysql_collate")
            },
        }
    return found


@pytest.mark.mysql
def test_schema_sql_creates_the_same_tables_as_the_code(mysql_url):
    root = create_engine(mysql_url)
    with root.begin() as connection:
        for name in ("leadstream_ddl_file", "leadstream_ddl_code"):
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    base = mysql_url.rsplit("/", 1)[0]
    file_engine = create_engine(f"{base}/leadstream_ddl_file?charset=utf8mb4")
    with file_engine.begin() as connection:
        for statement in SCHEMA_SQL.read_text().split(";\n"):
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            if body.strip():
                connection.execute(text(body))
    metadata.create_all(create_engine(f"{base}/leadstream_ddl_code?charset=utf8mb4"))
    try:
        from_file = _structure(f"{base}/leadstream_ddl_file")
        assert set(from_file) == set(metadata.tables)
        assert from_file == _structure(f"{base}/leadstream_ddl_code")
    finally:
        with root.begin() as connection:
            for name in ("leadstream_ddl_file", "leadstream_ddl_code"):
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
