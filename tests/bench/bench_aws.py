"""Benchmark: playbooks/site.yml's AWS play against the EC2 emulator, beside the same deployment
written with plain amazon.aws modules (tests/bench/plain_aws_site.yml). Not a test: it prints
figures (and whether the issue's targets are met) and is not part of `make test`.

    .venv/bin/python -m tests.bench.bench_aws [--rounds N]      (from the repository root)

For each playbook and round: wall time and EC2 API calls of the first run (from nothing) and of
an immediate re-run (which must change nothing). Calls are counted from the emulator's request
log (one line per EC2 request, throttled or not; the emulator runs in its own process, started
and stopped by `python -m tests.emulator start|stop`, through site_cycle.emulator_process). With several rounds the medians are printed. Each run is one
`ansible-playbook` process, so the figures include Ansible's own start-up (~2 s) and the
start-up of every module (Python, boto3, the EC2 service model): on a busy machine, expect
larger times for both playbooks alike; compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from tests.bench.site_cycle import emulator_process

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAYBOOKS = {
    "v6vpn.aws site.yml": ROOT / "playbooks" / "site.yml",
    "plain amazon.aws": ROOT / "tests" / "bench" / "plain_aws_site.yml",
}
TARGETS = {"first run max s": 60.0, "re-run max s": 15.0}


def run(playbook, variables, request_log):
    """One ansible-playbook run: (seconds, EC2 calls, changed tasks, failed tasks)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    for key in ("AWS_PROFILE", "AWS_URL", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    calls_before = len(request_log.read_text().splitlines()) if request_log.exists() else 0
    started = time.monotonic()
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook),
                           "-e", json.dumps(variables)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.monotonic() - started
    calls = len(request_log.read_text().splitlines()) - calls_before
    stats = json.loads(proc.stdout)["stats"]["localhost"] if proc.stdout.startswith("{") else {}
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc=%s):\n%s\n%s" % (playbook.name, proc.returncode, proc.stdout[-4000:], proc.stderr[-2000:]))
    return seconds, calls, stats.get("changed"), stats.get("failures")


def bench(rounds):
    results = {label: {"first_s": [], "first_calls": [], "rerun_s": [], "rerun_calls": [], "rerun_changed": []} for label in PLAYBOOKS}
    with tempfile.TemporaryDirectory(prefix="bench-aws-") as tmp:
        state_dir = pathlib.Path(tmp)
        request_log = state_dir / "requests.log"
        with emulator_process(state_dir, "--register-debian-ami", "--request-log", str(request_log)) as url:
            for round_no in range(rounds):
                # Alternate which playbook goes first, so a change of machine load hits both.
                order = list(PLAYBOOKS.items())
                for label, playbook in order if round_no % 2 == 0 else order[::-1]:
                    name = "bench-%s-%d" % ("v6vpn" if playbook.name == "site.yml" else "plain", round_no)
                    variables = {
                        "vpn_name": name, "aws_region": "us-east-1", "endpoint_url": url,
                        "network_admin_cidrs": ["198.51.100.7/32", "2001:db8:100::/48"],
                        "ec2_ssh_public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpmwgY4zCldkPRElNwcz/MJJH6WFpCihQey8zctN6No bench",
                        "ec2_ami_owner": "123456789012", "ec2_wait_for_ssh": False, "ec2_add_host": False,
                    }
                    first_s, first_calls, _changed, _failed = run(playbook, variables, request_log)
                    rerun_s, rerun_calls, rerun_changed, _failed = run(playbook, variables, request_log)
                    for key, value in (("first_s", first_s), ("first_calls", first_calls), ("rerun_s", rerun_s),
                                       ("rerun_calls", rerun_calls), ("rerun_changed", rerun_changed)):
                        results[label][key].append(value)
                    print("round %d %-20s first %5.1f s %3d calls | re-run %5.1f s %3d calls, %d changed"
                          % (round_no + 1, label, first_s, first_calls, rerun_s, rerun_calls, rerun_changed), flush=True)
    return {label: {key: statistics.median(values) for key, values in figures.items()} for label, figures in results.items()}


def report(medians, rounds):
    ours, plain = medians["v6vpn.aws site.yml"], medians["plain amazon.aws"]
    print()
    print("EC2 emulator benchmark (%s of %d round%s)" % ("median" if rounds > 1 else "result", rounds, "s" if rounds > 1 else ""))
    print("%-22s %12s %12s %12s %12s %10s" % ("", "first run s", "first calls", "re-run s", "re-run calls", "re-run chg"))
    for label, figures in medians.items():
        print("%-22s %12.1f %12d %12.1f %12d %10d" % (label, figures["first_s"], figures["first_calls"], figures["rerun_s"],
                                                      figures["rerun_calls"], figures["rerun_changed"]))
    print("%-22s %12.2f %12.2f %12.2f %12.2f" % ("ratio v6vpn/plain", ours["first_s"] / plain["first_s"], ours["first_calls"] / plain["first_calls"],
                                                 ours["rerun_s"] / plain["rerun_s"], ours["rerun_calls"] / plain["rerun_calls"]))
    checks = [
        ("first run <= %.0f s" % TARGETS["first run max s"], ours["first_s"] <= TARGETS["first run max s"]),
        ("re-run <= %.0f s" % TARGETS["re-run max s"], ours["rerun_s"] <= TARGETS["re-run max s"]),
        ("re-run changes nothing", ours["rerun_changed"] == 0),
        ("fewer EC2 calls than plain amazon.aws (first run)", ours["first_calls"] < plain["first_calls"]),
        ("fewer EC2 calls than plain amazon.aws (re-run)", ours["rerun_calls"] < plain["rerun_calls"]),
        ("less time than plain amazon.aws (first run)", ours["first_s"] < plain["first_s"]),
        ("less time than plain amazon.aws (re-run)", ours["rerun_s"] < plain["rerun_s"]),
    ]
    print()
    for label, ok in checks:
        print("%-4s %s" % ("met" if ok else "MISS", label))
    return all(ok for _label, ok in checks)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of (first run, re-run) per playbook; medians are printed")
    args = parser.parse_args(argv)
    print("load average before: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    report(bench(max(1, args.rounds)), max(1, args.rounds))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
