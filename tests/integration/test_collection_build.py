"""The collection builds into a tarball that installs offline, and ansible-doc renders
every module and role from the installed copy (not from this checkout)."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

BIN = pathlib.Path(sys.executable).parent
DEPENDENCIES = ROOT / ".cache" / "collections"
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
ROLES = sorted(p.parent.parent.name for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def ansible(tool, *args, env, cwd):
    proc = subprocess.run([str(BIN / tool), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, "%s %s failed:\n%s\n%s" % (tool, " ".join(args), proc.stdout[-3000:], proc.stderr[-3000:])
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the tarball and install it into an empty path, dependencies taken from what is installed."""
    tmp = tmp_path_factory.mktemp("build")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH="%s:%s" % (tmp / "installed", DEPENDENCIES), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_CONFIG", None)
    ansible("ansible-galaxy", "collection", "build", "--output-path", str(tmp / "dist"), str(ROOT), env=env, cwd=tmp)
    tarballs = list((tmp / "dist").glob("v6vpn-aws-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    out = ansible("ansible-galaxy", "collection", "install", "--offline", "-p", str(tmp / "installed"), str(tarballs[0]), env=env, cwd=tmp)
    assert "v6vpn.aws:%s was installed successfully" % GALAXY["version"] in out
    return {"env": env, "dir": tmp, "tarball": tarballs[0]}


def test_tarball_leaves_out_development_files(installed):
    names = subprocess.run(["tar", "-tzf", str(installed["tarball"])], capture_output=True, text=True, check=True).stdout.split()
    assert "plugins/module_utils/cidr.py" in names
    for dev_only in (".venv/", ".cache/", "Makefile", "scripts/", ".ci/"):
        assert not any(n.startswith(dev_only) for n in names), dev_only


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_renders_module_from_installed_collection(installed, module):
    out = ansible("ansible-doc", "-t", "module", "v6vpn.aws.%s" % module, env=installed["env"], cwd=installed["dir"])
    assert str(installed["dir"] / "installed") in out  # the installed copy, not the checkout
    for section in ("OPTIONS", "EXAMPLES", "RETURN VALUES"):
        assert section in out, "%s missing for %s" % (section, module)


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_renders_role_argument_specs(installed, role):
    out = ansible("ansible-doc", "-t", "role", "v6vpn.aws.%s" % role, env=installed["env"], cwd=installed["dir"])
    assert re.search(r"ENTRY POINT: \*?main\*? - ", out), out[:500]
