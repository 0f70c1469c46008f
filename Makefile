# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed here.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= small

.PHONY: install install-python install-assets install-system messages run test lint bench clean

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

messages: install-python
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	cd techtransfer && ../$(PYTHON) ../manage.py compilemessages --verbosity 0

run: install
	mkdir -p var
	$(PYTHON) manage.py migrate --verbosity 0
	$(PYTHON) manage.py seed_demo --size $(DEMO_SIZE) --if-empty
	$(PYTHON) manage.py demo_logins
	$(PYTHON) manage.py runserver --insecure $(HOST):$(PORT)

test: install install-system
	$(PYTHON) -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PYTHON) manage.py makemigrations --check --dry-run

bench: install
	$(PYTHON) bench/import_search.py --rows 100000
	$(PYTHON) bench/import_search.py --rows 100000 --database-url postgres://postgres@127.0.0.1:5432/tt_import_bench

# Matching engine at 100k and 1M documents on SQLite (about 45 minutes on two shared cores), each also with
# one OpenBLAS thread on the same database (--reuse: resumes a build, or only re-measures the queries).
# PostgreSQL: add --database-url postgres://postgres@127.0.0.1:5432/tt_bench_match.
.PHONY: bench-matching
bench-matching: install
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 100000 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 100000 --reuse --blas-threads 1 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 1000000 $(BENCH_ARGS)
	nice -n 10 $(PYTHON) bench/matching_scale.py --docs 1000000 --reuse --blas-threads 1 $(BENCH_ARGS)

clean:
	rm -rf var/db.sqlite3 var/media var/static
