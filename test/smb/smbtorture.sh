#!/usr/bin/env bash
# smbtorture.sh — runs Samba's smbtorture SMB2 suites against strata's SMB server on a fresh archive and
# compares the failures with test/smb/smbtorture-known-failures.txt. Exits 1 on a failure that is not
# listed (a regression); prints tests that now pass so the list can shrink. Takes several minutes (oplock
# and lease suites wait for break timeouts), so it is not part of `npm test`. Needs Debian's samba-testsuite.
#
#   bash test/smb/smbtorture.sh [--update]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KNOWN="$HERE/smbtorture-known-failures.txt"
SUITES=(smb2.connect smb2.dir smb2.read smb2.rw smb2.getinfo smb2.setinfo smb2.rename smb2.create smb2.compound
  smb2.credits smb2.session smb2.tcon smb2.lock smb2.ioctl.shadow_copy smb2.oplock smb2.lease smb2.notify)
command -v smbtorture >/dev/null || { echo "smbtorture not found: apt-get install -y samba-testsuite" >&2; exit 2; }
WORK=$(mktemp -d /tmp/strata-torture.XXXXXX)
cleanup() {
  for f in "$WORK"/pid*; do [[ -e $f ]] && { kill "$(cat "$f")" 2>/dev/null || true; }; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export STRATA_PASSWORD=torture STRATA_LOG_LEVEL=warn
# The oplock, lease and notify suites mostly wait (for break timeouts, for notifications): each runs
# beside the others, each group against a server and archive of its own (suites reuse file names).
GROUPS_OF_SUITES=(smb2.oplock smb2.lease smb2.notify "${SUITES[*]}")
GROUPS_OF_SUITES[3]=${GROUPS_OF_SUITES[3]/smb2.oplock smb2.lease smb2.notify/}
# run PORT SUITE TIMEOUT LABEL: one smbtorture run, its result lines prefixed with LABEL.
run() {
  timeout "$3" smbtorture //127.0.0.1/share -p "$1" -U torture%torture-pw "$2" 2>&1 |
    grep -E '^(success|failure|error|skip):' | sed "s/ \[.*//; s/^/$4 /" || true
}
# free_port: a port nothing listens on now (the kernel's choice for port 0)
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# run_group N SUITES...: starts server N on a fresh archive, runs the suites, checks the server survived.
run_group() {
  local n=$1 port pid try; shift
  node "$ROOT/bin/strata.js" init "$WORK/ar$n" >/dev/null 2>&1
  # A port picked at random once collided with one in use (EADDRINUSE, the server gone before the first
  # suite); a free one can still be taken before the server binds it, so that case tries another.
  for try in 1 2 3 4 5; do
    port=$(free_port)
    node "$ROOT/bin/strata.js" serve "$WORK/ar$n" --smb 127.0.0.1:$port --user torture:torture-pw >"$WORK/server$n.log" 2>&1 &
    pid=$!
    echo "$pid" >"$WORK/pid$n"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && break
    grep -q EADDRINUSE "$WORK/server$n.log" && (( try < 5 )) && continue
    echo "strata did not start (group $n):" >&2; cat "$WORK/server$n.log" >&2; return 1
  done
  for s in "$@"; do
    if [[ $s == smb2.notify || $s == smb2.compound ]]; then
      # A test waiting for a notification that never comes hangs: run each alone, a timeout counts as an error.
      for t in $(smbtorture --list 2>/dev/null | sed -n "s/^${s//./\\.}\\.\\([^.]*\\)\\..*/\\1/p"); do
        out=$(run "$port" "$s.$t" 60 "$s")
        if [[ -n $out ]]; then echo "$out"; else echo "$s error: $t"; fi
      done
    else
      run "$port" "$s" 300 "$s"
    fi
  done >"$WORK/results$n.txt"
  kill -0 "$pid" || { echo "strata died during smbtorture (group $n: $*)" >&2; return 1; }
  kill "$pid"
}
status=0 runners=()
for n in "${!GROUPS_OF_SUITES[@]}"; do
  # shellcheck disable=SC2086 # the group is a list of suite names
  run_group "$n" ${GROUPS_OF_SUITES[$n]} &
  runners+=($!)
done
for r in "${runners[@]}"; do wait "$r" || status=1; done
(( status == 0 )) || exit 1
cat "$WORK"/results*.txt >"$WORK/results.txt"
failed=$(grep -E ' (failure|error):' "$WORK/results.txt" | awk '{print $1, $3}' | sort -u)
if [[ ${1:-} == --update ]]; then
  { sed -n '1,2p' "$KNOWN"; echo "$failed"; } >"$KNOWN.new" && mv "$KNOWN.new" "$KNOWN"
fi
new=$(comm -23 <(echo "$failed") <(grep -v '^#' "$KNOWN" | sort -u) || true)
fixed=$(comm -13 <(echo "$failed") <(grep -v '^#' "$KNOWN" | sort -u) || true)
echo "smbtorture: $(grep -c ' success:' "$WORK/results.txt") passed, $(echo "$failed" | grep -c . || true) failed (known), $(grep -c ' skip:' "$WORK/results.txt") skipped"
[[ -n $fixed ]] && { echo "now passing (remove from the list):"; echo "$fixed"; }
[[ -z $new ]] || { echo "NEW FAILURES:"; echo "$new"; exit 1; }
