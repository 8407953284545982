#!/usr/bin/env bash
# peak-rss.sh — peak memory of `strata import` as the dataset grows, with `restic backup` beside it.
#
#   bench/ingest/peak-rss.sh [--sizes "1024 4096 8192"] [--small-files N] [--workdir DIR]
#
# For each size, generates the ingest benchmark's version-1 tree (gen-dataset.mjs --size-mb SIZE),
# imports it into a fresh encrypted strata archive and backs it up into a fresh restic repository,
# one after the other, each under GNU time ('%e %M': wall, peak RSS of the largest process). With
# --small-files N (default 100000, 0 to skip) it does the same for N files of 1 KiB in 100
# directories. Each tree is deleted before the next is generated. Prints a Markdown table.
# strata is $STRATA (default: node <repo>/bin/strata.js). Exits 1 if any step fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CMDLINE="$0 $*"
SIZES="1024 4096 8192" SMALL=100000 WORK=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --small-files) SMALL=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "peak-rss.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/time ]] || { echo "peak-rss.sh: GNU time missing: apt-get install -y time" >&2; exit 2; }
command -v restic >/dev/null || { echo "peak-rss.sh: restic not found" >&2; exit 2; }

if [[ -z $WORK ]]; then
  WORK=$(mktemp -d /tmp/strata-peak-rss.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
fi
export RESTIC_PASSWORD=bench-password STRATA_PASSWORD=bench-password RESTIC_CACHE_DIR=$WORK/restic-cache
read -ra STRATA_CMD <<<"${STRATA:-node $ROOT/bin/strata.js}"
ROWS=() FAILED=0

# Runs "$@" under GNU time; prints "wall_s peak_kib", or "FAILED" (with the log on stderr).
timed() {
  local tf=$WORK/time log=$WORK/log
  if /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1; then tail -n 1 "$tf"; else
    echo "peak-rss.sh: failed: $*" >&2; tail -n 20 "$log" >&2; echo FAILED; fi
}

# Imports and backs up $WORK/data, adding a table row named $1.
measure() {
  local name=$1 files s r
  files=$(find "$WORK/data" -type f | wc -l)
  rm -rf "$WORK/strata" "$WORK/restic"
  "${STRATA_CMD[@]}" init "$WORK/strata" --encrypt >/dev/null
  s=$(timed "${STRATA_CMD[@]}" import "$WORK/strata" "$WORK/data" --to /data)
  restic init --repo "$WORK/restic" --repository-version 2 >/dev/null
  r=$(timed restic backup --repo "$WORK/restic" --host bench "$WORK/data")
  rm -rf "$WORK/strata" "$WORK/restic" "$WORK/data"
  [[ $s == FAILED || $r == FAILED ]] && { FAILED=1; ROWS+=("| $name | $files | ${s} | | ${r} | | |"); return; }
  ROWS+=("$(awk -v n="$name" -v f="$files" -v s="$s" -v r="$r" 'BEGIN { split(s, a, " "); split(r, b, " ");
    printf "| %s | %d | %.2f s | %.1f MiB | %.2f s | %.1f MiB | %.2fx |", n, f, a[1], a[2] / 1024, b[1], b[2] / 1024, a[2] / b[2] }')")
}

for size in $SIZES; do
  node "$HERE/gen-dataset.mjs" "$WORK/data" --size-mb "$size" 2>/dev/null
  measure "gen-dataset --size-mb $size"
done
if ((SMALL > 0)); then
  node -e '
    const fs = require("node:fs"), crypto = require("node:crypto");
    const [dir, n] = [process.argv[1], Number(process.argv[2])];
    for (let i = 0; i < n; i++) {
      const d = `${dir}/d${i % 100}`;
      if (i < 100) fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(`${d}/f${i}`, Buffer.concat([crypto.randomBytes(512), Buffer.alloc(512, 120)]));
    }' "$WORK/data" "$SMALL"
  measure "$SMALL files of 1 KiB"
fi

cat <<EOF
# strata import: peak memory by dataset size

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), host: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM
- command: \`$CMDLINE\`
- versions: $(restic version | head -n 1); node $(node --version); strata: $("${STRATA_CMD[@]}" --version 2>/dev/null | head -n 1)
- each tree imported into a fresh encrypted archive / repository (restic repo v2), strata first; peak
  RSS is GNU time's %M (largest process); trees freshly written, so read from the page cache.

| dataset | files | strata wall | strata peak RSS | restic wall | restic peak RSS | RSS strata/restic |
|---|---:|---:|---:|---:|---:|---:|
EOF
printf '%s\n' "${ROWS[@]}"
exit $FAILED
