#!/usr/bin/env bash
# Runs a command with a private, throw-away PostgreSQL server; `make test` runs the test suites under it.
#
# usage: scripts/with-postgres.sh CMD [ARGS...]
#
# With FACESCAN_TEST_POSTGRES already set (a server of your own) it just runs CMD. Otherwise it initdb's a
# cluster in a mktemp -d directory (trust auth, user facescan, fsync off), starts it on a free 127.0.0.1
# port with its socket in that directory, creates database facescan_test, runs CMD with
# FACESCAN_TEST_POSTGRES=postgres://facescan@127.0.0.1:PORT/facescan_test, then stops the server and
# removes the directory (also when CMD fails or on Ctrl-C) and exits with CMD's status. The server comes
# from Debian's postgresql package (/usr/lib/postgresql/<version>/bin, the highest version) or PATH;
# `scripts/install-deps.sh --test` installs it. It never touches a system cluster (port 5432).
# PostgreSQL refuses to run as root: as root the server runs as nobody (setpriv from util-linux).
set -euo pipefail

[ -n "${FACESCAN_TEST_POSTGRES:-}" ] && exec "$@"
[ $# -gt 0 ] || { echo "usage: scripts/with-postgres.sh CMD [ARGS...]" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "$bin/pg_ctl" ] || bin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "with-postgres: no PostgreSQL server (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH;" >&2
    echo "with-postgres: run scripts/install-deps.sh --test (Debian package postgresql)" >&2
    exit 1
fi

# As root: the server's programs as nobody, in a data directory nobody owns.
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
pg() { (cd "$dir" && "${as_pg[@]}" "$@"); }

dir=$(mktemp -d -t facescan-pg.XXXXXX)
cleanup() {
    [ -f "$dir/postmaster.pid" ] && pg "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ ${#as_pg[@]} -eq 0 ] || chown nobody: "$dir"

out=$(pg "$bin/initdb" -D "$dir" -A trust -U facescan --no-sync -E UTF8 --locale=C 2>&1) \
    || { echo "$out" >&2; echo "with-postgres: initdb failed" >&2; exit 1; }

# A free loopback port; if another process takes it before the server binds it, try another.
for try in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    pg "$bin/pg_ctl" -D "$dir" -l "$dir/log" -w -s start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c max_connections=200" && break
    [ $try -lt 5 ] || { cat "$dir/log" >&2; echo "with-postgres: the server did not start" >&2; exit 1; }
done

"$bin/createdb" -h 127.0.0.1 -p "$port" -U facescan facescan_test
export FACESCAN_TEST_POSTGRES="postgres://facescan@127.0.0.1:$port/facescan_test"
status=0
"$@" || status=$?
exit $status
