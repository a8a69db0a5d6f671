"""The IAM policy the collection needs: every EC2 action its code can call, derived from the code, and
scoped to the deployment's own resources by the v6vpn:deployment tag.

    .venv/bin/python scripts/iam-policy.py            print the policy
    .venv/bin/python scripts/iam-policy.py --explain  which code needs each action, and how it is scoped
    .venv/bin/python scripts/iam-policy.py --write    update docs/iam-policy.json and README.md
    .venv/bin/python scripts/iam-policy.py --check    fail when either is out of date
    .venv/bin/python scripts/iam-policy.py --regions eu-west-1,us-east-1 [--deployment NAME]
                                                      print a policy for those regions (and one deployment)

Where the actions come from:
- Our modules (plugins/modules): the EC2 operations their code names. Our code names each
  operation it calls as a method of the client, called directly (`client.create_route(...)`) or
  handed to module_utils.ec2.call()/describe()/describe_one() (`call(module, client.create_route,
  ...)`), so the scan reads exactly those attributes, following the module_utils functions and
  classes a module imports, ours and amazon.aws's. An operation spelt as a string in our code
  (`"create_route"`) is an error: the policy would have to guess from it.
- The amazon.aws modules the roles and playbooks use: AMAZON_AWS_ACTIONS below, the actions of
  the code paths the roles' options take, read from amazon.aws's source. Each entry is checked
  against that module's code (the same scan, over the whole module, where strings naming an
  operation or a waiter count too, since amazon.aws hands paginator and waiter names around as
  strings): an action the module cannot call is an error, and a module the roles use without an
  entry is an error.

How each action is scoped (RESOURCES below, from the Service Authorization Reference's "Actions,
resources, and condition keys for Amazon EC2"; an action the code calls without an entry there,
or an entry no code needs, is an error):
- Describe*/Get*/List*: on "*" without condition (read-only; most support no resource ARN).
- A resource the call creates (NEW): tagged in the same request, so the statement requires
  aws:RequestTag/v6vpn:deployment; CreateTags is allowed for those resource types only with
  ec2:CreateAction naming the create calls (AWS authorizes tag-on-create as CreateTags: EC2 user
  guide, "Grant permission to tag resources during creation"). TAGGED_CREATES checks that every
  role task that can create such a resource passes the deployment's tags.
- An existing resource of the deployment (OURS): aws:ResourceTag/v6vpn:deployment. Tags on them
  are changed under the same condition, and DeleteTags may not remove v6vpn:deployment.
- EXCEPTIONS: resources the code touches that carry no deployment tag, each with its reason and
  an unconditioned statement of its own, listed in README.md.
- By default the tag must be present (IAM `Null: false`); `--deployment NAME` pins its value.
  `--regions` adds aws:RequestedRegion to every statement; the committed policy has no region
  condition (a placeholder would be an invalid or a wrong policy if applied unedited).
tests/unit/test_iam_policy.py runs --check's comparison and checks the statements' conditions; the
lab test checks that every EC2 call the emulator saw during site.yml and teardown.yml is in the policy.
"""

from __future__ import annotations

import argparse
import ast
import json
import pathlib
import re
import sys

import botocore.session
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import docblocks  # noqa: E402  pylint: disable=wrong-import-position

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / ".cache" / "collections" / "ansible_collections"
POLICY_FILE = ROOT / "docs" / "iam-policy.json"
README = ROOT / "README.md"
README_BEGIN = docblocks.begin_marker("iam-policy", "scripts/iam-policy.py --write")
README_END = docblocks.end_marker("iam-policy")

