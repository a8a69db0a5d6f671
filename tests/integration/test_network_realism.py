"""The network role against the emulator's realism mode (tests/emulator/README.md, "Realism"): zone
names mapped per account with per-zone offerings, IPv6 blocks that stay `associating`; and the
inputs refused before any call. Issue 9, items 1, 2, 5 and 10 (network side).

Each test runs the role through a small playbook that includes it as playbooks/site.yml does
(module_defaults on group/v6vpn.aws.aws), with its own vpn_name, against its own realism emulator
(moto's state is shared with the session emulator; the names keep the tests apart). The delays
not under test are 0.
"""

from __future__ import annotations

import ipaddress

import pytest
import yaml

from tests.integration.test_roles_aws import ADMIN_CIDRS, REGION, playbook_env, run_playbook

# With this seed us-east-1a is use1-az3, the zone without t3 (asserted below, not assumed).
SEED_A_IS_AZ3 = 7


def mutating(calls):
    """The EC2 calls among ``calls`` (a Counter) that are not read-only."""
    return {action: n for action, n in calls.items() if not action.startswith(("Describe", "Get", "List"))}


@pytest.fixture
def network_playbook(tmp_path):
    """A playbook that runs the network role as site.yml's first play does."""
    path = tmp_path / "network.yml"
    path.write_text(yaml.safe_dump([{
        "name": "Network on AWS",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "module_defaults": {"group/v6vpn.aws.aws": {"region": "{{ aws_region | default(omit) }}",
                                                    "endpoint_url": "{{ endpoint_url | default(omit) }}"}},
        "roles": [{"role": "v6vpn.aws.network"}],
    }]))
    return str(path)


def network_vars(name, url, **overrides):
    variables = {"vpn_name": name, "aws_region": REGION, "endpoint_url": url, "network_admin_cidrs": ADMIN_CIDRS}
    variables.update(overrides)
    return {k: v for k, v in variables.items() if v is not None}


def zone_ids(client):
    return {z["ZoneName"]: z["ZoneId"] for z in client.describe_availability_zones()["AvailabilityZones"]}


def offering(client, instance_type):
    return sorted(o["Location"] for o in client.describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [instance_type]}])["InstanceTypeOfferings"])


def deployment_subnets(client, name):
    return client.describe_subnets(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]}])["Subnets"]


def test_the_subnet_goes_in_the_first_zone_offering_the_instance_type(realistic, network_playbook):
    """Today's role took the region's first zone by name, us-east-1a, which is use1-az3 (no t3) in
    this account: RunInstances would answer Unsupported, after the subnet exists."""
    emulator = realistic(seed=SEED_A_IS_AZ3)
    client = emulator.client()
    ids = zone_ids(client)
    assert ids["us-east-1a"] == "use1-az3" and "us-east-1a" not in offering(client, "t3.micro")

    run = run_playbook(network_playbook, network_vars("zone-first", emulator.url))
    assert run.rc == 0, run
    (subnet,) = deployment_subnets(client, "zone-first")
    assert subnet["AvailabilityZone"] == offering(client, "t3.micro")[0] == "us-east-1b"
    assert subnet["AvailabilityZoneId"] != "use1-az3"
    facts = run.results["Publish v6vpn_network, the ids of what the role built"]["ansible_facts"]["v6vpn_network"]
    assert facts["availability_zone"] == "us-east-1b" and facts["subnet_id"] == subnet["SubnetId"]

    # Another type the subnet's zone offers: the subnet stays where it is, nothing changes.
    again = run_playbook(network_playbook, network_vars("zone-first", emulator.url, network_instance_type="t3.small"))
    assert again.rc == 0 and again.stats["changed"] == 0, again


