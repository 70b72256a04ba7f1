-- Run once by the mysql image at first start (mounted into /docker-entrypoint-initdb.d),
-- after the image has created MYSQL_DATABASE and MYSQL_USER from the environment.
-- MLflow keeps its tracking store and model registry in a database of its own, so that
-- Leadstream's tables and MLflow's Alembic-managed tables never mix and are backed up
-- separately. MLflow creates and migrates its tables itself when its server starts.
-- utf8mb4_unicode_ci like the server defaults in docker-compose.yml (naming the character
-- set alone would pick MySQL 8's utf8mb4_0900_ai_ci instead).
CREATE DATABASE IF NOT EXISTS mlflow CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- The user name is fixed to 'leadstream' in docker-compose.yml (MYSQL_USER) because this
-- file cannot read the environment; change both together.
GRANT ALL PRIVILEGES ON mlflow.* TO 'leadstream'@'%';
