#!/usr/bin/env bash
# Run the whole tests/qt suite again and again with both cores busy; count crashes and hangs.
#
#   bash scripts/qt_suite_loop.sh [RUNS] [BUSY_LOOPS] [HANG_SECONDS]     (defaults: 30 2 1800)
#
# With CFDESK_LOOP_SUITE=readme each run is the README's whole test command (scripts/run-tests.sh:
# lint, import contracts, every offscreen test, then the Xvfb tests) instead of tests/qt alone.
# Beside it, BUSY_LOOPS shell busy loops (`while :; do :; done`) keep the cores busy; they are
# killed at the end, whatever happens. A run that dies of a signal (exit status > 128, e.g. 139
# for a segfault) is a crash, one still going after HANG_SECONDS is a hang (timeout kills it),
# any other non-zero status is a failure. Each run's output is kept under $CFDESK_LOOP_LOGS
# (default: a new temporary folder) so a crash's faulthandler traceback can be read afterwards.
# Exits 1 when any run crashed, hung or failed. Figures: docs/gui-reliability.md.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${1:-30}"
loops="${2:-2}"
hang="${3:-1800}"
logs="${CFDESK_LOOP_LOGS:-$(mktemp -d -t cfdesk-qt-loop-XXXXXX)}"
mkdir -p "$logs"

busy=()
for _ in $(seq "$loops"); do
    bash -c 'while :; do :; done' &
    busy+=("$!")
done
stop_busy() {
    for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
    wait "${busy[@]}" 2>/dev/null
}
trap stop_busy EXIT

crashes=0 hangs=0 failures=0
started=$(date +%s)
for run in $(seq "$runs"); do
    t0=$(date +%s)
    if [ "${CFDESK_LOOP_SUITE:-qt}" = readme ]; then
        timeout --kill-after=30 "$hang" bash scripts/run-tests.sh -q -p no:cacheprovider \
            >"$logs/run-$run.log" 2>&1
    else
        QT_QPA_PLATFORM=offscreen timeout --kill-after=30 "$hang" \
            "$CFDESK_PY" -X faulthandler -m pytest tests/qt -m "not xvfb" -q -p no:cacheprovider \
            >"$logs/run-$run.log" 2>&1
    fi
    rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        hangs=$((hangs + 1)); what="HANG"
    elif [ "$rc" -gt 128 ]; then
        crashes=$((crashes + 1)); what="CRASH (signal $((rc - 128)))"
    elif [ "$rc" -ne 0 ]; then
        failures=$((failures + 1)); what="FAILED (exit $rc)"
    else
        what="ok"
    fi
    summary=$(grep -E "[0-9]+ (passed|failed)" "$logs/run-$run.log" | tail -n 1)
    echo "run $run/$runs: $what in $(( $(date +%s) - t0 )) s — $summary"
done
echo "runs: $runs with $loops busy loops, crashes: $crashes, hangs: $hangs, failures: $failures," \
    "$(( $(date +%s) - started )) s; logs in $logs"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] && [ "$failures" -eq 0 ]
