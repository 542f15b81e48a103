# The two set-up commands of the README:
#   make build   install cnkg into .venv and build corpus/ (plus LWKD and LWCN from ../shared when there)
#                into build/ (graph.trig, graph.html)
#   make test    install the test tools and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SHARED ?= ../shared

.PHONY: build test test-quick install install-dev browser lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

# The catalog is enriched from ../shared/reference when it is there (KEP titles and stages,
# landscape categories); the imported files are generated, not committed.
build: install
	@if [ -f $(SHARED)/reference/landscape.yml ]; then \
	  $(BIN)/kg catalog import-landscape $(SHARED)/reference/landscape.yml; fi
	@if [ -d $(SHARED)/reference/enhancements/keps ]; then \
	  $(BIN)/kg catalog import-keps $(SHARED)/reference/enhancements/keps; fi
	$(BIN)/kg build corpus/ $(wildcard $(SHARED)/corpus/lwkd $(SHARED)/corpus/lwcn) --workers 2

# Debian's chromium for the browser tests (no browser download).  Installing it needs root (as CI has); anyone
# else gets a message and the browser tests skip (tests/test_explorer_browser.py), instead of a failed apt-get.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "make: could not install chromium: the browser tests will be skipped"; \
	else \
	  echo "make: $(CHROMIUM) is missing and installing it needs root: the browser tests will be skipped" \
	       "(as root: apt-get install chromium fonts-noto-cjk)"; \
	fi

# The whole suite (what CI runs), in two processes (pytest-xdist; a test file stays in one process, so the
# stores a file builds once are shared by its tests).  PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: install-dev browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Everything but the end-to-end tests marked slow (full LWKD builds, the kill-and-resume build, notebooks).
test-quick: install-dev
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache tests/artifacts
