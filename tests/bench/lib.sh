# shellcheck shell=bash
# What the benchmark sittings share (tests/bench/run, tests/bench/screen):
# the release build in build-bench/, a throwaway PostgreSQL cluster (unix
# socket only) and agorad in a temporary directory, the cleanup that stops
# and deletes all of it on exit whatever happens, and the machine's
# description. Sourced, never run; the sourcing script has `set -euo
# pipefail` and calls, in order: build, then TMP=$(bench_tmpdir),
# start_postgres, start_agorad, and at the end stop_servers.
#
# What the sourcing script may define: cleanup_local, a function run first
# on exit, to stop what the script itself started (a load generator, a tmux
# server); after sourcing, EMAIL, USER_NAME and WORKSPACE, the user that
# start_agorad adds and the workspace they own. DB_WORKERS (agorad's
# db_workers, default 4) comes from the environment.
# What it sets: ROOT (and cds there), BUILD, AGORAD, TMP, PG_BIN, PG_PORT,
# AGORAD_PID, AGORA_PORT, CONF; $TMP/password holds the user's password.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 1

BENCH_PROG=$(basename "$0")
BUILD=$ROOT/build-bench
AGORAD=$BUILD/server/agorad
DB_WORKERS=${DB_WORKERS:-4}
EMAIL=bench@bench.example
USER_NAME=Bench
WORKSPACE=Bench

say() { printf '%s: %s\n' "$BENCH_PROG" "$*" >&2; }
die() { printf '%s: %s\n' "$BENCH_PROG" "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# whole_numbers VAR...: exits 2 unless every VAR holds a whole number.
whole_numbers() {
	local v
	for v in "$@"; do
		case ${!v} in
		'' | *[!0-9]*) echo "$BENCH_PROG: $v must be a whole number" >&2; exit 2 ;;
		esac
	done
}

# PostgreSQL refuses to run as root: as root, its commands run as the
# 'postgres' system user. From / so it never trips over our working directory.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
	local p=$1
	while port_open "$p"; do
		p=$((p + 1))
		[ "$p" -lt $(($1 + 100)) ] || die "no free TCP port in $1..$p"
	done
	echo "$p"
}

# ---- cleanup, whatever happens ---------------------------------------------
# True while PID runs. A daemon that has ended (tmux's server) may stay a
# zombie where init does not reap: that counts as gone.
alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	read -r st <"/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# stop_pid PID: SIGTERM, 10 s to go, then SIGKILL.
stop_pid() {
	alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 100); do
		alive "$1" || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

TMP=
PG_BIN=
AGORAD_PID=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Whatever fails here, the rest must still be stopped.
	set +eu
	if declare -F cleanup_local >/dev/null; then
		cleanup_local || true
	fi
	if [ -n "$AGORAD_PID" ]; then
		stop_pid "$AGORAD_PID"
	fi
	if [ -n "$TMP" ] && [ -n "$PG_BIN" ] && [ -f "$TMP/pg/postmaster.pid" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate -w -t 30 \
		    stop >/dev/null 2>&1 || true
	fi
	if [ -n "$TMP" ]; then
		rm -rf -- "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The sitting's temporary directory; the postgres user must pass through to
# its own directories in it.
bench_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/agora-bench.XXXXXX")
	chmod 0711 "$d"
	echo "$d"
}

# ---- build -----------------------------------------------------------------
# build PROGRAM...: the release tree, configured, and in it the programs
# named (only those and what they need: a part of the tree being edited
# elsewhere does not stop a sitting that does not use it).
build() {
	local log p names= targets=()
	log=$(mktemp "${TMPDIR:-/tmp}/agora-bench-build.XXXXXX")
	say "release build into build-bench/"
	if [ ! -f "$BUILD/meson-private/coredata.dat" ]; then
		meson setup "$BUILD" --buildtype=release -Dtests=true >"$log" 2>&1 ||
			{ cat "$log" >&2; rm -f "$log"; die "meson setup failed"; }
	else
		meson configure "$BUILD" -Dbuildtype=release -Dtests=true \
		    >"$log" 2>&1 ||
			{ cat "$log" >&2; rm -f "$log"; die "meson configure failed"; }
	fi
	for p in "$@"; do
		targets+=("${p#"$BUILD"/}")
	done
	ninja -C "$BUILD" "${targets[@]}" >"$log" 2>&1 ||
		{ cat "$log" >&2; rm -f "$log"; die "build failed"; }
	rm -f "$log"
	for p in "$@"; do
		names=${names:+$names or }$(basename "$p")
	done
	for p in "$@"; do
		[ -x "$p" ] || die "$names not built"
	done
}

# ---- PostgreSQL --------------------------------------------------------------
pg_bin() {
	local dir
	dir=$(pg_config --bindir 2>/dev/null || true)
	if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
		PG_BIN=$dir
		return
	fi
	dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin \
	    2>/dev/null | sort -V | tail -n 1)
	[ -n "$dir" ] && [ -x "$dir/initdb" ] ||
		die "no PostgreSQL server binaries (initdb) found"
	PG_BIN=$dir
}

pg_dir() {
	mkdir -p "$1"
	if is_root; then chown postgres:postgres "$1"; fi
	chmod 0700 "$1"
}

PG_PORT=5432

