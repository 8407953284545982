#!/usr/bin/env bash
# small-ops.sh — per-command cost of small-file uploads over FTP on a fresh strata serve: N files
# (1–16 KiB of random bytes, 10 per directory) sent as lftp mirror -R does (MKD per directory,
# then PASV+STOR and MFMT per file), with Python's ftplib. Prints median latency per command and,
# with --strace, the fsync-family calls of the server per file.
#   bash bench/ftp/small-ops.sh [--files N] [--strace] [--same-content]
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES=500 STRACE=0 SAME=0
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES=$2; shift 2 ;;
    --strace) STRACE=1; shift ;;
    --same-content) SAME=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d /tmp/strata-ftpops-XXXXXX)
trap 'rm -rf "$W"' EXIT
export STRATA_PASSWORD=bench STRATA_LOG_LEVEL=warn STRATA_KDF_N=16384
node bin/strata.js init "$W/ar" >/dev/null 2>&1
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
if [ $STRACE = 1 ]; then
  strace -f -c -e trace=fsync,fdatasync,msync,sync_file_range -o "$W/strace.txt" node bin/strata.js serve "$W/ar" --ftp "127.0.0.1:$PORT" --user u:p >"$W/log" 2>&1 &
else
  node bin/strata.js serve "$W/ar" --ftp "127.0.0.1:$PORT" --user u:p >"$W/log" 2>&1 &
fi
P=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
/usr/bin/python3 - "$PORT" "$FILES" "$SAME" <<'PY'
import ftplib, io, random, statistics, sys, time
port, n, same = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
f = ftplib.FTP(); f.connect("127.0.0.1", port); f.login("u", "p"); f.mkd("/t")
rnd = random.Random(1)
ops = {"MKD": [], "PASV+STOR": [], "MFMT": []}
def timed(k, fn):
    a = time.perf_counter(); fn(); ops[k].append((time.perf_counter() - a) * 1000)
for i in range(n):
    d = f"/t/d{i // 10}"
    data = b"y" * 4000 if same else rnd.randbytes(rnd.randint(1024, 16384))
    if i % 10 == 0: timed("MKD", lambda: f.mkd(d))
    timed("PASV+STOR", lambda: f.storbinary(f"STOR {d}/f{i}", io.BytesIO(data)))
    timed("MFMT", lambda: f.sendcmd(f"MFMT 20200101000000 {d}/f{i}"))
f.quit()
print(f"{n} files; median ms: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in ops.items()))
PY
kill -TERM "$(pgrep -f "bin/strata.js serve $W/ar" | tail -1)"; wait "$P" || true
if [ $STRACE = 1 ]; then
  awk -v n="$FILES" '$NF ~ /^(fsync|fdatasync|msync|sync_file_range)$/ { printf "%s: %d calls, %.2f per file\n", $NF, $4, $4 / n }' "$W/strace.txt"
fi
