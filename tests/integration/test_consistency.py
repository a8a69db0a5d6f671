"""Our modules' create-then-use paths against an emulator that is eventually consistent (realism
mode): a new id answers its NotFound code, and Describe calls omit it, for a random 0..R s
("Eventual consistency in the Amazon EC2 API", EC2 Developer Guide).

The path is the network role's: a VPC created the moment before, then egress_igw creates the
egress-only gateway in it, then vpc_route routes ::/0 to that gateway, in the next task. Without
the retries of module_utils/ec2.py (``just_created``) egress_igw fails with "VPC ... does not
exist" or InvalidVpcID.NotFound, or vpc_route with InvalidGatewayID.NotFound.
"""

from __future__ import annotations

import pytest

from tests.emulator.realism import Realism
from tests.emulator.server import Emulator

SEEDS = (1, 2, 3)


def test_a_new_vpc_then_its_gateway_then_a_route_to_it(run_tasks):
    retried = {}
    for seed in SEEDS:
        # The run_tasks fixture plays against the session emulator's URL; an emulator with
        # realism shares moto's state, so the play goes to it through the endpoint_url override.
        with Emulator(realism=Realism(seed=seed, consistency_delay=8.0)) as emulator:
            ec2 = emulator.client()
            vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
            before = emulator.calls
            run = run_tasks([
                {"v6vpn.aws.egress_igw": {"vpc_id": vpc_id, "tags": {"Name": "fresh"}, "endpoint_url": emulator.url},
                 "register": "eigw"},
                {"v6vpn.aws.vpc_route": {"vpc_id": vpc_id, "endpoint_url": emulator.url,
                                         "routes": [{"dest": "::/0", "egress_only_gateway_id": "{{ eigw.egress_only_igw.id }}"}]}},
            ])
            gateway, route = run.results
            assert not gateway.get("failed") and gateway["changed"] is True, (seed, run)
            assert not route.get("failed") and route["changed"] is True, (seed, run)
            assert route["changes"]["added"] == [{"dest": "::/0", "target_type": "egress_only_gateway_id",
                                                  "target_id": gateway["egress_only_igw"]["id"]}], (seed, run)
            calls = emulator.calls - before
            # A call answered NotFound (or a Describe that omitted the VPC) is made again.
            retried[seed] = {action: count for action, count in calls.items()
                             if count > {"DescribeEgressOnlyInternetGateways": 1, "DescribeRouteTables": 1}.get(action, 1)}
            with emulator.paused():
                table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"][0]
            assert any(r.get("DestinationIpv6CidrBlock") == "::/0"
                       and r.get("EgressOnlyInternetGatewayId") == gateway["egress_only_igw"]["id"] for r in table["Routes"]), table
            emulator.reset()
    # The delays are random: at least one seed must have met a new id that was not visible yet,
    # or this test proves nothing.
    assert any(retried.values()), retried


@pytest.mark.parametrize("missing, message", [
    ({"vpc_id": "vpc-0123456789abcdef0"}, "VPC vpc-0123456789abcdef0 does not exist in this region (still not found after 15 s of retries)"),
])
def test_an_id_that_never_appears_fails_after_the_bounded_retries(ec2, run_tasks, missing, message):
    run = run_tasks([{"v6vpn.aws.egress_igw": missing}])
    assert run[0]["failed"] is True and run[0]["msg"] == message, run