# EC2 actions of the amazon.aws modules the roles and playbooks use, for the options they use
# (amazon.aws 10.x). When a role starts using another amazon.aws module, or another option of
# one of these that calls more of the API, add it here: the check names the module.
AMAZON_AWS_ACTIONS = {
    "ec2_ami_info": ["DescribeImages"],
    # Allocate (tagged) and associate with the instance, found again by instance; release at
    # teardown (after the instance is gone, so no disassociation). The network role's NAT64
    # gateway's address: allocated alone (tagged), released once the gateway is deleted.
    "ec2_eip": ["AllocateAddress", "AssociateAddress", "CreateTags", "DescribeAddresses", "DescribeInstances",
                "DescribeTags", "ReleaseAddress"],
    "ec2_eip_info": ["DescribeAddresses"],
    # Teardown waits until the terminated instances' interfaces are gone.
    "ec2_eni_info": ["DescribeNetworkInterfaces"],
    # Launch into a subnet with a security group id (resolved through the subnet's VPC), tags,
    # metadata options, source/dest check; on re-runs compare attributes and fix them, start a
    # stopped instance, stop-modify-start for a new instance type; terminate at teardown.
    "ec2_instance": ["CreateTags", "DescribeInstanceAttribute", "DescribeInstanceStatus", "DescribeInstances",
                     "DescribeSecurityGroups", "DescribeSubnets", "DescribeTags", "ModifyInstanceAttribute",
                     "ModifyInstanceMetadataOptions", "RunInstances", "StartInstances", "StopInstances",
                     "TerminateInstances"],
    "ec2_instance_info": ["DescribeInstances"],
    # Import a public key (ec2_key imports it under a temporary name and deletes that to learn
    # its fingerprint) or create an ed25519 pair; tags; delete at teardown.
    "ec2_key": ["CreateKeyPair", "CreateTags", "DeleteKeyPair", "DescribeKeyPairs", "DescribeTags", "ImportKeyPair"],
    "ec2_key_info": ["DescribeKeyPairs"],
    # Rules of both directions with descriptions, purged to the list; delete at teardown.
    "ec2_security_group": ["AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "CreateSecurityGroup",
                           "CreateTags", "DeleteSecurityGroup", "DescribeSecurityGroups", "DescribeTags",
                           "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                           "UpdateSecurityGroupRuleDescriptionsEgress", "UpdateSecurityGroupRuleDescriptionsIngress"],
    "ec2_security_group_info": ["DescribeSecurityGroups"],
    "ec2_vpc_egress_igw_info": ["DescribeEgressOnlyInternetGateways"],
    # Create (tagged) and attach to the VPC; detach and delete at teardown.
    "ec2_vpc_igw": ["AttachInternetGateway", "CreateInternetGateway", "CreateTags", "DeleteInternetGateway",
                    "DescribeInternetGateways", "DescribeTags", "DescribeVpcs", "DetachInternetGateway"],
    "ec2_vpc_igw_info": ["DescribeInternetGateways"],
    # The NAT64 gateway: created (tagged) with the network role's Elastic IP (allocation_id given,
    # so the module allocates none), found again by subnet and address, tags added never purged,
    # no waiter (the role waits with ec2_vpc_nat_gateway_info); deleted without release_eip.
    "ec2_vpc_nat_gateway": ["CreateNatGateway", "CreateTags", "DeleteNatGateway", "DescribeNatGateways", "DescribeTags"],
    "ec2_vpc_nat_gateway_info": ["DescribeNatGateways"],
    # Create with an Amazon IPv6 /56 (or associate one to a VPC that lost it), DNS support and
    # hostnames, tags added never purged; delete at teardown.
    "ec2_vpc_net": ["AssociateVpcCidrBlock", "CreateTags", "CreateVpc", "DeleteVpc", "DescribeTags",
                    "DescribeVpcAttribute", "DescribeVpcs", "ModifyVpcAttribute"],
    "ec2_vpc_net_info": ["DescribeVpcAttribute", "DescribeVpcs"],
    # Create the subnet with its /64 in CreateSubnet itself and IPv6 auto-assign, map public
    # IPv4, tags added never purged; later runs only repair public IPv4 or tags, handed the /64
    # the subnet has (changing it is v6vpn.aws.subnet_ipv6's); delete at teardown.
    "ec2_vpc_subnet": ["CreateSubnet", "CreateTags", "DeleteSubnet", "DescribeSubnets", "DescribeTags",
                       "ModifySubnetAttribute"],
    "ec2_vpc_subnet_info": ["DescribeSubnets"],
}

# --- how each action is scoped ------------------------------------------------------------------

DEPLOYMENT_TAG = "v6vpn:deployment"
READ_ONLY_PREFIXES = ("Describe", "Get", "List")
# Tagging is scoped by statements of its own (tag on create, tags of our resources).
TAG_ACTIONS = ("CreateTags", "DeleteTags")
NEW = "new"    # created by this call, tagged in the request
OURS = "ours"  # exists and carries the deployment tag

# Resources the code touches that carry no deployment tag: {name: (ARN resource part, reason)}.
# Each becomes one unconditioned statement (aws:RequestedRegion aside); README lists them.
EXCEPTIONS = {
    "PublicImage": (
        "image/*",
        "RunInstances reads the AMI, Debian's public image (or the one ec2_ami_id names): it is not the "
        "deployment's and cannot carry its tag. Launching still needs the instance statement, so this "
        "allows nothing alone."),
    "AnyKeyPair": (
        "key-pair/*",
        "RunInstances names the key pair; ec2_key_name may be a key pair made outside the roles, without "
        "the tag. Launching still needs the instance statement, so this allows nothing alone."),
    "InstanceInterface": (
        "network-interface/*",
        "The instance's primary network interface is created by RunInstances, and amazon.aws.ec2_instance "
        "tags only the instance and its volumes (TagSpecifications for instance and volume), so the "
        "interface never has the tag: launching it, assigning its IPv6 addresses and /80 prefixes and "
        "turning its source/dest check off (v6vpn.aws.instance_ipv6), and associating the Elastic IP "
        "with the instance cannot be scoped by tag."),
    "MainRouteTable": (
        "route-table/*",
        "The default routes go into the VPC's main route table, which AWS creates with the VPC, untagged "
        "(CreateVpc tags only the VPC); v6vpn.aws.vpc_route and v6vpn.aws.egress_igw (teardown) change "
        "its routes. CreateRoute, ReplaceRoute and DeleteRoute support no other scoping we can know in "
        "advance (ec2:Vpc would need the VPC's ARN)."),
    "SecurityGroupRule": (
        "security-group-rule/*",
        "AuthorizeSecurityGroupIngress/Egress create rule resources, which amazon.aws.ec2_security_group "
        "does not tag. The call still needs the security group statement (tag-scoped), so this allows "
        "nothing alone."),
    "FingerprintKeyPair": (
        "key-pair/ansible-*",
        "amazon.aws.ec2_key learns a public key's fingerprint by importing it, untagged, as a temporary "
        "key pair named ansible- and a UUID, and deleting it again (every run that imports ec2_ssh_public_key "
        "onto an existing key pair); the name prefix is the only handle on it."),
}

# The resource types each mutating action is authorized against (Service Authorization Reference,
# "Actions, resources, and condition keys for Amazon EC2"), and what each is in our calls: NEW, OURS
# or an EXCEPTIONS name. Types AWS marks optional are listed when our calls use them.
RESOURCES = {
    "AllocateAddress": {"elastic-ip": [NEW]},
    "AssignIpv6Addresses": {"network-interface": ["InstanceInterface"]},
    "AssociateAddress": {"elastic-ip": [OURS], "instance": [OURS], "network-interface": ["InstanceInterface"]},
    "AssociateSubnetCidrBlock": {"subnet": [OURS]},
    "AssociateVpcCidrBlock": {"vpc": [OURS]},
    "AttachInternetGateway": {"internet-gateway": [OURS], "vpc": [OURS]},
    "AuthorizeSecurityGroupEgress": {"security-group": [OURS], "security-group-rule": ["SecurityGroupRule"]},
    "AuthorizeSecurityGroupIngress": {"security-group": [OURS], "security-group-rule": ["SecurityGroupRule"]},
    "CreateEgressOnlyInternetGateway": {"egress-only-internet-gateway": [NEW], "vpc": [OURS]},
    "CreateInternetGateway": {"internet-gateway": [NEW]},
    "CreateKeyPair": {"key-pair": [NEW]},
    "CreateNatGateway": {"natgateway": [NEW], "subnet": [OURS], "elastic-ip": [OURS]},
    "CreateRoute": {"route-table": ["MainRouteTable"]},
    "CreateSecurityGroup": {"security-group": [NEW], "vpc": [OURS]},
    "CreateSubnet": {"subnet": [NEW], "vpc": [OURS]},
    "CreateVpc": {"vpc": [NEW]},
    "DeleteEgressOnlyInternetGateway": {"egress-only-internet-gateway": [OURS]},
    "DeleteInternetGateway": {"internet-gateway": [OURS]},
    "DeleteKeyPair": {"key-pair": [OURS, "FingerprintKeyPair"]},
    "DeleteNatGateway": {"natgateway": [OURS]},
    "DeleteRoute": {"route-table": ["MainRouteTable"]},
    "DeleteSecurityGroup": {"security-group": [OURS]},
    "DeleteSubnet": {"subnet": [OURS]},
    "DeleteVpc": {"vpc": [OURS]},
    "DetachInternetGateway": {"internet-gateway": [OURS], "vpc": [OURS]},
    "DisassociateSubnetCidrBlock": {"subnet": [OURS]},
    "ImportKeyPair": {"key-pair": [NEW, "FingerprintKeyPair"]},
    "ModifyInstanceAttribute": {"instance": [OURS], "security-group": [OURS], "volume": [OURS]},
    "ModifyInstanceCreditSpecification": {"instance": [OURS]},
    "ModifyInstanceMetadataOptions": {"instance": [OURS]},
    "ModifyNetworkInterfaceAttribute": {"network-interface": ["InstanceInterface"]},
    "ModifySubnetAttribute": {"subnet": [OURS]},
    "ModifyVpcAttribute": {"vpc": [OURS]},
    "ReleaseAddress": {"elastic-ip": [OURS]},
    "ReplaceRoute": {"route-table": ["MainRouteTable"]},
    "RevokeSecurityGroupEgress": {"security-group": [OURS]},
    "RevokeSecurityGroupIngress": {"security-group": [OURS]},
    # ec2_instance tags the instance and its volumes in RunInstances; the subnet and security group
    # are the network role's (tagged); the image, key pair and interface are EXCEPTIONS.
    "RunInstances": {"instance": [NEW], "volume": [NEW], "subnet": [OURS], "security-group": [OURS],
                     "image": ["PublicImage"], "key-pair": ["AnyKeyPair"], "network-interface": ["InstanceInterface"]},
    "StartInstances": {"instance": [OURS]},
    "StopInstances": {"instance": [OURS]},
    "TerminateInstances": {"instance": [OURS]},
    "UnassignIpv6Addresses": {"network-interface": ["InstanceInterface"]},
    "UpdateSecurityGroupRuleDescriptionsEgress": {"security-group": [OURS]},
    "UpdateSecurityGroupRuleDescriptionsIngress": {"security-group": [OURS]},
}

# Modules whose present state can create a resource, and what they create. Every role task using one
# (unless `state: absent`) must pass `tags:` built from the role's *_common_tags, which must hold
# v6vpn:deployment: that is what puts the tag into the create call's TagSpecifications (checked in
# amazon.aws 10.x: ec2_vpc_net, ec2_vpc_subnet, ec2_security_group, ec2_vpc_igw, ec2_key (create and
# import), ec2_eip (AllocateAddress), ec2_vpc_nat_gateway (CreateNatGateway) and ec2_instance (instance and volume) all pass the module's tags
# as TagSpecifications; v6vpn.aws.egress_igw does the same).
TAGGED_CREATES = {
    "amazon.aws.ec2_eip": ["AllocateAddress"],
    "amazon.aws.ec2_instance": ["RunInstances"],
    "amazon.aws.ec2_key": ["CreateKeyPair", "ImportKeyPair"],
    "amazon.aws.ec2_security_group": ["CreateSecurityGroup"],
    "amazon.aws.ec2_vpc_nat_gateway": ["CreateNatGateway"],
    "amazon.aws.ec2_vpc_igw": ["CreateInternetGateway"],
    "amazon.aws.ec2_vpc_net": ["CreateVpc"],
    "amazon.aws.ec2_vpc_subnet": ["CreateSubnet"],
    "v6vpn.aws.egress_igw": ["CreateEgressOnlyInternetGateway"],
}
ROLE_VARS_FILES = "roles/*/vars/main.yml"

# Where the roles and playbooks name modules.
TASK_GLOBS = ("roles/*/tasks/*.yml", "roles/*/handlers/*.yml", "playbooks/*.yml")


# --- the EC2 API --------------------------------------------------------------------------------

def ec2_operations():
    """{boto3 method name: EC2 action}, and {waiter name as boto3 takes it: EC2 action}."""
    session = botocore.session.get_session()
    model = session.get_service_model("ec2")
    from botocore import xform_name  # pylint: disable=import-outside-toplevel
    methods = {xform_name(op): op for op in model.operation_names}
    waiters = {}
    waiter_model = session.get_waiter_model("ec2")
    for name in waiter_model.waiter_names:
        waiters[xform_name(name)] = waiter_model.get_waiter(name).operation
    # amazon.aws's own waiters (module_utils/waiters.py: ec2_data), for its get_waiter().
    waiters_py = COLLECTIONS / "amazon" / "aws" / "plugins" / "module_utils" / "waiters.py"
    for node in ast.walk(ast.parse(waiters_py.read_text())):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ec2_data" for t in node.targets):
            for name, spec in ast.literal_eval(node.value)["waiters"].items():
                waiters[xform_name(name)] = spec["operation"]
    return methods, waiters


# --- code scanning --------------------------------------------------------------------------------

def module_file(dotted):
    """The file of `ansible_collections.ns.coll.plugins.module_utils.x`, or None outside the two we scan."""
    parts = dotted.split(".")
    if parts[:1] != ["ansible_collections"] or len(parts) < 5:
        return None
    if parts[1:3] == ["v6vpn", "aws"]:
        base = ROOT
    else:
        base = COLLECTIONS / parts[1] / parts[2]
    path = base.joinpath(*parts[3:]).with_suffix(".py")
    return path if path.is_file() else None


class Scanner:
    """Which EC2 actions a piece of code can call, following imported module_utils code."""

    def __init__(self):
        self.methods, self.waiters = ec2_operations()
        self._files = {}
        # (file, line, string) of operations our code spells as strings instead of naming them.
        self.spelt = set()

    def _parsed(self, path):
        if path not in self._files:
            tree = ast.parse(path.read_text(), str(path))
            defs = {}
            imports = {}
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    defs[node.name] = node
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            defs[target.id] = node
                elif isinstance(node, ast.ImportFrom) and node.module:
                    for alias in node.names:
                        imports[alias.asname or alias.name] = (node.module, alias.name)
            self._files[path] = (tree, defs, imports)
        return self._files[path]

    def direct(self, node, path):
        """EC2 actions named in this code of ``path``, and the names it refers to.

        An operation is named as an attribute (``client.create_route``) or by ``get_waiter("...")``.
        In amazon.aws's code a string naming an operation counts too (``paginated_query_with_retries(
        client, "describe_tags")``); in ours it is recorded in :attr:`spelt` instead.
        """
        strings_count = COLLECTIONS in path.parents
        actions, names = set(), set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute):
                names.add(sub.attr)
                if sub.attr in self.methods:
                    actions.add(self.methods[sub.attr])
            elif isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in self.methods:
                if strings_count:
                    actions.add(self.methods[sub.value])
                else:
                    self.spelt.add((path, sub.lineno, sub.value))
            elif isinstance(sub, ast.Call):
                func = sub.func
                fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if fname == "get_waiter":
                    for arg in sub.args:
                        if isinstance(arg, ast.Constant) and arg.value in self.waiters:
                            actions.add(self.waiters[arg.value])
        return actions, names

    def closure(self, path, node=None, _seen=None):
        """Actions of `node` (default: the whole file), following names defined in the file or
        imported from module_utils of the scanned collections."""
        seen = set() if _seen is None else _seen
        tree, defs, imports = self._parsed(path)
        actions, names = self.direct(tree if node is None else node, path)
        for name in sorted(names):
            if name in defs and node is not None:
                key = (path, name)
                if key not in seen:
                    seen.add(key)
                    actions |= self.closure(path, defs[name], seen)
            elif name in imports:
                source, original = imports[name]
                target = module_file(source)
                if target is None:
                    continue
                target_defs = self._parsed(target)[1]
                key = (target, original)
                if original in target_defs and key not in seen:
                    seen.add(key)
                    actions |= self.closure(target, target_defs[original], seen)
        return actions


