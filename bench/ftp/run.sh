#!/usr/bin/env bash
# run.sh — FTP benchmark: strata's FTP frontend vs vsftpd vs pyftpdlib, side by side in one run.
#
#   bench/ftp/run.sh [--size-mb N] [--files N] [--workdir DIR] [--encrypt]
#
# Each server serves a fresh empty place on 127.0.0.1 (strata: a new archive, plain unless
# --encrypt; vsftpd via /work/shared/peers/vsftpd.sh; pyftpdlib via Debian's
# `/usr/bin/python3 -m pyftpdlib`, standing in for rclone, whose Debian build 1.60 has no
# `serve ftp`). For each: upload and download one file of N MiB of random bytes with curl
# (passive, binary), then `lftp mirror -R` up and `mirror` down a tree of --files small files
# (1–16 KiB, 10 per directory), checking the round trip with cmp / diff -r. Prints wall times,
# MB/s and files/s, ratios against vsftpd, and strata's peak RSS. Exits 1 if a step fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PEERS=${PEERS:-/work/shared/peers}
CMDLINE="$0 $*"
SIZE_MB=1024 FILES=1000 WORK="" ENCRYPT=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --encrypt) ENCRYPT=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in curl lftp vsftpd node bc; do command -v $t >/dev/null || { echo "run.sh: $t not found (apt-get install -y curl lftp vsftpd)" >&2; exit 2; }; done
/usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null || { echo "run.sh: apt-get install -y python3-pyftpdlib" >&2; exit 2; }

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${OWN_WORK:-} ]] && rm -rf "$WORK"
}
trap cleanup EXIT
if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/strata-ftpbench.XXXXXX); OWN_WORK=1; else mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd); rm -rf "$WORK"/{src,tree,srv-*,back-*,logs}; fi
mkdir -p "$WORK/logs"; chmod 755 "$WORK"   # vsftpd's user must be able to reach its directory

echo "== test data: ${SIZE_MB} MiB file, $FILES small files" >&2
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/src"
/usr/bin/python3 - "$WORK/tree" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2]); rnd = random.Random(42)
for i in range(n):
    d = os.path.join(root, f"d{i // 10:03d}"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:04d}.bin"), "wb") as f: f.write(rnd.randbytes(rnd.randint(1024, 16384)))
PY

wait_port() { for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
secs() { date +%s.%N; }
elapsed() { echo "$(secs) - $1" | bc; }

# run_one NAME PORT USER PASS: the four measurements against one running server; prints "up down mup mdown".
run_one() {
  local name=$1 port=$2 user=$3 pass=$4 url="ftp://$3:$4@127.0.0.1:$2" t up down mup mdown
  t=$(secs); curl -sS --fail -T "$WORK/src" "$url/big.bin"; up=$(elapsed "$t")
  t=$(secs); curl -sS --fail -o "$WORK/back-$name.bin" "$url/big.bin"; down=$(elapsed "$t")
  cmp "$WORK/src" "$WORK/back-$name.bin" || { echo "$name: download differs" >&2; return 1; }
  rm -f "$WORK/back-$name.bin"
  local lf="set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 1"
  t=$(secs); lftp -u "$user,$pass" -p "$port" 127.0.0.1 -e "$lf; mirror -R --no-perms $WORK/tree /tree; quit" >"$WORK/logs/$name-up.log" 2>&1; mup=$(elapsed "$t")
  t=$(secs); lftp -u "$user,$pass" -p "$port" 127.0.0.1 -e "$lf; mirror --no-perms /tree $WORK/back-$name; quit" >"$WORK/logs/$name-down.log" 2>&1; mdown=$(elapsed "$t")
  diff -r "$WORK/tree" "$WORK/back-$name" >/dev/null || { echo "$name: mirror differs" >&2; return 1; }
  rm -rf "$WORK/back-$name"
  echo "$up $down $mup $mdown"
}

declare -A R
echo "== strata" >&2
export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn
node "$ROOT/bin/strata.js" init "$WORK/srv-strata" $([[ $ENCRYPT = 1 ]] && echo --encrypt) >/dev/null 2>&1
node "$ROOT/bin/strata.js" serve "$WORK/srv-strata" --ftp 127.0.0.1:2131 --user u:p >"$WORK/logs/strata.log" 2>&1 &
SPID=$!; PIDS+=($SPID); wait_port 2131
R[strata]=$(run_one strata 2131 u p)
SRV=$(pgrep -P "$SPID" -x node || echo "$SPID") # the server: bin/strata.js's child (bin/relaunch.js)
RSS=$(awk '/VmHWM/{print $2}' /proc/$SRV/status)
kill $SPID; wait $SPID 2>/dev/null || true

echo "== vsftpd" >&2
mkdir -p "$WORK/srv-vsftpd"
bash "$PEERS/vsftpd.sh" "$WORK/srv-vsftpd" 2132 ftpbench benchpw >"$WORK/logs/vsftpd.log" 2>&1 &
VPID=$!; PIDS+=($VPID); wait_port 2132
R[vsftpd]=$(run_one vsftpd 2132 ftpbench benchpw)
kill $VPID; wait $VPID 2>/dev/null || true

echo "== pyftpdlib" >&2
mkdir -p "$WORK/srv-pyftpdlib"
/usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p 2133 -w -d "$WORK/srv-pyftpdlib" -u u -P p -r 40200-40300 >"$WORK/logs/pyftpdlib.log" 2>&1 &
PPID_=$!; PIDS+=($PPID_); wait_port 2133
R[pyftpdlib]=$(run_one pyftpdlib 2133 u p)
kill $PPID_; wait $PPID_ 2>/dev/null || true

mbs() { echo "scale=0; $SIZE_MB * 1.048576 / $1" | bc; }
fps() { echo "scale=0; $FILES / $1" | bc; }
ratio() { echo "scale=2; $2 / $1" | bc | sed 's/^\./0./'; }
read -r vu vd vmu vmd <<<"${R[vsftpd]}"
echo
echo "FTP benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, loopback: \`$CMDLINE\`"
echo "(strata archive $([[ $ENCRYPT = 1 ]] && echo encrypted || echo plain); ratio = speed relative to vsftpd, higher is better)"
echo
echo "| server | ${SIZE_MB} MiB up (curl) | ${SIZE_MB} MiB down (curl) | $FILES files up (lftp mirror -R) | $FILES files down (lftp mirror) |"
echo "|---|---|---|---|---|"
for s in strata vsftpd pyftpdlib; do
  read -r u d mu md <<<"${R[$s]}"
  echo "| $s | $(printf %.2f "$u") s, $(mbs "$u") MB/s (×$(ratio "$u" "$vu")) | $(printf %.2f "$d") s, $(mbs "$d") MB/s (×$(ratio "$d" "$vd")) | $(printf %.2f "$mu") s, $(fps "$mu") files/s (×$(ratio "$mu" "$vmu")) | $(printf %.2f "$md") s, $(fps "$md") files/s (×$(ratio "$md" "$vmd")) |"
done
echo
echo "strata peak RSS over the whole run: $((RSS / 1024)) MiB"
