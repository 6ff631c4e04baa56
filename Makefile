# One command each: run, test, lint, bench. Every target creates .venv and installs on first use.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
# torch==2.13.0 is the CPU build: pinned in pyproject.toml and installed first, so pip never
# resolves a multi-GB CUDA build for it. requirements.lock pins the rest to versions known to work.
PIP     := $(BIN)/pip install --disable-pip-version-check -q -c requirements.lock
STAMP   := $(VENV)/.installed

.PHONY: run test lint bench index clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(PIP) torch==2.13.0
	$(PIP) -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/advisor serve

test: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check tools knowledge agent ui tests bench

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench

index: $(STAMP)
	$(BIN)/advisor index

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
