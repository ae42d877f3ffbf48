#!/usr/bin/env bash
# Rapport benchmark: for each provider and size, builds a fresh database, bulk-loads it with the generator, starts
# the app and measures ticket-list latency, API ticket creation (1 and 8 clients), raw MIME intake (1 and 8 clients),
# IMAP pull from a throwaway Dovecot, the app's memory and the SLA report. With --only …,hostile it also measures intake
# with hostile HTML mail mixed in (and, in process, what each hostile shape costs to sanitize).
# Prints a table at the end and writes it to bench/results/<run>/summary.tsv. Stops everything it started.
# With --sla it measures the SLA work instead: business-hours arithmetic (in process) and the deadline watch's
# "due for a warning" query on desks where every ticket is open (bench/results/<run>/sla.tsv).
#
#   bench/run.sh                          # SQLite and PostgreSQL at 10k and 1M tickets
#   bench/run.sh --quick                  # smoke run: 2,000 tickets, short phases
#   bench/run.sh --sizes 10000 --providers sqlite --duration 20
#   bench/run.sh --sla                    # SLA benchmarks: calendar, and the warning query at 1M open tickets
#   bench/run.sh --sla --quick            # the same with 2,000 open tickets and short rounds
#
# Options:
#   --sizes N[,N...]        ticket counts (default 10000,1000000)
#   --providers LIST        sqlite,postgres (default both; postgres is skipped if no server can be had)
#   --pg "<conn string>"    use this PostgreSQL server (its user must be able to CREATE DATABASE) instead of a
#                           throwaway cluster
#   --duration S            seconds per measured create run (default 10); --warmup S before each (default 3)
#   --list-requests N       sequential list requests per page measured (default 2000)
#   --list-warmup S         seconds of list requests before measuring (default 8; the JIT needs a few seconds)
#   --deep-page P           which page is "deep" (default: size/100, at most 4000)
#   --rounds N              measure list and creates N times on the same database, report medians (default 3)
#   --only LIST             measure only these of list,create,intake,imap,search,hostile (default all but hostile); e.g. --only intake,imap
#                           search first waits until the app has indexed the generated history (the build time is
#                           reported), so creates and intake after it measure the steady state with the index current
#   --hostile-percent P     for hostile: the share of hostile HTML mail in the intake mix (default 5)
#   --intake-duration S     seconds per measured intake run (default: --duration)
#   --imap-messages N       messages per IMAP pull round (default 2000)
#   --imap-port P           port for the throwaway Dovecot (default 55790); it needs Debian's dovecot-imapd and root
#   --idle S                seconds to wait before reading idle memory (default 10)
#   --seed S                generator seed (default 1)
#   --port P                port for the app (default 5180)
#   --keep                  keep databases and logs (the 1M SQLite file is about 1.3 GB)
#   --quick                 --sizes 2000 --rounds 1 --duration 3 --warmup 1 --list-requests 200 --list-warmup 2 --idle 2
#   --sla                   only the SLA benchmarks (sizes default to 1000000, all tickets open)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO_DIR"

SIZES="10000,1000000"
PROVIDERS="sqlite,postgres"
PG_CS=""
# The apps' key-encryption key (KeyProtection__Key): fixed, so kept data directories read again; never a real desk's.
BENCH_KEY_ENCRYPTION_KEY=cmFwcG9ydC1iZW5jaC1rZXktZW5jcnlwdGlvbi1rZXk=
DURATION=10
WARMUP=3
LIST_REQUESTS=2000
LIST_WARMUP=8
DEEP_PAGE=""
IDLE=10
ROUNDS=3
SEED=1
PORT=5180
KEEP=0
SLA=0
SIZES_GIVEN=0
QUICK=0
ONLY="list,create,intake,imap,search"
INTAKE_DURATION=""
IMAP_MESSAGES=2000
IMAP_PORT=55790
HOSTILE_PERCENT=5

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) SIZES="$2"; SIZES_GIVEN=1; shift 2 ;;
    --providers) PROVIDERS="$2"; shift 2 ;;
    --pg) PG_CS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --list-requests) LIST_REQUESTS="$2"; shift 2 ;;
    --list-warmup) LIST_WARMUP="$2"; shift 2 ;;
    --deep-page) DEEP_PAGE="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --sla) SLA=1; shift ;;
    --quick) QUICK=1; SIZES="2000"; SIZES_GIVEN=1; ROUNDS=1; DURATION=3; WARMUP=1; LIST_REQUESTS=200; LIST_WARMUP=2; IDLE=2; IMAP_MESSAGES=300; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --intake-duration) INTAKE_DURATION="$2"; shift 2 ;;
    --imap-messages) IMAP_MESSAGES="$2"; shift 2 ;;
    --imap-port) IMAP_PORT="$2"; shift 2 ;;
    --hostile-percent) HOSTILE_PERCENT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ $SLA -eq 1 && $SIZES_GIVEN -eq 0 ]]; then
  SIZES="1000000"
