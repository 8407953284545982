# pair.sh — sourced by bench/webdav/{warmup,get-cpu}.sh (after bench/lib/rounds.sh, with ROOT set):
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
