"""Storage shared by every stage: the schema and the queries, on SQLite or MySQL/MariaDB."""
