# Two commands a person needs: `make run` and `make test`. Each works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
export ELEARN_INSTANCE_DIR ?= $(CURDIR)/instance

.PHONY: run test lint install translations system-deps node-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/elearn translate compile > /dev/null

# Secrets for the local demo only (readable by their owner only); production sets
# them in the environment. The app generates the same files in debug mode (instance_keys.py).
$(ELEARN_INSTANCE_DIR)/secret_key:
	mkdir -p $(ELEARN_INSTANCE_DIR)
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
$(ELEARN_INSTANCE_DIR)/concern_key: $(STAMP)
	mkdir -p $(ELEARN_INSTANCE_DIR)
	umask 077 && $(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > $@

DEMO_ENV = SECRET_KEY=$$(cat $(ELEARN_INSTANCE_DIR)/secret_key) \
	ELEARN_CONCERN_KEYS=$$(cat $(ELEARN_INSTANCE_DIR)/concern_key)

run: $(STAMP) translations $(ELEARN_INSTANCE_DIR)/secret_key $(ELEARN_INSTANCE_DIR)/concern_key
	$(BIN)/elearn content check
	$(DEMO_ENV) $(BIN)/elearn db upgrade
	$(DEMO_ENV) $(BIN)/elearn seed-demo
	@echo "Serving on http://$(HOST):$(PORT)/ with a task worker (Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/elearn worker --workers 1 & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	  $(DEMO_ENV) $(BIN)/gunicorn --config gunicorn.conf.py --workers 2 --bind $(HOST):$(PORT) 'elearn:create_app()'

# Debian's chromium and the Noto fonts (Devanagari, Arabic, CJK) for browser tests and PDF
# certificates; gettext's msgfmt for the catalog completeness check; poppler's pdftoppm
# renders certificates to PNG in tests.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v msgfmt > /dev/null || ! command -v xmlsec1 > /dev/null \
	    || ! command -v pdftoppm > /dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans Devanagari"; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-noto-core fonts-noto-cjk gettext xmlsec1 poppler-utils > /dev/null; \
	fi

node-deps: package-lock.json
	@[ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/vnu-jar/build/dist/vnu.jar ] \
		&& [ -f node_modules/oidc-provider/package.json ] && [ -f node_modules/scorm-again/dist/scorm12.js ] || npm ci --no-audit --no-fund --silent

# Lint and type checks (configured in pyproject.toml); `make test` runs them first.
lint: $(STAMP)
	$(BIN)/ruff check elearn tests bench
	$(BIN)/ruff format --check elearn tests bench
	$(BIN)/mypy elearn

# Two processes, one per core; each takes a whole test file (its module fixtures, its
# browser) at a time. Each process has its own PostgreSQL database and temporary folders.
test: lint translations system-deps node-deps
	$(BIN)/elearn content check
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile

# Not part of `make test`: load from this machine against gunicorn on 127.0.0.1.
bench: $(STAMP) translations system-deps
	@command -v wrk > /dev/null || (apt-get update -qq && apt-get install -y -qq wrk > /dev/null)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.journeys
	$(BIN)/python -m bench.page_weight
	$(BIN)/python -m bench.export_bench
	@echo "Fault run, larger than in make test: 2 instances on PostgreSQL, 400 learners, 4 SIGKILLs"
	ELEARN_FAULT_LEARNERS=400 ELEARN_FAULT_KILLS=4 $(BIN)/python -m pytest -p no:cacheprovider -q -s \
	  tests/test_fault_tolerance.py

clean:
	rm -rf $(VENV) node_modules instance test-artifacts