def our_modules(root=ROOT):
    return sorted((root / "plugins" / "modules").glob("*.py"))


def task_mappings(root=ROOT):
    """Every mapping in the roles' and playbooks' task files (tasks, blocks, module arguments, ...),
    as ``(file relative to root, mapping)``."""
    def walk(value):
        if isinstance(value, dict):
            yield value
            for sub in value.values():
                yield from walk(sub)
        elif isinstance(value, list):
            for sub in value:
                yield from walk(sub)

    for pattern in TASK_GLOBS:
        for path in sorted(root.glob(pattern)):
            where = str(path.relative_to(root))
            for mapping in walk(yaml.safe_load(path.read_text())):
                yield where, mapping


def task_modules(root=ROOT):
    """{FQCN of an amazon.aws or v6vpn.aws module: [files naming it]} over roles and playbooks."""
    found = {}
    for where, mapping in task_mappings(root):
        for key in mapping:
            if isinstance(key, str) and re.fullmatch(r"(amazon\.aws|v6vpn\.aws)\.[a-z0-9_]+", key):
                found.setdefault(key, set()).add(where)
    return {k: sorted(v) for k, v in found.items()}


def required_actions(root=ROOT):
    """({action: [why]}, [problems]): what the collection needs, and what is wrong with the map."""
    scanner = Scanner()
    needed, problems = {}, []
    modules = our_modules(root)
    for path in modules:
        for action in scanner.closure(path):
            needed.setdefault(action, []).append("v6vpn.aws.%s" % path.stem)
    for path, line, name in sorted(scanner.spelt):
        problems.append("%s:%d spells the EC2 operation %r as a string; name it as the client method "
                        "(client.%s), called or handed to module_utils.ec2.call()/describe()" % (path, line, name, name))
    aws_modules = COLLECTIONS / "amazon" / "aws" / "plugins" / "modules"
    used = task_modules(root)
    for fqcn, files in sorted(used.items()):
        collection, name = fqcn.rsplit(".", 1)
        if collection == "v6vpn.aws":
            if name not in {p.stem for p in modules}:
                problems.append("%s (in %s) is no module of this collection" % (fqcn, ", ".join(files)))
            continue
        if name not in AMAZON_AWS_ACTIONS:
            problems.append("%s is used in %s but scripts/iam-policy.py has no AMAZON_AWS_ACTIONS entry for it"
                            % (fqcn, ", ".join(files)))
            continue
        source = aws_modules / ("%s.py" % name)
        possible = scanner.closure(source) if source.is_file() else set()
        for action in AMAZON_AWS_ACTIONS[name]:
            if action not in possible:
                problems.append("AMAZON_AWS_ACTIONS[%r] lists %s, which %s cannot call" % (name, action, source))
            needed.setdefault(action, []).append(fqcn)
    used_aws = {fqcn.rsplit(".", 1)[1] for fqcn in used if fqcn.startswith("amazon.aws.")}
    for name in sorted(set(AMAZON_AWS_ACTIONS) - used_aws):
        problems.append("AMAZON_AWS_ACTIONS has an entry for amazon.aws.%s, which no role or playbook uses" % name)
    return {k: sorted(set(v)) for k, v in sorted(needed.items())}, problems


