"""The documentation stays true to the code it describes.

README.md's module, filter, test and role-variable tables and the roles' README files are
rendered from the code by scripts/render-docs.py; CHANGELOG.md is rendered from
changelogs/changelog.yaml by antsibull-changelog. Each test here fails when a file differs from
what its generator makes now, or when something the code defines is missing from it, naming it.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from ansible.parsing.plugin_docs import read_docstring

ROOT = pathlib.Path(__file__).resolve().parents[2]
COLLECTION = "v6vpn.aws"


def load_script(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), ROOT / "scripts" / ("%s.py" % name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = load_script("render-docs")
docblocks = load_script("docblocks")


def readme_block(name):
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- BEGIN %s .*?-->\n(.*?)<!-- END %s -->" % (name, name), readme, re.S)
    assert match, "README.md has no %s block" % name
    return match.group(1)


def table_rows(text):
    """{first cell: last cell} of every Markdown table row in text."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) >= 2 and not set(cells[0]) <= {"-", " "}:
            rows[cells[0]] = cells[-1]
    return rows


# --- the generated files are the generator's output --------------------------------------------

def test_every_generated_file_is_up_to_date():
    stale = [str(path.relative_to(ROOT)) for path, text in docs.rendered().items()
             if not path.is_file() or path.read_text() != text]
    assert not stale, "out of date: %s; run `.venv/bin/python %s`" % (", ".join(stale), docs.COMMAND)


def test_check_fails_on_a_stale_readme(monkeypatch, tmp_path, capsys):
    copy = tmp_path / "README.md"
    copy.write_text((ROOT / "README.md").read_text().replace("| `v6vpn.aws.vpc_route` |", "| `v6vpn.aws.gone` |"))
    monkeypatch.setattr(docs, "README", copy)
    monkeypatch.setattr(docs, "problems", list)
    assert docs.main(["--check"]) == 1
    assert "README.md" in capsys.readouterr().err


# --- modules, filters, tests -------------------------------------------------------------------

def test_every_module_is_in_the_readme_with_its_short_description():
    rows = table_rows(readme_block("plugins"))
    missing = []
    for path in sorted((ROOT / "plugins" / "modules").glob("*.py")):
        if path.name == "__init__.py":
            continue
        short = ((read_docstring(str(path)) or {}).get("doc") or {}).get("short_description")  # as ansible-doc reads it
        name = "`%s.%s`" % (COLLECTION, path.stem)
        if not short or rows.get(name) != docs.sentence(short):
            missing.append("%s (README says %r, DOCUMENTATION %r)" % (path.stem, rows.get(name), short))
    assert not missing, "modules missing from README.md's table or without a short_description: %s" % missing


def registered(kind):
    """{name: file} of every filter or test registered by plugins/<kind>/*.py, as Ansible loads them."""
    cls, method = {"filter": ("FilterModule", "filters"), "test": ("TestModule", "tests")}[kind]
    names = {}
    for path in sorted((ROOT / "plugins" / kind).glob("*.py")):
        if path.name != "__init__.py":
            module = importlib.import_module("ansible_collections.v6vpn.aws.plugins.%s.%s" % (kind, path.stem))
            names.update({name: path.name for name in getattr(getattr(module, cls)(), method)()})
    return names


@pytest.mark.parametrize("kind", ["filter", "test"])
def test_every_filter_and_test_has_a_doc_and_is_in_the_readme(kind):
    names = registered(kind)
    assert names or kind == "test", "no %s registered at all: the scan is broken" % kind
    rows = table_rows(readme_block("plugins"))
    undocumented, unlisted = [], []
    for name, source in sorted(names.items()):
        doc_file = ROOT / "plugins" / kind / ("%s.yml" % name)
        doc = (yaml.safe_load(doc_file.read_text()) or {}).get("DOCUMENTATION", {}) if doc_file.is_file() else {}
        if doc.get("name") != name or not doc.get("short_description"):
            undocumented.append("%s (registered in plugins/%s/%s)" % (name, kind, source))
        elif rows.get("`%s.%s`" % (COLLECTION, name)) != docs.sentence(doc["short_description"]):
            unlisted.append(name)
    assert not undocumented, "%ss without a plugins/%s/<name>.yml doc (name, short_description): %s" % (
        kind, kind, ", ".join(undocumented))
    assert not unlisted, "%ss missing from README.md's table: %s" % (kind, ", ".join(unlisted))
    # and no doc for something nothing registers
    orphans = sorted(p.stem for p in (ROOT / "plugins" / kind).glob("*.yml") if p.stem not in names)
    assert not orphans, "plugins/%s/*.yml documenting no registered %s: %s" % (kind, kind, orphans)


