#!/usr/bin/env bash
# e-SPM restore: an archive written by backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://user:pass@host:5432/espm_baru MEDIA_ROOT=/app/media ops/restore.sh espm-<time>.tar
#
# Refuses a database that already has tables (restoring over live data would mix two states), checks the
# manifest's SHA-256 sums first, and restores in one transaction: either all of it or nothing.
set -euo pipefail

archive=${1:?"pemakaian: restore.sh ARSIP.tar"}
: "${DATABASE_URL:?DATABASE_URL harus diisi (postgres://...)}"
MEDIA_ROOT=${MEDIA_ROOT:-media}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xf "$archive"
(cd "$work" && grep -E '^[0-9a-f]{64}  ' MANIFEST | sha256sum --check --quiet) || {
  echo "restore.sh: arsip rusak (checksum tidak cocok)" >&2
  exit 3
}

tables=$(psql "$DATABASE_URL" -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
  echo "restore.sh: basis data tujuan tidak kosong ($tables tabel); pulihkan ke basis data baru" >&2
  exit 4
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore.sh: folder media tujuan tidak kosong: $MEDIA_ROOT" >&2
  exit 4
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" \
  "$work/database.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$work/media.tar.gz"
echo "restore.sh: dipulihkan dari $archive"
