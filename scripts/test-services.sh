#!/usr/bin/env bash
# Checks scripts/services.sh on this machine: a Meilisearch port that is
# free at the check but taken at the bind (a socket bound without listening,
# as an outgoing connection holds an ephemeral port) is retried on another
# port below the ephemeral range. Run by make test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES="$ROOT/scripts/services.sh"
fail() { echo "test-services: FAIL: $*" >&2; exit 1; }

tmp="$(mktemp -d)"
holder=""
cleanup() {
    KATALOG_DATA_DIR="$tmp" DATABASE_URL=unused MEILI_URL= "$SERVICES" down >/dev/null 2>&1 || true
    [[ -n "$holder" ]] && kill "$holder" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Reuse the binary the main services already fetched.
mkdir -p "$tmp/bin"
ln -s "$ROOT/.data/bin/meilisearch" "$tmp/bin/meilisearch"

# The first candidate the script will try (the default port is held by the
# running services), bound but not listening: a connect finds it free.
first="$(KATALOG_DATA_DIR="$tmp" "$SERVICES" first-port meilisearch)"
(( first < 32768 )) || fail "first fallback port $first lies in the ephemeral range"
# Ports of the range already listening (this checkout's own services, for
# one) are skipped by the script too: hold the first it would really try.
while (exec 3<>"/dev/tcp/127.0.0.1/$first") 2>/dev/null; do first=$((first + 1)); done
python3 - "$first" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
s.bind(("127.0.0.1", int(sys.argv[1]))); time.sleep(120)
PY
holder=$!
sleep 0.5

# A listener on the default port, in case nothing runs there now.
python3 -c 'import socket,time;s=socket.socket();s.bind(("127.0.0.1",7701));s.listen();time.sleep(120)' 2>/dev/null &
listener=$!
trap 'kill $listener 2>/dev/null || true; cleanup' EXIT
sleep 0.3

# Its own Meilisearch even when the caller's environment names one.
out="$(KATALOG_DATA_DIR="$tmp" DATABASE_URL=postgres://unused MEILI_URL= "$SERVICES" up 2>&1)" || fail "services up failed: $out"
port="$(cat "$tmp/meili.port")"
[[ "$port" != "$first" ]] || fail "meilisearch reported port $first, which was held"
(( port < 32768 )) || fail "meilisearch on $port, inside the ephemeral range"
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || fail "meilisearch on $port is not healthy"
grep -q "taken at the bind" <<<"$out" || fail "no retry was logged: $out"
echo "test-services: ok (held $first, started on $port)"

# make run keeps PostgreSQL durable; make test (KATALOG_PG_FAST=1) may not.
pgtmp="$(mktemp -d)"
trap 'kill $listener 2>/dev/null || true; cleanup; KATALOG_DATA_DIR="$pgtmp" MEILI_URL=unused DATABASE_URL= "$SERVICES" down >/dev/null 2>&1 || true; rm -rf "$pgtmp"' EXIT
pg_setting() { # name
    local url; url="$(KATALOG_DATA_DIR="$pgtmp" MEILI_URL=unused DATABASE_URL= "$SERVICES" env | sed -n 's/^export DATABASE_URL=//p')"
    psql -X -tA "$url" -c "SHOW $1"
}
KATALOG_DATA_DIR="$pgtmp" MEILI_URL=unused DATABASE_URL= KATALOG_PG_FAST= KATALOG_PG_PORT= "$SERVICES" up >/dev/null 2>&1 || fail "private postgres did not start"
[[ "$(pg_setting fsync)" == on && "$(pg_setting synchronous_commit)" == on ]] || fail "make run's postgres is not durable (fsync $(pg_setting fsync))"
KATALOG_DATA_DIR="$pgtmp" MEILI_URL=unused DATABASE_URL= KATALOG_PG_FAST=1 "$SERVICES" up >/dev/null 2>&1 || fail "fast postgres did not start"
[[ "$(pg_setting fsync)" == off ]] || fail "KATALOG_PG_FAST=1 did not turn fsync off"
echo "test-services: ok (durable by default, fast for tests)"
