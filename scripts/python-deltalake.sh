#!/usr/bin/env bash
# Prints the path of a Python with the `deltalake` and `pyarrow` packages from PyPI, making
# a virtualenv under ~/.cache/duckpond on first use. Tests use it as an independent reader
# of pond's Delta table.
set -euo pipefail
venv="${DUCKPOND_PYENV:-$HOME/.cache/duckpond/pyenv}"
if ! "$venv/bin/python" -c 'import deltalake, pyarrow' >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'deltalake>=1.0' 'pyarrow>=15' >&2
fi
echo "$venv/bin/python"