fi

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/run-$RUN_ID"
mkdir -p "$RESULTS"
SUMMARY="$RESULTS/summary.tsv"
ROUNDS_TSV="$RESULTS/rounds.tsv"
CLK_TCK=$(getconf CLK_TCK)
APP_PID=""
PG_DIR=""
PG_BIN=""
PG_STARTED=0
DOVECOT_DIR=""
IMAP=""
OWNER_EMAIL="owner@bench.example"
OWNER_PASSWORD="bench-password-1"

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }

cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  if [[ $PG_STARTED -eq 1 ]]; then
    log "stopping the throwaway PostgreSQL cluster"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  if [[ -n "$DOVECOT_DIR" && -f "$DOVECOT_DIR/run/master.pid" ]]; then
    kill "$(cat "$DOVECOT_DIR/run/master.pid")" 2>/dev/null || true
  fi
  if [[ -n "$DOVECOT_DIR" && -d "$DOVECOT_DIR" ]]; then
    rm -rf "$DOVECOT_DIR"
  fi
  if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
    rm -rf "$PG_DIR"
  fi
  if [[ $KEEP -eq 0 ]]; then
    find "$RESULTS" -name 'rapport.db*' -delete 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command as the postgres user when we are root (initdb and pg_ctl refuse to run as root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    local quoted
    printf -v quoted '%q ' "$@"
    su postgres -s /bin/bash -c "$quoted"
  else
    "$@"
  fi
}

machine_info() {
  local cpu mem
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git -C "$REPO_DIR" rev-parse --short HEAD)$(git -C "$REPO_DIR" diff --quiet HEAD -- src bench/Rapport.Bench || echo '+local changes')"
  echo "machine: $(nproc) cores, $cpu, $mem RAM, $(uname -sr)"
  echo "dotnet: $(dotnet --version); wrk: $(command -v wrk >/dev/null && echo yes || echo 'no (C# client)')"
}

build() {
  log "publishing the app (Release) and building the bench tool"
  dotnet publish src/Rapport -c Release -o "$BENCH_DIR/results/app" --nologo -v quiet >"$RESULTS/build.log" 2>&1 \
    || { cat "$RESULTS/build.log" >&2; exit 1; }
  dotnet build bench/Rapport.Bench -c Release -o "$BENCH_DIR/results/tool" --nologo -v quiet >>"$RESULTS/build.log" 2>&1 \
    || { cat "$RESULTS/build.log" >&2; exit 1; }
}

APP_DLL="$BENCH_DIR/results/app/Rapport.dll"
TOOL=(dotnet "$BENCH_DIR/results/tool/Rapport.Bench.dll")

start_postgres() {
  if [[ -n "$PG_CS" ]]; then
    return 0
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    log "no PostgreSQL binaries found and no --pg given: skipping PostgreSQL"
    return 1
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    log "running as root but there is no postgres user: skipping PostgreSQL"
    return 1
  fi
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench-pg.XXXXXX")"
  chmod 755 "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DIR"
  local pg_port=$((PORT + 1000))
  log "starting a throwaway PostgreSQL cluster on 127.0.0.1:$pg_port ($PG_BIN)"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >"$RESULTS/initdb.log" 2>&1
  # Server defaults otherwise (fsync and synchronous_commit on), so creates are durable as on SQLite.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $pg_port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  PG_STARTED=1
  PG_CS="Host=127.0.0.1;Port=$pg_port;Username=postgres${BENCH_PG_OPTIONS:-}"
}

wants() { [[ ",$ONLY," == *",$1,"* ]]; }

