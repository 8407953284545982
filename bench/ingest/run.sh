#!/usr/bin/env bash
# run.sh — ingest benchmark: strata vs restic 0.14 vs borg 1.2 on the same synthetic tree.
#
#   bench/ingest/run.sh [--size-mb N] [--workdir DIR] [--strata-plain]
#
# Generates a version-1 tree (gen-dataset.mjs) in WORK/data, backs it up with each tool
# into its own fresh repository, applies the version-2 edits (~1%) to WORK/data in place
# (same absolute path, so restic finds its parent snapshot and borg its files cache),
# then backs it up again into the same repositories; strata imports both steps to /data (each
# import takes a snapshot), so v2 skips files unchanged since v1 like restic's parent snapshot.
# For each step it records wall time and peak RSS (GNU /usr/bin/time '%e %M') and the
# repository size (du -sb), and prints a Markdown table with ratios against restic. All tools
# encrypt: restic repo v2 (zstd auto), borg repokey-blake2 with zstd,3, strata `init --encrypt`;
# --strata-plain adds an unencrypted strata row. strata is $STRATA (default: node
# <repo>/bin/strata.js); if `$STRATA --version` fails its rows read "not available".
# Exits 1 if any step fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CMDLINE="$0 $*"
SIZE_MB=1024 WORK="" PLAIN=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --strata-plain) PLAIN=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/time ]] || { echo "run.sh: GNU time missing: apt-get install -y time" >&2; exit 2; }
for t in restic borg node; do command -v $t >/dev/null || { echo "run.sh: $t not found" >&2; exit 2; }; done

if [[ -z $WORK ]]; then
  WORK=$(mktemp -d /tmp/strata-ingest.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
  rm -rf "$WORK"/{data,repo-*,cache,logs}   # only what this script creates
fi
mkdir -p "$WORK/logs" "$WORK/cache"
DATA=$WORK/data
export RESTIC_PASSWORD=bench-password BORG_PASSPHRASE=bench-password STRATA_PASSWORD=bench-password
export RESTIC_CACHE_DIR=$WORK/cache/restic BORG_BASE_DIR=$WORK/cache/borg
read -ra STRATA_CMD <<<"${STRATA:-node $ROOT/bin/strata.js}"

TOOLS=(restic borg strata)
((PLAIN)) && TOOLS+=(strata-plain)
declare -A RES=()   # "tool/step" -> "wall_s rss_kib stored_bytes" | "FAILED rc" | "n/a"
FAILED=0

# Runs one tool's command for a step under /usr/bin/time and records wall, RSS and repo size.
measure() {
  local key=$1 repo=$2; shift 2
  local log=$WORK/logs/${key/\//-}.log tf=$WORK/logs/${key/\//-}.time rc=0
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1 || rc=$?
  if ((rc)); then
    RES[$key]="FAILED rc=$rc"; FAILED=1
    echo "run.sh: $key failed (rc=$rc): $*" >&2; tail -n 20 "$log" >&2
  else
    RES[$key]="$(tail -n 1 "$tf") $(du -sb "$repo" | cut -f1)"
  fi
}

# Runs a setup command (repository init), marking the tool failed if it fails.
setup() {
  local tool=$1; shift
  if ! "$@" >"$WORK/logs/$tool-init.log" 2>&1; then
    echo "run.sh: $tool init failed: $*" >&2; tail -n 20 "$WORK/logs/$tool-init.log" >&2
    RES[$tool/v1]="FAILED init"; RES[$tool/v2]="FAILED init"; FAILED=1; return 1
  fi
}

# Backs up $DATA with one tool as snapshot/step $2 (v1 or v2), initialising on v1.
backup() {
  local tool=$1 step=$2 repo=$WORK/repo-$1
  [[ ${RES[$tool/v1]:-} == FAILED* || ${RES[$tool/v1]:-} == n/a ]] && { [[ $step == v2 ]] && RES[$tool/v2]=${RES[$tool/v1]}; return 0; }
  case $tool in
    restic)
      [[ $step == v1 ]] && { setup restic restic init --repo "$repo" --repository-version 2 || return 0; }
      measure "$tool/$step" "$repo" restic backup --repo "$repo" --host bench "$DATA" ;;
    borg)
      [[ $step == v1 ]] && { setup borg borg init -e repokey-blake2 "$repo" || return 0; }
      measure "$tool/$step" "$repo" borg create --compression zstd,3 "$repo::$step" "$DATA" ;;
    strata|strata-plain)
      if [[ $step == v1 ]]; then
        "${STRATA_CMD[@]}" --version >/dev/null 2>&1 || { RES[$tool/v1]=n/a; return 0; }
        local enc=(--encrypt); [[ $tool == strata-plain ]] && enc=()
        setup "$tool" "${STRATA_CMD[@]}" init "$repo" "${enc[@]}" || return 0
      fi
      measure "$tool/$step" "$repo" "${STRATA_CMD[@]}" import "$repo" "$DATA" --to /data ;;
  esac
}

