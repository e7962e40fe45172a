# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test lint typecheck pytest soak bench lock clean node-validators

# Installs exactly what requirements.lock pins (hash-checked), then Bravo itself without resolving anything more;
# `pip check` catches a lock that no longer matches pyproject.toml.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check || { echo "$(LOCK) does not match pyproject.toml: run make lock" >&2; exit 1; }
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bravo run $(ARGS)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check bot handlers scheduler storage tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture bot handlers scheduler storage tests/vulture_whitelist.py --min-confidence 60

typecheck: $(STAMP)
	$(BIN)/mypy bot handlers scheduler storage

pytest: $(STAMP) node-validators
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Microsoft's Adaptive Cards and Teams manifest validators (npm, pinned by tests/validators/package-lock.json).
NODE_STAMP := tests/validators/node_modules/.package-lock.json
$(NODE_STAMP): tests/validators/package-lock.json
	npm ci --prefix tests/validators --no-audit --no-fund

node-validators:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "npm is missing: the Teams card and manifest validator tests will be skipped"; fi

soak: $(STAMP)
	BRAVO_SOAK=1 $(BIN)/python -m pytest -m soak -s tests/soak $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# `make lock` refreshes requirements.lock after a change to pyproject.toml's dependencies (or to take new releases):
# every dependency, direct and transitive, dev tools and the build backend included, at the newest release the
# ranges allow, pinned with hashes, for the Python that builds .venv (3.11 on Linux). Commit the result.
# It installs the current lock first (for pip-compile) but not Bravo, so it works while the lock is out of date.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --upgrade --all-extras --all-build-deps \
		--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) data