# A throwaway Dovecot as test.sh starts one: its own configuration and maildirs in a temp directory, 127.0.0.1
# only, no TLS; any user name signs in with the password "rapport-test" and starts with an empty INBOX.
start_dovecot() {
  if [[ $(id -u) -ne 0 || ! -x /usr/sbin/dovecot || ! -x /usr/lib/dovecot/imap ]]; then
    log "IMAP pull skipped: needs root and Debian's dovecot-imapd (/usr/sbin/dovecot)"
    return 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT") 2>/dev/null; then
    log "IMAP pull skipped: port $IMAP_PORT is in use (--imap-port)"
    return 1
  fi
  DOVECOT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench-dovecot.XXXXXX")"
  chmod 755 "$DOVECOT_DIR"
  mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail"
  chown nobody:nogroup "$DOVECOT_DIR/mail"
  cat >"$DOVECOT_DIR/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$DOVECOT_DIR/mail/%u
first_valid_uid = 1
passdb {
  driver = static
  args = password=rapport-test
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DOVECOT_DIR/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
  log "starting a throwaway Dovecot on 127.0.0.1:$IMAP_PORT"
  /usr/sbin/dovecot -c "$DOVECOT_DIR/dovecot.conf" || { log "Dovecot did not start; IMAP pull skipped"; return 1; }
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT") 2>/dev/null && { IMAP="127.0.0.1:$IMAP_PORT"; return 0; }
    sleep 0.1
  done
  log "Dovecot does not answer on $IMAP_PORT; IMAP pull skipped"
  return 1
}

# Sets APP_ENV (an array of VAR=value) for the given provider and data directory.
app_env() {
  local provider="$1" dir="$2" db="$3"
  # A new mailbox is picked up at the poll interval; 1 s so the IMAP pull measures reading, not waiting.
  APP_ENV=("Data__Directory=$dir" "Logging__LogLevel__Default=Warning" "Logging__Console__FormatterName=simple" "Mail__PollInterval=00:00:01")
  # A key-encryption key of the run's own (the default would be a key file in the home folder).
  APP_ENV+=("KeyProtection__Key=$BENCH_KEY_ENCRYPTION_KEY")
  if [[ "$provider" == sqlite ]]; then
    APP_ENV+=("Database__Provider=Sqlite" "ConnectionStrings__Rapport=Data Source=$dir/rapport.db")
  else
    APP_ENV+=("Database__Provider=Postgres" "ConnectionStrings__Rapport=$PG_CS;Database=$db")
  fi
}

rss_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }

field() { # field NAME LINE -> value of NAME=value in LINE
  sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1
}

