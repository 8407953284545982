# pair.sh — sourced by bench/webdav/{warmup,get-cpu,get-bounds}.sh (after bench/lib/rounds.sh, with ROOT set):
# a fresh strata serve and a fresh `rclone serve webdav` side by side on free loopback ports, user u:p,
# stopped and removed at exit.

# start_pair [NODE_FLAG...]: starts both in a new $WORK (node flags go to strata's node); sets SPORT and
# RPORT, SRV (strata's server process: bin/strata.js's child, bin/relaunch.js) and RPID (rclone's)
start_pair() {
  WORK=$(mktemp -d /tmp/strata-davpair.XXXXXX)
  PIDS=()
  trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
  export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn
  SPORT=$(free_port) RPORT=$(free_port)
  node "$ROOT/bin/strata.js" init "$WORK/ar" >/dev/null 2>&1
  node "$@" "$ROOT/bin/strata.js" serve "$WORK/ar" --webdav "127.0.0.1:$SPORT" --user u:p >"$WORK/strata.log" 2>&1 &
  local spid=$!
  PIDS+=($spid)
  mkdir -p "$WORK/rclone"
  rclone serve webdav "$WORK/rclone" --addr "127.0.0.1:$RPORT" --user u --pass p >"$WORK/rclone.log" 2>&1 &
  RPID=$!
  PIDS+=($RPID)
  local p
  for p in $SPORT $RPORT; do
    wait_port "$p" || { cat "$WORK"/*.log >&2; exit 1; }
  done
  SRV=$(pgrep -P "$spid" -x node || echo "$spid")
}

# ticks FILE: the CPU ticks (utime + stime) in FILE, a /proc/PID[/task/TID]/stat; TICK ticks make a second
TICK=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "$1"; }

# middle: the middle one of the numbers on stdin, one per line (of an even count, the lower middle)
middle() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# start_pair_with_big_file SCRIPT [--size-mb 1024] [--gets 5]: reads those options into SIZE_MB and GETS
# (anything else ends SCRIPT with exit 2), starts the pair and writes SIZE_MB MiB of random bytes to
# $WORK/big.bin
start_pair_with_big_file() {
  local script=$1
  shift
  SIZE_MB=1024 GETS=5
  while [[ $# -gt 0 ]]; do
    case $1 in
      --size-mb) SIZE_MB=$2; shift 2 ;;
      --gets) GETS=$2; shift 2 ;;
      *) echo "$script: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  start_pair
  head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/big.bin"
}
