"""playbooks/site.yml's AWS play, a re-run and playbooks/teardown.yml against an emulator that
behaves like EC2 in time and per zone (realism: eventual consistency, associating /56 and /64,
pending instances, lingering interfaces, zones per account) and throttles 20 % of the EC2 calls,
for several seeds (each seed its own zone map, delays and throttled calls).

The life cycle is tests/bench/site_cycle.py's, the one the soak (`python -m tests.bench.soak_aws`)
runs for many seeds; a failure names the step and the failing task of each failed step.
"""

from __future__ import annotations

import pytest

from tests.bench import site_cycle
from tests.emulator.amis import register_debian_ami
from tests.emulator.server import Emulator

SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_site_converges_reruns_unchanged_and_tears_down_on_realistic_ec2(emulator, seed, tmp_path):
    # `emulator` (the session's, plain) shares moto's state with the realism emulator: it sets up
    # the Debian AMIs and checks the deployment without throttling or realism in the way.
    checker = emulator.client(region_name=site_cycle.REGION)
    with emulator.paused():
        register_debian_ami(checker)  # another test of this worker may have reset the emulator
    name = "realism-%d" % seed
    with Emulator(throttle_rate=site_cycle.THROTTLE_RATE, throttle_seed=seed, realism=site_cycle.realism(seed)) as realistic:
        cycle = site_cycle.run_cycle(realistic.url, checker, name, workdir=tmp_path)
        throttled, total = sum(realistic.throttled.values()), realistic.request_count

    assert cycle.passed, "seed %d:\n%s" % (seed, cycle.failure())
    # The run was the one meant: the openvpn play matched no host, the summary play ran, and
    # the emulator throttled about a fifth of the calls.
    plays = {play["name"]: play["tasks"] for play in cycle.site.plays}
    assert plays.get("OpenVPN on the server", 0) == 0, plays
    summary = "\n".join(cycle.site.results["Show how to connect and how to tear down"]["msg"])
    assert "VPN endpoint: none yet" in summary and "SSH: ssh admin@" in summary and "teardown.yml -e vpn_name=%s" % name in summary, summary
    assert total > 50 and 0.1 < throttled / total < 0.3, (total, throttled)
