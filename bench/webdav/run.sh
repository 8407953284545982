#!/usr/bin/env bash
# run.sh — WebDAV benchmark: strata vs `rclone serve webdav` vs Apache mod_dav, same data, one run.
#
#   bench/webdav/run.sh [--size-mb N] [--entries N] [--puts N]
#
# For each server, on a fresh empty store: PUT then GET one N MiB file with curl (default 1024),
# PROPFIND Depth 1 of a collection of --entries files (default 10,000; best of 3, curl), and
# --puts 4 KiB PUTs at concurrency 8 over keep-alive (small-puts.mjs, default 1,000). The big file
# comes from /dev/urandom (incompressible). The 10k collection is loaded the fastest way each
# server allows (files on disk for rclone and Apache, `strata import` for strata); only the
# PROPFIND is timed. Prints a Markdown table with ratios. Needs curl, rclone, apache2, node.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PEERS=${STRATA_PEERS:-$ROOT/../shared/peers}
SIZE_MB=1024 ENTRIES=10000 PUTS=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --entries) ENTRIES=$2; shift 2 ;;
    --puts) PUTS=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
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

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_up() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; return 1; }

echo "generating ${SIZE_MB} MiB and a ${ENTRIES}-entry tree in $WORK" >&2
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$WORK/big.bin"
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

declare -A R
mbps() { awk -v b=$((SIZE_MB * 1024 * 1024)) -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
for s in strata rclone apache; do
  echo "== $s" >&2
  port=$(free_port)
  "start_$s" "$WORK/$s" "$port"
  wait_up "$port"
  url="http://127.0.0.1:$port"
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  t=$(curl -sf -u "$USER_:$PASS_" -T "$WORK/big.bin" "$url/big.bin" -o /dev/null -w '%{time_total}')
  R[$s,put]=$(mbps "$t")
  t=$(curl -sf -u "$USER_:$PASS_" "$url/big.bin" -o /dev/null -w '%{time_total}')
  R[$s,get]=$(mbps "$t")
  best=999
  for _ in 1 2 3; do
    t=$(curl -sf -u "$USER_:$PASS_" -X PROPFIND -H 'Depth: 1' "$url/many/" -o "$WORK/pf.xml" -w '%{time_total}')
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
  done
  n=$(grep -oE '<([A-Za-z0-9]+:)?response[ >]' "$WORK/pf.xml" | wc -l)
  [[ $n -eq $((ENTRIES + 1)) ]] || { echo "$s: PROPFIND returned $n responses, expected $((ENTRIES + 1))" >&2; exit 1; }
  R[$s,pf]=$best
  curl -sf -u "$USER_:$PASS_" -X MKCOL "$url/small/" -o /dev/null
  R[$s,small]=$(node "$HERE/small-puts.mjs" "$url/small/" "$USER_" "$PASS_" "$PUTS" 8)
  echo "$s: PUT ${R[$s,put]} MB/s, GET ${R[$s,get]} MB/s, PROPFIND ${R[$s,pf]} s, small PUTs ${R[$s,small]} s" >&2
  kill "${PIDS[-1]}" 2>/dev/null || true
  sleep 0.5
done

ratio() { awk -v a="$1" -v b="$2" -v inv="$3" 'BEGIN { r = inv ? b / a : a / b; printf "%.2f×", r }'; }
echo
echo "WebDAV, $(date -u +%Y-%m-%d), $(nproc) cores, loopback; ratios > 1 mean strata is faster."
echo
echo "| test | strata | rclone serve webdav | Apache mod_dav | strata vs rclone | strata vs Apache |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
echo "| PUT ${SIZE_MB} MiB (curl) | ${R[strata,put]} MB/s | ${R[rclone,put]} MB/s | ${R[apache,put]} MB/s | $(ratio "${R[strata,put]}" "${R[rclone,put]}" 0) | $(ratio "${R[strata,put]}" "${R[apache,put]}" 0) |"
echo "| GET ${SIZE_MB} MiB (curl) | ${R[strata,get]} MB/s | ${R[rclone,get]} MB/s | ${R[apache,get]} MB/s | $(ratio "${R[strata,get]}" "${R[rclone,get]}" 0) | $(ratio "${R[strata,get]}" "${R[apache,get]}" 0) |"
echo "| PROPFIND Depth 1, ${ENTRIES} entries | ${R[strata,pf]} s | ${R[rclone,pf]} s | ${R[apache,pf]} s | $(ratio "${R[strata,pf]}" "${R[rclone,pf]}" 1) | $(ratio "${R[strata,pf]}" "${R[apache,pf]}" 1) |"
echo "| ${PUTS} × 4 KiB PUT, concurrency 8 | ${R[strata,small]} s | ${R[rclone,small]} s | ${R[apache,small]} s | $(ratio "${R[strata,small]}" "${R[rclone,small]}" 1) | $(ratio "${R[strata,small]}" "${R[apache,small]}" 1) |"
