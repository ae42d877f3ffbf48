#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through traps, run_check and need_<package> look unreachable
# The test command: builds once, runs every test on SQLite and on a throwaway PostgreSQL cluster, and checks
# that both migration sets match the model. Run from anywhere; as root on Debian it installs what is missing.
#   ./test.sh                      Release build (CONFIGURATION=Debug ./test.sh for Debug); a test run still
#                                  going after TEST_TIMEOUT seconds (default 900) is stopped and fails
#   ./test.sh -- <test options>    passes options to the test run, e.g. ./test.sh -- --filter-class '*Ticket*'
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
CONFIGURATION=${CONFIGURATION:-Release}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
TEST_ARGS=()
if [[ ${1:-} == "--" ]]; then
    shift
    TEST_ARGS=("$@")
fi

# Debian packages the tests need. To add one, append it here and define need_<package> (dashes as
# underscores), which succeeds when the package's programs are present, e.g.
#   need_dovecot_imapd() { [[ -x /usr/sbin/dovecot ]]; }
#   need_postfix() { [[ -x /usr/sbin/postfix ]]; }
PACKAGES=(postgresql chromium npm)

need_postgresql() { postgres_bin_dir; }
need_chromium() { command -v chromium; }
need_npm() { command -v npm; }
# Optional: without it (or without root to install and start it) the IMAP tests show as skipped.
need_dovecot_imapd() { [[ -x /usr/sbin/dovecot && -x /usr/lib/dovecot/imap ]]; }
need_dovecot_lmtpd() { [[ -x /usr/lib/dovecot/lmtp ]]; }
need_postfix() { [[ -x /usr/sbin/postfix ]]; }

# The newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/<version>/bin, else initdb on the PATH.
postgres_bin_dir() {
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
    if [[ -n $dir ]]; then
        dirname "$dir"
    elif command -v initdb >/dev/null; then
        dirname "$(command -v initdb)"
    else
        return 1
    fi
}

