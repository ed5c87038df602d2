# Two commands: `make serve` (set up, then start the server) and `make test` (set up, then
# run every check). Both create .venv on first use; nothing else needs installing.
# `make serve` installs only what serving needs (the package, as `pip install .` would);
# `make test` adds the dev extra. One stamp per level, so `make test` after `make serve`
# still installs the dev extra, and `make serve` after `make test` installs nothing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: serve test fuzz lint typecheck pytest bench-deps bench-quality bench-boundaries bench-llm \
	bench-cache bench-analyze bench-mcp bench-cold bench-worst bench-slow clean vsix vscode-test code-server

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	@touch $(SERVE_STAMP)

# The dev extra holds everything serving needs, so it satisfies `make serve` too.
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	@touch $(STAMP) $(SERVE_STAMP)

serve: $(SERVE_STAMP)
	$(BIN)/iris serve

test: lint typecheck vscode-test vsix code-server pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/cfn-lint deploy/aws/template.yaml

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# The VS Code extension (editors/vscode): npm ci from its lock file, then `make vsix` packages
# editors/vscode/iris-codes.vsix and `make vscode-test` runs its unit tests (node --test).
# `make code-server` installs code-server for the end-to-end test (tests/test_vscode.py).
VSCODE := editors/vscode
VSCODE_STAMP := $(VSCODE)/node_modules/.installed

ifeq ($(shell command -v npm),)
vsix vscode-test code-server:
	@if [ "$$CI" = true ]; then echo "npm (Node.js 20+) is required for editors/vscode" >&2; exit 1; fi
	@echo "npm not found: editors/vscode is not built or tested (install Node.js 20+)"
else
$(VSCODE_STAMP): $(VSCODE)/package-lock.json
	cd $(VSCODE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

vsix: $(VSCODE_STAMP)
	cd $(VSCODE) && npm run --silent package

vscode-test: $(VSCODE_STAMP)
	cd $(VSCODE) && npm test --silent

code-server:
	$(VSCODE)/e2e/install.sh
endif

# The long fuzzing run (`make test` runs the same tests bounded): schemathesis, every check,
# with and without a key, >= 2,000 cases each; random bytes at 1,000, 25,000 and 490,000
# characters in every grammar through HTTP, `iris analyze` and `iris mcp`, with the input
# that crashed the bash grammar; then 200 slow clients for 30 s against `iris serve`.
fuzz: $(STAMP)
	IRIS_FUZZ_SECONDS=150 $(BIN)/pytest tests/test_fuzz.py tests/test_random_bytes.py \
		-o addopts="" --timeout=1800 -v -rP
	IRIS_RACE_SECONDS=120 $(BIN)/pytest tests/test_mcp_roots.py -k racing -o addopts="" --timeout=600 -v
	$(BIN)/python bench/slow_clients.py --slow 200 --seconds 30

# The quality corpus is read from installed files; Go's standard library and an npm package
# with TypeScript sources are the two it needs beyond Python's stdlib and Node's npm.
bench-deps:
	@ls -d /usr/share/go-*/src >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq golang-src)
	@test -d $${IRIS_BENCH_CORPUS:-$$HOME/.cache/iris-bench}/node_modules/backbone || npm install --no-save --silent --prefix $${IRIS_BENCH_CORPUS:-$$HOME/.cache/iris-bench} rxjs@7 backbone@1 underscore@1
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

bench-quality: $(STAMP) bench-deps
	$(BIN)/python bench/quality.py

# The bench extra (nltk, astchunk) goes into the same venv: it leaves tree-sitter and
# tree-sitter-language-pack as they are (checked with pip check).
bench-boundaries: $(STAMP) bench-deps
	$(PIP) -e '.[bench]'
	$(BIN)/python bench/boundaries.py

bench-llm: $(STAMP)
	$(BIN)/python bench/llm_concurrency.py

bench-cache: $(STAMP) bench-deps
	$(BIN)/python bench/cache_hits.py

bench-analyze: $(STAMP)
	$(BIN)/python bench/analyze_dir.py

bench-mcp: $(STAMP)
	$(BIN)/python bench/mcp_tokens.py

bench-cold: $(STAMP)
	$(BIN)/python bench/cold_start.py --runs 11

# Every language's worst inputs under the body limit, against a live server (a few minutes).
bench-worst: $(STAMP)
	$(BIN)/python bench/worst_inputs.py

# 200 slow connections for 30 s while ordinary requests are timed (also run by `make fuzz`).
bench-slow: $(STAMP)
	$(BIN)/python bench/slow_clients.py

clean:
	rm -rf $(VENV) .iris .mypy_cache .ruff_cache .pytest_cache
