"""playbooks/teardown.yml against an emulator that behaves like EC2 in time (realism mode): a
terminated instance's network interface lingers, and meanwhile DeleteSecurityGroup, DeleteSubnet,
DetachInternetGateway and DeleteVpc answer DependencyViolation (hashicorp/terraform #11047).

The deployment is built directly through boto3 (cheaper than site.yml), tagged as the roles tag
it; RunInstances goes through the realism emulator so the instance's interface is one AWS would
delete on termination, and everything else is harness set-up (`paused()`).
"""

from __future__ import annotations

import time

import pytest

from tests.emulator.realism import Realism
from tests.emulator.server import Emulator
from tests.integration.test_roles_aws import PUBLIC_KEY, REGION, check_deployment, run_playbook

TAG = "v6vpn:deployment"


@pytest.fixture(scope="module")
def lingering():
    """A realism emulator whose terminated instances' interfaces linger 8 s (seconds to minutes on AWS)."""
    with Emulator(realism=Realism(seed=3, consistency_delay=0.5, pending_delay=0.5, eni_linger=8.0)) as emulator:
        yield emulator


def spec(kind, name):
    return [{"ResourceType": kind, "Tags": [{"Key": TAG, "Value": name}, {"Key": "Name", "Value": "%s-%s" % (name, kind)}]}]


def zone_offering(client, instance_type):
    """A zone of the region that offers the type (not every zone offers t3)."""
    offerings = client.describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [instance_type]}])["InstanceTypeOfferings"]
    return sorted(o["Location"] for o in offerings)[0]


def build_deployment(emulator, name, elastic_ip=True):
    """What site.yml leaves: VPC, subnet, IGW attached, EIGW, security group, key pair, an instance
    in the group (running), and an Elastic IP on it. Returns the instance id."""
    client = emulator.client(region_name=REGION)
    zone = zone_offering(client, "t3.micro")
    with emulator.paused():
        vpc_id = client.create_vpc(CidrBlock="10.64.0.0/16", AmazonProvidedIpv6CidrBlock=True, TagSpecifications=spec("vpc", name))["Vpc"]["VpcId"]
        subnet_id = client.create_subnet(VpcId=vpc_id, CidrBlock="10.64.1.0/24", AvailabilityZone=zone,
                                         TagSpecifications=spec("subnet", name))["Subnet"]["SubnetId"]
        igw_id = client.create_internet_gateway(TagSpecifications=spec("internet-gateway", name))["InternetGateway"]["InternetGatewayId"]
        client.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        client.create_egress_only_internet_gateway(VpcId=vpc_id, TagSpecifications=spec("egress-only-internet-gateway", name))
        group_id = client.create_security_group(GroupName=name + "-sg", Description="pytest", VpcId=vpc_id,
                                                TagSpecifications=spec("security-group", name))["GroupId"]
        client.import_key_pair(KeyName=name + "-key", PublicKeyMaterial=PUBLIC_KEY.encode(), TagSpecifications=spec("key-pair", name))
    # Through the realism emulator: the launch interface gets DeleteOnTermination as on AWS.
    instance_id = client.run_instances(ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet_id,
                                       SecurityGroupIds=[group_id], TagSpecifications=spec("instance", name))["Instances"][0]["InstanceId"]
    deadline = time.monotonic() + 30
    while not client.describe_instances(Filters=[{"Name": "instance-id", "Values": [instance_id]},
                                                 {"Name": "instance-state-name", "Values": ["running"]}])["Reservations"]:
        assert time.monotonic() < deadline, "%s not running within 30 s" % instance_id
        time.sleep(0.2)
    if elastic_ip:
        with emulator.paused():
            allocation = client.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", name))["AllocationId"]
            client.associate_address(AllocationId=allocation, InstanceId=instance_id)
    return instance_id


def teardown_vars(name, emulator, **extra):
    return dict({"vpn_name": name, "aws_region": REGION, "endpoint_url": emulator.url}, **extra)