# --- the policy ---------------------------------------------------------------------------------

def is_read_only(action):
    return action.startswith(READ_ONLY_PREFIXES)


def arn(resource):
    """The ARN pattern of `resource` ("vpc/*"), any region and account: public images have no account."""
    if resource.startswith("image/"):
        return "arn:aws:ec2:*::%s" % resource
    return "arn:aws:ec2:*:*:%s" % resource


def camel(resource_type):
    return "".join(part.capitalize() for part in resource_type.split("-"))


def tag_condition(key, deployment=None):
    """aws:RequestTag or aws:ResourceTag /v6vpn:deployment: present, or equal to `deployment`."""
    name = "aws:%s/%s" % (key, DEPLOYMENT_TAG)
    if deployment:
        return {"StringEquals": {name: deployment}}
    return {"Null": {name: "false"}}


def merged(*conditions):
    result = {}
    for condition in conditions:
        for operator, pairs in condition.items():
            result.setdefault(operator, {}).update(pairs)
    return result


def statement(sid, actions, resources, condition=None):
    result = {"Sid": sid, "Effect": "Allow", "Action": ["ec2:%s" % a for a in sorted(actions)],
              "Resource": resources if isinstance(resources, str) else sorted(resources)}
    if condition:
        result["Condition"] = condition
    return result


