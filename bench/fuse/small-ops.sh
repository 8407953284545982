#!/usr/bin/env bash
# small-ops.sh — per-operation cost of small-file work on a fresh strata mount: N rounds of
# create (open O_CREAT) + write 100 bytes + close + stat + unlink, as bench/fuse/run.sh's
# "create+stat+unlink" row does. Prints the total, the median latency of each step, the mount's
# CPU seconds, and with --strace the fsync-family calls of the mount process per round.
#   bash bench/fuse/small-ops.sh [--rounds N] [--strace]        (root; needs fuse, python3, strace)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=2000 STRACE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --strace) STRACE=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d /tmp/strata-smallops-XXXXXX)
export STRATA_PASSWORD=bench STRATA_KDF_N=16384
node bin/strata.js init "$W/ar" >/dev/null
mkdir -p "$W/mnt"
if [ $STRACE = 1 ]; then
  strace -f -c -e trace=fsync,fdatasync,msync,sync_file_range -o "$W/strace.txt" node bin/strata.js mount "$W/ar" "$W/mnt" >"$W/log" 2>&1 &
else
  node bin/strata.js mount "$W/ar" "$W/mnt" >"$W/log" 2>&1 &
fi
P=$!
cleanup() { fusermount -uz "$W/mnt" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
for _ in $(seq 200); do mountpoint -q "$W/mnt" && break; sleep 0.1; done
NODE=$(pgrep -f "bin/strata.js mount $W/ar" | tail -1)
C0=$(awk '{print $14+$15}' "/proc/$NODE/stat")
/usr/bin/python3 - "$W/mnt/small" "$ROUNDS" <<'PY'
import os, sys, time, statistics
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
steps = {k: [] for k in ("create", "write", "close", "stat", "unlink")}
t0 = time.time()
for i in range(n):
    p = os.path.join(root, f"s{i}")
    a = time.perf_counter(); f = open(p, "wb"); b = time.perf_counter()
    f.write(b"x" * 100); f.flush(); c = time.perf_counter()
    f.close(); d = time.perf_counter()
    os.stat(p); e = time.perf_counter()
    os.unlink(p); g = time.perf_counter()
    for k, v in zip(steps, (b - a, c - b, d - c, e - d, g - e)): steps[k].append(v * 1000)
print(f"{n} rounds in {time.time() - t0:.2f} s; median ms: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in steps.items()))
PY
C1=$(awk '{print $14+$15}' "/proc/$NODE/stat")
echo "mount CPU: $(echo "scale=2; ($C1 - $C0) / 100" | bc) s"
kill -TERM "$NODE"; wait "$P" || true
if [ $STRACE = 1 ]; then
  awk -v n="$ROUNDS" '$NF ~ /^(fsync|fdatasync|msync|sync_file_range)$/ { printf "%s: %d calls, %.2f per round\n", $NF, $4, $4 / n }' "$W/strace.txt"
fi
