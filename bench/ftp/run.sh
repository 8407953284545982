#!/usr/bin/env bash
# run.sh — FTP benchmark: strata's FTP frontend vs `rclone serve ftp` vs vsftpd, side by side in one run.
#
#   bench/ftp/run.sh [--size-mb N] [--files N] [--rounds N] [--workdir DIR] [--encrypt]
#
# The servers run side by side, each serving a fresh empty place on 127.0.0.1 (strata: a new
# archive, plain unless --encrypt; rclone serve ftp over a local directory, from rclone-with-ftp.sh
# since Debian's rclone 1.60 has no `serve ftp`; vsftpd via /work/shared/peers/vsftpd.sh). Each
# round, on each: upload and download one file of N MiB of random bytes with curl (passive,
# binary), then `lftp mirror -R` up and `mirror` down --files small files (1–16 KiB, 10 per
# directory), checked with cmp / diff -r. Every round has new bytes (strata would deduplicate a
# repeat) and takes the servers in a rotated order (default 3 rounds; bench/lib/rounds.sh says why).
# Prints medians with their range, ratios of medians (strata's speed over each peer's) and strata's
# peak RSS. Exits 1 if a step fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
PEERS=${PEERS:-/work/shared/peers}
CMDLINE="$0 $*"
SIZE_MB=1024 FILES=1000 WORK="" ENCRYPT=0 ROUNDS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --encrypt) ENCRYPT=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in curl lftp vsftpd node bc; do command -v $t >/dev/null || { echo "run.sh: $t not found (apt-get install -y curl lftp vsftpd)" >&2; exit 2; }; done
RCLONE=$(bash "$HERE/rclone-with-ftp.sh")

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${OWN_WORK:-} ]] && rm -rf "$WORK"
}
trap cleanup EXIT
if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/strata-ftpbench.XXXXXX); OWN_WORK=1; else mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd); rm -rf "$WORK"/{src,tree,srv-*,back-*,logs}; fi
mkdir -p "$WORK/logs"; chmod 755 "$WORK"   # vsftpd's user must be able to reach its directory

# make_data N: this round's test data, a ${SIZE_MB} MiB file and $FILES small files, bytes seeded by N
make_data() {
  echo "== round $1 test data: ${SIZE_MB} MiB file, $FILES small files" >&2
  rm -rf "$WORK/src" "$WORK/tree"
  head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/src"
  /usr/bin/python3 - "$WORK/tree" "$FILES" "$1" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2]); rnd = random.Random(42 + int(sys.argv[3]))
for i in range(n):
    d = os.path.join(root, f"d{i // 10:03d}"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:04d}.bin"), "wb") as f: f.write(rnd.randbytes(rnd.randint(1024, 16384)))
PY
}


