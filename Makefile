# One-command set-up for a fresh machine. Every install but test-oldest's goes
# through .ci/constraints.txt, which pins torch to 2.13.0. The pin alone gives
# the CPU wheel only where pip is configured with a CPU wheel index (as on the
# project's machines, which reach no other index); elsewhere PyPI's torch
# 2.13.0 is the multi-GB CUDA build, so name PyTorch's CPU index there:
#   make install TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (test-oldest's torch 2.4.1, from .ci/constraints-oldest.txt, is the CUDA
# wheel: 2.5 GB).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CONSTRAINTS := .ci/constraints.txt
# The index torch alone is installed from (--index-url); empty: pip's own.
TORCH_INDEX ?=
# Small recurrent networks run fastest, and reproducibly, on one torch thread.
export OMP_NUM_THREADS ?= 1

.PHONY: install test test-oldest demo bench docs readme-figure clean

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) )-c $(CONSTRAINTS) torch==2.13.0
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[test,sktime,bench]"
	touch $@

install: $(VENV)/.installed

test: install
	$(PY) -m pytest

# The same suite on the oldest releases pyproject.toml allows
# (.ci/constraints-oldest.txt), in a venv of its own. Its torch, 2.4.1, is a
# CUDA build from the package index (a 2.5 GB download).
OLDEST_VENV ?= .venv-oldest
OLDEST := .ci/constraints-oldest.txt

$(OLDEST_VENV)/.installed: pyproject.toml $(OLDEST)
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet -c $(OLDEST) -e ".[test,sktime,bench]"
	touch $@

test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/python -m pytest

demo: install
	$(PY) examples/plot_airline_demo.py

bench: install
	$(PY) -m benchmarks.run

# The README's figure, drawn by the demo example.
readme-figure: install
	$(PY) docs/readme_figure.py

docs: install
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) $(OLDEST_VENV) build dist *.egg-info docs/_build
