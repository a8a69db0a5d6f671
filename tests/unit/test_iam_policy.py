"""docs/iam-policy.json (and its copy in README.md) holds exactly the EC2 actions the code calls.

The actions come from scripts/iam-policy.py: a scan of our modules (and the module_utils they
import) for the EC2 operations they name as client methods, plus the actions of the amazon.aws
modules the roles and playbooks use (a map checked against amazon.aws's code). The scanner's own
tests below make sure it can find calls, and that the checks fail when they should.

The policy is scoped by the v6vpn:deployment tag: read-only actions alone on "*", create calls on
aws:RequestTag, every other change on aws:ResourceTag, and the untagged resources the code touches
in statements of their own, each named in EXCEPTIONS with its reason and listed in README.md.
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
    return sorted({a for statement in document["Statement"] for a in statement["Action"]})


TAG_CONDITION_KEYS = ("aws:RequestTag/v6vpn:deployment", "aws:ResourceTag/v6vpn:deployment")


def condition_keys(statement):
    return {key for pairs in statement.get("Condition", {}).values() for key in pairs}


def is_mutating(action):
    return not action.split(":", 1)[1].startswith(("Describe", "Get", "List"))


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
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() for sid in sids), sids
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        assert actions == sorted(set(actions)), "%s: actions must be sorted and unique" % statement["Sid"]
        for action in actions:
            service, name = action.split(":", 1)
            assert service == "ec2", action
            assert name in EC2_OPERATIONS, "%s is no EC2 API action" % action
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        for resource in resources:
            assert resource == "*" or resource.startswith("arn:aws:ec2:"), resource


# --- the policy is scoped ------------------------------------------------------------------------

def committed_policy():
    return json.loads(iam.POLICY_FILE.read_text())


def test_no_mutating_statement_lacks_its_tag_condition():
    """A statement allowing a change names the deployment tag in its condition, or is an EXCEPTIONS one."""
    exceptions = {"Untagged%s" % name for name in iam.EXCEPTIONS}
    for statement in committed_policy()["Statement"]:
        if not any(is_mutating(a) for a in statement["Action"]):
            continue
        if statement["Sid"] in exceptions:
            continue
        keys = condition_keys(statement)
        assert keys & set(TAG_CONDITION_KEYS), "%s allows %s without a v6vpn:deployment condition" % (
            statement["Sid"], statement["Action"])
        assert statement["Resource"] != "*", "%s: a tag-scoped statement names its resource types" % statement["Sid"]


def test_only_read_only_actions_are_on_star():
    for statement in committed_policy()["Statement"]:
        if statement["Resource"] == "*":
            assert not [a for a in statement["Action"] if is_mutating(a)], statement
            assert "Condition" not in statement, statement


def test_create_calls_need_the_tag_in_the_request_and_tag_only_at_creation():
    statements = committed_policy()["Statement"]
    creates = {"ec2:%s" % a for a in ("CreateVpc", "CreateSubnet", "CreateSecurityGroup", "CreateInternetGateway",
                                      "CreateEgressOnlyInternetGateway", "CreateKeyPair", "ImportKeyPair",
                                      "AllocateAddress", "RunInstances", "CreateNatGateway")}
    exceptions = {"Untagged%s" % name for name in iam.EXCEPTIONS}
    for statement in statements:
        if statement["Sid"] in exceptions:
            continue
        for action in set(statement["Action"]) & creates:
            # Creating needs the tag in the request, except where the create also acts on an existing
            # resource of ours (the VPC of CreateSubnet), which needs the resource's tag.
            assert condition_keys(statement) & set(TAG_CONDITION_KEYS), (statement["Sid"], action)
    created = [s for s in statements if s["Sid"].startswith("CreateTagged")]
    assert {a for s in created for a in s["Action"]} == creates
    for statement in created:
        assert statement["Condition"] == {"Null": {"aws:RequestTag/v6vpn:deployment": "false"}}, statement
    tagging = [s for s in statements if "ec2:CreateTags" in s["Action"]]
    assert {s["Sid"] for s in tagging} == {"TagOnCreate", "RetagDeploymentOwned"}
    on_create = next(s for s in tagging if s["Sid"] == "TagOnCreate")
    assert set(on_create["Condition"]["StringEquals"]["ec2:CreateAction"]) == {a.split(":")[1] for a in creates}
    retag = next(s for s in tagging if s["Sid"] == "RetagDeploymentOwned")
    assert "aws:ResourceTag/v6vpn:deployment" in condition_keys(retag), retag
    (untag,) = [s for s in statements if "ec2:DeleteTags" in s["Action"]]
    assert untag["Condition"]["ForAllValues:StringNotEquals"] == {"aws:TagKeys": ["v6vpn:deployment"]}


def test_run_instances_is_split_by_resource_type():
    """As AWS authorizes it: instance and volumes new and tagged, subnet and security group ours,
    image, key pair and the interface it creates in documented exception statements."""
    by_resource = {}
    for statement in committed_policy()["Statement"]:
        if "ec2:RunInstances" in statement["Action"]:
            resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
            for resource in resources:
                by_resource[resource.split(":")[-1]] = (statement["Sid"], condition_keys(statement))
    assert by_resource == {
        "instance/*": ("CreateTaggedInstanceVolume", {"aws:RequestTag/v6vpn:deployment"}),
        "volume/*": ("CreateTaggedInstanceVolume", {"aws:RequestTag/v6vpn:deployment"}),
        "subnet/*": ("DeploymentOwnedSubnet", {"aws:ResourceTag/v6vpn:deployment"}),
        "security-group/*": ("DeploymentOwnedSecurityGroup", {"aws:ResourceTag/v6vpn:deployment"}),
        "image/*": ("UntaggedPublicImage", set()),
        "key-pair/*": ("UntaggedAnyKeyPair", set()),
        "network-interface/*": ("UntaggedInstanceInterface", set()),
    }


def test_instance_changes_need_the_instance_tag():
    """The point of the issue: no stopping, modifying or terminating someone else's instance."""
    changes = {"ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances",
               "ec2:ModifyInstanceAttribute", "ec2:ModifyInstanceMetadataOptions"}
    found = set()
    for statement in committed_policy()["Statement"]:
        if statement["Sid"] in ("CreateTaggedInstanceVolume", "TagOnCreate"):
            continue
        if "arn:aws:ec2:*:*:instance/*" in statement["Resource"] or changes & set(statement["Action"]):
            assert statement["Resource"] != "*", statement
            assert "aws:ResourceTag/v6vpn:deployment" in condition_keys(statement), statement
            if "arn:aws:ec2:*:*:instance/*" in statement["Resource"]:
                found |= set(statement["Action"])
    assert changes <= found


