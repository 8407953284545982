# lib.sh — what the FUSE benchmarks share; sourced by run.sh, lstat-floor.sh and sched-ab.sh from the
# repository root. The caller sets WORK (its scratch directory) and appends to `pids` (the mount
# processes it starts) and `mounts` (their mountpoints); on exit everything is stopped, unmounted and
# WORK removed.
PY=/usr/bin/python3
pids=()
mounts=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 2
  for m in "${mounts[@]}"; do fusermount -uz "$m" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
wait_mounted() { for _ in $(seq 1 200); do mountpoint -q "$1" && return 0; sleep 0.1; done; echo "mount at $1 did not come up" >&2; exit 1; }

# make_git_tree DIR N: N small text files in directories of 100, committed to a new git repository.
make_git_tree() {
  $PY - "$1" "$2" <<'PYEOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
        f.write(f"file {i}\n" * 8)
PYEOF
  (cd "$1" && git init -q && git add -A && git -c user.name=b -c user.email=b@example.com commit -qm tree)
}

# make_source_tar OUT: a tarball of this repository's sources and node_modules, without symlinks or
# hard links (rclone mount can create neither).
make_source_tar() {
  tar cf "$1" --hard-dereference --exclude=.git --exclude=node_modules/.bin core cli protocols mount test node_modules
}

# small_files DIR N: N rounds of create + write 100 bytes + close + stat + unlink in DIR (created);
# prints the seconds taken.
small_files() {
  $PY - "$1" "$2" <<'PYEOF'
import os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
t = time.perf_counter()
for i in range(n):
    p = os.path.join(root, f"s{i}")
    with open(p, "wb") as f:
        f.write(b"x" * 100)
    os.stat(p)
    os.unlink(p)
print(f"{time.perf_counter() - t:.3f}")
PYEOF
}
