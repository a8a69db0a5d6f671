"""Roles network and ec2 through playbooks/site.yml and playbooks/teardown.yml, against the EC2
emulator: input validation before any AWS call, the routed/inbound path (the molecule scenario
molecule/aws covers the default path), teardown after an interrupted run, and a run through an
emulator that throttles ~30 % of the EC2 calls.

The deployment is checked through boto3 by molecule/aws/check_deployment.py, independently of the
roles. Each test uses its own vpn_name, so nothing depends on the emulator's other contents.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import boto3
import pytest

from tests.conftest import ANSIBLE_JSON_ENV, ROOT
from tests.emulator.amis import register_debian_ami
from tests.emulator.server import Emulator


REGION = "us-east-1"
ADMIN_CIDRS = ["198.51.100.7/32", "2001:db8:100::/48"]
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpmwgY4zCldkPRElNwcz/MJJH6WFpCihQey8zctN6No pytest"

_spec = importlib.util.spec_from_file_location("check_deployment", ROOT / "molecule" / "aws" / "check_deployment.py")
check_deployment = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_deployment)


def deployment_vars(name, url, **overrides):
    """site.yml's variables for a deployment in the emulator (no SSH there)."""
    variables = {
        "vpn_name": name,
        "aws_region": REGION,
        "endpoint_url": url,
        "network_admin_cidrs": ADMIN_CIDRS,
        "ec2_ssh_public_key": PUBLIC_KEY,
        "ec2_ami_owner": "123456789012",
        "ec2_wait_for_ssh": False,
        "ec2_add_host": False,
    }
    variables.update(overrides)
    return {k: v for k, v in variables.items() if v is not None}


def playbook_env(**overrides):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",  # never look for instance credentials off loopback
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
    }, **ANSIBLE_JSON_ENV)
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_URL", "AWS_ENDPOINT_URL"):
        env.pop(key, None)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


