# Concord: everything a fresh machine needs comes from here (Debian packages, PyPI, npm).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
HOST ?= 127.0.0.1
INSTANCE ?= instance
# both cores (each xdist worker makes its own databases); the slowest tests are listed at the end
PYTEST_ARGS ?= -n auto --durations=25

.PHONY: deps system-deps python-deps js-deps run test bench clean

deps: system-deps python-deps js-deps

# Chromium (browser tests), poppler (pdfsig/pdftotext in tests), WenQuanYi Micro Hei (TrueType CJK
# font that ReportLab can embed in agreements), Hanazono (rare CJK Extension A/B characters in names),
# BabelStone Han (CJK Extension A–H: the rest of the fallback chain of exports/pdf/glyphs.py).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdfsig >/dev/null || missing="$$missing poppler-utils"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	fc-list 2>/dev/null | grep -qi hanazono || missing="$$missing fonts-hanazono"; \
	[ -f /usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf ] || missing="$$missing fonts-babelstone-han"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

python-deps: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

js-deps: node_modules/.installed

# Serve the app on SQLite with the demo incident; prints the URL and the demo login.
run: deps
	$(VENV)/bin/concord --instance $(INSTANCE) init --admin-password "$${CONCORD_ADMIN_PASSWORD:-concord-admin}"
	$(VENV)/bin/concord --instance $(INSTANCE) demo
	@echo ""; echo "  Concord: http://$(HOST):$(PORT)/   login: leader / concord-demo   (admin / $${CONCORD_ADMIN_PASSWORD:-concord-admin})"; echo ""
	$(VENV)/bin/concord --instance $(INSTANCE) serve --host $(HOST) --port $(PORT)

# The whole test suite (PostgreSQL and Redis tests run when CONCORD_TEST_POSTGRES_URL /
# CONCORD_TEST_REDIS_URL are set, and are reported as skipped otherwise).
test: deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# PostgreSQL and Redis cases run against the loopback servers these machines have (set the variables
# empty to skip them); a case whose server is absent is reported as an error entry, not a crash.
BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/0

bench: deps
	CONCORD_BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) CONCORD_BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
		$(PY) -m bench --out bench/results/latest.json

clean:
	rm -rf $(VENV) node_modules .pytest_cache
