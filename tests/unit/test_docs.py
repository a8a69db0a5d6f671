"""README.md and execution-environment.yml stay true to the code they describe."""

from __future__ import annotations

import importlib.util
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_script(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), ROOT / "scripts" / ("%s.py" % name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


role_docs = load_script("render-role-docs")


def test_readme_lists_every_role_variable_as_the_argument_specs_say():
    readme = (ROOT / "README.md").read_text()
    assert role_docs.readme_with(readme, role_docs.render()) == readme, (
        "README.md's role variable tables differ from roles/*/meta/argument_specs.yml: "
        "run `.venv/bin/python scripts/render-role-docs.py --write`")


def test_every_role_and_variable_is_in_the_rendered_tables():
    text = role_docs.render()
    for spec_file in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        role = spec_file.parent.parent.name
        assert "### Role `v6vpn.aws.%s`" % role in text
        for name in yaml.safe_load(spec_file.read_text())["argument_specs"]["main"].get("options", {}):
            assert "| `%s` |" % name in text, "%s of role %s is missing" % (name, role)


def test_markup_becomes_markdown():
    assert role_docs.markup("C(::/0) via O(network_ipv6_inbound=true), E(AWS_REGION), I(note), B(never)") == (
        "`::/0` via `network_ipv6_inbound=true`, `AWS_REGION`, *note*, **never**")
    assert role_docs.cell("a | b\n  c") == "a \\| b c"


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
