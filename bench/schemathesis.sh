#!/usr/bin/env bash
# Property-based API testing with schemathesis, every check, against the production server (gunicorn,
# DEBUG off) on a throw-away demo database, with the API token of a demo enterprise user.
#
#   bench/schemathesis.sh                      # SQLite in var/schemathesis/
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tt_schemathesis bench/schemathesis.sh
#   MAX_EXAMPLES=50 PORT=8124 bench/schemathesis.sh -- --include-path-regex demands   # more examples, one area
#
# tokens_revoke is left out: revoking the token the run authenticates with would turn every later request
# into a 401 (it is covered by techtransfer/accounts tests). Arguments after -- go to `schemathesis run`. The report (JUnit XML, NDJSON) is in var/schemathesis/report/
# and the server's log in var/schemathesis/gunicorn.log. Exits with schemathesis's status.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/.venv/bin
WORK=$ROOT/var/schemathesis
PORT=${PORT:-8124}
MAX_EXAMPLES=${MAX_EXAMPLES:-20}
SEED=${SEED:-1}
[ "${1:-}" = "--" ] && shift

mkdir -p "$WORK"
export DATABASE_URL=${DATABASE_URL:-sqlite:///$WORK/schemathesis.sqlite3}
export SECRET_KEY=${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost CACHE_URL=file://$WORK/cache DJANGO_SETTINGS_MODULE=techtransfer.settings
unset SECRET_KEY_FILE

# A fresh database every run: schemathesis writes (drafts, questions, tokens...) through the API.
case "$DATABASE_URL" in
  sqlite:///*) rm -f "${DATABASE_URL#sqlite:///}" "${DATABASE_URL#sqlite:///}-wal" "${DATABASE_URL#sqlite:///}-shm" ;;
  postgres://*)
    "$BIN/python" -c "import psycopg, sys; u = sys.argv[1]; n = u.rsplit('/', 1)[1]
with psycopg.connect(u.rsplit('/', 1)[0] + '/postgres', autocommit=True) as c:
    c.execute(f'DROP DATABASE IF EXISTS \"{n}\" WITH (FORCE)'); c.execute(f'CREATE DATABASE \"{n}\"')" "$DATABASE_URL" ;;
esac
rm -rf "$WORK/cache" "$WORK/report"
"$BIN/python" manage.py migrate --verbosity 0
"$BIN/python" manage.py seed_demo --size small >/dev/null 2>&1

TOKEN=$("$BIN/python" - <<'EOF'
import django

django.setup()
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Membership
from techtransfer.accounts.services import api_token_create

member = Membership.objects.select_related("user").filter(organisation__org_type=OrgType.ENTERPRISE).order_by("pk").first()
print(api_token_create(user=member.user, name="schemathesis")[1])
EOF
)

"$BIN/gunicorn" techtransfer.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 60 \
  >"$WORK/gunicorn.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT

status=0
"$BIN/schemathesis" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --wait-for-schema 60 \
  --checks all \
  --header "Authorization: Token $TOKEN" \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
  --workers 2 \
  --exclude-operation-id tokens_revoke \
  --report junit,ndjson --report-dir "$WORK/report" \
  "$@" || status=$?
exit $status
