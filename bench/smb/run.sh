#!/usr/bin/env bash
# run.sh — SMB benchmark: strata's SMB server vs Samba smbd, side by side in one run, both driven by smbclient.
#
#   bench/smb/run.sh [--size-mb N] [--files N] [--list N] [--rounds N] [--workdir DIR] [--dialect SMB3_11] [--samba-first]
#
# Each server serves a fresh empty place on 127.0.0.1 with signing required (strata: a new plain
# archive; Samba via /work/shared/peers/samba.sh). Each round, on each: put and get one file of N MiB
# of random bytes (the timed get to /dev/null, then an untimed one checked with cmp), put --files small
# files (1–16 KiB) with `mput`, and `ls` a folder of --list entries (made with smbclient `mkdir`
# commands in one session, timed too). Both servers run side by side for --rounds rounds (default 4,
# so each goes first as often: the first 1 GiB put of a round took 1.5–2.8 s longer, whichever server
# made it); strata goes first in round 1 unless --samba-first. Every round has new bytes (strata would
# deduplicate a repeat). Prints medians with their range, ratios of medians (strata ÷ Samba, higher
# is better for speeds) and strata's peak RSS. Exits 1 on failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/bench/lib/rounds.sh"
PEERS=${PEERS:-/work/shared/peers}
CMDLINE="$0 $*"
SIZE_MB=1024 FILES=1000 LIST=10000 WORK="" DIALECT=SMB3_11 SAMBA_FIRST="" ROUNDS=4
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --list) LIST=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --dialect) DIALECT=$2; shift 2 ;;
    --samba-first) SAMBA_FIRST=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
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
mkdir -p "$WORK/logs" "$WORK/srv-samba"

# make_data N: round N's test data (bytes seeded by N) and its mkdir script
make_data() {
  echo "== round $1 test data: ${SIZE_MB} MiB file, $FILES small files, $LIST-entry folder" >&2
  rm -rf "$WORK/src" "$WORK/tree"; mkdir -p "$WORK/tree"
  head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/src"
  /usr/bin/python3 - "$WORK/tree" "$FILES" "$1" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2]); rnd = random.Random(42 + int(sys.argv[3]))
for i in range(n):
    with open(os.path.join(root, f"f{i:05d}.bin"), "wb") as f: f.write(rnd.randbytes(rnd.randint(1024, 16384)))
PY
  { echo "mkdir big$1"; for i in $(seq 1 "$LIST"); do echo "mkdir big$1\\e$i"; done; } >"$WORK/mkdirs.cmd"
}


