# Two commands: `make serve` (set up, then start the server) and `make test` (set up, then
# run every check). Both create .venv on first use; nothing else needs installing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck pytest bench-quality bench-llm bench-cache clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/iris serve

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench-quality: $(STAMP)
	$(BIN)/python bench/quality.py

bench-llm: $(STAMP)
	$(BIN)/python bench/llm_concurrency.py

bench-cache: $(STAMP)
	$(BIN)/python bench/cache_hits.py

clean:
	rm -rf $(VENV) .iris .mypy_cache .ruff_cache .pytest_cache
