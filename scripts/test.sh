#!/usr/bin/env bash
# test.sh - runs revpack's whole test suite, as CI does (.ci/run calls it).
#
# Installs what a fresh Debian 12 machine lacks, starts the throwaway
# MariaDB and PostgreSQL servers (scripts/servers.sh), builds twice (warnings
# as errors; then AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# every CTest test in both builds: labels unit, cli and integration.
# Tests labelled "slow" run only with REVPACK_SLOW=1.
#
# Usage: scripts/test.sh            (as root)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/install-deps.sh
bash scripts/servers.sh start

exclude=(-LE slow)
[ "${REVPACK_SLOW:-0}" = 1 ] && exclude=()

status=0
for variant in release asan; do
	dir=build-test-$variant
	if [ $variant = asan ]; then
		flags=(-DCMAKE_BUILD_TYPE=Debug -DREVPACK_SANITIZE=ON)
	else
		flags=(-DCMAKE_BUILD_TYPE=Release)
	fi
	echo "== build ($variant)"
	cmake -S . -B "$dir" -DREVPACK_WERROR=ON "${flags[@]}" >/dev/null
	cmake --build "$dir" -j "$jobs"
	echo "== tests ($variant)"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		ctest --test-dir "$dir" --output-on-failure "${exclude[@]}" || status=1
done
exit $status
