#!/usr/bin/env bash
# e-SPM backup: the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT) in one timestamped
# archive, with a manifest of SHA-256 sums that restore.sh checks. docs/OPERATIONS.md describes both.
#
#   DATABASE_URL=postgres://user:pass@host:5432/espm MEDIA_ROOT=/app/media BACKUP_DIR=/backups ops/backup.sh
#
# Prints the archive's path. The archive holds personal data (NIK): it is written readable by its owner only.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL harus diisi (postgres://...)}"
MEDIA_ROOT=${MEDIA_ROOT:-media}
BACKUP_DIR=${BACKUP_DIR:-backups}
umask 077

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: hanya PostgreSQL yang didukung (DATABASE_URL=postgres://...)" >&2; exit 2 ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
work=$(mktemp -d "$BACKUP_DIR/.espm-$stamp.XXXXXX")
trap 'rm -rf "$work"' EXIT

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$work/database.dump"

if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$work/media.tar.gz" .
else
  tar -czf "$work/media.tar.gz" -T /dev/null
fi

{
  echo "created_at=$stamp"
  echo "pg_dump=$(pg_dump --version)"
  (cd "$work" && sha256sum database.dump media.tar.gz)
} > "$work/MANIFEST"

archive="$BACKUP_DIR/espm-$stamp.tar"
tar -C "$work" -cf "$archive.partial" MANIFEST database.dump media.tar.gz
mv "$archive.partial" "$archive"  # a half-written archive never carries the final name
echo "$archive"
