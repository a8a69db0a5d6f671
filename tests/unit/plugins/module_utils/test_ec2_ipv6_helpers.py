"""Unit tests of module_utils/ec2.py: calls named by the client method, describing exactly one
resource, and wait_until. A real botocore EC2 client, wrapped for retries as AnsibleAWSModule
wraps it, answers through botocore's Stubber (no network)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import ec2


class _Failed(Exception):
    pass


class _Module:
    def fail_json(self, msg):
        raise _Failed(msg)

    def fail_json_aws(self, exception, msg):
        raise _Failed("%s: %s" % (msg, exception))


def test_the_operation_is_read_from_the_method_through_the_retry_wrapper(stubbed):
    client, _stubber = stubbed
    inner, name = ec2.operation_of(client.describe_vpcs)
    assert name == "describe_vpcs" and inner is client.client
    assert ec2.operation_of(client.client.create_route) == (client.client, "create_route")


def test_call_passes_the_parameters_and_reports_failures(stubbed):
    client, stubber = stubbed
    params = {"RouteTableId": "rtb-1", "DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}
    stubber.add_response("create_route", {"Return": True}, params)
    assert ec2.call(_Module(), client.create_route, "create a route", **params) == {"Return": True}
    stubber.add_client_error("delete_route", "InvalidRoute.NotFound", "no route")
    with pytest.raises(_Failed, match="^Failed to delete the route to ::/0: .*InvalidRoute.NotFound"):
        ec2.call(_Module(), client.delete_route, "delete the route to ::/0", RouteTableId="rtb-1", DestinationIpv6CidrBlock="::/0")


def test_describe_pages_through_the_answers_with_filters(stubbed):
    client, stubber = stubbed
    filters = [{"Name": "vpc-id", "Values": ["vpc-1"]}]
    stubber.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-1"}], "NextToken": "more"}, {"Filters": filters})
    stubber.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-2"}]}, {"Filters": filters, "NextToken": "more"})
    found = ec2.describe(_Module(), client.describe_subnets, "Subnets", "list subnets", filters={"vpc-id": "vpc-1"})
    assert [s["SubnetId"] for s in found] == ["subnet-1", "subnet-2"]


def test_describe_one_returns_the_match_or_fails_with_the_callers_message(stubbed):
    client, stubber = stubbed
    expected = {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]}
    stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1"}]}, expected)
    assert ec2.get_vpc(_Module(), client, "vpc-1") == {"VpcId": "vpc-1"}
    stubber.add_response("describe_vpcs", {"Vpcs": []}, expected)
    with pytest.raises(_Failed, match="^VPC vpc-1 does not exist in this region$"):
        ec2.get_vpc(_Module(), client, "vpc-1")
    stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}]}, expected)
    with pytest.raises(_Failed, match=r"^Expected one answer to describe vpcs \(vpc-id=vpc-1\), got 2$"):
        ec2.get_vpc(_Module(), client, "vpc-1")
    stubber.add_client_error("describe_instance_types", "InvalidInstanceType", "no such type")
    with pytest.raises(_Failed, match=r"^Failed to describe instance types \(InstanceTypes=\['x1.nano'\]\): .*InvalidInstanceType"):
        ec2.describe_one(_Module(), client.describe_instance_types, "InstanceTypes", "unknown", InstanceTypes=["x1.nano"])


def test_wait_until_returns_the_first_truthy_answer(monkeypatch):
    monkeypatch.setattr(ec2.time, "sleep", lambda seconds: None)
    answers = iter([None, False, {"State": "associated"}])
    assert ec2.wait_until(_Module(), lambda: next(answers), "x", timeout=60) == {"State": "associated"}


def test_wait_until_is_bounded(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(ec2.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ec2.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    calls = []
    with pytest.raises(_Failed, match="^Timed out after 10 s waiting for the block"):
        ec2.wait_until(_Module(), lambda: calls.append(1), "the block", timeout=10, delay=2)
    assert 5 <= len(calls) <= 7
