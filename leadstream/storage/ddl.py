"""The MySQL DDL of the schema, as docker-compose's MySQL loads it from sql/schema.sql.

Usage:
    python -m leadstream.storage.ddl > sql/schema.sql
"""

from __future__ import annotations

from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateIndex, CreateTable

from leadstream.storage.schema import metadata

HEADER = """-- Leadstream schema for MySQL 8 / MariaDB 10.11, utf8mb4 throughout.
-- Generated from leadstream/storage/schema.py by `python -m leadstream.storage.ddl`;
-- tests/storage/test_ddl.py checks that it matches the tables the code creates.
SET NAMES utf8mb4;
"""


def mysql_ddl() -> str:
    """CREATE TABLE and CREATE INDEX statements for every table, in dependency order."""
    dialect = mysql.dialect()
    statements = [HEADER]
    for table in metadata.sorted_tables:
        create = str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)).strip()
        statements.append(f"{create};\n")
        for index in sorted(table.indexes, key=lambda i: i.name):
            statements.append(f"{str(CreateIndex(index).compile(dialect=dialect)).strip()};\n")
    return "\n".join(statements)


if __name__ == "__main__":
    print(mysql_ddl(), end="")
