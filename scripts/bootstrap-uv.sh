#!/usr/bin/env bash
# Installs uv into a private virtual environment (.build/uv-bootstrap) when no uv is on PATH.
#
# Why a private venv: Debian and Ubuntu mark their python3 as externally managed (PEP 668,
# https://peps.python.org/pep-0668/), so `pip install uv` into it is refused, and
# `--break-system-packages` / `--user` would change the user's system Python for this project.
# A venv is exempt from the marker (pip skips the check under a virtual environment:
# pip/_internal/utils/misc.py check_externally_managed), needs no root, and is removed by
# `make clean`. The version is the one uv.lock pins, so every machine runs the same uv.
#
# Everything goes to stderr: `make preview > plan.json` must hold only the report.
set -euo pipefail
exec 1>&2

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/uv-bootstrap"
[ -x "$venv/bin/uv" ] && exit 0

python="${PYTHON3:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: neither uv nor python3 is on PATH; install python3 (3.11+) or uv" >&2
  exit 2
fi
version="$(awk '/^name = "uv"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/uv.lock")"
[ -n "$version" ] || { echo "error: uv.lock pins no uv version" >&2; exit 2; }

echo "uv not found on PATH: installing uv $version into .build/uv-bootstrap" >&2
rm -rf "$venv"
mkdir -p "$root/.build"
if "$python" -m venv "$venv" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$version"
elif "$python" -m venv --without-pip "$venv" && "$python" -m pip --version >/dev/null 2>&1; then
  # Debian/Ubuntu without python3-venv have no ensurepip; their pip (22.3+) installs into
  # another environment with --python, which is not the externally managed one.
  "$python" -m pip --python "$venv/bin/python" install --quiet --disable-pip-version-check "uv==$version"
else
  rm -rf "$venv"
  echo "error: cannot create a virtual environment with $python (on Debian/Ubuntu:" \
       "apt-get install python3-venv), or install uv yourself" >&2
  exit 2
fi
