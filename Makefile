# flowgraph — two commands do all set-up on a fresh Debian machine with Python 3.11+:
#   make run    install what is missing, serve the bundled examples with the editor (SQLite)
#   make test   install what is missing, run every check and test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WEB_STAMP := web/dist/.built

# Debian packages: what `make run` needs, and what `make test` needs on top.
RUN_DEBS := graphviz
TEST_DEBS := graphviz chromium postgresql redis-server
# Benches load the server with wrk as well.
BENCH_DEBS := $(TEST_DEBS) wrk
# Commands that tell whether a package is present.
CMD_graphviz := dot
CMD_chromium := chromium
CMD_postgresql := /usr/lib/postgresql/*/bin/initdb
CMD_redis-server := redis-server

.PHONY: run test install sysdeps-run sysdeps-test sysdeps-bench web lint typecheck pytest webtest clean schema bench reliability

run: sysdeps-run $(STAMP) web
	$(VENV)/bin/flowgraph serve --seed-examples examples

test: sysdeps-test $(STAMP) web lint typecheck webtest pytest

install: $(STAMP)

define need_debs
	@missing=""; for p in $(1); do \
	  case "$$p" in \
	    graphviz) c="dot";; chromium) c="chromium";; redis-server) c="redis-server";; \
	    postgresql) c="/usr/lib/postgresql/*/bin/initdb";; *) c="$$p";; esac; \
	  if ! compgen -G "$$c" >/dev/null && ! command -v "$$c" >/dev/null 2>&1; then missing="$$missing $$p"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

sysdeps-run:
	$(call need_debs,$(RUN_DEBS))

sysdeps-test:
	$(call need_debs,$(TEST_DEBS))

sysdeps-bench:
	$(call need_debs,$(BENCH_DEBS))

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# The editor: built from web/ when its sources change (skipped until web/package.json exists).
WEB_SRC := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
web: $(if $(wildcard web/package.json),$(WEB_STAMP))

$(WEB_STAMP): $(WEB_SRC)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $(WEB_STAMP)

webtest: web
	@if [ -f web/package.json ]; then cd web && npm test --silent; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check flowgraph tests bench
	$(VENV)/bin/ruff format --check flowgraph tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

schema: $(STAMP)
	$(VENV)/bin/flowgraph schema > docs/flow.schema.json

bench: sysdeps-bench $(STAMP)
	for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The reliability battery (issue 9): fuzz, 1,000 concurrent calls per mode, publish at the size
# limit, faults (database lock, lookup API, SIGTERM, Redis) against a real server on 127.0.0.1.
reliability: sysdeps-test $(STAMP)
	$(PY) bench/reliability.py --redis

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