secs() { local t0=$1; awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

t0=$(date +%s.%N)
node "$HERE/gen-dataset.mjs" "$DATA" --size-mb "$SIZE_MB" 2>/dev/null
GEN1="$(secs "$t0") s, $(du -sb "$DATA" | cut -f1) bytes, $(find "$DATA" -type f | wc -l) files"
for tool in "${TOOLS[@]}"; do backup "$tool" v1; done
t0=$(date +%s.%N)
node "$HERE/gen-dataset.mjs" "$DATA" --size-mb "$SIZE_MB" --apply-edits 2>/dev/null
GEN2="$(secs "$t0") s, $(du -sb "$DATA" | cut -f1) bytes, $(find "$DATA" -type f | wc -l) files"
for tool in "${TOOLS[@]}"; do backup "$tool" v2; done

strata_version=$("${STRATA_CMD[@]}" --version 2>/dev/null | head -n 1) || strata_version="not available"
cat <<EOF
# strata ingest benchmark

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), host: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -sr)
- command: \`$CMDLINE\`
- versions: $(restic version | head -n 1); $(borg --version); node $(node --version); strata: ${strata_version} (\`${STRATA_CMD[*]}\`)
- dataset v1 (--size-mb $SIZE_MB): $GEN1
- dataset v2 (~1% edits applied in place): $GEN2
- settings: restic repo v2 (compression auto), borg repokey-blake2 + zstd,3, strata --encrypt; all encrypted
- notes: tools run one after another (order: ${TOOLS[*]}); the tree was just written, so every
  tool reads it from a warm page cache (dropping caches is not possible here). Peak RSS is the
  largest single process (GNU time). MB = 10^6 bytes. Ratios are tool/restic in the same step.

| tool | step | wall s | peak RSS MiB | stored MB | growth MB | wall vs restic | RSS vs restic | stored vs restic | growth vs restic |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
for tool in "${TOOLS[@]}"; do
  for step in v1 v2; do
    r=${RES[$tool/$step]:-n/a}
    if [[ $r == n/a ]]; then echo "| $tool | $step | not available | | | | | | | |"; continue; fi
    if [[ $r == FAILED* ]]; then echo "| $tool | $step | $r | | | | | | | |"; continue; fi
    awk -v t="$tool" -v s="$step" -v r="$r" -v r1="${RES[$tool/v1]}" -v p="${RES[restic/$step]:-}" -v p1="${RES[restic/v1]:-}" '
      function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2fx", a / b) : "—" }
      BEGIN {
        split(r, x, " "); split(r1, x1, " "); ok = split(p, y, " ") == 3 && split(p1, y1, " ") == 3
        g = (s == "v2") ? (x[3] - x1[3]) / 1e6 : ""; gp = (s == "v2" && ok) ? (y[3] - y1[3]) / 1e6 : ""
        printf "| %s | %s | %.2f | %.1f | %.1f | %s | %s | %s | %s | %s |\n", t, s, x[1], x[2] / 1024, x[3] / 1e6,
          (g == "" ? "—" : sprintf("%.1f", g)),
          ok ? ratio(x[1], y[1]) : "—", ok ? ratio(x[2], y[2]) : "—", ok ? ratio(x[3], y[3]) : "—",
          (ok && s == "v2") ? ratio(g, gp) : "—"
      }'
  done
done
exit $FAILED
