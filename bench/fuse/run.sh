#!/usr/bin/env bash
# FUSE benchmark: strata mount vs rclone mount (--vfs-cache-mode writes, over a local directory) vs the
# plain local disk, side by side in one run. Prints a Markdown table with ratios.
# Usage: bash bench/fuse/run.sh [--size-mb N] [--files N] [--dir WORKDIR]   (root; needs rclone, git, fuse)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
SIZE_MB=1024
FILES=10000
WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --dir) WORK=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK=${WORK:-$(mktemp -d /tmp/strata-bench-fuse-XXXXXX)}
mkdir -p "$WORK"
export STRATA_PASSWORD=${STRATA_PASSWORD:-bench} STRATA_KDF_N=${STRATA_KDF_N:-16384}
PY=/usr/bin/python3
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 2
  for m in "$WORK/strata-mnt" "$WORK/rclone-mnt"; do fusermount -uz "$m" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
wait_mounted() { for _ in $(seq 1 200); do mountpoint -q "$1" && return 0; sleep 0.1; done; echo "mount at $1 did not come up" >&2; exit 1; }

# --- inputs, made once on the local disk
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$WORK/input.bin"
# no symlinks or hard links: rclone mount can create neither
tar cf "$WORK/source.tar" --hard-dereference -C "$REPO" --exclude=.git --exclude=node_modules/.bin core cli protocols mount test node_modules
TAR_FILES=$(tar tf "$WORK/source.tar" | grep -vc '/$')
mkdir -p "$WORK/gitsrc"
$PY - "$WORK/gitsrc" "$FILES" <<'PYEOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
        f.write(f"file {i}\n" * 8)
PYEOF
(cd "$WORK/gitsrc" && git init -q && git add -A && git -c user.name=b -c user.email=b@example.com commit -qm tree)

# --- targets
mkdir -p "$WORK/local" "$WORK/rclone-src" "$WORK/rclone-mnt" "$WORK/strata-mnt"
node bin/strata.js init "$WORK/archive" >/dev/null
node bin/strata.js mount "$WORK/archive" "$WORK/strata-mnt" > "$WORK/strata.log" 2>&1 &
pids+=($!)
rclone mount "$WORK/rclone-src" "$WORK/rclone-mnt" --vfs-cache-mode writes --cache-dir "$WORK/rclone-cache" > "$WORK/rclone.log" 2>&1 &
pids+=($!)
wait_mounted "$WORK/strata-mnt"
wait_mounted "$WORK/rclone-mnt"
TARGETS=(local rclone strata)
declare -A DIR=([local]="$WORK/local" [rclone]="$WORK/rclone-mnt" [strata]="$WORK/strata-mnt")
declare -A R

small_files() {
  $PY - "$1" "$FILES" <<'PYEOF'
import os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
t = time.time()
for i in range(n):
    p = os.path.join(root, f"s{i}")
    with open(p, "wb") as f:
        f.write(b"x" * 100)
    os.stat(p)
    os.unlink(p)
print(f"{time.time() - t:.3f}")
PYEOF
}

for t in "${TARGETS[@]}"; do
  d=${DIR[$t]}
  echo "== $t" >&2
  s=$(now); dd if="$WORK/input.bin" of="$d/big.bin" bs=1M conv=fsync status=none; R[$t,write]=$(elapsed "$s")
  drop_caches
  s=$(now); dd if="$d/big.bin" of=/dev/null bs=1M status=none; R[$t,read]=$(elapsed "$s")
  rm -f "$d/big.bin"
  R[$t,small]=$(small_files "$d/small")
  mkdir -p "$d/tar"
  s=$(now); tar xf "$WORK/source.tar" -C "$d/tar"; sync; R[$t,tar]=$(elapsed "$s")
  cp -r "$WORK/gitsrc" "$d/git"                        # -r: rclone mount cannot chmod
  (cd "$d/git" && git status --porcelain >/dev/null)   # warm: index refresh after the copy
  s=$(now); (cd "$d/git" && git status --porcelain >/dev/null); R[$t,git]=$(elapsed "$s")
done

mbps() { echo "scale=0; $SIZE_MB * 1.048576 / $1" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }
echo
echo "FUSE benchmark, $(date -u +%Y-%m-%d), $(nproc) cores; lower time is better (ratio = strata time / peer time)."
echo
echo "| operation | local disk | rclone mount | strata mount | strata/local | strata/rclone |"
echo "|---|---|---|---|---|---|"
row() { # name key unit
  local l=${R[local,$2]} r=${R[rclone,$2]} s=${R[strata,$2]}
  printf '| %s | %.2f s | %.2f s | %.2f s | %sx | %sx |\n' "$1" "$l" "$r" "$s" "$(ratio "$s" "$l")" "$(ratio "$s" "$r")"
}
row "write ${SIZE_MB} MiB (dd bs=1M conv=fsync)" write
echo "|  ↳ throughput | $(mbps "${R[local,write]}") MB/s | $(mbps "${R[rclone,write]}") MB/s | $(mbps "${R[strata,write]}") MB/s | | |"
row "read ${SIZE_MB} MiB (dd bs=1M, cold)" read
echo "|  ↳ throughput | $(mbps "${R[local,read]}") MB/s | $(mbps "${R[rclone,read]}") MB/s | $(mbps "${R[strata,read]}") MB/s | | |"
row "create+stat+unlink ${FILES} small files" small
row "tar x source tree (${TAR_FILES} files)" tar
row "git status, ${FILES}-file tree" git
