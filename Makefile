# Two commands: `make run` (set up + main job) and `make test` (set up + whole test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
SNAPSHOT ?= $(SHARED)/data/arxiv/arxiv-cs-2025-2026.jsonl.gz
PORT ?= 8000

.PHONY: setup run quickstart test lint format bench clean

# Re-install only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# The main job: the web app on http://127.0.0.1:$(PORT)/, seeded from the canon on first start;
# the sample snapshot (when present) is ingested in the background, progress on Sources.
run: setup
	$(BIN)/paperpath serve --port $(PORT) $(if $(wildcard $(SNAPSHOT)),--snapshot "$(SNAPSHOT)")

# The terminal tour: ingest the sample, show search, a guide, related work and the week.
quickstart: setup
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
