# Everything a fresh machine needs is installed by these targets, pinned by requirements/constraints.txt.
# The newest Python that actually runs (a pyenv shim without PYENV_VERSION does not), newest first, so the
# reviewer can parse the newest syntax a plugin may declare; any Python >= 3.11 works. Override: PYTHON=...
PYTHON_CANDIDATES := python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.11 python3
PYTHON ?= $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $(p))) python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PIN    := -c requirements/constraints.txt

.PHONY: install test lint lint-workflows unit demo bench clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(PIN) pip setuptools wheel
	$(BIN)/python -m pip install -q $(PIN) --no-build-isolation -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check scripts tests bench
	$(BIN)/mypy

# Workflow and issue-form YAML: schema, actionlint (with shellcheck when present) and zizmor, all offline.
lint-workflows: $(STAMP)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	if ls .github/ISSUE_TEMPLATE/*.yml >/dev/null 2>&1; then \
	  $(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms $$(ls .github/ISSUE_TEMPLATE/*.yml | grep -v /config.yml); \
	  $(BIN)/check-jsonschema --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml; \
	fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/actionlint
	env -u GITHUB_TOKEN -u GH_TOKEN $(BIN)/zizmor --offline --no-progress .github

# WXREG_E2E_TEN=1: the ten-approvals-through-act scenario (~3.5 min on one worker) is part of the suite.
unit: $(STAMP)
	WXREG_E2E_TEN=1 $(BIN)/pytest -n 2 -q

# All tests: static checks, registry validation and the pytest suite.
test: lint lint-workflows unit
	$(BIN)/wxreg validate

demo: $(STAMP)
	$(BIN)/python -m wxsandbox.demo

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
