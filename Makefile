# The two set-up commands of the README:
#   make build   install cnkg into .venv and build corpus/ (plus LWKD and LWCN from ../shared when there)
#                into build/ (graph.trig, graph.html)
#   make test    install the test tools and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SHARED ?= ../shared

.PHONY: build test install install-dev browser lint bench clean

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

# Debian's chromium for the browser tests (no browser download); needs root, as CI has.
browser:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; }

test: install-dev browser
	$(BIN)/python -m pytest -q

lint: install-dev
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache tests/artifacts
