#!/usr/bin/env bash
# Back up the database with pg_dump (custom format), then prove the file restores: into a scratch database,
# compare every table's row count with the live one, drop the scratch database. Exit non-zero if anything differs.
#   DATABASE_URL=postgresql://user@host:5432/gongjian deploy/backup.sh /backups
set -euo pipefail
url="${DATABASE_URL:?set DATABASE_URL}"
dir="${1:-.}"
mkdir -p "$dir"
file="$dir/gongjian-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file" "$url"
echo "backup: $file ($(du -h "$file" | cut -f1))"

scratch="gongjian_restore_check_$$"
base="${url%/*}"
psql -q "$base/postgres" -c "CREATE DATABASE $scratch" >/dev/null
trap 'psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null' EXIT
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
