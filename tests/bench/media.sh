#!/usr/bin/env bash
# media.sh - revpack's media benchmark: export and verify of an uploads tree
# against cp + sha256sum, zip -0 -r and sha256sum -c, in one run.
#
# Usage: tests/bench/media.sh [--size MB] [--repeat N]
#
#   --size MB    size of the generated tree (default 1000: about 1 GB)
#   --repeat N   rounds (default 3); medians are reported
#
# The tree is made by gen_media.py (WordPress uploads: images and their
# thumbnails, PDF, office files, videos, some text) in
# $REVPACK_BENCH_DIR/revpack-media-<MB>-<seed> and kept for later runs.
# Every round runs, in this order, under GNU time:
#   cp -r TREE COPY, then sha256sum of every file    (reference for export)
#   sha256sum -c of those sums, in COPY               (reference for verify)
#   zip -0 -r OUT.zip TREE                            (reference for the zip)
#   revpack export --media uploads=TREE -o OUT        (a folder package)
#   revpack verify OUT
#   revpack export --media uploads=TREE -o OUT.zip    (a zip, and OUT.zip.sha256)
#   revpack verify OUT.zip                            (in place, with the sidecar)
# Targets (issue 6): export to a zip no slower than zip -0 -r (which hashes
# nothing); verify at least 4x faster than sha256sum -c; peak RSS < 64 MiB.
#
# Environment: REVPACK_BIN (default build/revpack, built in Release when
# missing), REVPACK_BENCH_DIR (default $TMPDIR or /tmp), REVPACK_BENCH_SEED
# (default 20241).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$here/lib.sh"
prog=media.sh

size=1000
repeat=3
while (($#)); do
  case $1 in
    --size) (($# >= 2)) || usage_from "$0" 2 18; size=$2; shift 2 ;;
    --repeat) (($# >= 2)) || usage_from "$0" 2 18; repeat=$2; shift 2 ;;
    -h | --help) usage_from "$0" 2 18 0 ;;
    *) usage_from "$0" 2 18 ;;
  esac
done
[[ $size =~ ^[1-9][0-9]*$ ]] || die "--size must be a positive number of MB"
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer"
for t in /usr/bin/time zip sha256sum python3; do
  command -v "$t" >/dev/null || die "$t not found: scripts/install-deps.sh"
done
seed=${REVPACK_BENCH_SEED:-20241}
bin=$(revpack_bin)

parent=${REVPACK_BENCH_DIR:-${TMPDIR:-/tmp}}
tree=$parent/revpack-media-$size-$seed
marker="gen_media.py $(sha256sum "$here/gen_media.py" | cut -c1-16) size=$size seed=$seed"
if [[ ! -f $tree.done || $(cat "$tree.done") != "$marker" ]]; then
  note "generating the tree $tree"
  rm -rf "$tree" "$tree.done"
  python3 "$here/gen_media.py" "$size" "$tree" "$seed" >/dev/null
  printf '%s\n' "$marker" >"$tree.done"
fi
scratch=$(mktemp -d "$parent/revpack-media-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results.txt
: >"$results"

label() {
  case $1 in
    cp_sha) echo "cp -r + sha256sum" ;;
    sha_c) echo "sha256sum -c" ;;
    zip0) echo "zip -0 -r" ;;
    rp_dir) echo "revpack export --media (folder)" ;;
    rp_vdir) echo "revpack verify (folder)" ;;
    rp_zip) echo "revpack export --media (zip)" ;;
    rp_vzip) echo "revpack verify (zip)" ;;
  esac
}
tools="cp_sha sha_c zip0 rp_dir rp_vdir rp_zip rp_vzip"

tool_cmd() { # tool
  local s=$scratch
  case $1 in
    cp_sha) CMD=(bash -c 'cp -r "$1" "$2/copy" && cd "$2/copy" && find . -type f -print0 | xargs -0 sha256sum >"$2/sums"' _ "$tree" "$s") ;;
    sha_c) CMD=(bash -c 'cd "$1/copy" && sha256sum -c --quiet "$1/sums"' _ "$s") ;;
    zip0) CMD=(bash -c 'cd "$(dirname "$1")" && zip -0 -r -q "$2/z.zip" "$(basename "$1")"' _ "$tree" "$s") ;;
    rp_dir) CMD=("$bin" export --media "uploads=$tree" -q -o "$s/pkg") ;;
    rp_vdir) CMD=("$bin" verify -q "$s/pkg") ;;
    rp_zip) CMD=("$bin" export --media "uploads=$tree" -q -o "$s/pkg.zip") ;;
    rp_vzip) CMD=("$bin" verify -q "$s/pkg.zip") ;;
  esac
}
# What a tool's output is, to be measured and removed once read.
outputs_after() {
  case $1 in
    sha_c) echo "$scratch/copy $scratch/sums" ;;
    zip0) echo "$scratch/z.zip" ;;
    rp_vdir) echo "$scratch/pkg" ;;
    rp_vzip) echo "$scratch/pkg.zip $scratch/pkg.zip.sha256" ;;
  esac
}
out_bytes() {
  case $1 in
    cp_sha) du -sb "$scratch/copy" | cut -f1 ;;
    zip0) stat -c %s "$scratch/z.zip" ;;
    rp_dir) du -sb "$scratch/pkg" | cut -f1 ;;
    rp_zip) stat -c %s "$scratch/pkg.zip" ;;
    *) echo 0 ;;
  esac
}

