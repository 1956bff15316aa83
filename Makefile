# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every package the tests need, pinned with hashes, resolved for any Python 3.11+ (--universal);
# runtime.lock holds the runtime ones alone, at the same versions, for servers
# (docs/DEPENDENCIES.md).
LOCK := requirements/dev.lock
RUNTIME_LOCK := requirements/runtime.lock
# uv resolves and hashes in seconds where pip-tools takes minutes; pinned, so that a relock's
# diff shows our dependencies' changes, not a newer uv's output.
UV := uv==0.13.8
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint install tools clean lock upgrade

# A change of the lock or of pyproject.toml reinstalls. `pip check` stops here when
# pyproject.toml asks for a package or version the lock lacks: run `make lock`.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## migrate the SQLite database and serve Quill on http://127.0.0.1:8000
	$(BIN)/quill serve --host 127.0.0.1 --port 8000

lint: $(STAMP)  ## ruff, the import-linter layer contracts, mypy on domain and application
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

tools:  ## Debian's chromium (the browser tests), wrk (the benchmark's quick run) and npm (the RealWorld suite), when missing
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	[ -z "$$missing" ] || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "Install$$missing: the test suite needs them." >&2; exit 1; }; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }

test: lint tools  ## every check, the whole test suite on both cores, then the RealWorld suite
	$(BIN)/pytest -n auto -q
	$(BIN)/python .ci/realworld_suite.py

# Upgrade path: `make upgrade && make test`, then commit requirements/.
# `upgrade` moves every pin to the newest release pyproject.toml allows; `lock`, after an edit of
# pyproject.toml's dependencies, pins what changed and keeps every other pin.
lock upgrade:
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(UV)"
	$(BIN)/uv pip compile --quiet $(if $(filter upgrade,$@),--upgrade) $(LOCK_FLAGS) \
	  --extra dev -o $(LOCK) pyproject.toml
	$(BIN)/uv pip compile --quiet $(LOCK_FLAGS) -c $(LOCK) -o $(RUNTIME_LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache quill.db*
