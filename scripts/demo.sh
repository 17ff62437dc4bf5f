#!/usr/bin/env bash
# demo.sh - the main job, end to end, on the bundled fixture site.
#
# Installs what is missing, builds revpack, starts the throwaway servers,
# loads the fixture site (fixtures/: the WordPress site on MariaDB and the
# customer area on PostgreSQL), exports both into one new package under
# out/, verifies the package and prints where it is.
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
build/revpack export \
	--mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" \
	--mysql "wp=mysql://revpack@127.0.0.1:$REVPACK_MARIADB_PORT/wordpress" \
	--pgsql "espace=host=127.0.0.1 port=$REVPACK_PG_PORT user=revpack dbname=customer_area" \
	--organization "Mutuelle Exemple Assurances" \
	-o "$pkg"
echo
echo "== revpack verify"
build/revpack verify "$pkg"
echo
echo "The package is in $repo/$pkg"