class Run:
    """One ansible-playbook run: rc, stats of localhost, messages of the failed tasks."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.stderr = proc.stderr
        try:
            output = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError("no JSON from ansible-playbook (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])) from None
        self.stats = output["stats"].get("localhost", {})
        self.failures = [
            "%s: %s" % (task["task"]["name"], result.get("msg"))
            for play in output["plays"] for task in play["tasks"]
            for host, result in task["hosts"].items() if result.get("failed") and not result.get("skipped")
        ]
        # By task name without the "role : " prefix.
        self.results = {task["task"]["name"].split(" : ")[-1]: task["hosts"].get("localhost", {})
                        for play in output["plays"] for task in play["tasks"]}

    def __repr__(self):
        return "Run(rc=%s, stats=%s, failures=%s, stderr=%s)" % (self.rc, self.stats, self.failures, self.stderr[-1500:])


def run_playbook(playbook, extra_vars, env=None, timeout=600, args=()):
    cmd = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(ROOT / "playbooks" / playbook),
           "-e", json.dumps(extra_vars), *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env or playbook_env(), capture_output=True, text=True, timeout=timeout, check=False)
    return Run(proc)


@pytest.fixture(scope="module")
def aws(emulator):
    """The session emulator with the fake Debian AMIs, and a boto3 client on it."""
    client = boto3.client("ec2", endpoint_url=emulator.url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    with emulator.paused():
        register_debian_ami(client)
    return emulator, client


def ensure_amis(emulator, client):
    """Other tests of this worker reset the emulator: register the AMIs again (idempotent)."""
    with emulator.paused():
        register_debian_ami(client)


BAD_INPUTS = [
    ({"vpn_name": "My_VPN"}, "vpn_name: 'My_VPN' must be 1-31 characters: lower-case letters"),
    ({"network_vpc_cidr": "10.64.0.1/16"}, "network_vpc_cidr: '10.64.0.1/16' is not a valid CIDR block"),
    ({"network_vpc_cidr": "2001:db8::/56"}, "network_vpc_cidr: '2001:db8::/56' is an IPv6 block, expected IPv4"),
    ({"network_subnet_cidr": "10.65.1.0/24"}, "network_subnet_cidr: 10.65.1.0/24 is not inside network_vpc_cidr 10.64.0.0/16"),
    ({"network_admin_cidrs": ["198.51.100.7/32", "203.0.113.0/33"]}, "network_admin_cidrs: '203.0.113.0/33' is not a valid CIDR block"),
    ({"network_admin_cidrs": None}, "network_admin_cidrs"),
    ({"network_ipv6_subnet_index": 256}, "network_ipv6_subnet_index: 256 is out of range; an Amazon /56 holds 256 /64s (0-255)"),
    ({"ec2_instance_type": "t3micro"}, "ec2_instance_type: 't3micro' is not an instance type (expected family.size"),
    ({"ec2_ssh_public_key": "/nonexistent/id.pub"}, "ec2_ssh_public_key: '/nonexistent/id.pub' is neither an OpenSSH public key"),
    ({"ec2_ipv6_prefix_count": -1}, "ec2_ipv6_prefix_count: -1 is not a whole number of at least 0"),
    ({"aws_region": None}, "aws_region is not set: give the AWS region"),
]


@pytest.mark.parametrize("overrides, message", BAD_INPUTS, ids=["%s-%d" % (next(iter(case[0])), i) for i, case in enumerate(BAD_INPUTS)])
def test_bad_input_fails_before_any_aws_call(aws, overrides, message):
    emulator, client = aws
    name = "bad-%d" % BAD_INPUTS.index((overrides, message))
    calls_before = emulator.request_count
    run = run_playbook("site.yml", deployment_vars(name, emulator.url, **overrides))
    assert run.rc != 0, run
    assert any(message in failure for failure in run.failures), run
    assert emulator.request_count == calls_before, "EC2 calls were made: %s" % run
    assert check_deployment.check_absent(client, name) == []


def test_missing_region_names_the_variable_even_without_the_playbook_var(aws):
    """AWS_REGION in the environment is enough; without it and aws_region, the message says what to set."""
    emulator, _client = aws
    run = run_playbook("teardown.yml", {"vpn_name": "noregion", "endpoint_url": emulator.url})
    assert run.rc != 0 and any("aws_region is not set" in f for f in run.failures), run


def test_clients_playbook_checks_the_deployment_before_any_aws_call(aws):
    emulator, _client = aws
    calls_before = emulator.request_count
    run = run_playbook("clients.yml", {"vpn_name": "My_VPN", "endpoint_url": emulator.url}, args=["--limit", "localhost"])
    assert run.rc != 0, run
    assert any("vpn_name: 'My_VPN' must be 1-31 characters" in f and "aws_region is not set" in f for f in run.failures), run
    assert emulator.request_count == calls_before


def test_missing_credentials_give_a_clear_message(aws, tmp_path):
    emulator, _client = aws
    env = playbook_env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, AWS_SESSION_TOKEN=None,
                       AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_CONFIG_FILE=str(tmp_path / "none"))
    calls_before = emulator.request_count
    run = run_playbook("site.yml", deployment_vars("nocreds", emulator.url), env=env)
    assert run.rc != 0, run
    assert any("The first call to the EC2 API failed" in f and "Check the AWS credentials" in f for f in run.failures), run
    assert "Traceback" not in run.stderr
    assert emulator.request_count == calls_before  # botocore refused to send unsigned requests


def test_routed_prefix_inbound_ipv6_elastic_ip_and_created_key(aws, tmp_path):
    """The second converge path: ::/0 via the IGW, a delegated /80, plus an Elastic IP and an
    AWS-created key pair; clients.yml finding the server read-only; then back to the egress-only
    route, and teardown."""
    emulator, client = aws
    ensure_amis(emulator, client)
    name = "routed"
    key_file = tmp_path / "keys" / "routed.pem"
    variables = deployment_vars(name, emulator.url, network_ipv6_inbound=True, ec2_ipv6_prefix_count=1, ec2_elastic_ip=True,
                                ec2_ssh_public_key=None, ec2_create_key=True, ec2_private_key_file=str(key_file),
                                network_tags={"owner": "pytest"})

    first = run_playbook("site.yml", variables)
    assert first.rc == 0 and first.stats["changed"] > 0, first
    assert check_deployment.check_present(client, name, ADMIN_CIDRS, ipv6_inbound=True, prefix_count=1) == []
    assert key_file.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert oct(key_file.parent.stat().st_mode & 0o777) == "0o700"
    assert "PRIVATE KEY" not in json.dumps(first.results)  # never in a task result

    addresses = client.describe_addresses(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]}])["Addresses"]
    instance = client.describe_instances(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]},
                                                  {"Name": "instance-state-name", "Values": ["running"]}])["Reservations"][0]["Instances"][0]
    assert len(addresses) == 1 and addresses[0]["InstanceId"] == instance["InstanceId"]
    # site.yml gives the instance, its key pair and Elastic IP the network's tags (ec2_tags).
    for resource in (instance, addresses[0], client.describe_key_pairs(Filters=[{"Name": "tag:v6vpn:deployment", "Values": [name]}])["KeyPairs"][0]):
        assert {"Key": "owner", "Value": "pytest"} in resource["Tags"], resource
    facts = first.results["Publish v6vpn_instance for the next plays and the summary"]["ansible_facts"]["v6vpn_instance"]
    eni = instance["NetworkInterfaces"][0]
    assert facts["public_ipv4"] == addresses[0]["PublicIp"]
    assert facts["ipv6_prefixes"] == [p["Ipv6Prefix"] for p in eni["Ipv6Prefixes"]]
    assert facts["ipv6_address"] in [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]
    assert facts["network_interface_id"] == eni["NetworkInterfaceId"] and facts["instance_id"] == instance["InstanceId"]
    summary = first.results["Show how to connect and how to tear down"]["msg"]
    assert "Server IPv6: %s; ::/0 leaves through the Internet Gateway" % facts["ipv6_address"] in summary, summary
    assert "Routed IPv6 /80 for clients: %s" % facts["ipv6_prefixes"][0] in summary, summary
    assert "SSH: ssh admin@%s" % facts["public_ipv4"] in summary, summary

    again = run_playbook("site.yml", variables)
    assert again.rc == 0 and again.stats["changed"] == 0, again
    assert again.results["Publish v6vpn_instance for the next plays and the summary"]["ansible_facts"]["v6vpn_instance"] == facts

    # clients.yml finds the running server with read-only calls (the ec2 role's `find`) and adds it
    # as site.yml does; --limit localhost: the emulator's instance has no SSH for the openvpn play.
    calls_before = emulator.calls
    found = run_playbook("clients.yml", dict(variables, ec2_add_host=True), args=["--limit", "localhost"])
    assert found.rc == 0, found
    assert set(emulator.calls - calls_before) == {"DescribeInstances"}, emulator.calls - calls_before
    assert found.results["Publish v6vpn_instance for the next plays and the summary"]["ansible_facts"]["v6vpn_instance"] == facts
    added = found.results["Add the server to openvpn_servers"]["add_host"]
    assert added["host_name"] == name and added["groups"] == ["openvpn_servers"], added
    assert {key: added["host_vars"][key] for key in ("ansible_host", "v6vpn_public_ipv4", "v6vpn_ipv6_address", "v6vpn_ipv6_prefixes")} == {
        "ansible_host": facts["public_ipv4"], "v6vpn_public_ipv4": facts["public_ipv4"],
        "v6vpn_ipv6_address": facts["ipv6_address"], "v6vpn_ipv6_prefixes": facts["ipv6_prefixes"]}

    # Back to the default: ::/0 to the egress-only gateway, OpenVPN from IPv4 clients only; and
    # the security group follows the server's port and transport (site.yml passes them on).
    egress_only = run_playbook("site.yml", dict(variables, network_ipv6_inbound=False, openvpn_port=443, openvpn_proto="tcp"))
    assert egress_only.rc == 0 and egress_only.stats["changed"] == 2, egress_only  # the route and the security group
    assert check_deployment.check_present(client, name, ADMIN_CIDRS, ipv6_inbound=False, prefix_count=1, port=443, proto="tcp") == []

    down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert down.rc == 0 and down.stats["changed"] > 0, down
    assert check_deployment.check_absent(client, name) == []
    assert client.describe_addresses(Filters=[{"Name": "public-ip", "Values": [addresses[0]["PublicIp"]]}])["Addresses"] == []


def build_bystander(client, name):
    """Another deployment's resources, made directly (cheaper than site.yml): teardown must leave them."""
    def spec(kind):
        return [{"ResourceType": kind, "Tags": [{"Key": "v6vpn:deployment", "Value": name}]}]

    vpc_id = client.create_vpc(CidrBlock="10.64.0.0/16", AmazonProvidedIpv6CidrBlock=True, TagSpecifications=spec("vpc"))["Vpc"]["VpcId"]
    subnet_id = client.create_subnet(VpcId=vpc_id, CidrBlock="10.64.1.0/24", TagSpecifications=spec("subnet"))["Subnet"]["SubnetId"]
    igw_id = client.create_internet_gateway(TagSpecifications=spec("internet-gateway"))["InternetGateway"]["InternetGatewayId"]
    client.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    eigw_id = client.create_egress_only_internet_gateway(VpcId=vpc_id, TagSpecifications=spec("egress-only-internet-gateway"))[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    group_id = client.create_security_group(GroupName=name + "-sg", Description="d", VpcId=vpc_id, TagSpecifications=spec("security-group"))["GroupId"]
    client.import_key_pair(KeyName=name + "-key", PublicKeyMaterial=PUBLIC_KEY.encode(), TagSpecifications=spec("key-pair"))
    instance_id = client.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet_id,
                                       TagSpecifications=spec("instance"))["Instances"][0]["InstanceId"]
    address = client.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip"))["PublicIp"]
    return ["vpc " + vpc_id, "subnet " + subnet_id, "igw " + igw_id, "eigw " + eigw_id, "security group " + group_id,
            "key pair " + name + "-key", "address " + address, "instance " + instance_id]


