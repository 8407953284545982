#!/usr/bin/env bash
# lstat-floor.sh — what one FUSE request costs: lstat(2) of 10,000 files (d0..d99/f0..f99) from 1 to 20
# threads, with the kernel's caches expired before each pass (the mounts cache for 1 s), on
#   strata      a strata mount (bin/strata.js mount) holding the tree,
#   rclone      rclone mount --vfs-cache-mode writes over a local directory holding it,
#   null        bench/fuse/null-fs.mjs: fuse-native answering from constants, no filesystem behind it.
# `git status` in a 10k-file tree is this workload at 20 threads (git's preload-index). Prints µs per
# lstat (wall time / files) and strata/rclone, null/rclone ratios (lower is faster).
#   bash bench/fuse/lstat-floor.sh [--rounds N] [--threads "1 4 8 20"]   (root; needs rclone, fuse, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=2 THREADS="1 4 8 20"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d /tmp/strata-lstat-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1.5
  for m in strata rclone null; do fusermount -uz "$W/$m" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
wait_mounted() { for _ in $(seq 1 200); do mountpoint -q "$1" && return 0; sleep 0.1; done; echo "mount at $1 did not come up" >&2; exit 1; }
mkdir -p "$W/strata" "$W/rclone" "$W/null" "$W/rclone-src" "$W/tree"
/usr/bin/python3 -c "
import os, sys
for d in range(100):
    os.makedirs(f'{sys.argv[1]}/d{d}')
    for i in range(100): open(f'{sys.argv[1]}/d{d}/f{i}', 'w').write('x' * 72)
" "$W/tree"
node bin/strata.js init "$W/archive" >/dev/null
node bin/strata.js mount "$W/archive" "$W/strata" >"$W/strata.log" 2>&1 & pids+=($!)
rclone mount "$W/rclone-src" "$W/rclone" --vfs-cache-mode writes --cache-dir "$W/rclone-cache" >"$W/rclone.log" 2>&1 & pids+=($!)
node bench/fuse/null-fs.mjs "$W/null" >"$W/null.log" 2>&1 & pids+=($!)
for m in strata rclone null; do wait_mounted "$W/$m"; done
cp -r "$W/tree/." "$W/strata/"
cp -r "$W/tree/." "$W/rclone/"
declare -A R
for _ in $(seq "$ROUNDS"); do
  for n in $THREADS; do
    for m in strata rclone null; do
      sleep 1.2   # past the 1 s attribute and entry timeouts of all three
      us=$(/usr/bin/python3 - "$W/$m" "$n" <<'PY'
import os, sys, time, threading
root, n = sys.argv[1], int(sys.argv[2])
paths = [f"{root}/d{d}/f{i}" for d in range(100) for i in range(100)]
def work(k):
    for p in paths[k::n]: os.lstat(p)
threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
t = time.perf_counter()
for x in threads: x.start()
for x in threads: x.join()
print(f"{(time.perf_counter() - t) / len(paths) * 1e6:.1f}")
PY
)
      # keep the best of the rounds
      key="$m,$n"
      if [ -z "${R[$key]:-}" ] || [ "$(echo "$us < ${R[$key]}" | bc)" = 1 ]; then R[$key]=$us; fi
    done
  done
done
echo "lstat of 10,000 files, caches expired, µs per lstat (best of $ROUNDS; lower is faster)"
echo
echo "| threads | strata mount | rclone mount | fuse-native null fs | strata/rclone | null/rclone |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $THREADS; do
  s=${R[strata,$n]} r=${R[rclone,$n]} z=${R[null,$n]}
  echo "| $n | $s | $r | $z | $(echo "scale=2; $s / $r" | bc) | $(echo "scale=2; $z / $r" | bc) |"
done
