#!/usr/bin/env bash
# small-ops.sh — per-command cost of small-file uploads over FTP, on a fresh strata serve and, side by
# side in the same run, on `rclone serve ftp` over an empty directory (rclone-with-ftp.sh): N files
# (1–16 KiB of random bytes, 10 per directory) sent as lftp mirror -R does (MKD per directory, then
# PASV+STOR and MFMT per file), with Python's ftplib, then read back as lftp mirror does (TYPE I,
# PASV+RETR per file; ftplib sends TYPE I before each) --read-passes times (default 3: the later
# passes show a server whose code the JIT has optimised), then N lone PASV commands. rclone has no
# MFMT (it answers 500), so that column is n/a there. Prints median latency per command, with ratios
# (strata over rclone), and, with --strace, the fsync-family calls of each server per file. Last, with
# no server running, the floor of a durable small upload on the same filesystem (durable-floor.mjs: a
# pack fdatasync, then an LMDB commit), which strata pays before each 226 and rclone, which makes no
# fsync, does not.
#   bash bench/ftp/small-ops.sh [--files N] [--strace] [--same-content] [--read-passes N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/rounds.sh
FILES=500 STRACE=0 SAME=0 PASSES=3
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES=$2; shift 2 ;;
    --strace) STRACE=1; shift ;;
    --same-content) SAME=1; shift ;;
    --read-passes) PASSES=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
RCLONE=$(bash bench/ftp/rclone-with-ftp.sh)
W=$(mktemp -d /tmp/strata-ftpops-XXXXXX)
PIDS=()
# stop_servers: SIGTERM to each server (to the traced program itself under strace, which then exits
# and writes its counts), then waits for them
stop_servers() {
  local p
  for p in "${PIDS[@]}"; do
    pkill -TERM -P "$p" 2>/dev/null || true
    [ $STRACE = 1 ] || kill -TERM "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  PIDS=()
}
cleanup() {
  stop_servers
  rm -rf "$W"
}
trap cleanup EXIT
# traced NAME CMD...: runs CMD in the background, under strace -f -c when --strace was given
traced() {
  local name=$1; shift
  if [ $STRACE = 1 ]; then strace -f -c -e trace=fsync,fdatasync,msync,sync_file_range -o "$W/$name.strace" "$@" >"$W/$name.log" 2>&1 &
  else "$@" >"$W/$name.log" 2>&1 &
  fi
  PIDS+=($!)
}
export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn STRATA_KDF_N=16384
node bin/strata.js init "$W/ar" >/dev/null 2>&1
mkdir -p "$W/rclone"
SPORT=$(free_port) RPORT=$(free_port)
traced strata node bin/strata.js serve "$W/ar" --ftp "127.0.0.1:$SPORT" --user u:p
traced rclone "$RCLONE" serve ftp "$W/rclone" --addr "127.0.0.1:$RPORT" --user u --pass p
for p in $SPORT $RPORT; do
  wait_port "$p" 100 || { cat "$W"/*.log >&2; exit 1; }
done
/usr/bin/python3 - "$SPORT" "$RPORT" "$FILES" "$SAME" "$PASSES" <<'PY'
import ftplib, io, random, statistics, sys, time
sport, rport, n, same, passes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
def run(port):
    f = ftplib.FTP(); f.connect("127.0.0.1", port); f.login("u", "p"); f.mkd("/t")
    rnd = random.Random(1)
    ops = {"MKD": [], "PASV+STOR": [], "MFMT": [], "PASV": []}
    ops.update({f"PASV+RETR, pass {k + 1}": [] for k in range(passes)})
    mfmt = True
    def timed(k, fn):
        a = time.perf_counter(); fn(); ops[k].append((time.perf_counter() - a) * 1000)
    for i in range(n):
        d = f"/t/d{i // 10}"
        data = b"y" * 4000 if same else rnd.randbytes(rnd.randint(1024, 16384))
        if i % 10 == 0: timed("MKD", lambda: f.mkd(d))
        timed("PASV+STOR", lambda: f.storbinary(f"STOR {d}/f{i}", io.BytesIO(data)))
        if mfmt:
            try: timed("MFMT", lambda: f.sendcmd(f"MFMT 20200101000000 {d}/f{i}"))
            except ftplib.error_perm as e:
                if not str(e).startswith("500"): raise
                mfmt = False
    for k in range(passes):
        for i in range(n):
            timed(f"PASV+RETR, pass {k + 1}", lambda: f.retrbinary(f"RETR /t/d{i // 10}/f{i}", lambda b: None))
    # rclone keeps each unused passive listener open for a while and, out of ports, answers 425: the
    # lone PASVs stop there (counted below) rather than ending the run.
    for i in range(n):
        try: timed("PASV", lambda: f.sendcmd("PASV"))
        except ftplib.error_temp:
            refused[port] = n - i
            break
    f.quit()
    return {k: statistics.median(v) if v else None for k, v in ops.items()}
refused = {}
s, r = run(sport), run(rport)
cell = lambda v: "n/a" if v is None else f"{v:.2f} ms"
ratio = lambda a, b: "n/a" if a is None or b is None else f"{a / b:.2f}x"
print(f"{n} files of {'4000 identical' if same else '1-16 KiB random'} bytes; median per command (ratio: strata's time over rclone's)")
print("| command | strata | rclone serve ftp | strata/rclone |")
print("|---|---:|---:|---:|")
for k in ("PASV+STOR", "MFMT", "MKD", *(f"PASV+RETR, pass {k + 1}" for k in range(passes)), "PASV"):
    print(f"| {k} | {cell(s[k])} | {cell(r[k])} | {ratio(s[k], r[k])} |")
for port, name in ((sport, "strata"), (rport, "rclone")):
    if port in refused: print(f"({name} answered 425 to a lone PASV: its last {refused[port]} of {n} were not sent)")
PY
stop_servers
FLOOR=$(node bench/ftp/durable-floor.mjs "$W" "$FILES")
floor() { awk -v k="$1" '$1 == k { print $2 }' <<<"$FLOOR"; }
echo "| durable floor, no FTP: pack fdatasync $(floor pack) ms, then LMDB commit $(floor index) ms | $(floor both) ms | none | n/a |"
if [ $STRACE = 1 ]; then
  for name in strata rclone; do
    calls=$(awk '$NF ~ /^(fsync|fdatasync|msync|sync_file_range)$/ { n += $4 } END { print n + 0 }' "$W/$name.strace")
    awk -v n="$FILES" -v c="$calls" -v s="$name" 'BEGIN { printf "%s: %d fsync-family calls, %.2f per file\n", s, c, c / n }'
  done
fi
