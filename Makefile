# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest soak bench clean node-validators

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bravo run $(ARGS)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check bot handlers scheduler storage tests bench
	$(BIN)/lint-imports --no-cache

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

clean:
	rm -rf $(VENV) data
