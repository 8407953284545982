#!/usr/bin/env bash
# run.sh — SMB benchmark: strata's SMB server vs Samba smbd, side by side in one run, both driven by smbclient.
#
#   bench/smb/run.sh [--size-mb N] [--files N] [--list N] [--workdir DIR] [--dialect SMB3_11] [--samba-first]
#
# Each server serves a fresh empty place on 127.0.0.1 with signing required (strata: a new plain archive;
# Samba via /work/shared/peers/samba.sh). For each: put and get one file of N MiB of random bytes
# (the timed get to /dev/null, then an untimed one checked with cmp), put --files small files (1–16 KiB) with `mput`, and `ls` a folder of --list
# entries (created through smbclient `mkdir` commands in one session, timed separately). Prints a Markdown
# table with MB/s, files/s and seconds, and ratios strata/Samba (higher is better for speeds). Exits 1 on failure.
# strata goes first unless --samba-first.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PEERS=${PEERS:-/work/shared/peers}
CMDLINE="$0 $*"
SIZE_MB=1024 FILES=1000 LIST=10000 WORK="" DIALECT=SMB3_11 SAMBA_FIRST=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --list) LIST=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --dialect) DIALECT=$2; shift 2 ;;
    --samba-first) SAMBA_FIRST=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in smbclient smbd node bc; do command -v $t >/dev/null || { echo "run.sh: $t not found (apt-get install -y samba smbclient bc)" >&2; exit 2; }; done

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # samba.sh keeps its state in a temp dir it names in its log; remove it too.
  local conf; conf=$(sed -n 's/^smbd config: //p' "$WORK/logs/samba.log" 2>/dev/null || true)
  [[ -n $conf && $conf == /tmp/samba.* ]] && rm -rf "$(dirname "$conf")"
  [[ -n ${OWN_WORK:-} ]] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/strata-smbbench.XXXXXX); OWN_WORK=1; else mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd); fi
mkdir -p "$WORK/logs" "$WORK/tree" "$WORK/srv-samba"

echo "== test data: ${SIZE_MB} MiB file, $FILES small files, $LIST-entry folder" >&2
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/src"
/usr/bin/python3 - "$WORK/tree" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2]); rnd = random.Random(42)
for i in range(n):
    with open(os.path.join(root, f"f{i:05d}.bin"), "wb") as f: f.write(rnd.randbytes(rnd.randint(1024, 16384)))
PY
{ echo "mkdir big"; for i in $(seq 1 "$LIST"); do echo "mkdir big\\e$i"; done; } >"$WORK/mkdirs.cmd"

wait_port() { for _ in $(seq 1 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
secs() { date +%s.%N; }
elapsed() { echo "$(secs) - $1" | bc; }

# run_one PORT USER PASS: prints "put get mput mkdirs ls" seconds against one running server.
run_one() {
  local port=$1 auth="$2%$3" t put get mput mk ls
  local smb=(smbclient //127.0.0.1/share -p "$port" -U "$auth" -m "$DIALECT" --option='client signing=required')
  # Each step starts with no dirty pages left by the one before (sync, untimed): the get, which writes 1 GiB
  # into a new file, ran 2-4x slower while the kernel still wrote back the test data or the previous step's.
  sync; t=$(secs); "${smb[@]}" -c "put $WORK/src big.bin" >/dev/null; put=$(elapsed "$t")
  # The timed get goes to /dev/null: writing 1 GiB into a new client file made the first get of a run 2-3x
  # slower than the next ones, whichever server went first (measured both ways round); a second, untimed get
  # into a file is compared with the source.
  sync; t=$(secs); "${smb[@]}" -c "get big.bin /dev/null" >/dev/null; get=$(elapsed "$t")
  rm -f "$WORK/back"
  "${smb[@]}" -c "get big.bin $WORK/back" >/dev/null
  cmp -s "$WORK/src" "$WORK/back" || { echo "round trip differs on port $port" >&2; exit 1; }
  sync; t=$(secs); (cd "$WORK/tree" && "${smb[@]}" -c "mkdir small; cd small; prompt off; mput *" >/dev/null); mput=$(elapsed "$t")
  sync; t=$(secs); "${smb[@]}" <"$WORK/mkdirs.cmd" >/dev/null 2>&1; mk=$(elapsed "$t")
  sync; t=$(secs); n=$("${smb[@]}" -c "ls big\\*" | grep -c ' D ' || true); ls=$(elapsed "$t")
  [[ $n -ge $LIST ]] || { echo "listing on port $port showed $n entries, expected $LIST" >&2; exit 1; }
  echo "$put $get $mput $mk $ls"
}

export STRATA_PASSWORD=${STRATA_PASSWORD:-bench} STRATA_LOG_LEVEL=warn
bench_strata() {
  echo "== strata" >&2
  node "$ROOT/bin/strata.js" init "$WORK/srv-strata" >/dev/null 2>&1
  node "$ROOT/bin/strata.js" serve "$WORK/srv-strata" --smb 127.0.0.1:4451 --user benchu:benchp >"$WORK/logs/strata.log" 2>&1 &
  SPID=$!; PIDS+=($SPID)
  wait_port 4451
  read -r s_put s_get s_mput s_mk s_ls < <(run_one 4451 benchu benchp)
  SRV=$(pgrep -P "$SPID" -x node || echo "$SPID") # the server: bin/strata.js's child (bin/relaunch.js)
  RSS=$(awk '/VmHWM/ {print $2}' /proc/$SRV/status)
}

bench_samba() {
  echo "== samba" >&2
  setsid bash "$PEERS/samba.sh" "$WORK/srv-samba" 4452 benchu benchp >"$WORK/logs/samba.log" 2>&1 &
  PIDS+=($!)
  wait_port 4452
  read -r b_put b_get b_mput b_mk b_ls < <(run_one 4452 benchu benchp)
}

# Order matters on this VM: the first large write into memory that has been free for a while pays for
# the host backing it again, so --samba-first measures the other way round.
if [[ -n $SAMBA_FIRST ]]; then bench_samba; bench_strata; else bench_strata; bench_samba; fi

mbs() { echo "scale=1; $SIZE_MB * 1.048576 / $1" | bc; }
fps() { echo "scale=0; $FILES / $1" | bc; }
ratio() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
sec() { printf '%.2f' "$1"; }
echo
echo "Command: \`$CMDLINE\` ($(date -u +%Y-%m-%d), smbclient -m $DIALECT, signing required, $([[ -n $SAMBA_FIRST ]] && echo "Samba first" || echo "strata first"); ratio = strata ÷ Samba, higher is better)"
echo
echo "| server | put ${SIZE_MB} MiB | get ${SIZE_MB} MiB | $FILES small files up (mput) | $LIST mkdirs | ls of $LIST entries |"
echo "|---|---|---|---|---|---|"
echo "| strata | $(mbs "$s_put") MB/s | $(mbs "$s_get") MB/s | $(fps "$s_mput") files/s | $(sec "$s_mk") s | $(sec "$s_ls") s |"
echo "| Samba 4.17 smbd | $(mbs "$b_put") MB/s | $(mbs "$b_get") MB/s | $(fps "$b_mput") files/s | $(sec "$b_mk") s | $(sec "$b_ls") s |"
echo "| ratio | $(ratio "$b_put" "$s_put") | $(ratio "$b_get" "$s_get") | $(ratio "$b_mput" "$s_mput") | $(ratio "$b_mk" "$s_mk") | $(ratio "$b_ls" "$s_ls") |"
echo
echo "strata peak RSS: $((RSS / 1024)) MiB"
