#!/usr/bin/env bash
# warmup.sh — how small-PUT speed changes over a server's first requests: on a fresh strata serve and,
# side by side, a fresh `rclone serve webdav`, ROUNDS rounds of --puts 4 KiB PUTs at concurrency 8
# (small-puts.mjs, as bench/webdav/run.sh) into a new collection each, the two servers alternating.
# Prints each round's seconds, the CPU time of strata's JavaScript thread in its round (from /proc) and
# the ratio (rclone's time over strata's: > 1 means strata is faster).
# With --no-opt, strata runs without V8's optimising compiler (what the early rounds look like).
#   bash bench/webdav/warmup.sh [--rounds 8] [--puts 1000] [--no-opt]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
source "$HERE/pair.sh"
ROUNDS=8 PUTS=1000 NODE_FLAGS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --puts) PUTS=$2; shift 2 ;;
    --no-opt) NODE_FLAGS=(--no-opt); shift ;;
    *) echo "warmup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
start_pair "${NODE_FLAGS[@]}"
puts() { # URL COLLECTION: seconds for PUTS puts into a new collection
  curl -sf -u u:p -X MKCOL "$1/$2/" -o /dev/null
  node "$HERE/small-puts.mjs" "$1/$2/" u p "$PUTS" 8
}
echo "WebDAV small PUTs over a server's first requests, $(date -u +%Y-%m-%d), $(nproc) cores: $PUTS × 4 KiB at concurrency 8 per round${NODE_FLAGS[*]:+, strata with ${NODE_FLAGS[*]}}"
echo
echo "| round | requests before it | strata | its JavaScript thread busy | rclone serve webdav | strata vs rclone |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $(seq 1 "$ROUNDS"); do
  js0=$(ticks /proc/$SRV/task/$SRV/stat)
  s=$(puts "http://127.0.0.1:$SPORT" "r$n")
  js1=$(ticks /proc/$SRV/task/$SRV/stat)
  r=$(puts "http://127.0.0.1:$RPORT" "r$n")
  awk -v n="$n" -v before=$(((n - 1) * PUTS)) -v s="$s" -v js=$((js1 - js0)) -v t="$TICK" -v r="$r" \
    'BEGIN { printf "| %d | %d | %.3f s | %.2f s | %.3f s | %.2f× |\n", n, before, s, js / t, r, r / s }'
done
