# The course's commands. `make lab` and `make test` are all a learner needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed

# The course's arrays are small: one numpy BLAS thread is faster than several fighting for two
# cores (a digits-network loss took 0.6 ms on one thread and up to 15 ms on several under load).
# OMP_NUM_THREADS stays unset so that torch, in the benchmarks, keeps its default threads.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: lab test test-quick lint notebooks check-notebooks check-exercises release bench bench-quick clean

# Jupyter refuses to run as root unless told (containers, CI machines).
lab: $(RUNTIME)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: $(TESTDEPS)
	$(BIN)/python -m pytest --nbval-lax $(PYTEST_ARGS)

# For contributors, between edits: the unit tests and ruff (a test), chosen by marker: no notebooks,
# no grading corpus, no browser, nothing marked slow (the markers are listed in pyproject.toml).
QUICK_TIER := not (notebook or grading or browser or slow)
test-quick: $(TESTDEPS)
	$(BIN)/python -m pytest tests -m "$(QUICK_TIER)" $(PYTEST_ARGS)

lint: $(TESTDEPS)
	$(BIN)/ruff check course_lib tests benchmarks

# Re-execute the notebooks from their sources (notebooks/NN_*.md, solutions/NN_*.md) and write the .ipynb:
# `make notebooks` for all, `make notebooks NB=04` for one chapter (its solutions too).
notebooks: $(TESTDEPS)
	$(BIN)/python tools/notebooks.py $(if $(NB),$(wildcard notebooks/$(NB)_*.md solutions/$(NB)_*.md))

# Fails when a .md source and its .ipynb disagree (no kernel needed).
check-notebooks: $(TESTDEPS)
	$(BIN)/python tools/notebooks.py --check

# Self-check every exercise notebook (fails until your answers are right).
check-exercises: $(TESTDEPS)
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider exercises -o testpaths=exercises

# Write exercises/ (.ipynb and .md) from the executed solutions/ (instructors): `make notebooks NB=04`
# executes solutions/04_*.md first; `make release NB=04` releases one chapter. The release runs no kernel.
release: $(TESTDEPS)
	$(BIN)/python -m course_lib release $(if $(NB),$(notdir $(basename $(wildcard solutions/$(NB)_*.md))))

bench: $(TESTDEPS)
	$(BIN)/python -m benchmarks.run

bench-quick: $(TESTDEPS)
	$(BIN)/python -m benchmarks.run --quick

# The virtual environment, created once; reinstalled only when pyproject.toml changes.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTDEPS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(RUNTIME) $@

clean:
	rm -rf $(VENV) build .pytest_cache
