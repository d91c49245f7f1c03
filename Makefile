# Two commands: `make run` (set up + main job) and `make test` (set up + whole test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
SNAPSHOT ?= $(SHARED)/data/arxiv/arxiv-cs-2025-2026.jsonl.gz

.PHONY: setup run test lint format bench clean

# Re-install only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/paperpath quickstart --snapshot "$(SNAPSHOT)"

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/ingest.py --corpus "$(SNAPSHOT)"
	$(BIN)/python bench/search.py --corpus "$(SNAPSHOT)"

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache bench/out
