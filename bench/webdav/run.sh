#!/usr/bin/env bash
# run.sh — WebDAV benchmark: strata vs `rclone serve webdav` vs Apache mod_dav, same data, one run.
#
#   bench/webdav/run.sh [--size-mb N] [--entries N] [--puts N] [--rounds N]
#
# The three servers run side by side, each on a fresh store. Each round, on each server: PUT then GET
# one N MiB file with curl (default 1024; new /dev/urandom bytes each round, so strata cannot
# deduplicate them against an earlier round), GET it again after dropping the page cache (the first
# GET finds there what the PUT left; strata writes packs past it), PROPFIND Depth 1 of a collection of
# --entries files (default 10,000; best of 3, curl), and --puts 4 KiB PUTs at concurrency 8 over
# keep-alive into a new collection (small-puts.mjs, default 1,000). The servers go in a rotated order
# each round (default 3 rounds: on this VM one sample swings with what ran just before); a cell is the
# median over rounds, with the range. The 10k collection is loaded the fastest way each server allows
# (files on disk for rclone and Apache, `strata import` for strata); only the PROPFIND is timed.
# Prints a Markdown table with ratios of medians. Needs curl, rclone, apache2, node.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
PEERS=${STRATA_PEERS:-$ROOT/../shared/peers}
SIZE_MB=1024 ENTRIES=10000 PUTS=1000 ROUNDS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --entries) ENTRIES=$2; shift 2 ;;
    --puts) PUTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in curl rclone apache2 node; do command -v $t >/dev/null || { echo "run.sh: $t not found" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/strata-davbench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
USER_=bench PASS_=benchpw

wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; return 1; }

echo "generating a ${ENTRIES}-entry tree in $WORK" >&2
mkdir -p "$WORK/tree/many"
node -e 'const fs=require("fs");for(let i=0;i<+process.argv[2];i++)fs.writeFileSync(`${process.argv[1]}/f${String(i).padStart(5,"0")}.txt`, `entry ${i}\n`)' "$WORK/tree/many" "$ENTRIES"

# start_<server> DIR PORT: prepares DIR with the 10k tree and starts the server in the background
start_strata() {
  export STRATA_PASSWORD=bench
  node "$ROOT/bin/strata.js" init "$1/ar" >/dev/null 2>&1
  node "$ROOT/bin/strata.js" import "$1/ar" "$WORK/tree" --no-snapshot >/dev/null 2>&1
  STRATA_LOG_LEVEL=warn node "$ROOT/bin/strata.js" serve "$1/ar" --webdav "127.0.0.1:$2" --user "$USER_:$PASS_" >"$1.log" 2>&1 &
  PIDS+=($!)
}
start_rclone() {
  mkdir -p "$1/data" && cp -r "$WORK/tree/many" "$1/data/"
  rclone serve webdav "$1/data" --addr "127.0.0.1:$2" --user "$USER_" --pass "$PASS_" >"$1.log" 2>&1 &
  PIDS+=($!)
}
start_apache() {
  mkdir -p "$1/data" && cp -r "$WORK/tree/many" "$1/data/"
  bash "$PEERS/apache-dav.sh" "$1/data" "$2" "$USER_" "$PASS_" >"$1.log" 2>&1 &
  PIDS+=($!)
}

declare -A R URL
mbps() { awk -v b=$((SIZE_MB * 1024 * 1024)) -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
SERVERS=(strata rclone apache)
for s in "${SERVERS[@]}"; do
  port=$(free_port)
  "start_$s" "$WORK/$s" "$port"
  wait_up "$port"
  URL[$s]="http://127.0.0.1:$port"
done

# run_round SERVER N: every test once against SERVER
run_round() {
  local s=$1 n=$2 url=${URL[$1]} t best=999 _ count
  drop_caches
  t=$(curl -sf -u "$USER_:$PASS_" -T "$WORK/big.bin" "$url/big$n.bin" -o /dev/null -w '%{time_total}')
  R[$s,put,$n]=$(mbps "$t")
  t=$(curl -sf -u "$USER_:$PASS_" "$url/big$n.bin" -o /dev/null -w '%{time_total}')
  R[$s,get,$n]=$(mbps "$t")
  drop_caches
  t=$(curl -sf -u "$USER_:$PASS_" "$url/big$n.bin" -o /dev/null -w '%{time_total}')
  R[$s,cold,$n]=$(mbps "$t")
  for _ in 1 2 3; do
    t=$(curl -sf -u "$USER_:$PASS_" -X PROPFIND -H 'Depth: 1' "$url/many/" -o "$WORK/pf.xml" -w '%{time_total}')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
  done
  count=$(grep -oE '<([A-Za-z0-9]+:)?response[ >]' "$WORK/pf.xml" | wc -l)
  [[ $count -eq $((ENTRIES + 1)) ]] || { echo "$s: PROPFIND returned $count responses, expected $((ENTRIES + 1))" >&2; exit 1; }
  R[$s,pf,$n]=$best
  curl -sf -u "$USER_:$PASS_" -X MKCOL "$url/small$n/" -o /dev/null
  R[$s,small,$n]=$(node "$HERE/small-puts.mjs" "$url/small$n/" "$USER_" "$PASS_" "$PUTS" 8)
}
new_big_file() { head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$WORK/big.bin"; }
TESTS="put get cold pf small"   # put, get, cold: MB/s; pf, small: seconds
each_round new_big_file run_round "$TESTS" "${SERVERS[@]}"

summarize "${SERVERS[*]}" "$TESTS"

ratio() { awk -v a="$1" -v b="$2" -v inv="$3" 'BEGIN { r = inv ? b / a : a / b; printf "%.2f×", r }'; }
echo
echo "WebDAV, $(date -u +%Y-%m-%d), $(nproc) cores, loopback, $ROUNDS rounds: median (range); ratios of medians, > 1 means strata is faster."
echo
cell() { awk -v m="${M[$1,$2]}" -v lo="${LO[$1,$2]}" -v hi="${HI[$1,$2]}" -v u="$3" -v f="$4" 'BEGIN { printf f " %s (" f "–" f ")", m, u, lo, hi }'; }
row() { # label test unit format inverse
  echo "| $1 | $(cell strata "$2" "$3" "$4") | $(cell rclone "$2" "$3" "$4") | $(cell apache "$2" "$3" "$4") | $(ratio "${M[strata,$2]}" "${M[rclone,$2]}" "$5") | $(ratio "${M[strata,$2]}" "${M[apache,$2]}" "$5") |"
}
echo "| test | strata | rclone serve webdav | Apache mod_dav | strata vs rclone | strata vs Apache |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row "PUT ${SIZE_MB} MiB (curl)" put MB/s %.0f 0
row "GET ${SIZE_MB} MiB (curl)" get MB/s %.0f 0
row "GET ${SIZE_MB} MiB, caches dropped first" cold MB/s %.0f 0
row "PROPFIND Depth 1, ${ENTRIES} entries" pf s %.3f 1
row "${PUTS} × 4 KiB PUT, concurrency 8" small s %.3f 1
