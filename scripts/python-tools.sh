#!/usr/bin/env bash
# Prints the path of a Python that has the tools the tests use from PyPI (listed in
# scripts/python-requirements.txt: deltalake and pyarrow as an independent reader of pond's
# Delta table, check-jsonschema for the workflow files, moto[server] as the S3 server of the
# replication tests). The virtualenv lives under
# ~/.cache/duckpond and is (re)made when the requirements change.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${DUCKPOND_PYENV:-$HOME/.cache/duckpond/pyenv}"
requirements="$here/python-requirements.txt"
stamp="$venv/.requirements"
if ! cmp -s "$requirements" "$stamp" || ! "$venv/bin/python" -c 'import deltalake' >/dev/null 2>&1; then
  # One installer at a time: test files run in parallel.
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if ! cmp -s "$requirements" "$stamp"; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$stamp"
  fi
fi
echo "$venv/bin/python"