if [[ -t 1 ]]; then
    BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' PLAIN=$'\033[0m'
else
    BOLD='' RED='' GREEN='' PLAIN=''
fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"; }
die() {
    printf '\ntest.sh: %s\n' "$*" >&2
    exit 1
}

started=$SECONDS
RESULTS=()
failed=0
# run_check NAME COMMAND...: runs one check, records whether it passed, and carries on either way.
run_check() {
    local name=$1 begin=$SECONDS
    shift
    step "$name"
    if "$@"; then
        RESULTS+=("PASS  $name ($((SECONDS - begin)) s)")
    else
        RESULTS+=("FAIL  $name ($((SECONDS - begin)) s)")
        failed=1
    fi
}

summary() {
    step "Summary"
    local line
    for line in "${RESULTS[@]}"; do
        printf '  %s\n' "$line"
    done
    if [[ -n ${TEST_TOTALS:-} ]]; then
        printf '  tests: %s\n' "$TEST_TOTALS"
    fi
    if [[ -n ${TEST_TOTALS_NOTE:-} ]]; then
        printf '  tests: %s\n' "$TEST_TOTALS_NOTE"
    fi
    if [[ -n ${TEST_FAILURES:-} ]]; then
        printf '  failed tests (first lines of each; the whole report is above):\n%s\n' "$TEST_FAILURES"
    fi
    if ((failed)); then
        printf '%sFAILED%s after %d s\n' "$RED" "$PLAIN" "$((SECONDS - started))"
    else
        printf '%sPASSED%s after %d s\n' "$GREEN" "$PLAIN" "$((SECONDS - started))"
    fi
}

# --- What must be installed
command -v dotnet >/dev/null || die "the .NET SDK is missing: install .NET 10 (https://dot.net) and put dotnet on the PATH."
missing=()
for package in "${PACKAGES[@]}"; do
    "need_${package//-/_}" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        step "Installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
        for package in "${missing[@]}"; do
            "need_${package//-/_}" >/dev/null 2>&1 || die "installed $package but still cannot find its programs."
        done
    else
        die "missing: ${missing[*]}. Install with: sudo apt-get install ${missing[*]} (or run this script as root on Debian)."
    fi
fi

# --- A throwaway PostgreSQL cluster: temp directory, 127.0.0.1 only, trust auth; removed on exit.
PG_BIN=$(postgres_bin_dir)
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rapport-test.XXXXXX")
PG_DIR=$WORK_DIR/postgres
mkdir "$PG_DIR"
AS_POSTGRES=()
if [[ $(id -u) -eq 0 ]]; then
    # initdb and the server refuse to run as root.
    id postgres >/dev/null 2>&1 || die "user postgres is missing (it comes with Debian's postgresql package)."
    chown postgres: "$PG_DIR"
    chmod 711 "$WORK_DIR"
    AS_POSTGRES=(runuser -u postgres --)
fi
as_postgres() { (cd "$PG_DIR" && "${AS_POSTGRES[@]}" "$@"); }

cleanup() {
    local status=$?
    local group
    for group in ${TESTS_PID:-} ${WATCHDOG_PID:-}; do
        kill -KILL -- "-$group" 2>/dev/null || true
    done
    if [[ -f $WORK_DIR/postfix/queue/pid/master.pid ]]; then
        /usr/sbin/postfix -c "$WORK_DIR/postfix/etc" stop >/dev/null 2>&1 || true
    fi
    if [[ -f $WORK_DIR/dovecot/run/master.pid ]]; then
        kill "$(cat "$WORK_DIR/dovecot/run/master.pid")" 2>/dev/null || true
    fi
    if [[ -f $PG_DIR/data/postmaster.pid ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Build once
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
run_check "Restore (locked)" dotnet restore Rapport.slnx --locked-mode
# axe-core, which the browser tests load into pages to check accessibility (versions pinned in package-lock.json).
run_check "Browser test tools (npm ci)" npm ci --prefix tests/Rapport.BrowserTests --no-audit --no-fund --loglevel=error
((failed)) || run_check "Restore tools (dotnet-ef)" dotnet tool restore
((failed)) || run_check "Build ($CONFIGURATION)" dotnet build Rapport.slnx --configuration "$CONFIGURATION" --no-restore
if ((failed)); then
    summary
    exit 1
fi

# --- Start the cluster, then test
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PG_PORT=55432
while port_in_use "$PG_PORT"; do
    PG_PORT=$((PG_PORT + 1))
    ((PG_PORT < 55532)) || die "no free port between 55432 and 55531 for PostgreSQL."
done

step "Starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$WORK_DIR/initdb.log" 2>&1 ||
    { cat "$WORK_DIR/initdb.log" >&2; die "initdb failed."; }
# Durability settings are off: the cluster lives for one run.
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start."; }
export RAPPORT_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
# The browser tests (tests/Rapport.BrowserTests) drive this Chromium through Playwright.
RAPPORT_TEST_CHROMIUM=$(command -v chromium) || die "Chromium is missing: install the chromium package."
export RAPPORT_TEST_CHROMIUM

# --- A throwaway Dovecot (IMAP) for the mail tests: its own configuration and mail store in the work directory,
# 127.0.0.1 only, no TLS; any user name signs in with the password "rapport-test" and gets an empty store.
start_dovecot() {
    local dir=$WORK_DIR/dovecot port=55710
    if [[ $(id -u) -ne 0 ]]; then
        echo "Not root: Dovecot is not started; the IMAP tests are skipped."
        return
    fi
    local package wanted=()
    for package in dovecot-imapd dovecot-lmtpd postfix; do
        "need_${package//-/_}" >/dev/null 2>&1 || wanted+=("$package")
    done
    if ((${#wanted[@]})); then
        step "Installing ${wanted[*]}"
        # "No configuration": the package must not set up or start a system-wide mail server.
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        # A stale package list makes the first try fail; refresh it once then.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null 2>&1 ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null; } ||
            { echo "Could not install ${wanted[*]}; the mail server tests are skipped."; return; }
    fi
    while port_in_use "$port"; do
        port=$((port + 1))
        ((port < 55810)) || { echo "No free port for Dovecot; the IMAP tests are skipped."; return; }
    done
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    chown nobody:nogroup "$dir/mail"
    cat >"$dir/dovecot.conf" <<CONF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$dir/mail/%u
first_valid_uid = 1
passdb {
  driver = static
  args = password=rapport-test
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp-postfix {
    mode = 0666
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
    step "Starting Dovecot on 127.0.0.1:$port"
    /usr/sbin/dovecot -c "$dir/dovecot.conf" || { cat "$dir/dovecot.log" >&2 2>/dev/null; die "Dovecot did not start."; }
    local tries=0
    until port_in_use "$port"; do
        ((++tries < 50)) || die "Dovecot does not answer on port $port."
        sleep 0.1
    done
    export RAPPORT_TEST_IMAP="127.0.0.1:$port"
}
start_dovecot

# --- A throwaway Postfix (SMTP) delivering into that Dovecot over LMTP, for mail to shop.example and
# customer.example only (anything else is refused with 5xx); own configuration and queue in the work directory.
start_postfix() {
    local dir=$WORK_DIR/postfix port=55725
    [[ -n ${RAPPORT_TEST_IMAP:-} ]] || return 0
    while port_in_use "$port"; do
        port=$((port + 1))
        ((port < 55825)) || { echo "No free port for Postfix; the SMTP tests are skipped."; return; }
    done
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
    cat >"$dir/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.test.example
mydomain = test.example
myorigin = test.example
mydestination =
relayhost =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = reject_unauth_destination
virtual_mailbox_domains = shop.example customer.example
virtual_transport = lmtp:unix:$WORK_DIR/dovecot/run/lmtp-postfix
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = no
biff = no
maillog_file_prefixes = $dir
maillog_file = $dir/postfix.log
CONF
    cat >"$dir/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
    step "Starting Postfix on 127.0.0.1:$port"
    /usr/sbin/postfix -c "$dir/etc" set-permissions create-missing >/dev/null 2>&1 || true
    /usr/sbin/postfix -c "$dir/etc" start >/dev/null 2>&1 || { cat "$dir/postfix.log" >&2 2>/dev/null; die "Postfix did not start."; }
    local tries=0
    until port_in_use "$port"; do
        ((++tries < 50)) || die "Postfix does not answer on port $port."
        sleep 0.1
    done
    export RAPPORT_TEST_SMTP="127.0.0.1:$port"
}
start_postfix

test_log="$WORK_DIR/test.log"
# The run gets its own process group (setsid) so that a hung run can be stopped with everything it started.
run_tests() {
    local status=0 follower
    : >"$test_log"
    # Fixtures' temporary directories go under the work directory, so they go even when a run is killed.
    mkdir -p "$WORK_DIR/tmp"
    local extra=()
    # With a filter, a test project none of whose tests match is not a failure (exit code 8: zero tests ran).
    [[ ${#TEST_ARGS[@]} -gt 0 ]] && extra=(--ignore-exit-code 8)
    TMPDIR=$WORK_DIR/tmp setsid dotnet test --solution Rapport.slnx --configuration "$CONFIGURATION" --no-build --no-ansi --no-progress \
        "${TEST_ARGS[@]}" "${extra[@]}" >"$test_log" 2>&1 &
    TESTS_PID=$!
    tail -n +1 -f --pid="$TESTS_PID" "$test_log" &
    follower=$!
    # shellcheck disable=SC2016  # expanded by the inner bash
    setsid bash -c 'sleep "$1"; touch "$3"; echo "test.sh: tests still running after $1 s; stopping them." >&2
        kill -TERM -- "-$2" 2>/dev/null; sleep 15; kill -KILL -- "-$2" 2>/dev/null' \
        watchdog "$TEST_TIMEOUT" "$TESTS_PID" "$WORK_DIR/timed-out" &
    WATCHDOG_PID=$!
    wait "$TESTS_PID" || status=$?
    kill -- "-$WATCHDOG_PID" 2>/dev/null || true
    wait "$follower" || true
    TESTS_PID='' WATCHDOG_PID=''
    if [[ -e $WORK_DIR/timed-out ]]; then
        TEST_TOTALS_NOTE="stopped after $TEST_TIMEOUT s (TEST_TIMEOUT)"
        return 1
    fi
    return "$status"
}
run_check "Tests on SQLite and PostgreSQL" run_tests
TEST_TOTALS=$(grep -E '^\s+(total|failed|succeeded|skipped):' "$test_log" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//') || true
# Each failed test's name and the first lines of its assertion, repeated at the end where a short log tail shows them.
TEST_FAILURES=$(awk '/^failed /{n=5} n>0{print "    " substr($0, 1, 300); n--}' "$test_log" | head -n 60) || true

for context in SqliteRapportDb PostgresRapportDb; do
    run_check "No pending model changes ($context)" dotnet ef migrations has-pending-model-changes \
        --project src/Rapport --context "$context" --configuration "$CONFIGURATION" --no-build
done

summary
exit "$failed"
