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

.PHONY: lab test test-quick lint typecheck notebooks check-notebooks check-exercises release bench bench-quick lite site test-widgets7 clean

# Jupyter refuses to run as root unless told (containers, CI machines).
lab: $(RUNTIME)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: $(TESTDEPS) typecheck
	$(BIN)/python -m pytest --nbval-lax $(PYTEST_ARGS)

# For contributors, between edits: the unit tests and ruff (a test), chosen by marker: no notebooks,
# no grading corpus, no browser, nothing marked slow (the markers are listed in pyproject.toml).
QUICK_TIER := not (notebook or grading or browser or slow)
test-quick: $(TESTDEPS)
	$(BIN)/python -m pytest tests -m "$(QUICK_TIER)" $(PYTEST_ARGS)

lint: $(TESTDEPS) typecheck
	$(BIN)/ruff check course_lib tests benchmarks tools

# mypy on course_lib, tools and benchmarks: what and how strictly is [tool.mypy] in pyproject.toml.
# Fails on any error. The first run takes about 20 s; later ones reuse build/mypy-cache.
typecheck: $(TESTDEPS)
	$(BIN)/mypy

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

# The course as a JupyterLite site in build/lite/ (runs in the browser, no server). LITE_PYODIDE=cdn loads
# Pyodide from its CDN instead of serving it from the site. Its tools live in their own venv, pinned.
LITE_VENV := build/lite-venv
LITE_PYODIDE ?= local
lite: $(LITE_VENV)/.installed
	$(LITE_VENV)/bin/python tools/lite.py --pyodide $(LITE_PYODIDE)

$(LITE_VENV)/.installed: tools/lite-requirements.txt
	$(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet -r tools/lite-requirements.txt
	touch $@

# The course as static HTML in build/site/ (Sphinx + myst-nb, from the committed outputs), in its own venv.
SITE_VENV := build/site-venv
site: $(SITE_VENV)/.installed
	$(SITE_VENV)/bin/python tools/site.py

$(SITE_VENV)/.installed: tools/site-requirements.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip install --quiet -r tools/site-requirements.txt
	touch $@

# The explorers' Python side on ipywidgets 7 (Google Colab ships 7.7.1), in a venv of its own.
WIDGETS7_VENV := build/widgets7-venv
test-widgets7: $(WIDGETS7_VENV)/.installed
	MPLBACKEND=Agg $(WIDGETS7_VENV)/bin/python -m pytest -p no:cacheprovider tests/test_widgets.py

$(WIDGETS7_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(WIDGETS7_VENV)
	$(WIDGETS7_VENV)/bin/python -m pip install --quiet ipywidgets==7.7.1 'numpy>=1.24' 'matplotlib>=3.7' 'pytest>=7.4'
	$(WIDGETS7_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

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
