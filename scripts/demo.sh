#!/usr/bin/env bash
# demo.sh - the main job, end to end, on the bundled fixture site.
#
# Installs what is missing, builds revpack, starts the throwaway servers,
# loads the fixture site (fixtures/: the WordPress site on MariaDB, the
# customer area on PostgreSQL, the media uploads), exports all of it into one
# new package folder under out/ and verifies it, then exports it again as
# one ZIP with its .zip.sha256, checks that with sha256sum -c and verifies
# the ZIP in place; prints where both are.
#
# Usage: scripts/demo.sh            (as root)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
cd "$repo"

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
bash scripts/servers.sh start
bash scripts/load-fixtures.sh
eval "$(bash scripts/servers.sh env)"

mkdir -p out
pkg=out/mutuelle-exemple-$(date -u +%Y%m%dT%H%M%SZ)
echo
echo "== revpack export"
export PGPASSFILE=$REVPACK_PG_PASSFILE
sources=(
	--mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF"
	--mysql "wp=mysql://revpack@127.0.0.1:$REVPACK_MARIADB_PORT/wordpress"
	--pgsql "espace=host=127.0.0.1 port=$REVPACK_PG_PORT user=revpack dbname=customer_area"
	--media "uploads=fixtures/media/uploads"
	--organization "Mutuelle Exemple Assurances"
)
build/revpack export "${sources[@]}" -o "$pkg"
echo
echo "== revpack verify (the folder)"
build/revpack verify "$pkg"
echo
echo "== revpack export, the same as one ZIP, then sha256sum -c and revpack verify in place"
build/revpack export "${sources[@]}" -o "$pkg.zip"
(cd out && sha256sum -c "$(basename "$pkg").zip.sha256")
build/revpack verify "$pkg.zip"
echo
echo "The package is in $repo/$pkg (folder) and $repo/$pkg.zip (+ .zip.sha256)"
echo "Its guide for the recipient: $repo/$pkg/data/index.html (open it in any browser)"
