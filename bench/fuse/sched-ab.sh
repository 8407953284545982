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
WORK=$(mktemp -d /tmp/strata-sched-XXXXXX)
source bench/fuse/lib.sh
MOUNTS="never always adaptive rclone"
for m in $MOUNTS; do mounts+=("$WORK/$m"); done

mkdir -p "$WORK/gitsrc" "$WORK/rclone-src"
make_git_tree "$WORK/gitsrc" 10000
make_source_tar "$WORK/source.tar"
for m in $MOUNTS; do
  mkdir -p "$WORK/$m"
  case $m in
    rclone) rclone mount "$WORK/rclone-src" "$WORK/rclone" --vfs-cache-mode writes --cache-dir "$WORK/rclone-cache" >"$WORK/rclone.log" 2>&1 & pids+=($!) ;;
    *)
      node bin/strata.js init "$WORK/archive-$m" >/dev/null 2>&1
      case $m in never) from=1000 ;; always) from=1 ;; adaptive) from= ;; esac
      STRATA_FUSE_BATCH_FROM=$from node bin/strata.js mount "$WORK/archive-$m" "$WORK/$m" >"$WORK/$m.log" 2>&1 & pids+=($!) ;;
  esac
done
for m in $MOUNTS; do wait_mounted "$WORK/$m"; cp -r "$WORK/gitsrc" "$WORK/$m/git"; (cd "$WORK/$m/git" && git status --porcelain >/dev/null); done

declare -A RES
for r in $(seq "$ROUNDS"); do
  for m in $MOUNTS; do
    sleep 1.2; s=$(now); (cd "$WORK/$m/git" && git status --porcelain >/dev/null); g=$(elapsed "$s")
    o=$(small_files "$WORK/$m/small-$r" "$SMALL")
    mkdir "$WORK/$m/tar-$r"; s=$(now); tar xf "$WORK/source.tar" -C "$WORK/$m/tar-$r"; x=$(elapsed "$s")
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
  case $row in git) label="git status, 10000-file tree";; small) label="$SMALL × create+write+close+stat+unlink";; tar) label="tar x of $(tar tf "$WORK/source.tar" | grep -vc '/$') files";; esac
  a=$(median "${RES[never,$row]}") b=$(median "${RES[always,$row]}") c=$(median "${RES[adaptive,$row]}") d=$(median "${RES[rclone,$row]}")
  echo "| $label | $a | $b | $c | $d | $(echo "scale=2; $c / $a" | bc) | $(echo "scale=2; $c / $d" | bc) |"
done
