#!/usr/bin/env bash
# cpu.sh — CPU seconds the strata server spends per GiB moved by smbclient put and get (all its threads:
# /proc/PID/stat utime + stime), for comparing changes on a machine whose wall clock others share.
#
#   bench/smb/cpu.sh [--size-mb N] [--rounds N] [--gets N] [--dialect SMB3_11] [--encrypt] [--threads]
#                    [--workdir DIR] [--node-opts "..."]
#
# One fresh plain archive, one server (`strata serve --smb`, signing required); each round puts a new
# file of N MiB of random bytes and gets it back (--gets N times, into /dev/null; then once into a file,
# untimed, checked with cmp). Prints one line per round and operation: wall seconds, MB/s, server CPU
# seconds and CPU s/GiB (--threads: also user and system time of each thread busy for 50 ms or more).
# --node-opts passes flags to the server's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" or
# "--trace-gc"; its output: $WORK/strata.log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=1024 ROUNDS=2 DIALECT=SMB3_11 ENCRYPT="" NODE_OPTS="" WORK="" THREADS="" GETS=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --dialect) DIALECT=$2; shift 2 ;;
    --encrypt) ENCRYPT=1; shift ;;
    --node-opts) NODE_OPTS=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --threads) THREADS=1; shift ;;
    --gets) GETS=$2; shift 2 ;;
    -h|--help) sed -n "2,14p" "$0"; exit 0 ;;
    *) echo "cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

SPID=""
cleanup() {
  if [[ -n $SPID ]]; then kill -INT "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
  [[ -n ${OWN_WORK:-} ]] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/strata-smbcpu.XXXXXX); OWN_WORK=1; else mkdir -p "$WORK"; fi
export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn
PORT=$((20000 + RANDOM % 20000))
rm -rf "$WORK/arch"
node "$ROOT/bin/strata.js" init "$WORK/arch" >/dev/null 2>&1
# shellcheck disable=SC2086
node $NODE_OPTS "$ROOT/bin/strata.js" serve "$WORK/arch" --smb 127.0.0.1:$PORT --user benchu:benchp >"$WORK/strata.log" 2>&1 &
SPID=$!
for _ in $(seq 1 200); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
# the server runs in a child node that bin/strata.js starts with heap flags (bin/relaunch.js)
SRV=$(pgrep -P "$SPID" -x node || echo "$SPID")

cpu() { awk '{ print $14 + $15 }' "/proc/$SRV/stat"; }
# threads: "tid user sys" ticks of every thread (all are named "node": the main thread's tid is the pid; the
# others are worker threads, libuv's pool and V8's platform threads)
threads() { for t in /proc/$SRV/task/*; do printf '%s\t%s\n' "${t##*/}" "$(cut -d' ' -f14,15 "$t/stat" | tr ' ' '\t')"; done 2>/dev/null | sort; }
TICK=$(getconf CLK_TCK)
smb=(smbclient //127.0.0.1/share -p "$PORT" -U benchu%benchp -m "$DIALECT" --option='client signing=required')
[[ -n $ENCRYPT ]] && smb+=(--client-protection=encrypt)
measure() { # LABEL COMMAND
  local label=$1 c0 c1 t0 t1
  sync # no dirty pages of the step before: they slowed the client writing a get to disk 2-4x
  c0=$(cpu); [[ -n $THREADS ]] && threads >"$WORK/th0"; t0=$(date +%s.%N)
  "${smb[@]}" -c "$2" >/dev/null 2>&1
  t1=$(date +%s.%N); sleep 0.5; c1=$(cpu); [[ -n $THREADS ]] && threads >"$WORK/th1"
  awk -v l="$label" -v w="$(echo "$t1 - $t0" | bc)" -v c="$(( c1 - c0 ))" -v t="$TICK" -v mb="$SIZE_MB" \
    'BEGIN { s = c / t; printf "%-6s %7.2f s wall %7.1f MB/s   server CPU %6.2f s  %5.2f s/GiB\n", l, w, mb * 1.048576 / w, s, s * 1024 / mb }'
  if [[ -n $THREADS ]]; then
    join -t $'\t' -a 2 -e 0 -o 0,1.2,1.3,2.2,2.3 "$WORK/th0" "$WORK/th1" |
      awk -F'\t' -v t="$TICK" -v main="$SRV" '{ u = ($4 - $2) / t; s = ($5 - $3) / t; if (u + s >= 0.05) printf "         %-8s %-6s user %5.2f s  sys %5.2f s\n", $1 == main ? "main" : "thread", $1, u, s }'
  fi
}
for r in $(seq 1 "$ROUNDS"); do
  head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/src" # fresh bytes: nothing deduplicates
  measure put "put $WORK/src big$r.bin"
  # Timed into /dev/null (the client writing a new 1 GiB file made the first get of a run 2-3x slower,
  # whichever server went first), then once into a file, untimed, to compare.
  for _ in $(seq 1 "$GETS"); do measure get "get big$r.bin /dev/null"; done
  rm -f "$WORK/back"
  "${smb[@]}" -c "get big$r.bin $WORK/back" >/dev/null 2>&1
  cmp -s "$WORK/src" "$WORK/back" || { echo "cpu.sh: round trip differs" >&2; exit 1; }
done
