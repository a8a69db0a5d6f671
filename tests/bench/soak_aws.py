"""Soak: site.yml's AWS play, a re-run and teardown.yml against a realism emulator, for many seeds.
Not a test (the realism test runs three seeds of the same cycle in `make test`): it prints figures.

    .venv/bin/python -m tests.bench.soak_aws [--seeds 20] [--first-seed 1] [--throttle 0.2] [--jobs 1]

Each seed gets its own emulator process (`python -m tests.emulator start`, realism seeded with
it, so its own zone map, delays and throttled calls) and runs tests/bench/site_cycle.py's cycle:
site.yml from nothing, the deployment checked, site.yml again (must change nothing), teardown.yml,
then nothing of the deployment may be left. Prints a line per seed, then: converged N/N, seeds
whose re-run changed 0, seeds whose teardown left 0, median and worst wall time of a cycle, and
for each failed seed its failing task(s). Exits 1 when any seed failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import sys
import tempfile

import boto3
from botocore.config import Config

from tests.bench import site_cycle


def checker(url):
    """A boto3 client that checks the deployment; it retries the emulator's throttling."""
    return boto3.client("ec2", endpoint_url=url, region_name=site_cycle.REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"mode": "standard", "max_attempts": 20}))


def soak_one(seed, throttle):
    with tempfile.TemporaryDirectory(prefix="soak-aws-%d-" % seed) as state_dir:
        try:
            with site_cycle.emulator_process(state_dir, *site_cycle.emulator_options(seed, throttle)) as url:
                return seed, site_cycle.run_cycle(url, checker(url), "soak-%d" % seed, workdir=state_dir)
        except Exception as error:  # pylint: disable=broad-exception-caught  # one seed's harness failure is that seed's result
            cycle = site_cycle.Cycle("soak-%d" % seed)
            cycle.problems = ["harness: %s: %s" % (type(error).__name__, error)]
            return seed, cycle


def line(seed, cycle):
    def step(run):
        return "-" if run is None else ("%5.1fs %s" % (run.seconds, "ok" if run.ok else "FAILED"))
    return ("seed %3d  %-4s  %6.1fs | site %s | re-run %s, %s changed | teardown %s, %s left"
            % (seed, "ok" if cycle.passed else "FAIL", cycle.seconds, step(cycle.site), step(cycle.rerun),
               "-" if cycle.rerun_changed is None else cycle.rerun_changed, step(cycle.teardown),
               "-" if cycle.left is None else len(cycle.left)))


def report(outcomes, throttle):
    seeds = len(outcomes)
    times = [cycle.seconds for _seed, cycle in outcomes]
    print()
    print("soak: %d seeds, realism %s, %d %% of EC2 calls throttled" % (
        seeds, ", ".join("%s %gs" % (k, v) for k, v in site_cycle.DELAYS.items()), round(throttle * 100)))
    print("converged          %d/%d" % (sum(c.converged for _s, c in outcomes), seeds))
    print("re-run changed 0   %d/%d" % (sum(c.rerun_changed == 0 for _s, c in outcomes), seeds))
    print("teardown left 0    %d/%d" % (sum(c.torn_down for _s, c in outcomes), seeds))
    print("wall time          median %.1f s, worst %.1f s (a cycle: site.yml, re-run, teardown.yml)"
          % (statistics.median(times), max(times)))
    failed = [(seed, cycle) for seed, cycle in outcomes if not cycle.passed]
    for seed, cycle in failed:
        print()
        print("seed %d failed:" % seed)
        for reason in cycle.failure().splitlines():
            print("  " + reason)
    return not failed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.soak_aws", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
    parser.add_argument("--first-seed", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--throttle", type=float, default=site_cycle.THROTTLE_RATE,
                        help="fraction of EC2 calls answered RequestLimitExceeded (default %g)" % site_cycle.THROTTLE_RATE)
    parser.add_argument("--jobs", type=int, default=1, help="seeds run at once (default 1)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.jobs < 1 or not 0.0 <= args.throttle <= 1.0:
        parser.error("--seeds and --jobs must be at least 1, --throttle within 0-1")
    print("load average before: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    outcomes = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for seed, cycle in pool.map(lambda s: soak_one(s, args.throttle), seeds):
            print(line(seed, cycle), flush=True)
            outcomes.append((seed, cycle))
    passed = report(outcomes, args.throttle)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