def test_teardown_after_a_run_interrupted_between_egress_gateway_and_instance(aws):
    """site.yml is killed as soon as the egress-only gateway exists; teardown removes what the run
    left, touches another deployment not at all, and is idempotent."""
    emulator, client = aws
    ensure_amis(emulator, client)
    bystander = build_bystander(client, "bystander")

    name = "interrupted"
    tagged = [{"Name": "tag:v6vpn:deployment", "Values": [name]}]
    cmd = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(ROOT / "playbooks" / "site.yml"),
           "-e", json.dumps(deployment_vars(name, emulator.url))]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=playbook_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while not client.describe_egress_only_internet_gateways(Filters=tagged)["EgressOnlyInternetGateways"]:
            assert proc.poll() is None, "site.yml ended (rc=%s) before creating the egress-only gateway" % proc.returncode
            assert time.monotonic() < deadline, "no egress-only gateway within 180 s"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the playbook's own process group
        proc.wait(timeout=30)
    assert not client.describe_instances(Filters=tagged)["Reservations"], "the run got as far as the instance"
    assert client.describe_vpcs(Filters=tagged)["Vpcs"]

    down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert down.rc == 0 and down.stats["changed"] > 0, down
    assert check_deployment.check_absent(client, name) == []
    again = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url})
    assert again.rc == 0 and again.stats["changed"] == 0, again

    assert sorted(check_deployment.check_absent(client, "bystander")) == sorted(bystander), "another deployment was touched"