def scoping(actions):
    """({NEW/OURS: {resource type: {actions}}}, {exception name: {actions}}) of the mutating actions."""
    by_kind, by_exception = {NEW: {}, OURS: {}}, {}
    for action in sorted(actions):
        for resource_type, kinds in RESOURCES.get(action, {}).items():
            for kind in kinds:
                if kind in by_kind:
                    by_kind[kind].setdefault(resource_type, set()).add(action)
                else:
                    by_exception.setdefault(kind, set()).add(action)
    return by_kind, by_exception


def policy(actions, regions=None, deployment=None):
    """The policy document: one statement per way of scoping (resource types with the same actions
    share a statement), so no action reaches a resource type under another type's condition."""
    actions = set(actions)
    by_kind, by_exception = scoping(actions)
    statements = []
    read_only = sorted(a for a in actions if is_read_only(a))
    if read_only:
        statements.append(statement("ReadOnly", read_only, "*"))
    for kind, prefix, condition in ((NEW, "CreateTagged", tag_condition("RequestTag", deployment)),
                                    (OURS, "DeploymentOwned", tag_condition("ResourceTag", deployment))):
        groups = {}
        for resource_type, names in sorted(by_kind[kind].items()):
            groups.setdefault(frozenset(names), []).append(resource_type)
        for names, types in sorted(groups.items(), key=lambda item: item[1]):
            statements.append(statement(prefix + "".join(camel(t) for t in types), names,
                                        [arn("%s/*" % t) for t in types], condition))
    tagged_types = [arn("%s/*" % t) for t in sorted(by_kind[NEW])]
    create_actions = sorted({a for names in by_kind[NEW].values() for a in names})
    if "CreateTags" in actions and tagged_types:
        statements.append(statement("TagOnCreate", ["CreateTags"], tagged_types, merged(
            tag_condition("RequestTag", deployment), {"StringEquals": {"ec2:CreateAction": create_actions}})))
        retag = tag_condition("ResourceTag", deployment)
        if deployment:
            # The deployment tag may be re-applied, never moved to another deployment.
            retag = merged(retag, {"StringEqualsIfExists": {"aws:RequestTag/%s" % DEPLOYMENT_TAG: deployment}})
        statements.append(statement("RetagDeploymentOwned", ["CreateTags"], tagged_types, retag))
    if "DeleteTags" in actions and tagged_types:
        statements.append(statement("UntagDeploymentOwned", ["DeleteTags"], tagged_types, merged(
            tag_condition("ResourceTag", deployment),
            {"ForAllValues:StringNotEquals": {"aws:TagKeys": [DEPLOYMENT_TAG]}})))
    for name in sorted(by_exception):
        statements.append(statement("Untagged" + name, by_exception[name], arn(EXCEPTIONS[name][0])))
    if regions:
        for entry in statements:
            entry["Condition"] = merged(entry.get("Condition", {}),
                                        {"StringEquals": {"aws:RequestedRegion": sorted(regions)}})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text(actions, regions=None, deployment=None):
    return json.dumps(policy(actions, regions, deployment), indent=2) + "\n"


