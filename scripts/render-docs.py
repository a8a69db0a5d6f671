"""The generated parts of the documentation, rendered from the code they describe.

    .venv/bin/python scripts/render-docs.py            print every generated block
    .venv/bin/python scripts/render-docs.py --write    update them in place
    .venv/bin/python scripts/render-docs.py --check    fail when one is out of date or a plugin has no doc

What is generated, and from what:
- README.md, block `plugins`: every module (plugins/modules/*.py, DOCUMENTATION's
  short_description), every filter and every test (the names each FilterModule/TestModule in
  plugins/filter/*.py and plugins/test/*.py registers, with the short_description of the
  plugins/<kind>/<name>.yml doc beside it, as community.general does). A registered filter or
  test without its .yml doc, or a .yml doc for a name nothing registers, is a problem.
- README.md, block `role-variables`: each role's main entry point and its variables, from
  roles/*/meta/argument_specs.yml (the spec Ansible checks the variables against before a role
  runs, and `ansible-doc -t role v6vpn.aws.<role>` shows).
- roles/<role>/README.md, block `role-readme`: every entry point of the role with its
  description (what it does, the facts it publishes, the variables it reads) and its variables.
  A role without a README gets one holding the block; a README with prose of its own keeps it:
  only the block between the markers is rewritten.
The blocks are replaced by scripts/docblocks.py, as scripts/iam-policy.py's is.
tests/unit/test_docs.py fails when a file differs from what this script renders.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import pathlib
import re
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import docblocks  # noqa: E402  pylint: disable=wrong-import-position

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMMAND = "scripts/render-docs.py --write"
COLLECTION = "v6vpn.aws"
# Order of the roles in README: the order site.yml runs them.
ROLE_ORDER = ("network", "ec2", "openvpn")
# Plugin kinds that carry one .yml doc per registered name: {kind: (class, method)}.
PLUGIN_KINDS = {"filter": ("FilterModule", "filters"), "test": ("TestModule", "tests")}


# --- ansible-doc markup as Markdown ------------------------------------------------------------

def markup(text):
    """C(x) O(x) V(x) E(x) M(x) P(x) -> `x`, I(x) -> *x*, B(x) -> **x**, L(t,u) -> [t](u), U(u) -> u."""
    text = re.sub(r"\b[COVEMP]\(([^()]*(?:\([^()]*\)[^()]*)*)\)", r"`\1`", text)
    text = re.sub(r"\bI\(([^()]*)\)", r"*\1*", text)
    text = re.sub(r"\bB\(([^()]*)\)", r"**\1**", text)
    text = re.sub(r"\bL\(([^,()]*),\s*([^()]*)\)", r"[\1](\2)", text)
    text = re.sub(r"\bU\(([^()]*)\)", r"\1", text)
    return text


def cell(text):
    """One Markdown table cell (or one line): whitespace folded, markup converted, pipes escaped."""
    return markup(" ".join(str(text).split())).replace("|", "\\|")


def sentence(text):
    text = cell(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def paragraphs(value):
    return [cell(item) for item in (value if isinstance(value, list) else [value]) if item]


# --- roles -------------------------------------------------------------------------------------

def roles():
    present = sorted(p.parent.parent.name for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))
    return [r for r in ROLE_ORDER if r in present] + [r for r in present if r not in ROLE_ORDER]


def entry_points(role):
    path = ROOT / "roles" / role / "meta" / "argument_specs.yml"
    return yaml.safe_load(path.read_text())["argument_specs"]


def type_of(spec):
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = "list of %s" % spec["elements"]
    return kind


def default_of(spec):
    if spec.get("required"):
        return "**required**"
    if "default" not in spec:
        return "see description"
    value = spec["default"]
    if value in ("", [], {}):
        return "`%s`" % ('""' if value == "" else yaml.safe_dump(value, default_flow_style=True).strip())
    if isinstance(value, bool):
        return "`%s`" % str(value).lower()
    if isinstance(value, (list, dict)):
        return "`%s`" % yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return "`%s`" % value


def option_rows(options, prefix=""):
    """One table row per option; suboptions follow their parent as `parent.child`."""
    rows = []
    for name, spec in (options or {}).items():
        extra = ""
        if spec.get("choices"):
            extra = " Choices: %s." % ", ".join("`%s`" % c for c in spec["choices"])
        rows.append("| `%s%s` | %s | %s | %s%s |" % (
            prefix, name, type_of(spec), default_of(spec), " ".join(paragraphs(spec.get("description", ""))), extra))
        rows += option_rows(spec.get("options"), "%s%s." % (prefix, name))
    return rows


def options_table(options):
    """The variables of an entry point as a Markdown table: README's and the role READMEs' one renderer."""
    if not options:
        return ["No variables."]
    return ["| variable | type | default | description |", "| --- | --- | --- | --- |"] + option_rows(options)


def render_role(role):
    """README.md's section of one role: its main entry point's variables."""
    specs = entry_points(role)
    main = specs["main"]
    lines = ["### Role `%s.%s`" % (COLLECTION, role), "", sentence(main.get("short_description", "")), ""]
    others = [name for name in specs if name != "main"]
    if others:
        lines += ["Other entry points: %s (`roles/%s/README.md`, `ansible-doc -t role %s.%s`)." % (
            ", ".join("`%s` (%s)" % (name, cell(specs[name].get("short_description", "")).rstrip(".")) for name in others),
            role, COLLECTION, role), ""]
    lines += options_table(main.get("options"))
    return "\n".join(lines) + "\n"


def render_role_variables():
    return "\n".join(render_role(role) for role in roles())


def render_role_readme(role):
    """The generated block of roles/<role>/README.md: every entry point, described, with its variables."""
    specs = entry_points(role)
    lines = ["## Entry points and variables", "",
             "Rendered from `meta/argument_specs.yml`, which Ansible checks the variables against before the "
             "role runs; `ansible-doc -t role %s.%s` shows the same." % (COLLECTION, role)]
    for name, spec in specs.items():
        call = ("`roles: [%s.%s]`" % (COLLECTION, role) if name == "main"
                else "`include_role: {name: %s.%s, tasks_from: %s}`" % (COLLECTION, role, name))
        lines += ["", "### `%s`: %s" % (name, cell(spec.get("short_description", "")).rstrip(".")), "",
                  "Called as %s." % call, ""]
        lines += ["- %s" % item for item in paragraphs(spec.get("description", []))]
        lines += [""] + options_table(spec.get("options"))
    return "\n".join(lines) + "\n"


# --- modules, filters, tests -------------------------------------------------------------------

def module_docs():
    """[(module name, short_description)] and problems, from each module's DOCUMENTATION."""
    rows, problems = [], []
    for path in sorted((ROOT / "plugins" / "modules").glob("*.py")):
        if path.name == "__init__.py":
            continue
        doc = None
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DOCUMENTATION" for t in node.targets)
                    and isinstance(node.value, ast.Constant)):
                doc = yaml.safe_load(node.value.value)
        rel = path.relative_to(ROOT)
        if not isinstance(doc, dict) or not doc.get("short_description"):
            problems.append("module %s.%s (%s) has no DOCUMENTATION with a short_description" % (COLLECTION, path.stem, rel))
            rows.append((path.stem, None))
            continue
        if doc.get("module") != path.stem:
            problems.append("%s: DOCUMENTATION says module: %s, the file is %s" % (rel, doc.get("module"), path.stem))
        rows.append((path.stem, doc["short_description"]))
    return rows, problems


