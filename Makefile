# The two set-up commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/otklik demo

# One pytest worker per core, at most 4 (each one loads the offline components); a test
# module stays on one worker, its servers and fixtures with it. `make test WORKERS=0` runs in one process.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(4, os.cpu_count() or 1))")
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

eval: $(STAMP)
	$(BIN)/otklik eval --gate --no-progress --out out/eval

bench: $(STAMP)
	$(BIN)/python benchmarks/draft_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache
