#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing: zsh and fish (the
# completion scripts run in them). Needs root (or sudo); prints what it does on stderr.
set -euo pipefail
packages=()
for tool in zsh fish; do command -v "$tool" >/dev/null 2>&1 || packages+=("$tool"); done
[ ${#packages[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "system-tools: need root to install ${packages[*]}" >&2
    exit 1
  fi
fi
echo "system-tools: installing ${packages[*]}" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
