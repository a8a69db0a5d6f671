#!/usr/bin/env bash
# Create .venv with the pinned dev dependencies and the collections of requirements.yml.
# Galaxy is tried first (what users have); without it, the collections come from the pinned
# `ansible` wheel on PyPI. Idempotent: a second run with nothing changed takes a second.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
CACHE="$ROOT/.cache"
COLL_ROOT="$CACHE/collections/ansible_collections"
SELF_ROOT="$CACHE/self/ansible_collections"
mkdir -p "$CACHE"

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
want="$(stamp_of requirements-dev.txt requirements.txt)"
if [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing pinned Python dependencies"
    "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
    echo "$want" > "$VENV/.requirements-stamp"
fi

want="$(stamp_of requirements.yml requirements-collections.txt)"
if [ "$(cat "$CACHE/collections/.stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$CACHE/collections"
    mkdir -p "$COLL_ROOT"
    if "$VENV/bin/ansible-galaxy" collection install -r requirements.yml \
        -p "$CACHE/collections" >"$CACHE/galaxy.log" 2>&1; then
        echo "bootstrap: collections installed from Galaxy"
    else
        echo "bootstrap: Galaxy unreachable (see .cache/galaxy.log); unpacking collections from the ansible wheel"
        wheel_spec="$(grep -E '^ansible==' requirements-collections.txt)"
        read -r -a names <<<"$(sed -n 's/^# COLLECTIONS: //p' requirements-collections.txt)"
        rm -rf "$CACHE/wheel" && mkdir -p "$CACHE/wheel"
        "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps "$wheel_spec" -d "$CACHE/wheel"
        "$VENV/bin/python" - "$CACHE/wheel" "$CACHE/collections" "${names[@]}" <<'PY'
import pathlib, sys, zipfile
wheel_dir, dest, names = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
wheel = next(wheel_dir.glob("ansible-*.whl"))
prefixes = tuple("ansible_collections/%s/" % n.replace(".", "/") for n in names)
with zipfile.ZipFile(wheel) as zf:
    members = [m for m in zf.namelist() if m.startswith(prefixes)]
    zf.extractall(dest, members)
print("bootstrap: unpacked %s from %s" % (", ".join(names), wheel.name))
PY
        rm -rf "$CACHE/wheel"
    fi
    echo "$want" > "$CACHE/collections/.stamp"
fi

# This checkout, visible to Ansible as the collection v6vpn.aws.
mkdir -p "$SELF_ROOT/v6vpn"
ln -sfn "$ROOT" "$SELF_ROOT/v6vpn/aws"
