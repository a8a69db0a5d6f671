"""One deployment's life cycle against a realism emulator, shared by the realism test
(tests/integration/test_site_realism.py) and the soak (tests/bench/soak_aws.py):

1. playbooks/site.yml, as the lab runs it (lab/vars.yml's settings: no SSH wait, no add_host, an
   AWS-created key pair, the emulator's Debian AMI), from nothing;
2. the deployment checked through boto3 (molecule/aws/check_deployment.py's check_present);
3. site.yml again: it must change nothing;
4. playbooks/teardown.yml, then everything of the deployment looked for: VPCs, subnets, internet
   and egress-only gateways, security groups other than the VPC's default, instances not
   terminated, network interfaces, Elastic IPs and key pairs.

The AWS play only runs: `-i localhost,` leaves openvpn_servers empty, so the openvpn play matches
no host, and the summary play summarises the published facts.

`realism(seed)` and `emulator_options(seed, throttle)` hold the settings both callers use: delays
of 0.5-2 s and, by default, 20 % of the EC2 calls throttled. `run_cycle(url, client, name, ...)`
returns a `Cycle`: what converged, what changed on the re-run, what was left, and the first
failing task of each failed step, read from ansible-playbook's JSON result.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from tests.conftest import ANSIBLE_JSON_ENV, ROOT
from tests.emulator.realism import Realism

REGION = "us-east-1"
THROTTLE_RATE = 0.2
ADMIN_CIDRS = ["198.51.100.7/32", "2001:db8:100::/48"]
# Seconds: within the "a few seconds", short enough for `make test`.
DELAYS = {"consistency_delay": 1.0, "associate_delay": 1.5, "pending_delay": 2.0, "eni_linger": 2.0}
PLAYBOOK_TIMEOUT = 600
TAG = "v6vpn:deployment"

_spec = importlib.util.spec_from_file_location("check_deployment", ROOT / "molecule" / "aws" / "check_deployment.py")
check_deployment = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_deployment)


def realism(seed):
    """The in-process emulator's realism for `seed`."""
    return Realism(seed=seed, **DELAYS)


def emulator_options(seed, throttle=THROTTLE_RATE):
    """The same settings as `python -m tests.emulator start` options."""
    options = ["--register-debian-ami", "--realism", "--realism-seed", str(seed)]
    for name, value in DELAYS.items():
        options += ["--" + name.replace("_", "-"), repr(value)]
    if throttle:
        options += ["--throttle-rate", repr(throttle), "--throttle-seed", str(seed)]
    return options


@contextlib.contextmanager
def emulator_process(state_dir, *options):
    """`python -m tests.emulator start --pidfile state_dir/emulator.pid OPTIONS`, stopped on exit;
    yields the URL it prints once it answers."""
    pidfile = pathlib.Path(state_dir) / "emulator.pid"
    command = [sys.executable, "-m", "tests.emulator"]
    started = subprocess.run([*command, "start", "--pidfile", str(pidfile), *options], cwd=ROOT, capture_output=True,
                             text=True, timeout=120, check=False)
    if started.returncode != 0:
        raise RuntimeError("the emulator did not start (rc=%s):\n%s" % (started.returncode, started.stderr[-3000:]))
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([*command, "stop", "--pidfile", str(pidfile)], cwd=ROOT, capture_output=True, timeout=60, check=False)


def site_vars(name, url, key_file):
    """site.yml's variables: lab/vars.yml's wiring (no SSH, no add_host, AWS creates the key)."""
    return {
        "vpn_name": name,
        "aws_region": REGION,
        "endpoint_url": url,
        "network_admin_cidrs": ADMIN_CIDRS,
        "ec2_ami_owner": "123456789012",
        "ec2_create_key": True,
        "ec2_private_key_file": str(key_file),
        "ec2_wait_for_ssh": False,
        "ec2_add_host": False,
    }


def playbook_env():
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
                "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (ROOT / ".cache" / "self", ROOT / ".cache" / "collections"),
                "ANSIBLE_ROLES_PATH": str(ROOT / "roles")}, **ANSIBLE_JSON_ENV)
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_URL", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    return env


def _failure_message(result):
    """A failed result's message; for a loop, the first failed item's."""
    for item in result.get("results") or []:
        if isinstance(item, dict) and item.get("failed"):
            return _failure_message(item)
    message = result.get("msg") or result.get("message") or result.get("stderr") or ""
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    if error.get("code"):  # amazon.aws's fail_json_aws: AWS's own answer
        message = "%s (%s: %s)" % (message, error["code"], error.get("message", ""))
    if result.get("unreachable"):
        message = "unreachable: " + message
    return " ".join(str(message).split())[:600]


@dataclass
class PlaybookRun:
    """One ansible-playbook run read from its JSON result."""

    playbook: str
    rc: int
    seconds: float
    stats: dict = field(default_factory=dict)
    plays: list = field(default_factory=list, repr=False)
    failures: list = field(default_factory=list)   # "play / task [module]: message", in order
    changed_tasks: list = field(default_factory=list)
    results: dict = field(default_factory=dict, repr=False)    # task name (no "role : ") -> localhost's result
    output: str = field(default="", repr=False)

    @property
    def ok(self):
        return self.rc == 0 and not self.failures

    @property
    def failing_task(self):
        if self.failures:
            return self.failures[0]
        return "%s exited %s: %s" % (self.playbook, self.rc, " ".join(self.output.split())[-600:])