@pytest.mark.parametrize("overrides, message", [
    ({"network_availability_zone": "us-east-1a"},
     "network_availability_zone: us-east-1a does not offer t3.micro (or is not an available zone of us-east-1); zones that do: us-east-1b, "),
    ({"network_instance_type": "hpc7a.12xlarge", "network_availability_zone": ""},
     "network_instance_type: hpc7a.12xlarge is offered in no availability zone of us-east-1; choose another instance type or region"),
], ids=["pinned-zone-without-the-type", "type-offered-nowhere"])
def test_a_zone_without_the_type_fails_before_anything_is_created(realistic, network_playbook, overrides, message):
    emulator = realistic(seed=SEED_A_IS_AZ3)
    client = emulator.client()
    if "network_instance_type" in overrides:  # a type EC2 describes, offered in no zone of the region
        assert offering(client, "hpc7a.12xlarge") == [] and client.describe_instance_types(InstanceTypes=["hpc7a.12xlarge"])["InstanceTypes"]
    name = "zone-refused-%d" % len(overrides)
    before = emulator.calls
    run = run_playbook(network_playbook, network_vars(name, emulator.url, **overrides))
    assert run.rc != 0, run
    assert any(message in failure for failure in run.failures), run
    assert mutating(emulator.calls - before) == {}, "mutating calls: %s" % (emulator.calls - before)
    assert client.describe_vpcs(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]}])["Vpcs"] == []


def test_a_pinned_zone_offering_the_type_is_taken(realistic, network_playbook):
    emulator = realistic(seed=SEED_A_IS_AZ3)
    client = emulator.client()
    run = run_playbook(network_playbook, network_vars("zone-pinned", emulator.url, network_availability_zone="us-east-1d"))
    assert run.rc == 0, run
    assert [s["AvailabilityZone"] for s in deployment_subnets(client, "zone-pinned")] == ["us-east-1d"]


def test_an_existing_subnet_in_a_zone_without_the_type_fails_naming_the_fix(realistic, network_playbook):
    """A subnet cannot move: the role says so, and changes nothing."""
    emulator = realistic(seed=SEED_A_IS_AZ3)
    client = emulator.client()
    # The deployment's subnet in us-east-1a (use1-az3), made for a type offered there (c4.large).
    assert "us-east-1a" in offering(client, "c4.large")
    made = run_playbook(network_playbook, network_vars("zone-stuck", emulator.url, network_instance_type="c4.large",
                                                       network_availability_zone="us-east-1a"))
    assert made.rc == 0, made
    assert [s["AvailabilityZone"] for s in deployment_subnets(client, "zone-stuck")] == ["us-east-1a"]

    before = emulator.calls
    run = run_playbook(network_playbook, network_vars("zone-stuck", emulator.url))
    assert run.rc != 0, run
    assert any("network_instance_type: the deployment's subnet is in us-east-1a, which does not offer t3.micro" in f
               and "remove the deployment (playbooks/teardown.yml) and run again, or choose an instance type offered in us-east-1a" in f
               for f in run.failures), run
    assert mutating(emulator.calls - before) == {}


def test_the_subnet_is_created_while_its_64_is_still_associating(realistic, network_playbook):
    """AWS refuses assign-on-creation while the /64 is `associating` (terraform-provider-aws #24681):
    today's single ec2_vpc_subnet call set it at once and failed; subnet_ipv6 waits for the block."""
    emulator = realistic(seed=1, associate_delay=2.0)
    client = emulator.client()
    run = run_playbook(network_playbook, network_vars("associating", emulator.url))
    assert run.rc == 0, run
    (subnet,) = deployment_subnets(client, "associating")
    (block,) = [a for a in subnet["Ipv6CidrBlockAssociationSet"] if a["Ipv6CidrBlockState"]["State"] == "associated"]
    vpc = client.describe_vpcs(VpcIds=[subnet["VpcId"]])["Vpcs"][0]
    assert ipaddress.ip_network(block["Ipv6CidrBlock"]).subnet_of(ipaddress.ip_network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]))
    assert subnet["AssignIpv6AddressOnCreation"] is True and subnet["MapPublicIpOnLaunch"] is True
    assert emulator.calls["ModifySubnetAttribute"] >= 1

    again = run_playbook(network_playbook, network_vars("associating", emulator.url))
    assert again.rc == 0 and again.stats["changed"] == 0, again


BAD_NETWORK_INPUTS = [
    ({"vpn_name": "sg-lab"}, "vpn_name: 'sg-lab' would name the security group 'sg-lab-sg', and AWS refuses group names starting with 'sg-'"),
    ({"vpn_name": "sg"}, "vpn_name: 'sg' would name the security group 'sg-sg'"),
    ({"network_admin_cidrs": ["198.51.100.7/32", "0.0.0.0/0"]},
     "network_admin_cidrs: 0.0.0.0/0 would open SSH to the whole internet; give the addresses you administer from "
     "(for example 203.0.113.7/32), or set network_admin_cidrs_allow_any: true to allow it"),
    ({"network_admin_cidrs": ["::/0"]}, "network_admin_cidrs: ::/0 would open SSH to the whole internet"),
    ({"network_instance_type": "t3micro"}, "network_instance_type: 't3micro' is not an instance type"),
]


