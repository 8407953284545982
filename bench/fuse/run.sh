#!/usr/bin/env bash
# FUSE benchmark: strata mount vs rclone mount (--vfs-cache-mode writes, over a local directory) vs the
# plain local disk, side by side in one run. Prints a Markdown table with ratios.
# Usage: bash bench/fuse/run.sh [--size-mb N] [--files N] [--rounds N] [--dir WORKDIR]   (root; needs rclone, git, fuse)
# Each round runs every row on every target, the targets in a different order each round (this VM's
# timings swing by 2x with what ran before: the first writer into fresh memory pays for it); a cell is
# the median over the rounds with the range beside it, and ratios are of medians. Default 3 rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=1024
FILES=10000
ROUNDS=3
WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --dir) WORK=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK=${WORK:-$(mktemp -d /tmp/strata-bench-fuse-XXXXXX)}
mkdir -p "$WORK"
export STRATA_PASSWORD=${STRATA_PASSWORD:-bench} STRATA_KDF_N=${STRATA_KDF_N:-16384}
source bench/fuse/lib.sh
source bench/lib/rounds.sh

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

# run_rows TARGET ROUND: every row once on TARGET, in a directory of its own (kept: bench/lib/rounds.sh says why).
run_rows() {
  local t=$1 n=$2 d="${DIR[$1]}/round$2" s
  mkdir -p "$d"
  # The input back in the page cache first (the read row's drop_caches evicted it): otherwise the write
  # row also timed dd reading 1 GiB from the disk into new page-cache pages, 2-3 s on this VM.
  cat "$WORK/input.bin" >/dev/null
  s=$(now); dd if="$WORK/input.bin" of="$d/big.bin" bs=1M conv=fsync status=none; R[$t,write,$n]=$(elapsed "$s")
  drop_caches
  s=$(now); dd if="$d/big.bin" of=/dev/null bs=1M status=none; R[$t,read,$n]=$(elapsed "$s")
  R[$t,small,$n]=$(small_files "$d/small" "$FILES")
  mkdir -p "$d/tar"
  s=$(now); tar xf "$WORK/source.tar" -C "$d/tar"; sync; R[$t,tar,$n]=$(elapsed "$s")
  cp -r "$WORK/gitsrc" "$d/git"                        # -r: rclone mount cannot chmod
  (cd "$d/git" && git status --porcelain >/dev/null)   # warm: index refresh after the copy
  s=$(now); (cd "$d/git" && git status --porcelain >/dev/null); R[$t,git,$n]=$(elapsed "$s")
}
TESTS="write read small tar git"   # seconds
each_round : run_rows "$TESTS" "${TARGETS[@]}"

summarize "${TARGETS[*]}" "$TESTS"

mbps() { echo "scale=0; $SIZE_MB * 1.048576 / $1" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }
echo
echo "FUSE benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $ROUNDS rounds: median (range); lower time is better (ratio = strata median / peer median)."
echo
echo "| operation | local disk | rclone mount | strata mount | strata/local | strata/rclone |"
echo "|---|---|---|---|---|---|"
cell() { printf '%.2f s (%.2f–%.2f)' "${M[$1,$2]}" "${LO[$1,$2]}" "${HI[$1,$2]}"; }
row() { # name key
  printf '| %s | %s | %s | %s | %sx | %sx |\n' "$1" "$(cell local "$2")" "$(cell rclone "$2")" "$(cell strata "$2")" \
    "$(ratio "${M[strata,$2]}" "${M[local,$2]}")" "$(ratio "${M[strata,$2]}" "${M[rclone,$2]}")"
}
row "write ${SIZE_MB} MiB (dd bs=1M conv=fsync)" write
echo "|  ↳ throughput | $(mbps "${M[local,write]}") MB/s | $(mbps "${M[rclone,write]}") MB/s | $(mbps "${M[strata,write]}") MB/s | | |"
row "read ${SIZE_MB} MiB (dd bs=1M, cold)" read
echo "|  ↳ throughput | $(mbps "${M[local,read]}") MB/s | $(mbps "${M[rclone,read]}") MB/s | $(mbps "${M[strata,read]}") MB/s | | |"
row "create+stat+unlink ${FILES} small files" small
row "tar x source tree (${TAR_FILES} files)" tar
row "git status, ${FILES}-file tree" git