def test_teardown_waits_for_the_lingering_interface_and_leaves_nothing(lingering):
    """Fails without the wait: the security group's deletion answers DependencyViolation while the
    terminated instance's interface lingers."""
    name = "linger"
    build_deployment(lingering, name)
    client = lingering.client(region_name=REGION)
    assert check_deployment.check_absent(client, name) != []

    started = time.monotonic()
    down = run_playbook("teardown.yml", teardown_vars(name, lingering))
    assert down.rc == 0 and down.stats["changed"] > 0, down
    assert check_deployment.check_absent(client, name) == []
    assert client.describe_key_pairs(Filters=[{"Name": "tag:" + TAG, "Values": [name]}])["KeyPairs"] == []
    assert time.monotonic() - started >= 8.0  # it did have to wait for the interface
    waited = down.results["Wait until the terminated instances have no network interface left"]
    assert waited.get("attempts", 1) >= 2, waited

    again = run_playbook("teardown.yml", teardown_vars(name, lingering))
    assert again.rc == 0 and again.stats["changed"] == 0, again


def test_a_timeout_names_the_interface_that_holds_on(lingering):
    """An interface that never goes (not an instance's: the user's own, in the deployment's VPC):
    the teardown fails after network_teardown_eni_timeout, naming it, its status and its
    description, and deletes no subnet or VPC meanwhile."""
    name = "heldon"
    client = lingering.client(region_name=REGION)
    with lingering.paused():
        vpc_id = client.create_vpc(CidrBlock="10.64.0.0/16", TagSpecifications=spec("vpc", name))["Vpc"]["VpcId"]
        subnet_id = client.create_subnet(VpcId=vpc_id, CidrBlock="10.64.1.0/24", TagSpecifications=spec("subnet", name))["Subnet"]["SubnetId"]
        eni_id = client.create_network_interface(SubnetId=subnet_id, Description="held by pytest")["NetworkInterface"]["NetworkInterfaceId"]

    down = run_playbook("teardown.yml", teardown_vars(name, lingering, network_teardown_eni_timeout=5))
    assert down.rc != 0, down
    assert any("After 5 s (network_teardown_eni_timeout) the deployment's VPCs still have network interfaces" in f
               and "%s (available, held by pytest)." % eni_id in f for f in down.failures), down
    assert client.describe_subnets(SubnetIds=[subnet_id])["Subnets"] and client.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]

    with lingering.paused():
        client.delete_network_interface(NetworkInterfaceId=eni_id)
    down = run_playbook("teardown.yml", teardown_vars(name, lingering, network_teardown_eni_timeout=5))
    assert down.rc == 0, down
    assert check_deployment.check_absent(client, name) == []


def test_the_instances_wait_times_out_naming_the_interface():
    """The ec2 role's own wait (before releasing the Elastic IPs) is bounded too and names the
    interface, its status and its instance; the network is then left alone."""
    name = "slowgone"
    with Emulator(realism=Realism(seed=4, consistency_delay=0.5, pending_delay=0.5, eni_linger=300.0)) as emulator:
        instance_id = build_deployment(emulator, name, elastic_ip=False)
        client = emulator.client(region_name=REGION)
        eni_id = client.describe_network_interfaces(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])[
            "NetworkInterfaces"][0]["NetworkInterfaceId"]

        down = run_playbook("teardown.yml", teardown_vars(name, emulator, ec2_teardown_eni_timeout=5))
        assert down.rc != 0, down
        assert any("After 5 s (ec2_teardown_eni_timeout) the terminated instances still have network interfaces" in f
                   and "%s (in-use, Primary network interface, instance %s)." % (eni_id, instance_id) in f for f in down.failures), down
        tagged = [{"Name": "tag:" + TAG, "Values": [name]}]
        assert client.describe_vpcs(Filters=tagged)["Vpcs"] and client.describe_security_groups(Filters=tagged)["SecurityGroups"]
        emulator.reset()  # nothing of it outlives the test