def test_site_and_teardown_succeed_while_30_percent_of_ec2_calls_are_throttled(aws):
    """RequestLimitExceeded on ~30 % of EC2 calls: botocore and AWSRetry retry them."""
    emulator, client = aws
    ensure_amis(emulator, client)
    name = "throttled"
    with Emulator(throttle_rate=0.3, throttle_seed=20261125) as throttled:  # shares moto's state with `emulator`
        up = run_playbook("site.yml", deployment_vars(name, throttled.url))
        assert up.rc == 0, up
        assert check_deployment.check_present(client, name, ADMIN_CIDRS) == []
        down = run_playbook("teardown.yml", {"vpn_name": name, "aws_region": REGION, "endpoint_url": throttled.url})
        assert down.rc == 0, down
        assert check_deployment.check_absent(client, name) == []
        total, refused = throttled.request_count, sum(throttled.throttled.values())
    assert total > 50 and 0.2 < refused / total < 0.4, (total, refused)


# Issue 9, item 5: settings the instance type cannot take are refused by the ec2 role's validate
# (site.yml's pre_tasks), with read-only calls only, every problem at once, before anything exists.
MUTATING = ("Create", "Run", "Modify", "Associate", "Attach", "Allocate", "Import", "Assign", "Authorize", "Delete", "Terminate")

