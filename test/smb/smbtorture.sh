#!/usr/bin/env bash
# smbtorture.sh — runs Samba's smbtorture SMB2 suites against strata's SMB server on a fresh archive and
# compares the failures with test/smb/smbtorture-known-failures.txt. Exits 1 on a failure that is not
# listed (a regression); prints tests that now pass so the list can shrink. Takes about 10 minutes (oplock
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
SPID=""
cleanup() { [[ -n $SPID ]] && kill "$SPID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export STRATA_PASSWORD=torture STRATA_LOG_LEVEL=warn
node "$ROOT/bin/strata.js" init "$WORK/ar" >/dev/null 2>&1
PORT=$((20000 + RANDOM % 20000))
node "$ROOT/bin/strata.js" serve "$WORK/ar" --smb 127.0.0.1:$PORT --user torture:torture-pw >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
# run SUITE TIMEOUT LABEL: one smbtorture run, its result lines prefixed with LABEL.
run() {
  timeout "$2" smbtorture //127.0.0.1/share -p $PORT -U torture%torture-pw "$1" 2>&1 |
    grep -E '^(success|failure|error|skip):' | sed "s/ \[.*//; s/^/$3 /" || true
}
for s in "${SUITES[@]}"; do
  if [[ $s == smb2.notify || $s == smb2.compound ]]; then
    # A test waiting for a notification that never comes hangs: run each alone, a timeout counts as an error.
    for t in $(smbtorture --list 2>/dev/null | sed -n "s/^${s//./\\.}\\.\\([^.]*\\)\\..*/\\1/p"); do
      out=$(run "$s.$t" 60 "$s")
      if [[ -n $out ]]; then echo "$out"; else echo "$s error: $t"; fi
    done
  else
    run "$s" 300 "$s"
  fi
done >"$WORK/results.txt"
kill -0 "$SPID" || { echo "strata died during smbtorture" >&2; exit 1; }
failed=$(grep -E ' (failure|error):' "$WORK/results.txt" | awk '{print $1, $3}' | sort -u)
if [[ ${1:-} == --update ]]; then
  { sed -n '1,2p' "$KNOWN"; echo "$failed"; } >"$KNOWN.new" && mv "$KNOWN.new" "$KNOWN"
fi
new=$(comm -23 <(echo "$failed") <(grep -v '^#' "$KNOWN" | sort -u) || true)
fixed=$(comm -13 <(echo "$failed") <(grep -v '^#' "$KNOWN" | sort -u) || true)
echo "smbtorture: $(grep -c ' success:' "$WORK/results.txt") passed, $(echo "$failed" | grep -c . || true) failed (known), $(grep -c ' skip:' "$WORK/results.txt") skipped"
[[ -n $fixed ]] && { echo "now passing (remove from the list):"; echo "$fixed"; }
[[ -z $new ]] || { echo "NEW FAILURES:"; echo "$new"; exit 1; }
