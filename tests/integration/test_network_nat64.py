"""AWS's NAT64 and DNS64 for hosts in the VPC (issue 10, role network): network_nat64_gateway and
network_dns64 against the emulator in its realism mode (NAT gateways `pending` then `available`,
`deleting` then `deleted`, holding their interface and Elastic IP meanwhile; new ids invisible
for a while; tests/emulator/patches/nat_gateways.py).

One life cycle: on (gateway available with its tagged Elastic IP, route 64:ff9b::/96 to it in the
main table, the subnet's EnableDns64), a re-run with nothing changed, check mode with no mutating
call, off (everything removed), on again, then playbooks/teardown.yml leaving nothing. And the
bad combination (DNS64 without the gateway) refused before any AWS call.
"""

from __future__ import annotations

from tests.integration.test_network_realism import deployment_subnets, mutating, network_playbook, network_vars  # noqa: F401  pylint: disable=unused-import
from tests.integration.test_roles_aws import REGION, check_deployment, deployment_vars, run_playbook

FACTS = "Publish v6vpn_network, the ids of what the role built"
ON = {"network_nat64_gateway": True, "network_dns64": True}
OFF = {"network_nat64_gateway": False, "network_dns64": False}
LIVE = ["pending", "available", "deleting", "failed"]


def tagged(name, *more):
    return [{"Name": "tag:v6vpn:deployment", "Values": [name]}, *more]


def nat_gateways(client, name, states=None):
    filters = tagged(name, {"Name": "state", "Values": states or LIVE})
    return client.describe_nat_gateways(Filter=filters)["NatGateways"]


def nat64_route(client, vpc_id):
    """The main route table's route to 64:ff9b::/96, or None."""
    table = client.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                  {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    return next((r for r in table["Routes"] if r.get("DestinationIpv6CidrBlock") == "64:ff9b::/96"), None)


def assert_on(client, name, run):
    """The gateway available in the subnet with its own tagged Elastic IP, the route, DNS64; the facts say so."""
    (subnet,) = deployment_subnets(client, name)
    assert subnet["EnableDns64"] is True, subnet
    (gateway,) = nat_gateways(client, name)
    assert gateway["State"] == "available" and gateway["SubnetId"] == subnet["SubnetId"], gateway
    assert {"Key": "Name", "Value": name + "-nat64"} in gateway["Tags"], gateway
    (address,) = client.describe_addresses(Filters=tagged(name))["Addresses"]
    assert {"Key": "Name", "Value": name + "-nat64-eip"} in address["Tags"], address
    assert gateway["NatGatewayAddresses"][0]["AllocationId"] == address["AllocationId"]
    assert address["NetworkInterfaceId"] == gateway["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    route = nat64_route(client, subnet["VpcId"])
    assert route and route["NatGatewayId"] == gateway["NatGatewayId"] and route["State"] == "active", route
    facts = run.results[FACTS]["ansible_facts"]["v6vpn_network"]
    assert facts["nat_gateway_id"] == gateway["NatGatewayId"] and facts["dns64"] is True, facts
    return gateway, address


def test_nat64_gateway_and_dns64_on_rerun_check_off_and_teardown(realistic, network_playbook):
    emulator = realistic(seed=3, pending_delay=3.0, consistency_delay=0.5, associate_delay=0.5)
    client = emulator.client()
    name = "nat64"

    first = run_playbook(network_playbook, network_vars(name, emulator.url, **ON))
    assert first.rc == 0, first
    # The role waited for the gateway (the emulator keeps it pending 3 s) before routing to it.
    assert first.results["Wait until the NAT64 gateway is available"]["attempts"] >= 1, first.results
    gateway, address = assert_on(client, name, first)

    again = run_playbook(network_playbook, network_vars(name, emulator.url, **ON))
    assert again.rc == 0 and again.stats["changed"] == 0, again
    assert again.results[FACTS]["ansible_facts"]["v6vpn_network"] == dict(first.results[FACTS]["ansible_facts"]["v6vpn_network"], vpc_created=False)

    # Check mode, turning both off: it says what it would change, and calls nothing that changes.
    calls_before = emulator.calls
    check = run_playbook(network_playbook, network_vars(name, emulator.url, **OFF), args=["--check", "--diff"])
    assert check.rc == 0 and check.stats["changed"] > 0, check
    assert check.results["Give the subnet its /64, turn IPv6 auto-assign on and set DNS64"]["diff"]["after"]["enable_dns64"] is False
    assert mutating(emulator.calls - calls_before) == {}, emulator.calls - calls_before
    assert_on(client, name, first)

    # Off: the route, the gateway (waited until deleted) and its address go; DNS64 off.
    off = run_playbook(network_playbook, network_vars(name, emulator.url, **OFF))
    assert off.rc == 0, off
    assert nat_gateways(client, name) == []
    assert nat_gateways(client, name, ["deleted"])[0]["NatGatewayId"] == gateway["NatGatewayId"]
    assert client.describe_addresses(Filters=tagged(name))["Addresses"] == []
    (subnet,) = deployment_subnets(client, name)
    assert subnet["EnableDns64"] is False and nat64_route(client, subnet["VpcId"]) is None
    facts = off.results[FACTS]["ansible_facts"]["v6vpn_network"]
    assert facts["nat_gateway_id"] == "" and facts["dns64"] is False, facts
    off_again = run_playbook(network_playbook, network_vars(name, emulator.url, **OFF))
    assert off_again.rc == 0 and off_again.stats["changed"] == 0, off_again

    # On again (a new gateway and address), then the teardown: nothing left, the gateway deleted
    # before the subnet (its interface held it), the address released.
    on = run_playbook(network_playbook, network_vars(name, emulator.url, **ON))
    assert on.rc == 0, on
    gateway, address = assert_on(client, name, on)
    down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert down.rc == 0 and down.stats["changed"] > 0, down
    assert check_deployment.check_absent(client, name) == []
    assert client.describe_nat_gateways(NatGatewayIds=[gateway["NatGatewayId"]])["NatGateways"][0]["State"] == "deleted"
    assert client.describe_addresses(Filters=[{"Name": "public-ip", "Values": [address["PublicIp"]]}])["Addresses"] == []
    again = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert again.rc == 0 and again.stats["changed"] == 0, again


def test_teardown_after_the_gateway_was_left_deleting(realistic, network_playbook):
    """An interrupted removal: the gateway already `deleting`, its address still held. The teardown
    waits until it is deleted, then releases the address and removes the rest."""
    emulator = realistic(pending_delay=2.0)
    client = emulator.client()
    name = "nat64-cut"
    up = run_playbook(network_playbook, network_vars(name, emulator.url, **ON))
    assert up.rc == 0, up
    (gateway,) = nat_gateways(client, name)
    client.delete_nat_gateway(NatGatewayId=gateway["NatGatewayId"])
    assert nat_gateways(client, name)[0]["State"] == "deleting"

    down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert down.rc == 0, down
    assert check_deployment.check_absent(client, name) == []


def test_dns64_without_the_nat64_gateway_is_refused_before_any_aws_call(emulator, network_playbook):
    for playbook, variables in ((network_playbook, network_vars("dns64-alone", emulator.url, network_dns64=True)),
                                ("site.yml", deployment_vars("dns64-alone", emulator.url, network_dns64=True))):
        calls_before = emulator.request_count
        run = run_playbook(playbook, variables)
        assert run.rc != 0, run
        assert any("network_dns64: DNS64 without a NAT64 route" in f and "set network_nat64_gateway: true as well" in f
                   for f in run.failures), run
        assert emulator.request_count == calls_before, "EC2 calls were made: %s" % run