TYPE_REFUSALS = [
    ({"ec2_instance_type": "t2.micro", "ec2_ipv6_prefix_count": 1, "ec2_imds_ipv6": "enabled"},
     ["ec2_ipv6_prefix_count: 1 /80 prefixes asked, but t2.micro is a Xen type and IPv6 prefix delegation needs a Nitro type",
      "ec2_imds_ipv6: the IPv6 endpoint of the instance metadata service is only on Nitro types, and t2.micro is Xen"]),
    ({"ec2_instance_type": "t3.micro", "ec2_ipv6_address_count": 3},
     ["ec2_ipv6_address_count: 3 IPv6 addresses asked, but a network interface of t3.micro takes at most 2"]),
    ({"ec2_instance_type": "t9.micro"}, ["ec2_instance_type: instance type t9.micro does not exist in region us-east-1"]),
]


@pytest.mark.parametrize("overrides, messages", TYPE_REFUSALS, ids=["xen", "addresses", "unknown"])
def test_settings_the_instance_type_cannot_take_are_refused_before_anything_is_created(aws, overrides, messages):
    emulator, client = aws
    name = "type-%s" % overrides["ec2_instance_type"].replace(".", "-")
    calls_before = emulator.calls
    run = run_playbook("site.yml", deployment_vars(name, emulator.url, **overrides))
    assert run.rc != 0, run
    assert any(all(message in failure for message in messages) for failure in run.failures), run
    made = emulator.calls - calls_before
    assert made and not [call for call in made if call.startswith(MUTATING)], made
    assert check_deployment.check_absent(client, name) == []


def test_check_mode_on_a_fresh_account_reports_what_it_would_launch(aws):
    """Issue 9, item 9 (ec2 side): no network ids yet, the ec2 role says what it would launch."""
    emulator, client = aws
    ensure_amis(emulator, client)
    name = "checkmode"
    calls_before = emulator.calls
    run = run_playbook("site.yml", deployment_vars(name, emulator.url), args=["--check"])
    assert run.rc == 0, run
    said = run.results["Say what the run would launch"]["msg"]
    assert "Check mode: would launch t3.micro instance checkmode-server" in said and "CPU credits standard" in said, said
    made = emulator.calls - calls_before
    assert not [call for call in made if call.startswith(MUTATING)], made
    assert check_deployment.check_absent(client, name) == []


def test_check_mode_on_a_fresh_account_reports_the_network_it_would_create(aws):
    """Issue 9, item 9 (network side): site.yml --check before anything exists. The VPC has no id
    yet: the network role reports it would create it, skips what needs its id, and publishes
    v6vpn_network with empty ids and vpc_created true; no mutating call is made."""
    emulator, client = aws
    ensure_amis(emulator, client)
    name = "checknet"
    calls_before = emulator.calls
    run = run_playbook("site.yml", deployment_vars(name, emulator.url), args=["--check"])
    assert run.rc == 0 and run.stats["changed"] > 0, run
    assert run.results["Create the VPC with an Amazon-provided IPv6 /56"]["changed"] is True, run
    said = run.results["Say what the run would create in the new VPC"]["msg"]
    assert "Check mode: would create VPC checknet-vpc (10.64.0.0/16 and an Amazon IPv6 /56), subnet 10.64.1.0/24 in us-east-1" in said, said
    network = run.results["Publish v6vpn_network, the ids of what the role built"]["ansible_facts"]["v6vpn_network"]
    assert network["vpc_created"] is True, network
    assert {key: network[key] for key in ("vpc_id", "subnet_id", "igw_id", "eigw_id", "route_table_id", "security_group_id")} == dict.fromkeys(
        ("vpc_id", "subnet_id", "igw_id", "eigw_id", "route_table_id", "security_group_id"), ""), network
    made = emulator.calls - calls_before
    assert made and not [call for call in made if not call.startswith(("Describe", "Get", "List"))], made
    assert check_deployment.check_absent(client, name) == []
