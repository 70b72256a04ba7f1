-- Leadstream schema for MySQL 8 / MariaDB 10.11, utf8mb4 throughout.
-- Generated from leadstream/storage/schema.py by `python -m leadstream.storage.ddl`;
-- tests/storage/test_ddl.py checks that it matches the tables the code creates.
SET NAMES utf8mb4;

CREATE TABLE IF NOT EXISTS alias_history (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	model_name VARCHAR(100) NOT NULL, 
	alias VARCHAR(32) NOT NULL, 
	version VARCHAR(20) NOT NULL, 
	previous_version VARCHAR(20), 
	action VARCHAR(16) NOT NULL COMMENT 'promote, rollback or bootstrap', 
	actor VARCHAR(64) NOT NULL, 
	metrics MEDIUMTEXT NOT NULL COMMENT 'JSON comparison behind the decision', 
	changed_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (id)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_alias_history_model_alias ON alias_history (model_name, alias);

CREATE TABLE IF NOT EXISTS batch_stats (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	query_id VARCHAR(64) NOT NULL, 
	batch_id BIGINT NOT NULL, 
	started_at DATETIME(6) NOT NULL, 
	finished_at DATETIME(6) NOT NULL, 
	tweets_in INTEGER NOT NULL, 
	keyword_matches INTEGER NOT NULL, 
	leads INTEGER NOT NULL, 
	model_version VARCHAR(20), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_batch_stats_query_batch UNIQUE (query_id, batch_id)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaigns (
	name VARCHAR(64) NOT NULL, 
	keywords MEDIUMTEXT NOT NULL COMMENT 'JSON list', 
	negative_keywords MEDIUMTEXT NOT NULL COMMENT 'JSON list', 
	languages MEDIUMTEXT NOT NULL COMMENT 'JSON list', 
	products MEDIUMTEXT NOT NULL COMMENT 'JSON list', 
	updated_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (name)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS feedback (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	tweet_id VARCHAR(32) NOT NULL, 
	text MEDIUMTEXT NOT NULL, 
	lang VARCHAR(8), 
	campaign VARCHAR(64), 
	label SMALLINT NOT NULL COMMENT '1 relevant, 0 irrelevant', 
	username VARCHAR(64) NOT NULL, 
	model_version VARCHAR(20) COMMENT 'the version whose decision was judged', 
	labelled_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_feedback_tweet_user UNIQUE (tweet_id, username)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_feedback_labelled_at ON feedback (labelled_at);

CREATE TABLE IF NOT EXISTS leads (
	tweet_id VARCHAR(32) NOT NULL, 
	text MEDIUMTEXT NOT NULL, 
	lang VARCHAR(8), 
	author_id VARCHAR(32), 
	author_username VARCHAR(64), 
	author_name VARCHAR(128), 
	author_followers INTEGER, 
	place_name VARCHAR(200), 
	place_country VARCHAR(100), 
	tweeted_at DATETIME(6) NOT NULL, 
	campaigns MEDIUMTEXT NOT NULL COMMENT 'JSON list of campaign names', 
	matched_keywords MEDIUMTEXT NOT NULL COMMENT 'JSON list of keywords', 
	score FLOAT NOT NULL, 
	reasons MEDIUMTEXT NOT NULL COMMENT 'JSON list of reasons', 
	model_name VARCHAR(100) NOT NULL, 
	model_version VARCHAR(20) NOT NULL, 
	threshold FLOAT NOT NULL, 
	scored_at DATETIME(6) NOT NULL, 
	batch_id BIGINT, 
	PRIMARY KEY (tweet_id)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_leads_scored_at ON leads (scored_at);

CREATE INDEX ix_leads_tweeted_at ON leads (tweeted_at);

CREATE TABLE IF NOT EXISTS model_versions (
	model_name VARCHAR(100) NOT NULL, 
	version VARCHAR(20) NOT NULL, 
	threshold FLOAT, 
	first_seen_at DATETIME(6) NOT NULL, 
	last_seen_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (model_name, version)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS review_pool (
	tweet_id VARCHAR(32) NOT NULL, 
	text MEDIUMTEXT NOT NULL, 
	lang VARCHAR(8), 
	campaigns MEDIUMTEXT NOT NULL COMMENT 'JSON list of campaign names', 
	score FLOAT NOT NULL, 
	threshold FLOAT NOT NULL, 
	model_version VARCHAR(20) NOT NULL, 
	scored_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (tweet_id)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE INDEX ix_review_pool_scored_at ON review_pool (scored_at);

CREATE TABLE IF NOT EXISTS shadow_decisions (
	tweet_id VARCHAR(32) NOT NULL, 
	model_name VARCHAR(100) NOT NULL, 
	version VARCHAR(20) NOT NULL, 
	text MEDIUMTEXT NOT NULL, 
	score FLOAT NOT NULL, 
	threshold FLOAT NOT NULL, 
	decided_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (tweet_id, model_name, version)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
	id INTEGER NOT NULL AUTO_INCREMENT, 
	username VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	`role` VARCHAR(16) NOT NULL COMMENT 'viewer, sales or admin', 
	created_at DATETIME(6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (username)
)CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;