def test_every_exception_is_explained_in_the_readme():
    readme = iam.README.read_text()
    sids = {s["Sid"] for s in committed_policy()["Statement"]}
    for name, (resource, why) in iam.EXCEPTIONS.items():
        assert "Untagged%s" % name in sids, "EXCEPTIONS[%r] has no statement" % name
        assert "| `Untagged%s` | `%s` |" % (name, resource) in readme and why in readme, name


def test_every_mutating_action_has_its_resource_types(required):
    assert iam.scoping_problems(required) == []
    for action in required:
        if is_mutating("ec2:" + action) and action not in iam.TAG_ACTIONS:
            assert iam.RESOURCES[action], action


def test_regions_and_deployment_options(capsys):
    assert iam.main(["--regions", "eu-west-1,us-east-1", "--deployment", "myvpn"]) == 0
    document = json.loads(capsys.readouterr().out)
    for statement in document["Statement"]:
        assert statement["Condition"]["StringEquals"]["aws:RequestedRegion"] == ["eu-west-1", "us-east-1"], statement
        for operator, pairs in statement["Condition"].items():
            for key in set(pairs) & set(TAG_CONDITION_KEYS):
                assert operator in ("StringEquals", "StringEqualsIfExists") and pairs[key] == "myvpn", statement
    retag = next(s for s in document["Statement"] if s["Sid"] == "RetagDeploymentOwned")
    assert retag["Condition"]["StringEqualsIfExists"] == {"aws:RequestTag/v6vpn:deployment": "myvpn"}
    # Same actions as the committed policy: the options scope, they never add or drop an action.
    assert policy_actions(document) == policy_actions(committed_policy())


