#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite (tests/store/test_postgres.py).
#
#   scripts/pg-test-server.sh [start]   install PostgreSQL if missing (Debian packages, needs
#                                       root), start a fresh server on 127.0.0.1 and print the
#                                       SQLAlchemy URL of its database paperpath_test
#   scripts/pg-test-server.sh url       print the URL of the running server
#   scripts/pg-test-server.sh stop      stop the server and delete its data
#
# Only the URL goes to stdout; progress and errors go to stderr. Starting twice reuses the
# running server. The data lives in $PAPERPATH_PG_DIR (default /tmp/paperpath-pgtest), the
# server listens on $PAPERPATH_PG_PORT (default 54329, or the next free port) and trusts every
# local connection: it is for tests only, never for data anyone keeps.
set -euo pipefail

DIR=$(realpath -m "${PAPERPATH_PG_DIR:-/tmp/paperpath-pgtest}")
PORT=${PAPERPATH_PG_PORT:-54329}
DB=paperpath_test
DATA=$DIR/data

log() { echo "pg-test-server: $*" >&2; }
die() { log "error: $*"; exit 1; }

cd /  # the postgres user may not be allowed into the caller's directory

bindir() {  # the newest installed server's bin directory, or nothing
    local d best=""
    # sort -V: versions sort as numbers (9.6 before 15), which a glob does not do.
    while read -r d; do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then best=$d; fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
    echo "$best"
}

as_owner() {  # run a server program as the data directory's owner (initdb refuses root)
    if [[ $(id -u) == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_pg() {
    [[ $(id -u) == 0 ]] || die "PostgreSQL is not installed and installing it needs root"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is missing"
    log "installing PostgreSQL from Debian packages ..."
    local out
    out=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
               postgresql; } >"$out" 2>&1; then
        tail -n 20 "$out" >&2
        rm -f "$out"
        die "apt-get could not install PostgreSQL"
    fi
    rm -f "$out"
    # The package creates and may start a default cluster on port 5432: not needed here.
    if command -v pg_lsclusters >/dev/null; then
        pg_lsclusters --no-header 2>/dev/null | while read -r ver name _port status _; do
            if [[ $name == main && $status == online* ]]; then
                pg_ctlcluster "$ver" main stop >/dev/null 2>&1 || true
            fi
        done
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() {  # our server is up and answering on its port
    [[ -n $BIN && -f $DATA/PG_VERSION && -f $DIR/port ]] &&
        as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 &&
        "$BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$DIR/port")"
}

url() { echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$DIR/port")/$DB"; }

stop() {  # never fails: it also cleans up after a server that died
    if running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
        log "stopped"
    elif [[ -n $BIN && -f $DATA/postmaster.pid ]]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 5 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}

start() {
    if [[ -z $BIN ]]; then
        install_pg
        BIN=$(bindir)
        [[ -n $BIN ]] || die "PostgreSQL installed, but no initdb under /usr/lib/postgresql"
    fi
    if running; then
        log "already running (data in $DIR)"
        url
        return
    fi
    stop  # a server that died, or a half-made directory: start over
    local p=$PORT
    while port_busy "$p"; do
        p=$((p + 1))
        (( p < PORT + 50 )) || die "no free port in $PORT..$((PORT + 49))"
    done
    mkdir -p "$DATA"
    echo "$p" >"$DIR/port"
    if [[ $(id -u) == 0 ]]; then
        getent passwd postgres >/dev/null || die "no 'postgres' user to run the server as"
        chown -R postgres: "$DIR"
    fi
    chmod 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    # Tests only: no durability (a crash loses nothing anyone keeps), no stray sockets.
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $p
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
        { tail -n 20 "$DIR/server.log" >&2 || true; die "the server did not start"; }
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$p" -U postgres "$DB" ||
        die "could not create database $DB"
    log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$p" \
        "(data in $DIR)"
    url
}

BIN=$(bindir)
case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    url) running || die "not running"; url ;;
    *) die "usage: $0 [start|url|stop]" ;;
esac