def test_an_undocumented_filter_is_a_problem_and_shows_in_the_table(monkeypatch):
    real = docs.registered
    monkeypatch.setattr(docs, "registered", lambda kind: dict(real(kind), made_up_error=pathlib.Path("plugins/filter/x.py"))
                        if kind == "filter" else real(kind))
    rows, problems = docs.plugin_docs("filter")
    assert ("made_up_error", None) in rows
    assert any("v6vpn.aws.made_up_error" in p and "plugins/filter/made_up_error.yml" in p for p in problems)
    assert "| `v6vpn.aws.made_up_error` | **undocumented**" in docs.render_plugins()


# --- roles -------------------------------------------------------------------------------------

def role_specs():
    return {p.parent.parent.name: yaml.safe_load(p.read_text())["argument_specs"]
            for p in sorted(ROOT.glob("roles/*/meta/argument_specs.yml"))}


def test_every_role_and_main_variable_is_in_the_readme_tables():
    text = readme_block("role-variables")
    for role, specs in role_specs().items():
        assert "### Role `v6vpn.aws.%s`" % role in text
        for name in specs["main"].get("options", {}):
            assert "| `%s` |" % name in text, "%s of role %s is missing" % (name, role)


def test_every_role_readme_has_every_entry_point_description_and_variable():
    for role, specs in role_specs().items():
        readme = (ROOT / "roles" / role / "README.md").read_text()
        assert readme.startswith("# v6vpn.aws.%s\n" % role)
        block = re.search(r"<!-- BEGIN role-readme .*?-->\n(.*?)<!-- END role-readme -->", readme, re.S)
        assert block, "roles/%s/README.md has no role-readme block" % role
        sections = re.split(r"^### ", block.group(1), flags=re.M)[1:]
        assert [s.split(":")[0].strip("`") for s in sections] == list(specs), role
        for section, (entry, spec) in zip(sections, specs.items()):
            for item in docs.paragraphs(spec.get("description", [])):
                assert "- %s\n" % item in section, "roles/%s/README.md, %s: description item missing: %s" % (role, entry, item)
            rows = table_rows(section)
            for name in spec.get("options", {}):
                assert "`%s`" % name in rows, "roles/%s/README.md, %s: variable %s missing" % (role, entry, name)


def test_a_role_readme_keeps_its_prose_outside_the_markers():
    readme = (ROOT / "roles" / "openvpn" / "README.md").read_text()
    assert "## What it does, in order" in readme
    replaced = docblocks.replace_block(readme, "role-readme", docs.COMMAND, "new\n")
    before, after = readme.split("<!-- BEGIN role-readme")[0], readme.split("<!-- END role-readme -->")[1]
    assert replaced.startswith(before) and replaced.endswith(after)
    assert "<!-- BEGIN role-readme (%s) -->\nnew\n<!-- END role-readme -->" % docs.COMMAND in replaced


def test_block_replacement_refuses_missing_or_doubled_markers():
    with pytest.raises(SystemExit, match="no <!-- BEGIN x"):
        docblocks.replace_block("text", "x", "cmd", "new", where="f.md")
    doubled = docblocks.block("x", "cmd", "a") + "\n" + docblocks.block("x", "cmd", "b")
    with pytest.raises(SystemExit, match="f.md has 2"):
        docblocks.replace_block(doubled, "x", "cmd", "new", where="f.md")
    # another generator's command in the marker is rewritten to the current one
    assert docblocks.replace_block("<!-- BEGIN x (old.py) -->\nold\n<!-- END x -->", "x", "new.py", "n") == (
        "<!-- BEGIN x (new.py) -->\nn\n<!-- END x -->")


