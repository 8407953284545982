#!/usr/bin/env bash
# FUSE benchmark: strata mount vs rclone mount (--vfs-cache-mode writes, over a local directory) vs the
# plain local disk, side by side in one run. Prints a Markdown table with ratios.
# Usage: bash bench/fuse/run.sh [--size-mb N] [--files N] [--dir WORKDIR]   (root; needs rclone, git, fuse)
set -euo pipefail
cd "$(dirname "$0")/../.."
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
source bench/fuse/lib.sh
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

# --- inputs, made once on the local disk
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$WORK/input.bin"
make_source_tar "$WORK/source.tar"
TAR_FILES=$(tar tf "$WORK/source.tar" | grep -vc '/$')
mkdir -p "$WORK/gitsrc"
make_git_tree "$WORK/gitsrc" "$FILES"

# --- targets
mkdir -p "$WORK/local" "$WORK/rclone-src" "$WORK/rclone-mnt" "$WORK/strata-mnt"
mounts=("$WORK/strata-mnt" "$WORK/rclone-mnt")
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

for t in "${TARGETS[@]}"; do
  d=${DIR[$t]}
  echo "== $t" >&2
  s=$(now); dd if="$WORK/input.bin" of="$d/big.bin" bs=1M conv=fsync status=none; R[$t,write]=$(elapsed "$s")
  drop_caches
  s=$(now); dd if="$d/big.bin" of=/dev/null bs=1M status=none; R[$t,read]=$(elapsed "$s")
  rm -f "$d/big.bin"
  R[$t,small]=$(small_files "$d/small" "$FILES")
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
