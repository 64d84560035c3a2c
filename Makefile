# The two commands: `make run` (pipeline over raw/ into output/) and `make test`.
# Each creates the virtual environment and installs the project on first use.

PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed-stamp
ARGS ?=

.PHONY: run test lint bench score clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/notices run $(ARGS)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# Every figure as a ratio measured side by side (benchmarks/__init__.py); ARGS=--quick, --json,
# --notices 1000.
bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks $(ARGS)

score: $(STAMP)
	$(VENV)/bin/python -m tools.score_corpus --verbose

clean:
	rm -rf output .prefect
