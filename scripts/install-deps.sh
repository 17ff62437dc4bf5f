#!/usr/bin/env bash
# install-deps.sh - install every Debian 12 package revpack needs to build,
# test and run its database fixtures.
#
# Usage (as root):  scripts/install-deps.sh
#   REVPACK_EXTRA_PACKAGES="pkg1 pkg2"   also install these packages
#
# Idempotent: when every package is already installed it only asks dpkg and
# returns. Otherwise it runs `apt-get update` once and `apt-get install`, with
# a temporary /usr/sbin/policy-rc.d that forbids package scripts to start
# services (mariadb-server and postgresql would start system servers). Any
# policy-rc.d that was there before is put back afterwards, also on failure.
set -euo pipefail

readonly POLICY=/usr/sbin/policy-rc.d
readonly POLICY_SAVED=/usr/sbin/policy-rc.d.revpack-saved
readonly POLICY_MARKER='# temporary policy written by revpack scripts/install-deps.sh'

packages=(
  build-essential cmake pkg-config
  libmariadb-dev libpq-dev libxml2-dev libxml2-utils libzip-dev libssl-dev
  libcmocka-dev
  mariadb-server mariadb-client postgresql postgresql-client
  python3 zip unzip p7zip-full libarchive-tools
  time mydumper strace
  wordpress php-cli php-mysql
  chromium
  libreoffice-calc-nogui
)

die() { printf 'install-deps.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'install-deps.sh: %s\n' "$*" >&2; }

if [[ -n ${REVPACK_EXTRA_PACKAGES:-} ]]; then
  read -r -a extra <<<"$REVPACK_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

# A package counts as present only when dpkg says "installed" (not merely
# unpacked, half-configured or removed with its config files kept).
missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  note "all ${#packages[@]} packages already installed, nothing to do"
  exit 0
fi

((EUID == 0)) || die "must run as root to install: ${missing[*]}"
command -v apt-get >/dev/null || die "apt-get not found (this script is for Debian 12)"

# If an earlier run was killed before it could clean up, our temporary policy
# is still in place and the original sits in the saved copy: put it back.
if [[ -e $POLICY_SAVED || -L $POLICY_SAVED ]] && grep -qF "$POLICY_MARKER" "$POLICY" 2>/dev/null; then
  note "restoring $POLICY left behind by an interrupted run"
  mv -f "$POLICY_SAVED" "$POLICY"
fi

had_policy=false
restore_policy() {
  if [[ $had_policy == true ]]; then
    mv -f "$POLICY_SAVED" "$POLICY"
  else
    rm -f "$POLICY"
  fi
}

if [[ -e $POLICY || -L $POLICY ]]; then
  mv -f "$POLICY" "$POLICY_SAVED"
  had_policy=true
fi
trap restore_policy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

printf '#!/bin/sh\n%s\n# 101: action forbidden by policy (no service starts during the install)\nexit 101\n' \
  "$POLICY_MARKER" >"$POLICY"
chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
note "installing: ${missing[*]}"
apt-get update
apt-get install -y --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}"
note "done"