cpu_ticks() { # app CPU time (user+system) in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

machine_busy() { # "busy total" jiffies over all cores
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat
}

measure_creates() { # measure_creates CONNECTIONS THREADS TOKEN TAG -> "rate p50 p99 app_cpu_ms_per_create machine_busy_pct"
  local connections="$1" threads="$2" token="$3" tag="$4" out rate p50 p99
  local run_id="$tag-$RANDOM"
  if command -v wrk >/dev/null; then
    wrk -t"$threads" -c"$connections" -d"${WARMUP}s" -s "$BENCH_DIR/wrk/create-ticket.lua" "$URL" -- "$token" "w$run_id" >/dev/null 2>>"$RESULTS/wrk.err"
  fi
  local cpu0 busy0 total0 cpu1 busy1 total1
  cpu0=$(cpu_ticks "$APP_PID"); read -r busy0 total0 < <(machine_busy)
  if command -v wrk >/dev/null; then
    out=$(wrk -t"$threads" -c"$connections" -d"${DURATION}s" --latency -s "$BENCH_DIR/wrk/create-ticket.lua" "$URL" -- "$token" "m$run_id" 2>>"$RESULTS/wrk.err" | tee -a "$RESULTS/wrk.log" | grep '^created=')
    if [[ "$(field other "$out")" != 0 ]]; then
      log "warning: $(field other "$out") create requests did not return 201 (see $RESULTS/wrk.err)"
    fi
    rate=$(field created_per_second "$out"); p50=$(field p50_ms "$out"); p99=$(field p99_ms "$out")
    local created; created=$(field created "$out")
  else
    out=$("${TOOL[@]}" create --url "$URL" --token "$token" --clients "$connections" --duration "$DURATION" --warmup "$WARMUP" | tee -a "$RESULTS/create.log")
    rate=$(field per_second "$out"); p50=$(field p50_ms "$out"); p99=$(field p99_ms "$out")
    local created; created=$(field created "$out")
  fi
  cpu1=$(cpu_ticks "$APP_PID"); read -r busy1 total1 < <(machine_busy)
  local per_create busy_pct
  per_create=$(awk -v c="$((cpu1 - cpu0))" -v hz="$CLK_TCK" -v n="$created" 'BEGIN {printf "%.2f", (n > 0 ? c * 1000 / hz / n : 0)}')
  busy_pct=$(awk -v b="$((busy1 - busy0))" -v t="$((total1 - total0))" 'BEGIN {printf "%.0f", (t > 0 ? 100 * b / t : 0)}')
  echo "$rate $p50 $p99 $per_create $busy_pct"
}

measure_intake() { # measure_intake CLIENTS TOKEN -> "rate p50 p99 app_cpu_ms_per_message" (the app's CPU over the measured phase only)
  local clients="$1" token="$2" out
  out=$("${TOOL[@]}" intake --url "$URL" --token "$token" --mailbox bench --owner-email "$OWNER_EMAIL" --owner-password "$OWNER_PASSWORD" \
    --clients "$clients" --duration "${INTAKE_DURATION:-$DURATION}" --warmup "$WARMUP" --app-pid "$APP_PID" 2>>"$RESULTS/intake.err" | tee -a "$RESULTS/intake.log" | grep '^intake ')
  [[ "$(field failed "$out")" == 0 ]] || log "warning: $(field failed "$out") intake requests failed (see $RESULTS/intake.err)"
  echo "$(field per_second "$out") $(field p50_ms "$out") $(field p99_ms "$out") $(field app_cpu_ms "$out")"
}

measure_hostile() { # measure_hostile TOKEN -> one line of hostile.tsv's measured columns: intake with 8 clients without, then with hostile mail
  local token="$1" plain mixed quarantined
  plain=$("${TOOL[@]}" intake --url "$URL" --token "$token" --mailbox bench --owner-email "$OWNER_EMAIL" --owner-password "$OWNER_PASSWORD" \
    --clients 8 --duration "${INTAKE_DURATION:-$DURATION}" --warmup "$WARMUP" --app-pid "$APP_PID" 2>>"$RESULTS/hostile.err" | tee -a "$RESULTS/hostile.log" | grep '^intake ')
  mixed=$("${TOOL[@]}" intake --url "$URL" --token "$token" --mailbox bench --owner-email "$OWNER_EMAIL" --owner-password "$OWNER_PASSWORD" \
    --clients 8 --duration "${INTAKE_DURATION:-$DURATION}" --warmup "$WARMUP" --app-pid "$APP_PID" --hostile-percent "$HOSTILE_PERCENT" \
    2>>"$RESULTS/hostile.err" | tee -a "$RESULTS/hostile.log" | grep '^intake ')
  [[ "$(field failed "$mixed")" == 0 ]] || log "warning: $(field failed "$mixed") intake requests with hostile mail failed (see $RESULTS/hostile.err)"
  quarantined=$(field quarantined "$mixed")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$(field per_second "$plain")" "$(field p99_ms "$plain")" "$(field app_cpu_ms "$plain")" \
    "$(field per_second "$mixed")" "$(field other_p99_ms "$mixed")" "$(field app_cpu_ms "$mixed")" \
    "$(field hostile "$mixed")" "$(field hostile_p50_ms "$mixed")" "$(field hostile_max_ms "$mixed")" "${quarantined:-0}"
}

measure_imap() { # measure_imap TOKEN -> "rate drain_rate"
  local out
  out=$("${TOOL[@]}" imap-pull --url "$URL" --token "$1" --owner-email "$OWNER_EMAIL" --owner-password "$OWNER_PASSWORD" \
    --imap "$IMAP" --messages "$IMAP_MESSAGES" 2>>"$RESULTS/imap.err" | tee -a "$RESULTS/imap.log" | grep '^imap-pull ') || true
  [[ -n "$out" ]] || { echo "- -"; return; }
  echo "$(field per_second "$out") $(field drain_per_second "$out")"
}

median() { # median of the arguments (numbers)
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

new_database() { # new_database PROVIDER DIR DB: an empty database, migrated by the app, with its owner; sets APP_ENV and CS
  local provider="$1" dir="$2" db="$3"
  if [[ "$provider" == postgres ]]; then
    PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" psql "$(pg_uri postgres)" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  fi
  app_env "$provider" "$dir" "$db"
  env "${APP_ENV[@]}" dotnet "$APP_DLL" migrate >"$dir/admin.log" 2>&1
  env "${APP_ENV[@]}" dotnet "$APP_DLL" setup --email owner@bench.example --password bench-password-1 \
    --business "Bench Desk" --time-zone Europe/Berlin >>"$dir/admin.log" 2>&1
  if [[ "$provider" == sqlite ]]; then CS="Data Source=$dir/rapport.db"; else CS="$PG_CS;Database=$db"; fi
}

run_one() { # run_one PROVIDER SIZE
  local provider="$1" size="$2"
  local dir="$RESULTS/$provider-$size" db="rapport_bench_$size"
  mkdir -p "$dir"
  log "== $provider, $size tickets"
  new_database "$provider" "$dir" "$db"
  local token
  token=$(env "${APP_ENV[@]}" dotnet "$APP_DLL" token create --name bench --scope write 2>>"$dir/admin.log" | tail -1)
  [[ "$token" == rpt_* ]] || { log "could not create an API token (see $dir/admin.log)"; return 1; }

  local cs="$CS"
  local gen
  if ! gen=$("${TOOL[@]}" generate --provider "$provider" --connection "$cs" --tickets "$size" --seed "$SEED" 2>"$dir/generate.log" | tee -a "$dir/generate.log" | grep '^rows='); then
    cat "$dir/generate.log" >&2
    log "the generator failed; no figures for $provider at $size tickets"
    exit 1
  fi
  log "generated: $(field rows "$gen") rows in $(field total_seconds "$gen") s ($(field rows_per_second "$gen") rows/s while writing)"
  local db_size=""
  if [[ "$provider" == sqlite ]]; then
    db_size=$(du -m "$dir/rapport.db" | cut -f1)
  else
    db_size=$(psql "$(pg_uri "$db")" -Atc "SELECT pg_database_size(current_database()) / 1048576")
  fi
  # The SLA report in process, before the app starts: the default eight weeks, and the last year.
  "${TOOL[@]}" reports --provider "$provider" --connection "$cs" >>"$RESULTS/reports.txt" 2>>"$dir/reports.log" &&
    "${TOOL[@]}" reports --provider "$provider" --connection "$cs" --from "$(date -u -d '-365 days' +%Y-%m-%d)" --to "$(date -u +%Y-%m-%d)" \
      >>"$RESULTS/reports.txt" 2>>"$dir/reports.log" &&
    log "$(tail -2 "$RESULTS/reports.txt" | sed 's/^/  /')" || log "the report bench failed (see $dir/reports.log)"

  URL="http://127.0.0.1:$PORT"
  env "${APP_ENV[@]}" dotnet "$APP_DLL" --urls "$URL" >"$dir/app.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 150); do
    curl -sf "$URL/health/live" >/dev/null 2>&1 && break
    kill -0 "$APP_PID" 2>/dev/null || { log "the app exited (see $dir/app.log)"; APP_PID=""; return 1; }
    sleep 0.2
  done
  curl -sf -H "Authorization: Bearer $token" "$URL/api/v1/tickets?limit=1" >/dev/null
  sleep 1
  local rss_start
  rss_start=$(rss_kb "$APP_PID" VmRSS)

  if wants search; then
    local search
    if search=$("${TOOL[@]}" search --url "$URL" --token "$token" --provider "$provider" --connection "$cs" 2>>"$dir/search.log" | tee -a "$dir/search.log"); then
      sed "s/^/$provider\t$size\t/" <<<"$search" >>"$SEARCH_TXT"
      log "$(sed 's/^/  /' <<<"$search")"
    else
      log "the search bench failed (see $dir/search.log)"
    fi
  fi

  local deep="${DEEP_PAGE:-$(( size / 100 < 4000 ? size / 100 : 4000 ))}"
  [[ "$deep" -lt 2 ]] && deep=2
  local round list first deep_line c1 c8 i1 i8 im
  local -a l1_50=() l1_99=() d_50=() d_99=() c1_r=() c1_50=() c1_99=() c1_cpu=() c8_r=() c8_50=() c8_99=() c8_cpu=() c8_busy=()
  local -a i1_r=() i1_50=() i1_99=() i8_r=() i8_50=() i8_99=() i8_cpu=() im_r=() im_d=()
  local deep_reached=""
  for round in $(seq 1 "$ROUNDS"); do
    first="" deep_line="" c1="- - - - -" c8="- - - - -" i1="- - - -" i8="- - - -" im="- -"
    if wants list; then
      list=$("${TOOL[@]}" list --url "$URL" --token "$token" --limit 50 --requests "$LIST_REQUESTS" --warmup "$LIST_WARMUP" --deep-page "$deep" | tee -a "$dir/list.log")
      first=$(grep '^list page=1 ' <<<"$list")
      deep_line=$(grep '^list page=' <<<"$list" | grep -v '^list page=1 ' || true)
      deep_reached=$(field page "$deep_line")
    fi
    l1_50+=("$(field p50_ms "$first")"); l1_99+=("$(field p99_ms "$first")")
    d_50+=("$(field p50_ms "$deep_line")"); d_99+=("$(field p99_ms "$deep_line")")
    if wants create; then
      c1=$(measure_creates 1 1 "$token" "$provider-$size-$round")
      c8=$(measure_creates 8 2 "$token" "$provider-$size-$round")
    fi
    if wants intake; then
      i1=$(measure_intake 1 "$token")
      i8=$(measure_intake 8 "$token")
    fi
    if wants imap && [[ -n "$IMAP" ]]; then
      im=$(measure_imap "$token")
    fi
    if wants hostile; then
      local hostile
      hostile=$(measure_hostile "$token")
      printf '%s\t%s\t%s\t%s\n' "$provider" "$size" "$round" "$hostile" >>"$HOSTILE_TSV"
      log "round $round, hostile mail ($HOSTILE_PERCENT%): intake/s with 8 clients $(cut -f1 <<<"$hostile") without, $(cut -f4 <<<"$hostile") with;" \
        "hostile messages $(cut -f8 <<<"$hostile") ms p50, $(cut -f9 <<<"$hostile") ms max; the others' p99 $(cut -f5 <<<"$hostile") ms"
    fi
    read -r a b c _ <<<"$i1"; i1_r+=("$a"); i1_50+=("$b"); i1_99+=("$c")
    read -r a b c d <<<"$i8"; i8_r+=("$a"); i8_50+=("$b"); i8_99+=("$c"); i8_cpu+=("$d")
    read -r a b <<<"$im"; im_r+=("$a"); im_d+=("$b")
    read -r a b c d _ <<<"$c1"; c1_r+=("$a"); c1_50+=("$b"); c1_99+=("$c"); c1_cpu+=("$d")
    read -r a b c d e <<<"$c8"; c8_r+=("$a"); c8_50+=("$b"); c8_99+=("$c"); c8_cpu+=("$d"); c8_busy+=("$e")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$provider" "$size" "$round" \
      "${l1_50[-1]}" "${l1_99[-1]}" "$deep_reached" "${d_50[-1]}" "${d_99[-1]}" \
      "${c1_r[-1]}" "${c1_50[-1]}" "${c1_99[-1]}" "${c1_cpu[-1]}" "${c8_r[-1]}" "${c8_50[-1]}" "${c8_99[-1]}" "${c8_cpu[-1]}" "${c8_busy[-1]}" \
      "${i1_r[-1]}" "${i1_50[-1]}" "${i1_99[-1]}" "${i8_r[-1]}" "${i8_50[-1]}" "${i8_99[-1]}" "${i8_cpu[-1]}" "${im_r[-1]}" "${im_d[-1]}" >>"$ROUNDS_TSV"
    log "round $round: list p50 first $(field p50_ms "$first") ms, page $deep_reached $(field p50_ms "$deep_line") ms;" \
      "creates/s 1 client ${c1_r[-1]} (p99 ${c1_99[-1]} ms), 8 clients ${c8_r[-1]} (p99 ${c8_99[-1]} ms, machine ${c8_busy[-1]}% busy);" \
      "intake/s 1 client ${i1_r[-1]} (p99 ${i1_99[-1]} ms), 8 clients ${i8_r[-1]} (p99 ${i8_99[-1]} ms); IMAP pull/s ${im_r[-1]} (after pickup ${im_d[-1]})"
  done

  sleep "$IDLE"
  local rss_idle hwm
  rss_idle=$(rss_kb "$APP_PID" VmRSS)
  hwm=$(rss_kb "$APP_PID" VmHWM)
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""

  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$provider" "$size" "$(field total_seconds "$gen")" "$(field rows_per_second "$gen")" "$db_size" \
    "$(median "${l1_50[@]}")" "$(median "${l1_99[@]}")" "$deep_reached" "$(median "${d_50[@]}")" "$(median "${d_99[@]}")" \
    "$(median "${c1_r[@]}")" "$(median "${c1_50[@]}")" "$(median "${c1_99[@]}")" \
    "$(median "${c8_r[@]}")" "$(median "${c8_50[@]}")" "$(median "${c8_99[@]}")" "$(median "${c8_cpu[@]}")" "$(median "${c8_busy[@]}")" \
    "$(median "${i1_r[@]}")" "$(median "${i1_50[@]}")" "$(median "${i1_99[@]}")" \
    "$(median "${i8_r[@]}")" "$(median "${i8_50[@]}")" "$(median "${i8_99[@]}")" "$(median "${i8_cpu[@]}")" \
    "$(median "${im_r[@]}")" "$(median "${im_d[@]}")" \
    "$((rss_start / 1024))" "$((rss_idle / 1024))" "$((hwm / 1024))" >>"$SUMMARY"
}

run_sla() { # run_sla PROVIDER SIZE: a desk where every ticket is open, then the deadline watch's warning query
  local provider="$1" size="$2"
  local dir="$RESULTS/sla-$provider-$size" db="rapport_sla_$size"
  mkdir -p "$dir"
  log "== SLA: $provider, $size open tickets"
  new_database "$provider" "$dir" "$db"
  # One fixed "now" for both: the generator marks what the watch would have warned about by then.
  local now gen scan
  now=$(date -u +%Y-%m-%dT%H:%M:00Z)
  if ! gen=$("${TOOL[@]}" generate --provider "$provider" --connection "$CS" --tickets "$size" --seed "$SEED" --open-share 1 --now "$now" \
    2>"$dir/generate.log" | tee -a "$dir/generate.log" | grep '^rows='); then
    cat "$dir/generate.log" >&2
    log "the generator failed; no SLA figures for $provider at $size tickets"
    return 1
  fi
  log "generated: $(field tickets "$gen") open tickets, $(field rows "$gen") rows in $(field total_seconds "$gen") s"
  local iterations=500 warmup=50
  [[ $QUICK -eq 1 ]] && { iterations=50; warmup=5; }
  scan=$("${TOOL[@]}" warn-scan --provider "$provider" --connection "$CS" --now "$now" --iterations "$iterations" --warmup "$warmup" \
    2>>"$dir/warn-scan.log" | tee "$dir/warn-scan.txt") || { log "warn-scan failed (see $dir/warn-scan.log)"; return 1; }
  { echo "== $provider, $size open tickets"; cat "$dir/warn-scan.txt"; } >>"$RESULTS/warn-scan.txt"
  grep '^warn-scan at ' <<<"$scan" | while read -r line; do log "  ${line#warn-scan }"; done
  local last index
  last=$(grep '^warn-scan: .*median_ms=' <<<"$scan")
  index=$(sed -n '/^plan:/,/^warn-scan at/p' "$dir/warn-scan.txt" | grep -o 'IX_[A-Za-z_]*' | head -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$provider" "$size" "$(field total_seconds "$gen")" \
    "${index:-none}" \
    "$(field median_ms "$last")" "$(field p99_ms "$last")" "$(field ratio_to_target "$last")" >>"$SLA_SUMMARY"
}

pg_uri() { # libpq URI for psql from the Npgsql-style PG_CS
  local host port user
  host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$PG_CS")
  port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$PG_CS")
  user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$PG_CS")
  local password
  password=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$PG_CS")
  echo "postgresql://${user:-postgres}${password:+:$password}@${host:-127.0.0.1}:${port:-5432}/$1"
}

machine_info | tee "$RESULTS/machine.txt" >&2
build
IFS=',' read -r -a size_list <<<"$SIZES"
IFS=',' read -r -a provider_list <<<"$PROVIDERS"

# Business-hours arithmetic (in process, no database): due, warning and elapsed business time on two calendars.
calendar_args=()
[[ $QUICK -eq 1 ]] && calendar_args=(--rounds 3 --round-seconds 0.3 --warmup 0.3)
log "$("${TOOL[@]}" calendar "${calendar_args[@]}" | tee "$RESULTS/calendar.txt")"

if [[ $SLA -eq 1 ]]; then
  SLA_SUMMARY="$RESULTS/sla.tsv"
  printf 'provider\topen_tickets\tgen_s\tindex_used\twarn_median_ms\twarn_p99_ms\tratio_to_10ms\n' >"$SLA_SUMMARY"
  for provider in "${provider_list[@]}"; do
    if [[ "$provider" == postgres ]]; then
      start_postgres || continue
    fi
    for size in "${size_list[@]}"; do
      run_sla "$provider" "$size" || log "SLA at $size tickets on $provider failed; continuing"
    done
  done
  echo
  cat "$RESULTS/machine.txt"
  echo "business-hours arithmetic, one thread, calls per second (target: 1,000,000 due-time computations per second):"
  sed 's/^/  /' "$RESULTS/calendar.txt"
  echo "the deadline watch's due-for-a-warning query, all tickets open; ms over the instants +1 min, +1 h, +8 h (target: 10 ms):"
  column -t -s $'\t' "$SLA_SUMMARY"
  echo
  echo "results: ${RESULTS#"$REPO_DIR/"} (plans in warn-scan.txt)"
  exit 0
fi

# The reply check (in process, no database): a ~2,000-word thread against a 300-word draft.
log "$("${TOOL[@]}" reply-check | tee "$RESULTS/reply-check.txt")"
HOSTILE_TSV="$RESULTS/hostile.tsv"
SEARCH_TXT="$RESULTS/search.txt"
if wants hostile; then
  # What each hostile shape costs to sanitize (in process, one thread), then intake with hostile mail in the mix.
  "${TOOL[@]}" hostile-html --rounds "$([[ $QUICK -eq 1 ]] && echo 1 || echo 3)" | tee "$RESULTS/hostile-html.txt" | sed 's/^/  /' >&2
  printf 'provider\ttickets\tround\tplain_per_s\tplain_p99\tplain_cpu_ms\tmixed_per_s\tmixed_others_p99\tmixed_cpu_ms\thostile_sent\thostile_p50\thostile_max\tquarantined\n' >"$HOSTILE_TSV"
fi
printf 'provider\ttickets\tgen_s\tgen_rows_per_s\tdb_mb\tlist1_p50\tlist1_p99\tdeep_page\tdeep_p50\tdeep_p99\tc1_per_s\tc1_p50\tc1_p99\tc8_per_s\tc8_p50\tc8_p99\tc8_cpu_ms\tc8_busy_pct\tin1_per_s\tin1_p50\tin1_p99\tin8_per_s\tin8_p50\tin8_p99\tin8_cpu_ms\timap_per_s\timap_drain_per_s\trss_start_mb\trss_idle_mb\tpeak_mb\n' >"$SUMMARY"
printf 'provider\ttickets\tround\tlist1_p50\tlist1_p99\tdeep_page\tdeep_p50\tdeep_p99\tc1_per_s\tc1_p50\tc1_p99\tc1_cpu_ms\tc8_per_s\tc8_p50\tc8_p99\tc8_cpu_ms\tc8_busy_pct\tin1_per_s\tin1_p50\tin1_p99\tin8_per_s\tin8_p50\tin8_p99\tin8_cpu_ms\timap_per_s\timap_drain_per_s\n' >"$ROUNDS_TSV"

if wants imap; then
  start_dovecot || true
fi
for provider in "${provider_list[@]}"; do
  if [[ "$provider" == postgres ]]; then
    start_postgres || continue
  fi
  for size in "${size_list[@]}"; do
    run_one "$provider" "$size" || log "$provider at $size tickets failed; continuing"
  done
done

echo
cat "$RESULTS/machine.txt"
echo "medians of $ROUNDS rounds; times in ms, memory in MB (resident); creates per second count 201 responses only;"
echo "c8_cpu_ms = app CPU time per create with 8 clients; c8_busy_pct = whole machine CPU busy meanwhile (wrk included)"
echo "in1/in8 = raw MIME intake (POST /api/v1/inbound/mime) with 1 and 8 clients, messages answered 200 per second;"
echo "in8_cpu_ms = app CPU per message with 8 clients; imap = $IMAP_MESSAGES messages pulled from Dovecot per second, from adding"
echo "the mailbox (imap_per_s, pickup included) and from its first ledger line (imap_drain_per_s)"
column -t -s $'\t' "$SUMMARY"
if [[ -f "$HOSTILE_TSV" ]]; then
  echo
  echo "intake with 8 clients without (plain_) and with $HOSTILE_PERCENT% hostile HTML mail (mixed_; ~100 KB each, HTML only); times in ms;"
  echo "mixed_others_p99 = p99 of the other messages; hostile_p50/max = latency of the hostile ones"
  column -t -s $'\t' "$HOSTILE_TSV"
fi
echo
echo "results: ${RESULTS#"$REPO_DIR/"}"
