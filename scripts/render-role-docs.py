"""README.md's role variable tables, rendered from roles/*/meta/argument_specs.yml.

    .venv/bin/python scripts/render-role-docs.py            print the tables
    .venv/bin/python scripts/render-role-docs.py --write    update README.md between its markers
    .venv/bin/python scripts/render-role-docs.py --check    fail when README.md is out of date

The argument specs are the one source: Ansible checks variables against them before a role
runs, and `ansible-doc -t role v6vpn.aws.<role>` shows them too. tests/unit/test_docs.py
fails when README.md differs from what this script renders.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN = "<!-- BEGIN role-variables (scripts/render-role-docs.py --write) -->"
END = "<!-- END role-variables -->"
# Order of the roles in README: the order site.yml runs them.
ROLE_ORDER = ("network", "ec2", "openvpn")


def markup(text):
    """ansible-doc markup as Markdown: C(x) O(x) V(x) E(x) M(x) -> `x`, I(x) -> *x*, B(x) -> **x**."""
    text = re.sub(r"\b[COVEMP]\(([^()]*(?:\([^()]*\)[^()]*)*)\)", r"`\1`", text)
    text = re.sub(r"\bI\(([^()]*)\)", r"*\1*", text)
    text = re.sub(r"\bB\(([^()]*)\)", r"**\1**", text)
    text = re.sub(r"\bL\(([^,()]*),\s*([^()]*)\)", r"[\1](\2)", text)
    text = re.sub(r"\bU\(([^()]*)\)", r"\1", text)
    return text


def cell(text):
    return markup(" ".join(str(text).split())).replace("|", "\\|")


def description(spec):
    desc = spec.get("description", "")
    if isinstance(desc, list):
        desc = " ".join(desc)
    return cell(desc)


def type_of(spec):
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = "list of %s" % spec["elements"]
    return kind


def default_of(name, spec):
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


def render_role(role):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    main = specs["main"]
    lines = ["### Role `v6vpn.aws.%s`" % role, "", cell(main.get("short_description", "")) + ".", ""]
    others = [name for name in specs if name != "main"]
    if others:
        lines += ["Other entry points: %s (`ansible-doc -t role v6vpn.aws.%s`)." % (
            ", ".join("`%s` (%s)" % (name, cell(specs[name].get("short_description", "")).rstrip(".")) for name in others),
            role), ""]
    lines += ["| variable | type | default | description |", "| --- | --- | --- | --- |"]
    for name, spec in main.get("options", {}).items():
        extra = ""
        if spec.get("choices"):
            extra = " Choices: %s." % ", ".join("`%s`" % c for c in spec["choices"])
        lines.append("| `%s` | %s | %s | %s%s |" % (name, type_of(spec), default_of(name, spec), description(spec), extra))
    return "\n".join(lines) + "\n"


def roles():
    present = sorted(p.parent.parent.name for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))
    return [r for r in ROLE_ORDER if r in present] + [r for r in present if r not in ROLE_ORDER]


def render():
    return "\n".join(render_role(role) for role in roles())


def readme_with(readme, text):
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit("README.md has no %s ... %s markers" % (BEGIN, END))
    return pattern.sub(lambda _: "%s\n%s%s" % (BEGIN, text, END), readme)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    readme = README.read_text()
    if args.write:
        README.write_text(readme_with(readme, text))
        print("render-role-docs: README.md updated (%s)" % ", ".join(roles()))
        return 0
    if args.check:
        if readme_with(readme, text) != readme:
            print("render-role-docs: README.md's role variables are out of date (run scripts/render-role-docs.py --write)",
                  file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
