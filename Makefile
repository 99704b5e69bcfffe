# Two commands for a newcomer:  `make demo`  and  `make test`.
# uv (from PyPI) installs Airflow + GX from the lock file in seconds; it is bootstrapped into
# .uv-tool/ when not already on PATH, so a fresh machine needs only python3.11.
SHELL := /bin/bash
PYTHON ?= python3.11
UV := $(shell command -v uv 2>/dev/null || echo .uv-tool/bin/uv)
VENV := .venv
WORKSPACE ?= demo
export GX_ANALYTICS_ENABLED := False
export UV_LINK_MODE := copy
# Precompiled bytecode: this environment sets PYTHONDONTWRITEBYTECODE, so without it every
# process would recompile Airflow and GX from source (~6 s per import of GX alone).
export UV_COMPILE_BYTECODE := 1

.PHONY: install demo test test-all lint clean docs-pictures compose-test

.uv-tool/bin/uv:
	$(PYTHON) -m venv .uv-tool
	.uv-tool/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/dvctt demo --workspace $(WORKSPACE)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: install lint
	UV=$(abspath $(UV)) $(VENV)/bin/python -m pytest

docs-pictures: install  # the clerk's pages as LibreOffice prints them, for the README
	$(VENV)/bin/python docs/clerk_pictures.py
	$(VENV)/bin/python docs/annex_pictures.py

# docker-compose.yaml built and run for real with podman, checked and torn down (root; ~N min, see the README).
compose-test: install
	UV=$(abspath $(UV)) bash deploy/compose-test.sh

clean:
	rm -rf $(VENV) .uv-tool demo
