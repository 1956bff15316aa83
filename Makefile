# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint install tools clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## migrate the SQLite database and serve Quill on http://127.0.0.1:8000
	$(BIN)/quill serve --host 127.0.0.1 --port 8000

lint: $(STAMP)  ## ruff, the import-linter layer contracts, mypy on domain and application
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

tools:  ## Debian's chromium (the /docs browser test) and wrk (the benchmark's quick run), when missing
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	[ -z "$$missing" ] || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "Install$$missing: the test suite needs them." >&2; exit 1; }; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }

test: lint tools  ## every check, then the whole test suite on both cores
	$(BIN)/pytest -n auto -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache quill.db*