@pytest.mark.parametrize("overrides, message", BAD_NETWORK_INPUTS, ids=["sg-dash", "sg", "any-v4", "any-v6", "type"])
def test_network_inputs_aws_would_refuse_fail_before_any_call(emulator, network_playbook, overrides, message):
    before = emulator.request_count
    run = run_playbook(network_playbook, network_vars("refused", emulator.url, **overrides))
    assert run.rc != 0, run
    assert any(message in failure for failure in run.failures), run
    assert emulator.request_count == before, "EC2 calls were made: %s" % run


def test_ssh_from_everywhere_with_the_opt_in(realistic, network_playbook):
    emulator = realistic(seed=2)
    client = emulator.client()
    run = run_playbook(network_playbook, network_vars("anyssh", emulator.url, network_admin_cidrs=["0.0.0.0/0", "::/0"],
                                                      network_admin_cidrs_allow_any=True))
    assert run.rc == 0, run
    (group,) = client.describe_security_groups(Filters=[{"Name": "tag:v6vpn:deployment", "Values": ["anyssh"]}])["SecurityGroups"]
    ssh = [rule for rule in group["IpPermissions"] if rule.get("FromPort") == 22]
    assert {r["CidrIp"] for rule in ssh for r in rule.get("IpRanges", [])} == {"0.0.0.0/0"}
    assert {r["CidrIpv6"] for rule in ssh for r in rule.get("Ipv6Ranges", [])} == {"::/0"}


def test_the_openvpn_tcp_fallback_port_is_opened_beside_udp_only(realistic, network_playbook):
    """issue 11 item 1: tcp/443 from the clients' CIDRs (IPv4 and IPv6, like the UDP port); none
    with port 0 or when OpenVPN itself is on TCP."""
    emulator = realistic(seed=3)
    client = emulator.client()

    def inbound(name, **overrides):
        run = run_playbook(network_playbook, network_vars(name, emulator.url, network_ipv6_inbound=True, **overrides))
        assert run.rc == 0, run
        (group,) = client.describe_security_groups(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]}])["SecurityGroups"]
        return {(rule["IpProtocol"], rule.get("FromPort")): ({r["CidrIp"] for r in rule.get("IpRanges", [])},
                                                             {r["CidrIpv6"] for r in rule.get("Ipv6Ranges", [])})
                for rule in group["IpPermissions"]}

    opened = inbound("tcpfb")
    assert opened[("udp", 1194)] == opened[("tcp", 443)] == ({"0.0.0.0/0"}, {"::/0"})
    assert ("tcp", 443) not in inbound("notcpfb", network_openvpn_tcp_fallback_port=0)
    assert ("tcp", 443) not in inbound("tcpvpn", network_openvpn_proto="tcp")


def test_a_region_only_in_the_aws_profile_is_enough(emulator, network_playbook, tmp_path):
    """No aws_region, AWS_REGION or AWS_DEFAULT_REGION: the profile's region (AWS_PROFILE in
    AWS_CONFIG_FILE, credentials in AWS_SHARED_CREDENTIALS_FILE) passes the validation and reaches
    the modules."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile lab]\nregion = %s\n" % REGION)
    credentials.write_text("[lab]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    env = playbook_env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_SESSION_TOKEN=None, AWS_PROFILE="lab",
                       AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    before = emulator.calls
    down = run_playbook("teardown.yml", {"vpn_name": "profileregion", "endpoint_url": emulator.url}, env=env)
    assert down.rc == 0, down
    assert (emulator.calls - before)["DescribeVpcs"] >= 1

    # Without the region in the profile, the message says where to put one.
    config.write_text("[profile lab]\noutput = json\n")
    before = emulator.request_count
    failed = run_playbook(network_playbook, network_vars("profileregion", emulator.url, aws_region=None), env=env)
    assert failed.rc != 0, failed
    assert any("aws_region is not set: give the AWS region (for example -e aws_region=eu-west-1) or set AWS_REGION, "
               "or set region in profile lab of %s" % config in f for f in failed.failures), failed
    assert emulator.request_count == before
