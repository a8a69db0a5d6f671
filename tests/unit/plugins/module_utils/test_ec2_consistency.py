"""Unit tests of module_utils/ec2.py's retries for ids just created (EC2 is eventually consistent)
and of ids.py's table of NotFound codes. A real botocore EC2 client, wrapped for retries as
AnsibleAWSModule wraps it, answers through botocore's Stubber (no network); sleeps are recorded,
not slept."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import ec2
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import NOT_FOUND_CODES
from ansible_collections.v6vpn.aws.plugins.module_utils.ids import not_found_codes

VPC = "vpc-0123456789abcdef0"
EIGW = "eigw-0123456789abcdef0"
RTB = "rtb-0123456789abcdef0"


class _Failed(Exception):
    pass


class _Module:
    check_mode = False

    def fail_json(self, msg):
        raise _Failed(msg)

    def fail_json_aws(self, exception, msg):
        raise _Failed("%s: %s" % (msg, exception))


@pytest.fixture
def sleeps(monkeypatch):
    """The sleeps the retries would have made (AWSRetry's and describe_one's)."""
    made = []
    monkeypatch.setattr("time.sleep", made.append)
    return made


def test_not_found_codes_by_id_prefix():
    assert not_found_codes([VPC]) == ("InvalidVpcID.NotFound",)
    assert not_found_codes([EIGW]) == ("InvalidGatewayID.NotFound",)
    assert not_found_codes([RTB, "igw-0123456789abcdef0", EIGW]) == (
        "InvalidRouteTableID.NotFound", "InvalidInternetGatewayID.NotFound", "InvalidGatewayID.NotFound")
    for prefix, code in (("subnet", "InvalidSubnetID.NotFound"), ("i", "InvalidInstanceID.NotFound"),
                         ("eni", "InvalidNetworkInterfaceID.NotFound"), ("sg", "InvalidGroup.NotFound")):
        assert not_found_codes(["%s-0123abcd" % prefix]) == (code,)
    assert not_found_codes([]) == ()
    # Every id kind the issue names has a code.
    assert {"vpc", "subnet", "rtb", "igw", "eigw", "i", "eni", "sg"} <= set(NOT_FOUND_CODES)


@pytest.mark.parametrize("bad", ["local", "ami-0123456789abcdef0", "vpc-XYZ", None])
def test_an_id_without_a_known_code_is_a_programming_error(bad):
    with pytest.raises(ValueError, match="no NotFound code known for"):
        not_found_codes([bad])


def test_call_retries_the_not_found_of_a_new_id_then_succeeds(stubbed, sleeps):
    client, stubber = stubbed
    params = {"VpcId": VPC, "ClientToken": "t"}
    stubber.add_client_error("create_egress_only_internet_gateway", "InvalidVpcID.NotFound", "The vpc ID does not exist", expected_params=params)
    stubber.add_client_error("create_egress_only_internet_gateway", "RequestLimitExceeded", "slow down", http_status_code=503, expected_params=params)
    stubber.add_response("create_egress_only_internet_gateway", {"EgressOnlyInternetGateway": {"EgressOnlyInternetGatewayId": EIGW}}, params)
    answer = ec2.call(_Module(), client.create_egress_only_internet_gateway, "create", just_created=(VPC,), **params)
    assert answer["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"] == EIGW
    # One backoff for NotFound and throttling alike: jittered 0..1 s, then 0..2 s.
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 1 and 0 <= sleeps[1] <= 2, sleeps


def test_call_retries_only_the_codes_of_the_ids_it_was_given(stubbed, sleeps):
    client, stubber = stubbed
    stubber.add_client_error("create_route", "InvalidGatewayID.NotFound", "The gateway ID does not exist")
    with pytest.raises(_Failed, match="^Failed to create a route: .*InvalidGatewayID.NotFound"):
        ec2.call(_Module(), client.create_route, "create a route", just_created=(RTB,),
                 RouteTableId=RTB, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=EIGW)
    stubber.add_client_error("create_route", "InvalidRouteTableID.NotFound", "The routeTable ID does not exist")
    with pytest.raises(_Failed, match="InvalidRouteTableID.NotFound"):  # without just_created: no retry
        ec2.call(_Module(), client.create_route, "create a route", RouteTableId=RTB, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=EIGW)
    assert sleeps == []


def test_call_gives_up_after_the_bounded_retries(stubbed, sleeps):
    client, stubber = stubbed
    for _attempt in range(ec2.CONSISTENCY_RETRIES):
        stubber.add_client_error("create_tags", "InvalidGatewayID.NotFound", "The eigw ID does not exist")
    with pytest.raises(_Failed, match="^Failed to tag it: .*InvalidGatewayID.NotFound"):
        ec2.call(_Module(), client.create_tags, "tag it", just_created=(EIGW,), Resources=[EIGW], Tags=[{"Key": "a", "Value": "b"}])
    assert len(sleeps) == ec2.CONSISTENCY_RETRIES - 1
    assert all(0 <= s <= ec2.CONSISTENCY_MAX_DELAY for s in sleeps) and sum(sleeps) <= 1 + 2 + 4 + 8 + 16 + 30 * 4


def test_ensure_tags_of_a_new_resource_retries_its_not_found(stubbed, sleeps):
    client, stubber = stubbed
    stubber.add_client_error("create_tags", "InvalidGatewayID.NotFound", "The eigw ID does not exist")
    stubber.add_response("create_tags", {})
    assert ec2.ensure_tags(_Module(), client, EIGW, {}, {"Name": "x"}, True, just_created=True) == (True, {"Name": "x"})
    assert len(sleeps) == 1


def test_describe_one_asks_again_while_a_new_resource_is_not_shown(stubbed, sleeps):
    client, stubber = stubbed
    filters = [{"Name": "vpc-id", "Values": [VPC]}]
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": filters})
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": filters})
    stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": VPC}]}, {"Filters": filters})
    assert ec2.get_vpc(_Module(), client, VPC, just_created=True) == {"VpcId": VPC}
    assert sleeps == [1.0, 2.0]


def test_describe_one_reports_a_resource_that_never_appears_after_15_s(stubbed, sleeps):
    client, stubber = stubbed
    for _attempt in range(len(ec2.DESCRIBE_AGAIN_SLEEPS) + 1):
        stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": [{"Name": "vpc-id", "Values": [VPC]}]})
    with pytest.raises(_Failed, match=r"^VPC %s does not exist in this region \(still not found after 15 s of retries\)$" % VPC):
        ec2.get_vpc(_Module(), client, VPC, just_created=True)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_describe_one_without_just_created_asks_once(stubbed, sleeps):
    client, stubber = stubbed
    stubber.add_response("describe_vpcs", {"Vpcs": []}, {"Filters": [{"Name": "vpc-id", "Values": [VPC]}]})
    with pytest.raises(_Failed, match=r"^VPC %s does not exist in this region$" % VPC):
        ec2.get_vpc(_Module(), client, VPC)
    assert sleeps == []


def test_describe_by_id_retries_the_not_found_of_a_new_id(stubbed, sleeps):
    client, stubber = stubbed
    stubber.add_client_error("describe_route_tables", "InvalidRouteTableID.NotFound", "The routeTable ID does not exist")
    stubber.add_response("describe_route_tables", {"RouteTables": [{"RouteTableId": RTB}]}, {"RouteTableIds": [RTB]})
    found = ec2.describe(_Module(), client.describe_route_tables, "RouteTables", "describe it", just_created=(RTB,), RouteTableIds=[RTB])
    assert found == [{"RouteTableId": RTB}] and len(sleeps) == 1