echo "revpack media benchmark: $size MB tree, $repeat rounds"
echo
describe_machine_common "$scratch"
printf '  revpack         %s (%s)\n' "$("$bin" --version 2>&1 | head -n 1)" "$bin"
printf '  zip             %s\n' "$(zip -v | sed -n 2p | sed 's/^ *//')"
printf '  sha256sum       %s\n' "$(sha256sum --version | head -n 1)"
echo
printf 'Tree: %s files, %s bytes, in %s\n' "$(find "$tree" -type f | wc -l)" "$(du -sb "$tree" | cut -f1)" "$tree"

find "$tree" -type f -exec cat {} + >/dev/null # a warm cache for every tool
for ((r = 1; r <= repeat; r++)); do
  for t in $tools; do
    tool_cmd "$t"
    sync
    /usr/bin/time -f '%e %U %S %M' -o "$scratch/time.txt" -- "${CMD[@]}" >"$scratch/log.txt" 2>&1 ||
      { tail -n 20 "$scratch/log.txt" >&2; die "$(label "$t") failed: ${CMD[*]}"; }
    printf '%s %s %s %s\n' "$t" "$r" "$(tail -n 1 "$scratch/time.txt")" "$(out_bytes "$t")" >>"$results"
    read -r w u s m <"$scratch/time.txt"
    note "$(printf 'round %d  %-32s wall %6.2f s  cpu %6.2f s  rss %6.1f MiB' "$r" "$(label "$t")" \
      "$w" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$(awk -v m="$m" 'BEGIN{print m/1024}')")"
    # shellcheck disable=SC2046
    rm -rf $(outputs_after "$t")
  done
done

col() { awk -v t="$1" -v f="$2" '$1 == t { print $f }' "$results"; }
med_wall() { col "$1" 3 | median; }
med_cpu() { awk -v t="$1" '$1 == t { print $4 + $5 }' "$results" | median; }
max_rss() { col "$1" 6 | sort -g | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }'; }
ratio() { awk -v a="$(med_wall "$1")" -v b="$(med_wall "$2")" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "Results ($repeat rounds; wall and CPU: median; peak RSS: highest round)"
printf '  %-34s %8s %8s %10s %10s\n' tool "wall s" "CPU s" "peak RSS" "output"
printf '  %-34s %8s %8s %10s %10s\n' "" "" "(u+s)" "MiB" "MB"
for t in $tools; do
  printf '  %-34s %8.2f %8.2f %10s %10s\n' "$(label "$t")" "$(med_wall "$t")" "$(med_cpu "$t")" "$(max_rss "$t")" \
    "$(col "$t" 7 | median | awk '{ v = $1 / 1e6; if (v == 0) print "-"; else printf "%.0f", v }')"
done
echo
echo "Ratios of median wall times"
printf '  %-54s %6s\n' "revpack export, folder / cp -r + sha256sum" "$(ratio rp_dir cp_sha)"
printf '  %-54s %6s\n' "revpack verify, folder / sha256sum -c" "$(ratio rp_vdir sha_c)"
echo
echo "Targets (issue 6)"
: >"$scratch/verdicts"
r=$(ratio rp_zip zip0)
verdict_to "$scratch/verdicts" "$(printf '  export to a zip / zip -0 -r       %6s, target <= 1.0' "$r")" \
  "$(awk -v r="$r" 'BEGIN { print (r <= 1.0) ? 1 : 0 }')"
r=$(ratio rp_vzip sha_c)
verdict_to "$scratch/verdicts" "$(printf '  verify of the zip / sha256sum -c  %6s, target <= 0.25 (4x faster)' "$r")" \
  "$(awk -v r="$r" 'BEGIN { print (r <= 0.25) ? 1 : 0 }')"
for t in rp_dir rp_vdir rp_zip rp_vzip; do
  m=$(max_rss "$t")
  verdict_to "$scratch/verdicts" "$(printf '  %-32s peak RSS %6s MiB, target < 64' "$(label "$t")" "$m")" \
    "$(awk -v m="$m" 'BEGIN { print (m < 64) ? 1 : 0 }')"
done
printf 'Targets met: %s of %s\n' "$(grep -c PASS "$scratch/verdicts" || true)" "$(wc -l <"$scratch/verdicts")"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
