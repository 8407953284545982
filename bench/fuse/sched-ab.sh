#!/usr/bin/env bash
# sched-ab.sh — how libfuse's threads are scheduled, compared in one run. The patched addon
# (mount/native/patched-build.ts) runs the libfuse thread that hands a request to JavaScript as
# SCHED_BATCH while STRATA_FUSE_BATCH_FROM or more requests are in flight (default 3), SCHED_OTHER
# otherwise. Three strata mounts differ only in that variable — never (1000), always (1), adaptive
# (the default) — next to rclone mount; each pass runs every row on each of them in turn:
# git status in a 10k-file tree (caches expired), N × create+write+close+stat+unlink of a small file,
# tar x of a source tree. Prints every pass and the median per mount.
#   bash bench/fuse/sched-ab.sh [--rounds N] [--small N]   (root; needs rclone, git, fuse, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3 SMALL=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --small) SMALL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d /tmp/strata-sched-XXXXXX)
MOUNTS="never always adaptive rclone"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1.5
  for m in $MOUNTS; do fusermount -uz "$W/$m" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
wait_mounted() { for _ in $(seq 1 200); do mountpoint -q "$1" && return 0; sleep 0.1; done; echo "mount at $1 did not come up" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }

mkdir -p "$W/gitsrc" "$W/rclone-src"
/usr/bin/python3 - "$W/gitsrc" <<'PY'
import os, sys
for i in range(10000):
    d = os.path.join(sys.argv[1], f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, f"f{i:05d}.txt"), "w").write(f"file {i}\n" * 8)
PY
(cd "$W/gitsrc" && git init -q && git add -A && git -c user.name=b -c user.email=b@example.com commit -qm tree)
tar cf "$W/source.tar" --hard-dereference --exclude=.git --exclude=node_modules/.bin core cli protocols mount test node_modules
for m in $MOUNTS; do
  mkdir -p "$W/$m"
  case $m in
    rclone) rclone mount "$W/rclone-src" "$W/rclone" --vfs-cache-mode writes --cache-dir "$W/rclone-cache" >"$W/rclone.log" 2>&1 & pids+=($!) ;;
    *)
      node bin/strata.js init "$W/archive-$m" >/dev/null 2>&1
      case $m in never) from=1000 ;; always) from=1 ;; adaptive) from= ;; esac
      STRATA_FUSE_BATCH_FROM=$from node bin/strata.js mount "$W/archive-$m" "$W/$m" >"$W/$m.log" 2>&1 & pids+=($!) ;;
  esac
done
for m in $MOUNTS; do wait_mounted "$W/$m"; cp -r "$W/gitsrc" "$W/$m/git"; (cd "$W/$m/git" && git status --porcelain >/dev/null); done

small_ops() {
  /usr/bin/python3 - "$1" "$SMALL" <<'PY'
import os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root)
t = time.perf_counter()
for i in range(n):
    p = os.path.join(root, f"s{i}")
    with open(p, "wb") as f: f.write(b"x" * 100)
    os.stat(p); os.unlink(p)
print(f"{time.perf_counter() - t:.3f}")
PY
}
declare -A RES
for r in $(seq "$ROUNDS"); do
  for m in $MOUNTS; do
    sleep 1.2; s=$(now); (cd "$W/$m/git" && git status --porcelain >/dev/null); g=$(elapsed "$s")
    o=$(small_ops "$W/$m/small-$r")
    mkdir "$W/$m/tar-$r"; s=$(now); tar xf "$W/source.tar" -C "$W/$m/tar-$r"; x=$(elapsed "$s")
    echo "pass $r $m: git status $g s, small ops $o s, tar x $x s" >&2
    RES[$m,git]+="$g " RES[$m,small]+="$o " RES[$m,tar]+="$x "
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {printf "%.3f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "libfuse threads SCHED_BATCH never / always / from 3 requests in flight, and rclone mount; median of $ROUNDS passes, seconds (lower is faster)"
echo
echo "| row | never | always | adaptive (default) | rclone mount | adaptive/never | adaptive/rclone |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for row in git small tar; do
  case $row in git) label="git status, 10000-file tree";; small) label="$SMALL × create+write+close+stat+unlink";; tar) label="tar x of $(tar tf "$W/source.tar" | grep -vc '/$') files";; esac
  a=$(median "${RES[never,$row]}") b=$(median "${RES[always,$row]}") c=$(median "${RES[adaptive,$row]}") d=$(median "${RES[rclone,$row]}")
  echo "| $label | $a | $b | $c | $d | $(echo "scale=2; $c / $a" | bc) | $(echo "scale=2; $c / $d" | bc) |"
done
