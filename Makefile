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

.PHONY: install browser bytecode test lint lint-workflows unit demo bench clean

# uv (pinned like everything else) installs the same pinned versions as pip in a quarter of the time; pip stays
# in the venv, pinned, for the tests and commands that call it. Bytecode is compiled at install, as pip does:
# workflow steps in the sandbox run Python without writing it, so each would compile every module again.
# The venv starts without pip (ensurepip takes 2 s): the base Python's pip puts uv in it (pip --python), and
# ensurepip only runs where that pip is missing or too old; uv then installs the pinned pip.
$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install -q $(PIN) uv 2>/dev/null || \
	  { $(BIN)/python -m ensurepip >/dev/null && $(BIN)/python -m pip install -q $(PIN) uv; }
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python $(PIN) pip setuptools wheel
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python $(PIN) --no-build-isolation -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium and a CJK font for the catalog's browser tests, benchmark and demo screenshots
# (Playwright drives /usr/bin/chromium; its own browser download cannot work here). By hand, as root:
#   apt-get update && apt-get install -y chromium fonts-noto-cjk
# Runs apt only when something is missing and we are root; otherwise the browser tests skip and say why.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "Chromium or the CJK font is missing and we are not root: browser tests will skip." \
	  "Install with: apt-get update && apt-get install -y $(BROWSER_PACKAGES)"; fi

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

# The package's bytecode beside its sources, for the processes the tests start (wxreg, python -m ...): where
# the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE), each would compile it again.
# Timestamp-checked, like what Python writes itself: a source edited later is simply compiled again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q scripts

unit: $(STAMP) browser bytecode
	$(BIN)/pytest -n 2 -q

# All tests: static checks, registry validation and the pytest suite. The static checks (mostly mypy, on one
# core) run while pytest does; their output waits in a file and follows pytest's; any failure fails the target.
test: $(STAMP) browser bytecode
	@lint_log=$$(mktemp); \
	$(MAKE) --no-print-directory lint lint-workflows >"$$lint_log" 2>&1 & lint_pid=$$!; \
	$(BIN)/pytest -n 2 -q; unit_status=$$?; \
	wait $$lint_pid; lint_status=$$?; \
	echo "--- make lint lint-workflows (run beside pytest) ---"; cat "$$lint_log"; rm -f "$$lint_log"; \
	if [ $$lint_status -ne 0 ]; then echo "make test: the static checks failed (above)"; fi; \
	[ $$unit_status -eq 0 ] && [ $$lint_status -eq 0 ]
	$(BIN)/wxreg validate

demo: $(STAMP) browser
	$(BIN)/python -m wxsandbox.demo

bench: $(STAMP) browser
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