# run_one NAME ROUND: the four measurements against one running server, into R[NAME,{up,down,mup,mdown},ROUND].
run_one() {
  local name=$1 n=$2 port=${PORT[$1]} user=${LOGIN[$1]%%:*} pass=${LOGIN[$1]#*:} t
  local url="ftp://$user:$pass@127.0.0.1:$port"
  t=$(secs); curl -sS --fail -T "$WORK/src" "$url/big$n.bin"; R[$name,up,$n]=$(elapsed "$t")
  t=$(secs); curl -sS --fail -o "$WORK/back-$name.bin" "$url/big$n.bin"; R[$name,down,$n]=$(elapsed "$t")
  cmp "$WORK/src" "$WORK/back-$name.bin" || { echo "$name: download differs" >&2; return 1; }
  rm -f "$WORK/back-$name.bin"
  local lf="set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 1"
  t=$(secs); lftp -u "$user,$pass" -p "$port" 127.0.0.1 -e "$lf; mirror -R --no-perms $WORK/tree /tree$n; quit" >"$WORK/logs/$name-up.log" 2>&1; R[$name,mup,$n]=$(elapsed "$t")
  t=$(secs); lftp -u "$user,$pass" -p "$port" 127.0.0.1 -e "$lf; mirror --no-perms /tree$n $WORK/back-$name; quit" >"$WORK/logs/$name-down.log" 2>&1; R[$name,mdown,$n]=$(elapsed "$t")
  diff -r "$WORK/tree" "$WORK/back-$name" >/dev/null || { echo "$name: mirror differs" >&2; return 1; }
  rm -rf "$WORK/back-$name"
}

declare -A R PORT=([strata]=2131 [vsftpd]=2132 [rclone]=2133) LOGIN=([strata]=u:p [vsftpd]=ftpbench:benchpw [rclone]=u:p)
ports_free 2131 2132 2133
export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn
node "$ROOT/bin/strata.js" init "$WORK/srv-strata" $([[ $ENCRYPT = 1 ]] && echo --encrypt) >/dev/null 2>&1
node "$ROOT/bin/strata.js" serve "$WORK/srv-strata" --ftp 127.0.0.1:2131 --user u:p >"$WORK/logs/strata.log" 2>&1 &
SPID=$!; PIDS+=($SPID)
mkdir -p "$WORK/srv-vsftpd" "$WORK/srv-rclone"
bash "$PEERS/vsftpd.sh" "$WORK/srv-vsftpd" 2132 ftpbench benchpw >"$WORK/logs/vsftpd.log" 2>&1 &
PIDS+=($!)
"$RCLONE" serve ftp "$WORK/srv-rclone" --addr 127.0.0.1:2133 --user u --pass p --passive-port 40200-40300 >"$WORK/logs/rclone.log" 2>&1 &
PIDS+=($!)
for p in 2131 2132 2133; do wait_port $p 100; done
SERVERS=(strata rclone vsftpd)
TESTS="up down mup mdown"   # seconds
each_round make_data run_one "$TESTS" "${SERVERS[@]}"
SRV=$(pgrep -P "$SPID" -x node || echo "$SPID") # the server: bin/strata.js's child (bin/relaunch.js)
RSS=$(awk '/VmHWM/{print $2}' /proc/$SRV/status)

summarize "${SERVERS[*]}" "$TESTS"

mbs() { echo "scale=0; $SIZE_MB * 1.048576 / $1" | bc; }
fps() { echo "scale=0; $FILES / $1" | bc; }
ratio() { echo "scale=2; $2 / $1" | bc | sed 's/^\./0./'; }
echo
echo "FTP benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, loopback: \`$CMDLINE\`"
echo "(strata archive $([[ $ENCRYPT = 1 ]] && echo encrypted || echo plain); rclone $("$RCLONE" version | head -1 | cut -d' ' -f2); $ROUNDS rounds, median time (range); ratios = strata's speed ÷ the peer's, of medians, higher is better)"
echo
cell() { echo "$(printf %.2f "${M[$1,$2]}") s ($(printf %.2f "${LO[$1,$2]}")–$(printf %.2f "${HI[$1,$2]}")), $($3 "${M[$1,$2]}")"; }
mbs_() { echo "$(mbs "$1") MB/s"; }
fps_() { echo "$(fps "$1") files/s"; }
row() { echo "| $1 | $(cell strata "$2" "$3") | $(cell rclone "$2" "$3") | $(cell vsftpd "$2" "$3") | ×$(ratio "${M[strata,$2]}" "${M[rclone,$2]}") | ×$(ratio "${M[strata,$2]}" "${M[vsftpd,$2]}") |"; }
echo "| test | strata | rclone serve ftp | vsftpd | strata vs rclone | strata vs vsftpd |"
echo "|---|---|---|---|---|---|"
row "${SIZE_MB} MiB up (curl)" up mbs_
row "${SIZE_MB} MiB down (curl)" down mbs_
row "$FILES files up (lftp mirror -R)" mup fps_
row "$FILES files down (lftp mirror)" mdown fps_
echo
echo "strata peak RSS over the whole run: $((RSS / 1024)) MiB"
