# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed here.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= small

.PHONY: install install-python install-assets install-system messages run static serve test lint bench clean

# Django refuses to start without a secret key. Unless SECRET_KEY or SECRET_KEY_FILE is given, the demo and the
# tools use var/secret_key: random, made on first use, mode 600, kept across runs (`make clean` keeps it).
# `make serve` takes its key from the production environment only.
DEV_SECRET_KEY := var/secret_key
ifeq ($(strip $(SECRET_KEY)$(SECRET_KEY_FILE)),)
KEY_FILE := $(DEV_SECRET_KEY)
messages run test lint bench bench-matching bench-stats: export SECRET_KEY_FILE := $(CURDIR)/$(DEV_SECRET_KEY)
endif

$(DEV_SECRET_KEY):
	mkdir -p $(dir $@)
	umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@

install: install-python install-assets messages

# Re-installs only when the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@
install-python: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
install-assets: node_modules/.installed

# Debian packages: gettext (translations), Chromium (browser tests) and a CJK font for its screenshots.
install-system:
	@command -v msgfmt >/dev/null && command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext chromium fonts-wqy-microhei >/dev/null; }

messages: install-python $(KEY_FILE)
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	cd techtransfer && ../$(PYTHON) ../manage.py compilemessages --verbosity 0

run: install $(KEY_FILE)
	mkdir -p var
	$(PYTHON) manage.py migrate --verbosity 0
	$(PYTHON) manage.py seed_demo --size $(DEMO_SIZE) --if-empty
	$(PYTHON) manage.py demo_logins
	$(PYTHON) manage.py runserver --insecure $(HOST):$(PORT)

test: install install-system $(KEY_FILE)
	$(PYTHON) -m pytest -n auto

lint: install $(KEY_FILE)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PYTHON) manage.py makemigrations --check --dry-run
	deploy/check-production-env deploy/production.env.example

# Production: gunicorn behind a reverse proxy (docs/deploy.md) with the settings from the environment, which
# ENV_FILE (e.g. /etc/techtransfer/techtransfer.env) may supply. `make static` collects the static files
# hashed and compressed (STATIC_MANIFEST=true), leaving out the front-end packages' files no page loads.
# deploy/gunicorn.conf.py sizes the server to the machine: WORKERS (cores + 1), THREADS (4) and BIND
# (127.0.0.1:8000) override it.
ENV_FILE ?=
LOAD_ENV = set -a; if [ -n "$(ENV_FILE)" ]; then . "$(ENV_FILE)"; fi; set +a
STATIC_IGNORE := echarts.js echarts.js.map 'echarts.common*' 'echarts.esm*' 'echarts.simple*' extension package.json \
  pico.css 'pico.[!m]*' postcss.config.js htmx.js htmx.amd.js htmx.cjs.js 'htmx.esm*' htmx.min.js.gz ext
static: install
	$(LOAD_ENV); STATIC_MANIFEST=true $(PYTHON) manage.py collectstatic --noinput --verbosity 1 $(addprefix -i ,$(STATIC_IGNORE))

serve: static
	$(LOAD_ENV); export STATIC_MANIFEST=true \
	  $(if $(WORKERS),GUNICORN_WORKERS=$(WORKERS)) $(if $(THREADS),GUNICORN_THREADS=$(THREADS)) $(if $(BIND),GUNICORN_BIND=$(BIND)); \
	exec $(BIN)/gunicorn --config deploy/gunicorn.conf.py

bench: install $(KEY_FILE)
	$(PYTHON) bench/import_search.py --rows 100000
	$(PYTHON) bench/import_search.py --rows 100000 --database-url postgres://postgres@127.0.0.1:5432/tt_import_bench

# Matching engine at 100k and 1M documents on SQLite (about 45 minutes on two shared cores), each also with
# one OpenBLAS thread on the same database (--reuse: resumes a build, or only re-measures the queries).
# PostgreSQL: add --database-url postgres://postgres@127.0.0.1:5432/tt_bench_match.
.PHONY: bench-matching
bench-matching: install $(KEY_FILE)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 100000 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 100000 --reuse --blas-threads 1 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 1000000 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 1000000 --reuse --blas-threads 1 $(BENCH_ARGS)

# The statistics' query set (overview, map, drill-down pages) at 1M and 10M contracts: DuckDB against the ORM on
# the same data (BENCHMARKS.md, "Statistics engine"; about 20 minutes and ~8 GB of working files in var/bench).
.PHONY: bench-stats
bench-stats: install $(KEY_FILE)
	nice -n 10 $(PYTHON) bench/stats_engine.py --clean $(BENCH_ARGS)

# 50 users for 60 s against gunicorn on the small demo, SQLite then PostgreSQL (BENCHMARKS.md, "Load"); each
# builds its own database and server on 127.0.0.1:8123. LOAD_ARGS="--duration 20" for a quick look.
.PHONY: bench-load schemathesis
bench-load: install
	$(PYTHON) bench/load.py $(LOAD_ARGS)
	$(PYTHON) bench/load.py --database-url postgres://postgres@127.0.0.1:5432/tt_load $(LOAD_ARGS)

# schemathesis, every check, against gunicorn on a throw-away demo database with an API token (README, testing).
schemathesis: install
	bench/schemathesis.sh

clean:
	rm -rf var/db.sqlite3 var/media var/static
