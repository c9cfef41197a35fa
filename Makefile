# theorycheck: `make run` (the default check suite) and `make test` (the tests), each from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# one BLAS/OpenMP thread per test worker: two workers share the two cores
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

.PHONY: setup run run-full test test-slow fuzz docs docs-site browser bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,docs]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)  ## the default (quick) check suite: verdict table, results/quick.json, plots under results/plots, results/quick.html
	$(BIN)/theorycheck run --quick --seed 0 --json results/quick.json --plots results/plots; rc=$$?; \
	$(BIN)/theorycheck report results/quick.json --out results/quick.html --force || exit 1; exit $$rc

run-full: $(STAMP)
	$(BIN)/theorycheck run --full --seed 0 --json results/full.json --plots results/plots-full

test: $(STAMP)  ## the fast test suite (slow statistical runs excluded)
	$(TEST_ENV) $(BIN)/pytest -n 2 -q

test-slow: $(STAMP)  ## only the long statistical runs
	$(TEST_ENV) $(BIN)/pytest -n 2 -q -m slow

fuzz: $(STAMP)
	$(BIN)/theorycheck fuzz --max-examples 200

docs: $(STAMP)
	$(BIN)/theorycheck docs

docs-site: $(STAMP)  ## the documentation site -> docs/_build/html/index.html (Sphinx warnings are errors)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

browser:  ## the system Chromium that the report's browser test drives (needs root: apt)
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

bench: $(STAMP)
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) results build *.egg-info docs/_build docs/api/generated
