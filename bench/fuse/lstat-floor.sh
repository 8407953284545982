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
WORK=$(mktemp -d /tmp/strata-lstat-XXXXXX)
source bench/fuse/lib.sh
mounts=("$WORK/strata" "$WORK/rclone" "$WORK/null")
mkdir -p "$WORK/strata" "$WORK/rclone" "$WORK/null" "$WORK/rclone-src" "$WORK/tree"
$PY -c "
import os, sys
for d in range(100):
    os.makedirs(f'{sys.argv[1]}/d{d}')
    for i in range(100): open(f'{sys.argv[1]}/d{d}/f{i}', 'w').write('x' * 72)
" "$WORK/tree"
node bin/strata.js init "$WORK/archive" >/dev/null
node bin/strata.js mount "$WORK/archive" "$WORK/strata" >"$WORK/strata.log" 2>&1 & pids+=($!)
rclone mount "$WORK/rclone-src" "$WORK/rclone" --vfs-cache-mode writes --cache-dir "$WORK/rclone-cache" >"$WORK/rclone.log" 2>&1 & pids+=($!)
node bench/fuse/null-fs.mjs "$WORK/null" >"$WORK/null.log" 2>&1 & pids+=($!)
for m in strata rclone null; do wait_mounted "$WORK/$m"; done
cp -r "$WORK/tree/." "$WORK/strata/"
cp -r "$WORK/tree/." "$WORK/rclone/"
declare -A R
for _ in $(seq "$ROUNDS"); do
  for n in $THREADS; do
    for m in strata rclone null; do
      sleep 1.2   # past the 1 s attribute and entry timeouts of all three
      us=$($PY - "$WORK/$m" "$n" <<'PY'
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