def scoping_problems(needed, root=ROOT):
    """What keeps the statements from matching the code: an action without its RESOURCES entry, an
    entry or exception no code needs, a create task whose request would carry no deployment tag."""
    problems = []
    for action in sorted(needed):
        if not is_read_only(action) and action not in TAG_ACTIONS and action not in RESOURCES:
            problems.append("%s is called (by %s) but scripts/iam-policy.py's RESOURCES does not say which "
                            "resource types it touches and how to scope them" % (action, ", ".join(needed[action])))
    for action in sorted(set(RESOURCES) - set(needed)):
        problems.append("RESOURCES has an entry for %s, which no code calls" % action)
    used = {kind for action in needed for kinds in RESOURCES.get(action, {}).values() for kind in kinds}
    for name in sorted(EXCEPTIONS):
        if name not in used:
            problems.append("EXCEPTIONS has %s, which no RESOURCES entry of a called action uses" % name)
    for action, types in sorted(RESOURCES.items()):
        for kinds in types.values():
            for kind in kinds:
                if kind not in (NEW, OURS) and kind not in EXCEPTIONS:
                    problems.append("RESOURCES[%r] names %r, which is neither NEW, OURS nor an EXCEPTIONS entry"
                                    % (action, kind))
    creators = {a for names in TAGGED_CREATES.values() for a in names}
    for action in sorted(a for a, types in RESOURCES.items() if a in needed and NEW in sum(types.values(), [])):
        if action not in creators:
            problems.append("%s creates a resource scoped by aws:RequestTag, but no TAGGED_CREATES module makes "
                            "it, so nothing checks that the request carries the tag" % action)
    problems.extend(untagged_create_tasks(root))
    return problems


