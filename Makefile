# Quick start on a fresh machine:
#   make preview            set up .venv, then preview the dev stack offline
#   make test               set up .venv, then run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= dev

.PHONY: setup preview test bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(BIN)/.installed

preview: setup
	$(BIN)/python -m preview $(STACK)

test: setup
	$(BIN)/python -m pytest -q -n 2

bench: setup
	$(BIN)/python bench/preview_bench.py