@pytest.mark.parametrize("argv", [["--regions", ""], ["--regions", "eu-west-1;us-east-1"], ["--regions", "EU"],
                                  ["--write", "--regions", "eu-west-1"], ["--check", "--deployment", "x"]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        iam.main(argv)
    assert exited.value.code == 2
    assert "--regions" in capsys.readouterr().err


def test_a_create_task_without_the_deployment_tags_is_an_error(tmp_path):
    write(tmp_path / "roles" / "net" / "vars" / "main.yml", """
        net_common_tags: "{{ net_tags | combine({'v6vpn:deployment': vpn_name}) }}"
        net_other_tags: "{{ {'Owner': 'me'} }}"
        net_instance_settings:
          tags: "{{ net_common_tags }}"
        """)
    write(tmp_path / "roles" / "net" / "tasks" / "main.yml", """
        - name: Tagged through the task's vars
          amazon.aws.ec2_vpc_net:
            cidr_block: 10.0.0.0/16
            tags: "{{ net_vpc_tags }}"
          vars:
            net_vpc_tags: "{{ net_common_tags | combine({'Name': 'x'}) }}"
        - name: Untagged subnet
          amazon.aws.ec2_vpc_subnet:
            vpc_id: vpc-1
            cidr: 10.0.0.0/24
        - name: Tags without the deployment
          amazon.aws.ec2_security_group:
            name: x
            tags: "{{ net_other_tags }}"
        - name: Tagged through the role's vars
          amazon.aws.ec2_instance:
            name: x
            tags: "{{ net_instance_settings.tags }}"
        - name: Deleting needs no tags
          amazon.aws.ec2_vpc_subnet:
            vpc_id: vpc-1
            cidr: 10.0.0.0/24
            state: absent
        """)
    problems = iam.untagged_create_tasks(tmp_path)
    assert len(problems) == 2, problems
    assert "task 'Untagged subnet' uses amazon.aws.ec2_vpc_subnet, which can call CreateSubnet" in problems[0]
    assert "task 'Tags without the deployment' uses amazon.aws.ec2_security_group" in problems[1]


def test_an_action_without_resource_types_is_an_error(monkeypatch):
    resources = dict(iam.RESOURCES)
    del resources["TerminateInstances"]
    resources["CreateNatGateway"] = {"natgateway": [iam.NEW]}
    monkeypatch.setattr(iam, "RESOURCES", resources)
    needed = {"TerminateInstances": ["amazon.aws.ec2_instance"], "DescribeVpcs": ["x"]}
    problems = iam.scoping_problems(needed, root=ROOT)
    assert any(p.startswith("TerminateInstances is called (by amazon.aws.ec2_instance) but") for p in problems), problems
    assert "RESOURCES has an entry for CreateNatGateway, which no code calls" in problems
    # And the action stays out of the policy rather than landing unscoped on "*".
    statements = iam.policy(needed)["Statement"]
    assert [s["Action"] for s in statements] == [["ec2:DescribeVpcs"]]


def test_readme_shows_the_same_policy():
    readme = iam.README.read_text()
    assert iam.README_BEGIN in readme and iam.README_END in readme, "README.md lost its IAM policy markers"
    needed = iam.required_actions()[0]
    assert iam.readme_with(readme, iam.POLICY_FILE.read_text(), needed) == readme, (
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
        - name: A VPC endpoint
          amazon.aws.ec2_vpc_endpoint:
            vpc_id: vpc-12345678
        """)
    problems = iam.required_actions(root=tmp_path)[1]
    assert any("amazon.aws.ec2_vpc_endpoint is used in roles/extra/tasks/main.yml" in p for p in problems), problems


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
