#!/usr/bin/env bash
# get-bounds.sh — what bounds a large WebDAV GET on this machine: beside strata and `rclone serve
# webdav` (fresh, side by side, one --size-mb file of random bytes each, PUT then GET once untimed),
# the parts of strata's GET measured alone:
#   - the disk: strata's packs read with O_DIRECT in 1 MiB reads, 4 at a time (as strata reads them:
#     libuv's 4 threads), by dd;
#   - this Node without strata: bench/webdav/plain-get.mjs serving the same bytes from the page cache
#     (1 MiB reads, as strata's pieces, and 4 MiB reads), no id check;
#   - the id check: BLAKE3 of the file in 1 MiB pieces on one thread (what DESIGN.md promise 4 asks
#     of every chunk served).
# Each GET figure is the median of --gets curl GETs. Prints a table in MB/s (and s/GiB for the check).
#   bash bench/webdav/get-bounds.sh [--size-mb 1024] [--gets 5]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
source "$HERE/pair.sh"
start_pair_with_big_file get-bounds.sh "$@"

# median_get URL [AUTH...]: median curl download speed in MB/s over GETS GETs, after one untimed GET
median_get() {
  local url=$1 i
  shift
  curl -sf "$@" "$url" -o /dev/null
  for i in $(seq "$GETS"); do curl -sf "$@" "$url" -o /dev/null -w '%{speed_download}\n'; done | middle |
    awk '{ printf "%.0f", $1 / 1e6 }'
}
for port in $SPORT $RPORT; do curl -sf -u u:p -T "$WORK/big.bin" "http://127.0.0.1:$port/big.bin" -o /dev/null; done
strata=$(median_get "http://127.0.0.1:$SPORT/big.bin" -u u:p)
rclone=$(median_get "http://127.0.0.1:$RPORT/big.bin" -u u:p)

plain() { # READ_BYTES: median speed of plain-get.mjs over big.bin
  local port pid speed
  port=$(free_port)
  node "$HERE/plain-get.mjs" "$WORK/big.bin" "$port" "$1" >/dev/null &
  pid=$!
  PIDS+=($pid)
  wait_port "$port"
  speed=$(median_get "http://127.0.0.1:$port/")
  kill "$pid"
  echo "$speed"
}
plain1=$(plain $((1024 * 1024)))
plain4=$(plain $((4 * 1024 * 1024)))

packs=$(find "$WORK/ar/packs" -type f)
bytes=$(cat $packs | wc -c)
t0=$(secs)
echo "$packs" | xargs -P4 -I{} dd if={} of=/dev/null bs=1M iflag=direct status=none
disk=$(awk -v b="$bytes" -v s="$(elapsed "$t0")" 'BEGIN { printf "%.0f", b / s / 1e6 }')

check=$(cd "$ROOT" && node --input-type=module -e "
  import { readFileSync } from 'node:fs';
  import { blake3 } from '@napi-rs/blake-hash';
  const data = readFileSync('$WORK/big.bin'), piece = 1 << 20;
  for (let at = 0; at < piece * 64; at += piece) blake3(data.subarray(at, at + piece));
  const t = process.hrtime.bigint();
  for (let at = 0; at < data.length; at += piece) blake3(data.subarray(at, at + piece));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log((s / (data.length / 2 ** 30)).toFixed(2), (data.length / s / 1e6).toFixed(0));")

echo "Large WebDAV GET and what bounds it, $(date -u +%Y-%m-%d), $(nproc) cores: a $SIZE_MB MiB file, median of $GETS GETs"
echo
echo "| what | MB/s | note |"
echo "|---|---:|---|"
echo "| strata GET | $strata | packs read with O_DIRECT, every chunk's id checked |"
echo "| rclone serve webdav GET | $rclone | page cache, no check |"
echo "| plain Node server, 1 MiB reads | $plain1 | page cache, no check, no store |"
echo "| plain Node server, 4 MiB reads | $plain4 | page cache, no check, no store |"
echo "| strata's packs by dd, O_DIRECT, 1 MiB × 4 | $disk | the disk alone |"
echo "| BLAKE3 on one thread | ${check#* } | ${check% *} s of CPU per GiB |"
