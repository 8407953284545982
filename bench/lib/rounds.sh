# rounds.sh — what the side-by-side benchmarks (bench/{fuse,webdav,ftp,smb}/run.sh) share: running
# their tests in rounds, and small helpers for ports and the page cache (at the end). Sourced after
# ROUNDS is set; the round helpers work on R[target,test,round] for rounds 1..ROUNDS.
# One sample swings by 2x on this VM with what ran just before it, so every script runs each test
# once per round on every target, the targets in a rotated order each round, and reports the median.
# Uploaded files are kept, not deleted: a peer's next upload would reuse the freed page-cache memory
# (cheap here) while strata's stay in its packs (nothing is freed before a prune), so strata alone
# would pay for fresh memory each round.

# rotated N ITEM...: the items in round N's order (rotated left by N-1)
rotated() {
  local n=$1; shift
  local items=("$@") k=$(( (n - 1) % $# ))
  echo "${items[@]:$k}" "${items[@]:0:$k}"
}

# summarize "TARGET..." "TEST...": sets M, LO and HI[target,test] to the median, lowest and highest of R over the rounds
summarize() {
  declare -gA M LO HI
  local t k n
  for t in $1; do
    for k in $2; do
      read -r "M[$t,$k]" "LO[$t,$k]" "HI[$t,$k]" < <(
        for n in $(seq 1 "$ROUNDS"); do echo "${R[$t,$k,$n]}"; done | sort -g |
          awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }')
    done
  done
}

# each_round PREPARE RUN "TEST..." TARGET...: for each round N, runs `PREPARE N` (new test data), then
# `RUN TARGET N` (which fills R[TARGET,TEST,N]) for every target in round N's order, and prints what it measured
each_round() {
  local prepare=$1 run=$2 tests=$3 n t k line; shift 3
  for n in $(seq 1 "$ROUNDS"); do
    "$prepare" "$n"
    for t in $(rotated "$n" "$@"); do
      echo "== round $n: $t" >&2
      "$run" "$t" "$n"
      line="$t round $n:"
      for k in $tests; do line+=" $k ${R[$t,$k,$n]}"; done
      echo "$line" >&2
    done
  done
}

# listening PORT: true when something accepts connections on 127.0.0.1:PORT
listening() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# wait_port PORT [TRIES]: waits up to TRIES × 0.1 s (default 200) for something to listen on PORT;
# fails, saying so, when nothing does
wait_port() {
  local _
  for _ in $(seq "${2:-200}"); do listening "$1" && return 0; sleep 0.1; done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# secs: the time now, in seconds; elapsed T0: seconds since T0 (from secs)
secs() { date +%s.%N; }
elapsed() { echo "$(secs) - $1" | bc; }

# free_port: a TCP port free on 127.0.0.1 just now
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# drop_caches: writes dirty pages out and empties the page cache (as root; a no-op otherwise)
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

# ports_free PORT...: exits 2 when something already listens on one of them (it, not the server this
# script starts, would then be measured).
ports_free() {
  local p
  for p in "$@"; do
    if listening "$p"; then
      echo "port $p on 127.0.0.1 is already in use: stop what listens there first" >&2
      exit 2
    fi
  done
}