def run_playbook(playbook, extra_vars, args=(), timeout=PLAYBOOK_TIMEOUT):
    cmd = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(ROOT / "playbooks" / playbook),
           "-e", json.dumps(extra_vars), *args]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=playbook_env(), capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as expired:
        return PlaybookRun(playbook, -1, time.monotonic() - started, output="timed out after %ss: %s" % (timeout, (expired.stderr or b"")[-2000:]))
    seconds = time.monotonic() - started
    run = PlaybookRun(playbook, proc.returncode, seconds, output=proc.stdout[-3000:] + proc.stderr[-3000:])
    try:
        output = json.loads(proc.stdout)
    except ValueError:
        return run
    run.stats = output.get("stats", {}).get("localhost", {})
    for play in output.get("plays", []):
        play_name = play["play"]["name"]
        run.plays.append({"name": play_name, "tasks": len(play["tasks"])})
        for task in play["tasks"]:
            task_name = task["task"]["name"]
            for host, result in task["hosts"].items():
                if host == "localhost":
                    run.results[task_name.split(" : ")[-1]] = result
                if (result.get("failed") or result.get("unreachable")) and not result.get("ignore_errors") and not result.get("skipped"):
                    module = result.get("action", "?")
                    run.failures.append("%s / %s [%s]: %s" % (play_name, task_name, module, _failure_message(result)))
                if result.get("changed"):
                    run.changed_tasks.append(task_name)
    return run


def leftovers(client, name, vpc_ids=()):
    """What of the deployment `name` is still there: tagged resources (check_absent), and in
    the VPCs it had, subnets, security groups other than the default and network interfaces."""
    left = check_deployment.check_absent(client, name)
    tagged = [{"Name": "tag:" + TAG, "Values": [name]}]
    left += ["network interface " + n["NetworkInterfaceId"] for n in client.describe_network_interfaces(Filters=tagged)["NetworkInterfaces"]]
    if vpc_ids:
        in_vpcs = [{"Name": "vpc-id", "Values": list(vpc_ids)}]
        left += ["vpc " + v["VpcId"] for v in client.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": list(vpc_ids)}])["Vpcs"]]
        left += ["subnet " + s["SubnetId"] for s in client.describe_subnets(Filters=in_vpcs)["Subnets"]]
        left += ["security group " + g["GroupId"] for g in client.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]
                 if g["GroupName"] != "default"]
        left += ["network interface " + n["NetworkInterfaceId"] for n in client.describe_network_interfaces(Filters=in_vpcs)["NetworkInterfaces"]]
    return sorted(set(left))


@dataclass
class Cycle:
    """The outcome of one life cycle (site.yml, check, re-run, teardown, leftovers)."""

    name: str
    seconds: float = 0.0
    site: PlaybookRun | None = None
    problems: list = field(default_factory=list)   # check_present's, after the first run
    rerun: PlaybookRun | None = None
    teardown: PlaybookRun | None = None
    left: list | None = None

    @property
    def converged(self):
        return bool(self.site and self.site.ok and not self.problems)

    @property
    def rerun_changed(self):
        """Tasks the re-run changed (None: there was no re-run or it failed)."""
        return self.rerun.stats.get("changed") if self.rerun and self.rerun.ok else None

    @property
    def torn_down(self):
        return bool(self.teardown and self.teardown.ok and self.left == [])

    @property
    def passed(self):
        return self.converged and self.rerun_changed == 0 and self.torn_down

    def failure(self):
        """Why the cycle failed, step by step ('' when it passed)."""
        reasons = []
        if self.site is None:
            reasons.append("site.yml not run: " + ("; ".join(self.problems) or "no reason recorded"))
        elif not self.site.ok:
            reasons.append("site.yml: " + self.site.failing_task)
        elif self.problems:
            reasons.append("site.yml converged but the deployment is wrong: " + "; ".join(self.problems))
        if self.rerun is not None and not self.rerun.ok:
            reasons.append("site.yml re-run: " + self.rerun.failing_task)
        elif self.rerun is not None and self.rerun_changed:
            reasons.append("site.yml re-run changed %s: %s" % (self.rerun_changed, ", ".join(self.rerun.changed_tasks)))
        if self.teardown is None or not self.teardown.ok:
            reasons.append("teardown.yml: " + (self.teardown.failing_task if self.teardown else "not run"))
        if self.left:
            reasons.append("left after teardown: " + ", ".join(self.left))
        return "\n".join(reasons)


def run_cycle(url, client, name, workdir=None):
    """site.yml, check, re-run, teardown.yml and the leftovers check of deployment `name` on the
    emulator at `url`; `client` (boto3 EC2) is what checks, independently of the roles. The
    teardown runs whatever happened before it."""
    cycle = Cycle(name)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="site-cycle-", dir=workdir) as tmp:
        variables = site_vars(name, url, pathlib.Path(tmp) / "keys" / (name + ".pem"))
        vpc_ids = []
        try:
            cycle.site = run_playbook("site.yml", variables)
            vpc_ids = [v["VpcId"] for v in client.describe_vpcs(Filters=[{"Name": "tag:" + TAG, "Values": [name]}])["Vpcs"]]
            if cycle.site.ok:
                cycle.problems = check_deployment.check_present(client, name, ADMIN_CIDRS)
                cycle.rerun = run_playbook("site.yml", variables)
        finally:
            cycle.teardown = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": url})
            cycle.left = leftovers(client, name, vpc_ids)
            cycle.seconds = time.monotonic() - started
    return cycle