# psql_db DATABASE ARGS...: psql as the superuser, stopping at an error.
psql_db() {
	local db=$1
	shift
	"$PG_BIN/psql" -X -q -At -h "$TMP/run" -p "$PG_PORT" -U postgres \
	    -d "$db" -v ON_ERROR_STOP=1 "$@"
}

psql_admin() { psql_db postgres "$@"; }

# The cluster, with the role agora and its database agora.
start_postgres() {
	local out
	if is_root; then
		id -u postgres >/dev/null 2>&1 || die "no 'postgres' system user"
	fi
	pg_bin
	pg_dir "$TMP/pg"
	pg_dir "$TMP/run"
	say "PostgreSQL cluster in $TMP/pg ($PG_BIN)"
	if ! out=$(as_pg "$PG_BIN/initdb" -D "$TMP/pg" -U postgres \
	    --auth=trust -E UTF8 --locale=C 2>&1); then
		printf '%s\n' "$out" >&2
		die "initdb failed"
	fi
	# Defaults, except: unix socket only, in our directory; room for
	# pgbench's 64 clients beside agorad's workers.
	cat >>"$TMP/pg/postgresql.conf" <<EOF

# agora benchmark
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$TMP/run'
max_connections = 200
EOF
	touch "$TMP/pg.log"
	if is_root; then chown postgres:postgres "$TMP/pg.log"; fi
	if ! as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -t 60 \
	    start >/dev/null 2>&1; then
		tail -n 20 "$TMP/pg.log" >&2
		die "PostgreSQL did not start"
	fi
	psql_admin -c "CREATE ROLE agora LOGIN"
	psql_admin -c "CREATE DATABASE agora OWNER agora ENCODING 'UTF8' TEMPLATE template0"
}

# ---- agorad ----------------------------------------------------------------
AGORA_PORT=
CONF=

# The guest throttle and the login limits lifted: every benchmark client
# comes from 127.0.0.1, and a sitting resumes hundreds of sessions in a
# second, which the defaults (agorad.conf(5)) rightly refuse from one
# address. Read at start, or again on SIGHUP; an older agorad that knows
# no guest_rate is given only what it knows.
lift_limits() {
	if grep -q '^guest_rate' "$CONF"; then
		cat >>"$CONF" <<EOF2
guest_rate = 1000000
guest_burst = 1000000
guest_global_rate = 1000000
login_address_limit = 100000
EOF2
	else
		echo "login_address_limit = 100000" >>"$CONF"
	fi
}

# usage: start_agorad [lifted]  (lifted: with lift_limits)
start_agorad() {
	local out pw
	AGORA_PORT=$(free_port 17443)
	CONF=$TMP/agora/agorad.conf
	mkdir -p "$TMP/agora"
	chmod 0700 "$TMP/agora"
	if ! out=$("$AGORAD" -c "$CONF" init --dir "$TMP/agora" \
	    --database "host=$TMP/run port=$PG_PORT dbname=agora user=agora" \
	    --listen "127.0.0.1:$AGORA_PORT" 2>&1); then
		printf '%s\n' "$out" >&2
		die "agorad init failed"
	fi
	sed -i -e "s/^db_workers = .*/db_workers = $DB_WORKERS/" \
	    -e 's/^log_level = .*/log_level = "warn"/' \
	    -e 's/^max_clients = .*/max_clients = 20000/' "$CONF"

	pw=$(openssl rand -hex 16)
	(umask 077 && printf '%s\n' "$pw" >"$TMP/password")
	if ! out=$(printf '%s\n' "$pw" | "$AGORAD" -c "$CONF" user add \
	    --email "$EMAIL" --name "$USER_NAME" --workspace "$WORKSPACE" \
	    --role owner 2>&1); then
		printf '%s\n' "$out" >&2
		die "agorad user add failed"
	fi

	if [ "${1-}" = lifted ]; then lift_limits; fi
	"$AGORAD" -c "$CONF" serve >>"$TMP/agorad.log" 2>&1 </dev/null &
	AGORAD_PID=$!
	for _ in $(seq 100); do
		kill -0 "$AGORAD_PID" 2>/dev/null ||
			{ tail -n 20 "$TMP/agorad.log" >&2; die "agorad exited"; }
		port_open "$AGORA_PORT" && break
		sleep 0.1
	done
	port_open "$AGORA_PORT" ||
		{ tail -n 20 "$TMP/agorad.log" >&2; die "agorad does not listen on 127.0.0.1:$AGORA_PORT"; }
	say "agorad pid $AGORAD_PID on 127.0.0.1:$AGORA_PORT, db_workers=$DB_WORKERS"
}

# The end of a sitting: agorad, then PostgreSQL, stopped gently.
stop_servers() {
	kill -TERM "$AGORAD_PID" 2>/dev/null || true
	wait "$AGORAD_PID" 2>/dev/null || true
	AGORAD_PID=
	as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# ---- the machine -------------------------------------------------------------
# Percent of all CPUs busy over 2 s, from /proc/stat: what else is running.
cpu_busy() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	sleep 2
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		busy = y[1] - x[1]; idle = y[2] - x[2]
		if (busy + idle > 0) printf "%.0f %%", 100 * busy / (busy + idle)
		else printf "?"
	}'
}

# One line: CPUs, their model, memory, kernel.
machine_line() {
	local cpu mem
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $mem, Linux $(uname -r)"
}