# run_one NAME ROUND: the five measurements against one running server, into R[NAME,{put,get,mput,mk,ls},ROUND].
run_one() {
  local name=$1 n=$2 port=${PORT[$1]} t count
  local smb=(smbclient //127.0.0.1/share -p "$port" -U benchu%benchp -m "$DIALECT" --option='client signing=required')
  # Each step starts with no dirty pages left by the one before (sync, untimed): the get, which writes 1 GiB
  # into a new file, ran 2-4x slower while the kernel still wrote back the test data or the previous step's.
  sync; t=$(secs); "${smb[@]}" -c "put $WORK/src big$n.bin" >/dev/null; R[$name,put,$n]=$(elapsed "$t")
  # The timed get goes to /dev/null: writing 1 GiB into a new client file made the first get of a run 2-3x
  # slower than the next ones, whichever server went first (measured both ways round); a second, untimed get
  # into a file is compared with the source.
  sync; t=$(secs); "${smb[@]}" -c "get big$n.bin /dev/null" >/dev/null; R[$name,get,$n]=$(elapsed "$t")
  rm -f "$WORK/back"
  "${smb[@]}" -c "get big$n.bin $WORK/back" >/dev/null
  cmp -s "$WORK/src" "$WORK/back" || { echo "$name: round trip differs" >&2; exit 1; }
  rm -f "$WORK/back"
  sync; t=$(secs); (cd "$WORK/tree" && "${smb[@]}" -c "mkdir small$n; cd small$n; prompt off; mput *" >/dev/null); R[$name,mput,$n]=$(elapsed "$t")
  sync; t=$(secs); "${smb[@]}" <"$WORK/mkdirs.cmd" >/dev/null 2>&1; R[$name,mk,$n]=$(elapsed "$t")
  sync; t=$(secs); count=$("${smb[@]}" -c "ls big$n\\*" | grep -c ' D ' || true); R[$name,ls,$n]=$(elapsed "$t")
  [[ $count -ge $LIST ]] || { echo "$name: listing showed $count entries, expected $LIST" >&2; exit 1; }
}

declare -A R PORT=([strata]=4451 [samba]=4452)
ports_free 4451 4452
export STRATA_PASSWORD=${STRATA_PASSWORD:-bench} STRATA_LOG_LEVEL=warn
node "$ROOT/bin/strata.js" init "$WORK/srv-strata" >/dev/null 2>&1
node "$ROOT/bin/strata.js" serve "$WORK/srv-strata" --smb 127.0.0.1:4451 --user benchu:benchp >"$WORK/logs/strata.log" 2>&1 &
SPID=$!; PIDS+=($SPID)
setsid bash "$PEERS/samba.sh" "$WORK/srv-samba" 4452 benchu benchp >"$WORK/logs/samba.log" 2>&1 &
PIDS+=($!)
wait_port 4451; wait_port 4452
SERVERS=(strata samba)
[[ -n $SAMBA_FIRST ]] && SERVERS=(samba strata)
TESTS="put get mput mk ls"   # seconds
each_round make_data run_one "$TESTS" "${SERVERS[@]}"
SRV=$(pgrep -P "$SPID" -x node || echo "$SPID") # the server: bin/strata.js's child (bin/relaunch.js)
RSS=$(awk '/VmHWM/ {print $2}' /proc/$SRV/status)

summarize "strata samba" "$TESTS"

mbs() { echo "scale=1; $SIZE_MB * 1.048576 / $1" | bc; }
fps() { echo "scale=0; $FILES / $1" | bc; }
ratio() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
sec() { printf '%.2f' "$1"; }
echo
# speed cells: the median time's rate, then the range of rates (the fastest round first)
speed() { echo "$($2 "${M[$1,$3]}") ($($2 "${LO[$1,$3]}")–$($2 "${HI[$1,$3]}"))"; }
secs_() { echo "$(sec "${M[$1,$2]}") s ($(sec "${LO[$1,$2]}")–$(sec "${HI[$1,$2]}"))"; }
mbs_() { echo "$(mbs "$1")"; }
fps_() { echo "$(fps "$1")"; }
echo "Command: \`$CMDLINE\` ($(date -u +%Y-%m-%d), smbclient -m $DIALECT, signing required, $ROUNDS rounds taking turns at going first; median (fastest–slowest); ratio = strata ÷ Samba of medians, higher is better)"
echo
echo "| server | put ${SIZE_MB} MiB, MB/s | get ${SIZE_MB} MiB, MB/s | $FILES small files up (mput), files/s | $LIST mkdirs | ls of $LIST entries |"
echo "|---|---|---|---|---|---|"
for s in strata samba; do
  label=$([[ $s = samba ]] && echo "Samba 4.17 smbd" || echo strata)
  echo "| $label | $(speed $s mbs_ put) | $(speed $s mbs_ get) | $(speed $s fps_ mput) | $(secs_ $s mk) | $(secs_ $s ls) |"
done
echo "| ratio | $(ratio "${M[samba,put]}" "${M[strata,put]}") | $(ratio "${M[samba,get]}" "${M[strata,get]}") | $(ratio "${M[samba,mput]}" "${M[strata,mput]}") | $(ratio "${M[samba,mk]}" "${M[strata,mk]}") | $(ratio "${M[samba,ls]}" "${M[strata,ls]}") |"
echo
echo "strata peak RSS: $((RSS / 1024)) MiB"
