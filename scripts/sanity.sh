#!/usr/bin/env bash
# Run `ansible-test sanity` on this checkout. ansible-test needs the collection at
# .../ansible_collections/v6vpn/aws with its dependencies beside it, and its own pinned
# tools (pylint, pycodestyle, voluptuous...) in a venv of their own: both are made here.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TREE="$ROOT/.cache/sanity/ansible_collections"
DEST="$TREE/v6vpn/aws"
SANITY_VENV="$ROOT/.cache/sanity-venv"
CORE="$(grep -E '^ansible-core==' "$ROOT/requirements-dev.txt")"

if [ "$(cat "$SANITY_VENV/.stamp" 2>/dev/null)" != "$CORE" ]; then
    echo "sanity: creating $SANITY_VENV with $CORE and ansible-test's sanity requirements"
    rm -rf "$SANITY_VENV"
    "$ROOT/.venv/bin/python" -m venv "$SANITY_VENV"
    "$SANITY_VENV/bin/pip" install -q --disable-pip-version-check "$CORE" >"$ROOT/.cache/sanity-pip.log" 2>&1
    reqs="$("$SANITY_VENV/bin/python" -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_data", "requirements"))')"
    req_args=()
    for f in "$reqs"/sanity.*.txt; do req_args+=(-r "$f"); done
    "$SANITY_VENV/bin/pip" install -q --disable-pip-version-check -c "$reqs/constraints.txt" \
        "${req_args[@]}" -r "$ROOT/requirements.txt" >>"$ROOT/.cache/sanity-pip.log" 2>&1
    echo "$CORE" > "$SANITY_VENV/.stamp"
fi

# ansible-test bootstraps pip in its import-test venvs with a script from a host outside
# this network's reach; give it the offline equivalent.
pip_version="$("$SANITY_VENV/bin/python" -c 'import re, ansible_test._internal.python_requirements as m; print(re.search(r"pip=.([0-9.]+).", open(m.__file__).read()).group(1))')"
get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$get_pip" ]; then
    mkdir -p "$(dirname "$get_pip")"
    cp "$ROOT/scripts/get-pip-offline.py" "$get_pip"
fi

# The collection as ansible-test wants it: tracked and new (unignored) files only.
mkdir -p "$TREE"
for dep in "$ROOT"/.cache/collections/ansible_collections/*; do
    ln -sfn "$dep" "$TREE/$(basename "$dep")"
done
rm -rf "$DEST" && mkdir -p "$DEST"
cd "$ROOT"
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do
    if [ -e "$f" ]; then printf '%s\0' "$f"; fi
done | xargs -0 -r cp -P --parents -t "$DEST"
cd "$DEST"
# The copy lies inside this checkout's ignored .cache: a repository of its own makes
# ansible-test list its files instead of finding them all ignored by the outer one.
git init -q . && git add -A
py="$("$SANITY_VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
exec "$SANITY_VENV/bin/ansible-test" sanity --local --python "$py" --color no "$@"
