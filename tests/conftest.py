"""Shared pytest setup: import paths for the collection, the EC2 emulator, and a runner
that drives modules through real ansible-playbook."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLLECTIONS_PATH = "%s:%s" % (ROOT / ".cache" / "self", ROOT / ".cache" / "collections")

# `import ansible_collections.v6vpn.aws...` in unit tests resolves through the link
# scripts/bootstrap-python.sh makes; amazon.aws comes from the unpacked collections.
for path in reversed(COLLECTIONS_PATH.split(":")):
    if path not in sys.path:
        sys.path.insert(0, path)

# ansible-playbook settings shared by every test that reads task results as JSON.
ANSIBLE_JSON_ENV = {
    "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
    "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
    "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    "ANSIBLE_LOCALHOST_WARNING": "0",
    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
    "ANSIBLE_NOCOLOR": "1",
}

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def needs_docker(why):
    """A skip mark for test modules that need a Docker engine, saying why they need it."""
    try:
        answers = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        answers = False
    return pytest.mark.skipif(not answers, reason="no Docker engine answers `docker info`: %s (run `make docker`)" % why)


@pytest.fixture(scope="session")
def emulator():
    """One EC2 emulator per test session (per xdist worker), on a free loopback port."""
    from tests.emulator.server import Emulator

    with Emulator() as emu:
        yield emu


# Realism delays not named by a test are 0, so each test turns on only what it is about.
REALISM_QUIET = {"consistency_delay": 0.0, "associate_delay": 0.0, "pending_delay": 0.0, "eni_linger": 0.0}


@pytest.fixture
def realistic():
    """``realistic(seed=..., associate_delay=...)``: a started realism emulator (see
    tests/emulator/realism.py), stopped after the test."""
    from tests.emulator.realism import Realism
    from tests.emulator.server import Emulator

    started = []

    def make(**settings):
        emulator = Emulator(realism=Realism(**{**REALISM_QUIET, **settings})).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def ec2(emulator):
    """A boto3 EC2 client on a freshly reset emulator: each test starts from an empty account."""
    emulator.reset()
    return emulator.client(region_name=FAKE_CREDENTIALS["AWS_DEFAULT_REGION"])


class PlaybookRun:
    """The outcome of one ansible-playbook run: return code, per-task results, raw output."""

    def __init__(self, rc, results, stdout, stderr):
        self.rc = rc
        self.results = results
        self.stdout = stdout
        self.stderr = stderr

    def __getitem__(self, index):
        return self.results[index]

    def __repr__(self):
        return "PlaybookRun(rc=%s, results=%s, stderr=%s)" % (self.rc, json.dumps(self.results, indent=1, default=str)[:4000], self.stderr[-2000:])


@pytest.fixture
def run_tasks(emulator):
    """Run tasks on localhost through ansible-playbook against the emulator.

    ``run_tasks([{"v6vpn.aws.egress_igw": {...}}], check=False, diff=False)`` returns a
    PlaybookRun whose ``results`` holds each task's module result (``changed``, ``failed``,
    ``msg``, ``diff``, return values). Connection parameters come from module_defaults on
    the ``group/v6vpn.aws.aws`` action group, as a user's playbook would set them.
    """

    def run(tasks, check=False, diff=False, extra_vars=None):
        play = [{
            "name": "pytest",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "module_defaults": {"group/v6vpn.aws.aws": {"endpoint_url": emulator.url, "region": "us-east-1"}},
            "tasks": [dict(task, ignore_errors=True) for task in tasks],
        }]
        env = dict(os.environ, **FAKE_CREDENTIALS)
        env.update(ANSIBLE_JSON_ENV, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH)
        with tempfile.TemporaryDirectory() as tmp:
            playbook = pathlib.Path(tmp) / "play.yml"
            playbook.write_text(yaml.safe_dump(play))
            cmd = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)]
            if check:
                cmd.append("--check")
            if diff:
                cmd.append("--diff")
            if extra_vars:
                cmd += ["-e", json.dumps(extra_vars)]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
        try:
            output = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError("ansible-playbook printed no JSON (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        results = [task["hosts"]["localhost"] for play_out in output["plays"] for task in play_out["tasks"]]
        return PlaybookRun(proc.returncode, results, proc.stdout, proc.stderr)

    return run
