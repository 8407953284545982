#!/usr/bin/env bash
# get-cpu.sh — where a large WebDAV GET's CPU goes: a fresh strata serve and, side by side, a fresh
# `rclone serve webdav`, each given one --size-mb file of random bytes by PUT, then --gets GETs of it
# with curl after one untimed GET. Prints, per GiB, each server's CPU (all threads, and strata's
# JavaScript thread alone, from /proc), curl's CPU and the median speed.
#   bash bench/webdav/get-cpu.sh [--size-mb 1024] [--gets 5]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
source "$HERE/pair.sh"
start_pair_with_big_file get-cpu.sh "$@"

# measure NAME PORT PID [js]: one line of the table (with the main thread's share when `js`: a Node
# server's JavaScript thread; Go spreads its work over threads that have no such role)
measure() {
  local name=$1 url="http://127.0.0.1:$2/big.bin" pid=$3 speeds a0 m0 a1 m1
  curl -sf -u u:p -T "$WORK/big.bin" "$url" -o /dev/null
  curl -sf -u u:p "$url" -o /dev/null
  a0=$(ticks /proc/$pid/stat); m0=$(ticks /proc/$pid/task/$pid/stat)
  speeds=$( { /usr/bin/time -f "%U %S" -o "$WORK/curl.time" bash -c "for i in \$(seq $GETS); do curl -sf -u u:p '$url' -o /dev/null -w '%{speed_download}\n'; done"; } )
  a1=$(ticks /proc/$pid/stat); m1=$(ticks /proc/$pid/task/$pid/stat)
  awk -v name="$name" -v g="$GETS" -v mb="$SIZE_MB" -v t="$TICK" -v all=$((a1 - a0)) -v main=$((m1 - m0)) -v ct="$(cat "$WORK/curl.time")" -v sp="$(echo "$speeds" | middle)" \
    -v js="${4:-}" \
    'BEGIN { gib = g * mb / 1024; split(ct, c, " "); m = js ? sprintf("%.2f s", main / t / gib) : "—"; printf "| %s | %.2f s | %s | %.2f s | %.0f MB/s |\n", name, all / t / gib, m, (c[1] + c[2]) / gib, sp / 1e6 }'
}
echo "WebDAV GET CPU, $(date -u +%Y-%m-%d), $(nproc) cores: $GETS GETs of a $SIZE_MB MiB file each, CPU per GiB"
echo
echo "| server | server CPU, all threads | its JavaScript thread | curl CPU | median speed |"
echo "|---|---:|---:|---:|---:|"
measure strata "$SPORT" "$SRV" js
measure rclone "$RPORT" "$RPID"
