"""docs/iam-policy.json (and its copy in README.md) holds exactly the EC2 actions the code calls.

The actions come from scripts/iam-policy.py: a scan of our modules (and the module_utils they
import) for the EC2 operations they name as client methods, plus the actions of the amazon.aws
modules the roles and playbooks use (a map checked against amazon.aws's code). The scanner's own
tests below make sure it can find calls, and that the checks fail when they should.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import textwrap

import botocore.session
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("iam_policy", ROOT / "scripts" / "iam-policy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


iam = load_script()
EC2_OPERATIONS = set(botocore.session.get_session().get_service_model("ec2").operation_names)


@pytest.fixture(scope="module")
def required():
    needed, problems = iam.required_actions()
    assert problems == [], "\n".join(problems)
    return needed


def policy_actions(document):
    (statement,) = document["Statement"]
    return statement["Action"]


def test_policy_file_holds_exactly_what_the_code_calls(required):
    document = json.loads(iam.POLICY_FILE.read_text())
    actions = {a.split(":", 1)[1] for a in policy_actions(document)}
    missing = sorted(set(required) - actions)
    extra = sorted(actions - set(required))
    assert not missing and not extra, (
        "docs/iam-policy.json is out of date (run `.venv/bin/python scripts/iam-policy.py --write`):\n"
        "  missing: %s\n  not called by any code: %s\n%s"
        % (missing, extra, "\n".join("  ec2:%s <- %s" % (a, ", ".join(required[a])) for a in missing))
    )
    # Same bytes as the script writes: sorted, one layout, so diffs stay readable.
    assert iam.POLICY_FILE.read_text() == iam.policy_text(required)


def test_policy_is_a_valid_iam_document():
    document = json.loads(iam.POLICY_FILE.read_text())
    assert document["Version"] == "2012-10-17"
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    # EC2's Describe* actions support no resource-level restriction; one statement keeps it readable.
    assert statement["Resource"] == "*"
    actions = policy_actions(document)
    assert actions == sorted(set(actions)), "actions must be sorted and unique"
    for action in actions:
        service, name = action.split(":", 1)
        assert service == "ec2", action
        assert name in EC2_OPERATIONS, "%s is no EC2 API action" % action


def test_readme_shows_the_same_policy():
    readme = iam.README.read_text()
    assert iam.README_BEGIN in readme and iam.README_END in readme, "README.md lost its IAM policy markers"
    assert iam.readme_with(readme, iam.POLICY_FILE.read_text()) == readme, (
        "README.md's IAM policy differs from docs/iam-policy.json (run scripts/iam-policy.py --write)")


def test_check_mode_agrees(capsys):
    assert iam.main(["--check"]) == 0, capsys.readouterr().err


# --- the scanner can find calls, and the checks can fail ---------------------------------------

def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_scanner_finds_every_way_a_module_calls_ec2(tmp_path):
    """Direct boto3 calls, client methods handed to helpers, waiters, and helpers of module_utils."""
    utils = write(tmp_path / "plugins" / "module_utils" / "helpers.py", """
        def find_gateway(client):
            return client.describe_internet_gateways()

        def unused(client):
            return client.delete_vpc(VpcId="vpc-1")
        """)
    module = write(tmp_path / "plugins" / "modules" / "thing.py", """
        from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import call
        from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import describe
        from ansible_collections.v6vpn.aws.plugins.module_utils.ec2 import ensure_tags

        def run(module, client):
            call(module, client.create_route, "add a route", RouteTableId="rtb-1")
            describe(module, client.describe_subnets, "Subnets", "find subnets")
            client.get_waiter("instance_running").wait(InstanceIds=["i-1"])
            client.assign_ipv6_addresses(NetworkInterfaceId="eni-1", Ipv6AddressCount=1)
            ensure_tags(module, client, "rtb-1", {}, {"a": "b"}, True)
            return "describe VPCs"  # prose, not an action
        """)
    scanner = iam.Scanner()
    found = scanner.closure(module)
    # ensure_tags comes from the real module_utils/ec2.py: CreateTags and DeleteTags.
    assert found == {"CreateRoute", "DescribeSubnets", "DescribeInstances", "AssignIpv6Addresses",
                     "CreateTags", "DeleteTags"}
    assert scanner.spelt == set()
    # A helper is followed only when used: unused() of helpers.py adds nothing here.
    assert scanner.closure(utils, scanner._parsed(utils)[1]["find_gateway"]) == {"DescribeInternetGateways"}


def test_an_operation_our_code_spells_as_a_string_is_an_error_not_a_guess(tmp_path, monkeypatch):
    module = write(tmp_path / "plugins" / "modules" / "thing.py", """
        def run(module, client):
            return getattr(client, "delete_vpc")(VpcId="vpc-1")
        """)
    scanner = iam.Scanner()
    assert scanner.closure(module) == set()
    assert scanner.spelt == {(module, 3, "delete_vpc")}
    monkeypatch.setattr(iam, "AMAZON_AWS_ACTIONS", {})
    needed, problems = iam.required_actions(root=tmp_path)
    assert "DeleteVpc" not in needed
    assert problems == ["%s:3 spells the EC2 operation 'delete_vpc' as a string; name it as the client method "
                        "(client.delete_vpc), called or handed to module_utils.ec2.call()/describe()" % module]


def test_every_module_of_ours_calls_ec2_through_the_scanned_ways():
    """Each AWS module of ours yields actions (an empty set would mean the scan went blind)."""
    scanner = iam.Scanner()
    for path in iam.our_modules():
        if "AnsibleAWSModule" in path.read_text():
            assert scanner.closure(path), "no EC2 action found in %s" % path


def test_an_unmapped_amazon_aws_module_is_an_error(tmp_path):
    write(tmp_path / "roles" / "extra" / "tasks" / "main.yml", """
        - name: A NAT gateway
          amazon.aws.ec2_vpc_nat_gateway:
            subnet_id: subnet-12345678
        """)
    problems = iam.required_actions(root=tmp_path)[1]
    assert any("amazon.aws.ec2_vpc_nat_gateway is used in roles/extra/tasks/main.yml" in p for p in problems), problems


def test_a_mapped_action_the_module_cannot_call_is_an_error(tmp_path, monkeypatch):
    write(tmp_path / "playbooks" / "x.yml", """
        - name: x
          hosts: localhost
          tasks:
            - name: Info
              amazon.aws.ec2_vpc_igw_info: {}
        """)
    monkeypatch.setattr(iam, "AMAZON_AWS_ACTIONS", {"ec2_vpc_igw_info": ["DescribeInternetGateways", "RunInstances"]})
    needed, problems = iam.required_actions(root=tmp_path)
    assert needed["DescribeInternetGateways"] == ["amazon.aws.ec2_vpc_igw_info"]
    assert len(problems) == 1 and "lists RunInstances, which" in problems[0], problems


def test_a_stale_map_entry_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(iam, "AMAZON_AWS_ACTIONS", {"ec2_vpc_igw_info": ["DescribeInternetGateways"]})
    problems = iam.required_actions(root=tmp_path)[1]
    assert problems == ["AMAZON_AWS_ACTIONS has an entry for amazon.aws.ec2_vpc_igw_info, which no role or playbook uses"]
