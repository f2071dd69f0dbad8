# Two entry points: `make site` and `make test`. Both set up .venv first.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact, hash-checked versions of every dependency (tests, site build and deploy alike).
LOCK := requirements.lock

CHROMIUM := /usr/bin/chromium
BIBTEX := /usr/bin/bibtex
AXE := node_modules/axe-core/axe.min.js

.PHONY: install site test serve hooks lint typecheck pytest browser tex bench canary clean lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The one install: every workflow step and make target uses this .venv.
install: $(STAMP)

# Re-pin after changing dependencies in pyproject.toml (needs uv: python3 -m pip install uv).
lock:
	printf 'hatchling>=1.25\neditables>=0.5\n' | uv pip compile pyproject.toml - --extra test \
	  --generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" \
	  -o $(LOCK)

# The site is built beside site/ and swapped in only when complete: a failed or interrupted
# build leaves the previous site (or none), never a half-written one.
site: $(STAMP)
	$(BIN)/studydigest validate
	$(BIN)/studydigest schema --out schema.json
	rm -rf site.tmp
	$(BIN)/mkdocs build --strict --site-dir site.tmp
	rm -rf site && mv site.tmp site

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# Before each commit: validate changed records, ruff, ruff format, mypy (.pre-commit-config.yaml;
# local hooks on .venv, nothing downloaded).
hooks: $(STAMP)
	$(BIN)/pre-commit install

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks .github/scripts
	$(BIN)/ruff format --check src tests benchmarks .github/scripts
	$(BIN)/lint-imports

# mypy --strict over the files named in pyproject's [tool.mypy]: src, tests, benchmarks and
# .github/scripts (the pre-commit hook runs the same).
typecheck: $(STAMP)
	$(BIN)/mypy

# Browser tests use Debian's chromium (Playwright's own browser download does not work here)
# and axe-core from the npm registry. No browser means a loud failure, never a skip.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x $(CHROMIUM) || { echo "ERROR: no $(CHROMIUM); the browser tests cannot run" >&2; exit 1; }

# The BibTeX export is compiled by classic BibTeX + pdflatex (Debian's texlive-latex-base:
# about 120 MB, under a minute to install). No TeX means a loud failure, never a skip.
tex:
	@if [ ! -x $(BIBTEX) ]; then \
	  echo "Installing Debian's texlive-latex-base for the BibTeX tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    texlive-latex-base >/dev/null; \
	fi
	@test -x $(BIBTEX) || { echo "ERROR: no $(BIBTEX); the BibTeX tests cannot run" >&2; exit 1; }

# npm ci installs axe-core (browser tests) and citeproc (the CSL-JSON tests).
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

# -m "" lifts the default selection in pyproject.toml: every test runs, slow ones included.
pytest: $(STAMP) browser tex $(AXE)
	$(BIN)/pytest -m ""

test: lint typecheck pytest

clean:
	rm -rf site site.tmp schema.json $(VENV) .canary node_modules test-artifacts .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP) browser
	$(BIN)/python benchmarks/bench.py

# Builds the rendered pages with ProperDocs and Zensical (pinned in benchmarks/engines/, each in
# its own virtual environment under .canary/) and writes docs/engines.md. Reports, never gates.
canary: $(STAMP)
	$(BIN)/python benchmarks/canary.py