def test_markup_becomes_markdown():
    assert docs.markup("C(::/0) via O(network_ipv6_inbound=true), E(AWS_REGION), I(note), B(never)") == (
        "`::/0` via `network_ipv6_inbound=true`, `AWS_REGION`, *note*, **never**")
    assert docs.cell("a | b\n  c") == "a \\| b c"


# --- the changelog -----------------------------------------------------------------------------

def antsibull_changelog(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "antsibull_changelog", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_changelog_is_what_antsibull_changelog_generates(tmp_path):
    shutil.copy(ROOT / "galaxy.yml", tmp_path)
    (tmp_path / "changelogs").mkdir()
    for name in ("config.yaml", "changelog.yaml"):
        shutil.copy(ROOT / "changelogs" / name, tmp_path / "changelogs")
    result = antsibull_changelog("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "CHANGELOG.md").read_text() == (ROOT / "CHANGELOG.md").read_text(), (
        "CHANGELOG.md differs from changelogs/changelog.yaml: run `antsibull-changelog generate`")


def test_changelog_fragments_and_changes_file_lint_clean():
    for args in (("lint",), ("lint-changelog-yaml", "changelogs/changelog.yaml")):
        result = antsibull_changelog(*args)
        assert result.returncode == 0 and not result.stdout.strip(), "antsibull-changelog %s: %s%s" % (
            " ".join(args), result.stdout, result.stderr)


def test_changelog_lint_fails_on_a_bad_fragment(tmp_path):
    shutil.copy(ROOT / "galaxy.yml", tmp_path)
    shutil.copytree(ROOT / "changelogs", tmp_path / "changelogs", ignore=shutil.ignore_patterns("*.yml"))
    (tmp_path / "changelogs" / "fragments" / "bad.yml").write_text("no_such_section:\n  - text\n")
    result = antsibull_changelog("lint", cwd=tmp_path)
    assert result.returncode != 0 and "no_such_section" in result.stdout + result.stderr


def test_changelog_lists_every_module_and_role_of_its_first_release():
    release = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())["releases"]["0.1.0"]
    listed = {m["name"] for m in release.get("modules", [])}
    # Modules added since (version_added: the version in development, galaxy.yml) are listed by
    # antsibull-changelog at release time.
    developing = str(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])
    modules = {p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.name != "__init__.py"
               and str(((read_docstring(str(p)) or {}).get("doc") or {}).get("version_added")) != developing}
    assert modules <= listed, "modules missing from changelog.yaml's 0.1.0: %s" % sorted(modules - listed)
    roles = {r["name"] for r in release.get("objects", {}).get("role", [])}
    assert set(role_specs()) <= roles, "roles missing from changelog.yaml's 0.1.0: %s" % sorted(set(role_specs()) - roles)


# --- the rest of README ------------------------------------------------------------------------

def test_readme_starts_with_the_two_set_up_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "lab-down", "test"):
        assert re.search(r"^%s:" % re.escape(target), makefile, re.M), "Makefile has no %s target" % target


def test_execution_environment_uses_the_test_command_requirements():
    ee = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    assert ee["version"] == 3
    deps = ee["dependencies"]
    assert deps["galaxy"] == "requirements.yml"
    assert deps["python"] == "requirements.txt"
    for name in (deps["galaxy"], deps["python"]):
        assert (ROOT / name).is_file(), name
    pinned = re.search(r"^(ansible-core==\S+)", (ROOT / "requirements-dev.txt").read_text(), re.M).group(1)
    assert deps["ansible_core"]["package_pip"] == pinned, "the EE's ansible-core differs from the tested one"
    # The collections the roles need are all in requirements.yml, so the image has them.
    wanted = {c["name"] for c in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]}
    used = set()
    for path in list(ROOT.glob("roles/*/tasks/*.yml")) + list(ROOT.glob("roles/*/handlers/*.yml")) + list(ROOT.glob("playbooks/*.yml")):
        used |= set(re.findall(r"^\s*-?\s*((?:amazon|community|ansible)\.[a-z_]+)\.[a-z0-9_]+:", path.read_text(), re.M))
    used.discard("ansible.builtin")
    assert used <= wanted, "roles use collections requirements.yml lacks: %s" % sorted(used - wanted)