def role_vars(root=ROOT):
    """{name: value} of the roles' vars/main.yml (role-internal: a user cannot override them)."""
    found = {}
    for path in sorted(root.glob(ROLE_VARS_FILES)):
        found.update(yaml.safe_load(path.read_text()) or {})
    return found


def tagged_common_tags(root=ROOT):
    """Names of the roles' *_common_tags variables that hold the deployment tag."""
    return {name for name, value in role_vars(root).items()
            if name.endswith("_common_tags") and "'%s'" % DEPLOYMENT_TAG in str(value)}


def untagged_create_tasks(root=ROOT):
    """Role and playbook tasks that can create a resource without the deployment tag in the request."""
    problems = []
    common = tagged_common_tags(root)
    defined = role_vars(root)

    def expanded(text, task_vars):
        """`text` with the definitions of the variables it names appended, a few levels deep: tags
        reach the task through its vars or the role's vars (`tags: "{{ ec2_instance_settings.tags }}"`)."""
        known = dict(defined, **task_vars)
        seen = set()
        for _depth in range(4):
            names = set(re.findall(r"\b[a-z_][a-z0-9_]*\b", text)) & set(known) - seen
            if not names:
                break
            seen |= names
            text += " " + " ".join(str(known[name]) for name in sorted(names))
        return text

    for where, task in task_mappings(root):
        for key, args in task.items():
            if key in TAGGED_CREATES and isinstance(args, dict) and args.get("state", "present") != "absent":
                tags = expanded(str(args.get("tags", "")), task.get("vars") or {})
                if not set(re.findall(r"\b\w+_common_tags\b", tags)) & common:
                    problems.append(
                        "%s: task %r uses %s, which can call %s, without tags from a *_common_tags variable "
                        "holding %s: the create call would be denied by the policy's aws:RequestTag condition"
                        % (where, task.get("name", "?"), key, "/".join(TAGGED_CREATES[key]), DEPLOYMENT_TAG))
    return problems


