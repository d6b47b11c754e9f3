#!/usr/bin/env bash
# Back up the database with pg_dump (custom format) and the construction-problem photos (PHOTO_DIR, the one thing
# the app keeps on disk) as a tar archive, then prove both restore: the dump into a scratch database, every table's
# row count compared with the live one; the archive into a scratch folder, every file's checksum compared with the
# live one, and every photo the restored database names found in the restored archive. Exit non-zero if anything
# differs. PHOTO_DIR must be set (to the app's photo folder; an empty folder is fine).
#   DATABASE_URL=postgresql://user@host:5432/gongjian PHOTO_DIR=/data/photos deploy/backup.sh /backups
set -euo pipefail
url="${DATABASE_URL:?set DATABASE_URL}"
photos="${PHOTO_DIR:?set PHOTO_DIR to the photo folder of the app: construction-problem photos are backed up too}"
[ -d "$photos" ] || { echo "PHOTO_DIR $photos is not a folder" >&2; exit 1; }
dir="${1:-.}"
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file="$dir/gongjian-$stamp.dump"
archive="$dir/gongjian-photos-$stamp.tar.gz"
pg_dump --format=custom --no-owner --file="$file" "$url"
echo "backup: $file ($(du -h "$file" | cut -f1))"
# After the dump: a photo's file is written before its row commits, so the archive holds every photo the dump names.
tar -czf "$archive" -C "$photos" .
echo "backup: $archive ($(du -h "$archive" | cut -f1))"

scratch="gongjian_restore_check_$$"
base="${url%/*}"
unpacked="$(mktemp -d)"
psql -q "$base/postgres" -c "CREATE DATABASE $scratch" >/dev/null
trap 'psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null; rm -rf "$unpacked"' EXIT
pg_restore --no-owner --dbname="$base/$scratch" "$file"

counts() {
  psql -At "$1" -c "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1" |
    while read -r t; do echo "$t $(psql -At "$1" -c "SELECT count(*) FROM \"$t\"")"; done
}
if diff <(counts "$url") <(counts "$base/$scratch") >/dev/null; then
  echo "restore check: every table has the same rows ($(counts "$url" | wc -l) tables)"
else
  echo "restore check FAILED: row counts differ" >&2
  diff <(counts "$url") <(counts "$base/$scratch") >&2 || true
  exit 1
fi

tar -xzf "$archive" -C "$unpacked"
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
# Compare the archive's files with the live ones of the same names (a photo filed meanwhile is in the next backup).
restored="$(sums "$unpacked")"
if [ -n "$restored" ] && ! (cd "$photos" && sha256sum --check --quiet --strict -) <<<"$restored" >/dev/null 2>&1; then
  echo "restore check FAILED: restored photos differ from the live ones" >&2
  exit 1
fi
missing="$(comm -23 <(psql -At "$base/$scratch" -c "SELECT file_name FROM problem_photos ORDER BY 1" | sort) \
  <(cd "$unpacked" && find . -type f | sed 's|^\./||' | sort))"
if [ -n "$missing" ]; then
  echo "restore check FAILED: photos the database names are not in the archive:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "restore check: every photo restored ($(grep -c . <<<"$restored") files, each the database names among them)"
