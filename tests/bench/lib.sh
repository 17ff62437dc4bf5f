# lib.sh - shell functions shared by the benchmark runners (sourced).
# The runner sets $prog (its name, for messages) and $repo before use.

die() { printf '%s: error: %s\n' "${prog:-bench}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${prog:-bench}" "$*" >&2; }

# Prints lines FIRST..LAST of FILE's header comment as the usage and exits
# with CODE (default 2).
usage_from() { # file first last [code]
  sed -n "$2,$3p" "$1" | sed 's/^# \{0,1\}//' >&2
  exit "${4:-2}"
}

# Median of the numbers on stdin (mean of the two middle ones when even).
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Appends PASS or FAIL to FILE and prints TEXT with it.
verdict_to() { # file text pass(0/1)
  if [[ $3 == 1 ]]; then echo PASS >>"$1"; printf '%s  PASS\n' "$2"
  else echo FAIL >>"$1"; printf '%s  FAIL\n' "$2"; fi
}

# The revpack to time: $REVPACK_BIN, or build/revpack (built in Release
# when missing). Prints its absolute path.
revpack_bin() {
  local bin=${REVPACK_BIN:-$repo/build/revpack}
  if [[ ! -x $bin ]]; then
    [[ -z ${REVPACK_BIN:-} ]] || die "REVPACK_BIN=$REVPACK_BIN is not an executable"
    note "no $bin: building it (Release)"
    # Warnings are not errors here: a benchmark build must not stop on one.
    cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release -DREVPACK_WERROR=OFF >&2
    cmake --build "$repo/build" -j2 >&2
  fi
  echo "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
}

# The machine, as the reports print it; DIR is the scratch directory.
describe_machine_common() { # dir
  local model mem os
  model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  # shellcheck disable=SC1091
  os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
  echo "Machine"
  printf '  date (UTC)      %s\n' "$(date -u '+%Y-%m-%d %H:%M')"
  printf '  CPU             %s x %s\n' "$(nproc)" "${model:-unknown}"
  printf '  memory          %s\n' "$mem"
  printf '  system          %s, Linux %s\n' "${os:-unknown}" "$(uname -r)"
  printf '  scratch disk    %s\n' "$(df -h --output=source,fstype,size,avail "$1" | tail -n 1 | tr -s ' ')"
  printf '  load average    %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '  repository      %s at %s\n' "$repo" "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
}