def exceptions_table(actions):
    """README's list of the unconditioned statements, with their reasons."""
    by_exception = scoping(actions)[1]
    lines = ["| Statement | Resource | Actions | Why it carries no tag condition |", "| --- | --- | --- | --- |"]
    for name in sorted(by_exception):
        resource, why = EXCEPTIONS[name]
        lines.append("| `Untagged%s` | `%s` | %s | %s |" % (
            name, resource, ", ".join("`%s`" % a for a in sorted(by_exception[name])), why))
    return "\n".join(lines) + "\n"


def readme_with(readme, text, actions=None):
    """README with the policy `text`, preceded by the table of unconditioned statements when the
    actions are given (the table is derived from the same actions as the policy)."""
    table = "" if actions is None else exceptions_table(actions) + "\n"
    return docblocks.replace_block(readme, "iam-policy", "scripts/iam-policy.py --write",
                                   "%s```json\n%s```\n" % (table, text), where="README.md")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="update docs/iam-policy.json and README.md")
    group.add_argument("--check", action="store_true", help="fail when either is out of date")
    group.add_argument("--explain", action="store_true", help="which code needs each action, and its statements")
    parser.add_argument("--regions", help="comma-separated regions: every statement requires aws:RequestedRegion "
                                          "to be one of them (printed only; the committed policy has none)")
    parser.add_argument("--deployment", help="vpn_name of the one deployment allowed: the v6vpn:deployment tag must "
                                             "equal it (default: any value; printed only)")
    args = parser.parse_args(argv)
    regions = [r.strip() for r in (args.regions or "").split(",") if r.strip()]
    if args.regions is not None and (not regions or any(not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", r) for r in regions)):
        parser.error("--regions takes region names separated by commas, e.g. eu-west-1,us-east-1")
    if (regions or args.deployment) and (args.write or args.check):
        parser.error("--regions and --deployment print a policy for you; the committed one stays general")
    needed, problems = required_actions()
    problems += scoping_problems(needed)
    for problem in problems:
        print("iam-policy: %s" % problem, file=sys.stderr)
    if problems:
        return 1
    text = policy_text(needed, regions, args.deployment)
    if args.explain:
        statements = policy(needed)["Statement"]
        for action, why in needed.items():
            sids = [s["Sid"] for s in statements if "ec2:%s" % action in s["Action"]]
            print("ec2:%-46s %s  [%s]" % (action, ", ".join(why), ", ".join(sids)))
        return 0
    if args.write:
        POLICY_FILE.parent.mkdir(parents=True, exist_ok=True)
        POLICY_FILE.write_text(text)
        README.write_text(readme_with(README.read_text(), text, needed))
        print("iam-policy: wrote %s and README.md (%d actions)" % (POLICY_FILE.relative_to(ROOT), len(needed)))
        return 0
    if args.check:
        stale = [str(p.relative_to(ROOT)) for p, ok in (
            (POLICY_FILE, POLICY_FILE.is_file() and POLICY_FILE.read_text() == text),
            (README, readme_with(README.read_text(), text, needed) == README.read_text()),
        ) if not ok]
        if stale:
            print("iam-policy: out of date: %s (run scripts/iam-policy.py --write)" % ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