def _import_path():
    # Plugins import their module_utils as ansible_collections.v6vpn.aws...: the link and the
    # collections scripts/bootstrap-python.sh makes (tests/conftest.py does the same).
    for path in (ROOT / ".cache" / "collections", ROOT / ".cache" / "self"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def registered(kind):
    """{name: file that registers it} for every filter or test the plugin files register."""
    _import_path()
    cls, method = PLUGIN_KINDS[kind]
    names = {}
    for path in sorted((ROOT / "plugins" / kind).glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module("ansible_collections.v6vpn.aws.plugins.%s.%s" % (kind, path.stem))
        for name in getattr(getattr(module, cls)(), method)():
            names[name] = path.relative_to(ROOT)
    return names


def plugin_docs(kind):
    """[(name, short_description or None)] for every registered filter or test, and problems."""
    names = registered(kind)
    docs, problems = {}, []
    for path in sorted((ROOT / "plugins" / kind).glob("*.yml")):
        doc = (yaml.safe_load(path.read_text()) or {}).get("DOCUMENTATION") or {}
        rel = path.relative_to(ROOT)
        if doc.get("name") != path.stem:
            problems.append("%s: DOCUMENTATION.name is %r, expected %r" % (rel, doc.get("name"), path.stem))
        if not doc.get("short_description"):
            problems.append("%s: DOCUMENTATION has no short_description" % rel)
        if path.stem not in names:
            problems.append("%s documents %s %s.%s, which no plugins/%s/*.py registers" % (
                rel, kind, COLLECTION, path.stem, kind))
        docs[path.stem] = doc.get("short_description")
    rows = []
    for name in sorted(names):
        if name not in docs:
            problems.append("%s %s.%s (registered in %s) has no doc: add plugins/%s/%s.yml" % (
                kind, COLLECTION, name, names[name], kind, name))
        rows.append((name, docs.get(name)))
    return rows, problems


def plugin_table(kind, rows, doc_path):
    lines = ["| %s | description |" % kind, "| --- | --- |"]
    for name, short in rows:
        text = sentence(short) if short else "**undocumented**: `%s` is missing." % (doc_path % name)
        lines.append("| `%s.%s` | %s |" % (COLLECTION, name, text))
    return lines


def render_plugins():
    modules = module_docs()[0]
    filters = plugin_docs("filter")[0]
    tests = plugin_docs("test")[0]
    lines = ["### Modules", ""] + plugin_table("module", modules, "DOCUMENTATION in plugins/modules/%s.py")
    lines += ["", "### Filters", ""] + plugin_table("filter", filters, "plugins/filter/%s.yml")
    lines += ["", "### Tests", ""] + plugin_table("test", tests, "plugins/test/%s.yml")
    return "\n".join(lines) + "\n"


def problems():
    found = []
    for problems_of in (module_docs, lambda: plugin_docs("filter"), lambda: plugin_docs("test")):
        found += problems_of()[1]
    return found


# --- the files ---------------------------------------------------------------------------------

def blocks():
    """[(path, block name, content)] of every generated block."""
    result = [(README, "plugins", render_plugins()), (README, "role-variables", render_role_variables())]
    result += [(ROOT / "roles" / role / "README.md", "role-readme", render_role_readme(role)) for role in roles()]
    return result


def rendered():
    """{path: the file's text with its blocks up to date} (a role README that does not exist is created)."""
    files = {}
    for path, name, content in blocks():
        if path not in files:
            if path.is_file():
                files[path] = path.read_text()
            else:
                role = path.parent.name
                files[path] = "# %s.%s\n\n%s\n" % (COLLECTION, role, docblocks.block(name, COMMAND, ""))
        files[path] = docblocks.replace_block(files[path], name, COMMAND, content, where=shown(path))
    return files


def shown(path):
    return str(path.relative_to(ROOT)) if ROOT in path.parents else str(path)


def stale():
    return [path for path, text in rendered().items() if not path.is_file() or path.read_text() != text]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    found = problems()
    for problem in found:
        print("render-docs: %s" % problem, file=sys.stderr)
    if args.write:
        changed = stale()
        for path, text in rendered().items():
            if path in changed:
                path.write_text(text)
        print("render-docs: %s" % ("updated %s" % ", ".join(shown(p) for p in changed)
                                   if changed else "everything up to date"))
        return 1 if found else 0
    if args.check:
        out_of_date = stale()
        if out_of_date:
            print("render-docs: out of date: %s (run %s)" % (", ".join(shown(p) for p in out_of_date), COMMAND),
                  file=sys.stderr)
        return 1 if out_of_date or found else 0
    for path, name, content in blocks():
        print("==> %s, block %s" % (shown(path), name))
        sys.stdout.write(content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
