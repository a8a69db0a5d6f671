"""The IAM policy the collection needs: every EC2 action its code can call, derived from the code.

    .venv/bin/python scripts/iam-policy.py            print the policy
    .venv/bin/python scripts/iam-policy.py --explain  which code needs each action
    .venv/bin/python scripts/iam-policy.py --write    update docs/iam-policy.json and README.md
    .venv/bin/python scripts/iam-policy.py --check    fail when either is out of date

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
tests/unit/test_iam_policy.py runs --check's comparison; the lab test checks that every EC2 call
the emulator saw during site.yml and teardown.yml is in the policy.
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
    "aws_az_info": ["DescribeAvailabilityZones"],
    "ec2_ami_info": ["DescribeImages"],
    # Allocate (tagged) and associate with the instance, found again by instance; release at
    # teardown (after the instance is gone, so no disassociation).
    "ec2_eip": ["AllocateAddress", "AssociateAddress", "CreateTags", "DescribeAddresses", "DescribeInstances",
                "DescribeTags", "ReleaseAddress"],
    "ec2_eip_info": ["DescribeAddresses"],
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


def task_modules(root=ROOT):
    """{FQCN of an amazon.aws or v6vpn.aws module: [files naming it]} over roles and playbooks."""
    found = {}

    def walk(value, where):
        if isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, str) and re.fullmatch(r"(amazon\.aws|v6vpn\.aws)\.[a-z0-9_]+", key):
                    found.setdefault(key, set()).add(where)
                walk(sub, where)
        elif isinstance(value, list):
            for sub in value:
                walk(sub, where)

    for pattern in TASK_GLOBS:
        for path in sorted(root.glob(pattern)):
            walk(yaml.safe_load(path.read_text()), str(path.relative_to(root)))
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


def policy(actions):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "V6vpnAwsEc2",
            "Effect": "Allow",
            "Action": ["ec2:%s" % a for a in sorted(actions)],
            "Resource": "*",
        }],
    }


def policy_text(actions):
    return json.dumps(policy(actions), indent=2) + "\n"


def readme_with(readme, text):
    return docblocks.replace_block(readme, "iam-policy", "scripts/iam-policy.py --write", "```json\n%s```\n" % text,
                                   where="README.md")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    group.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    needed, problems = required_actions()
    for problem in problems:
        print("iam-policy: %s" % problem, file=sys.stderr)
    if problems:
        return 1
    text = policy_text(needed)
    if args.explain:
        for action, why in needed.items():
            print("ec2:%-46s %s" % (action, ", ".join(why)))
        return 0
    if args.write:
        POLICY_FILE.parent.mkdir(parents=True, exist_ok=True)
        POLICY_FILE.write_text(text)
        README.write_text(readme_with(README.read_text(), text))
        print("iam-policy: wrote %s and README.md (%d actions)" % (POLICY_FILE.relative_to(ROOT), len(needed)))
        return 0
    if args.check:
        stale = [str(p.relative_to(ROOT)) for p, ok in (
            (POLICY_FILE, POLICY_FILE.is_file() and POLICY_FILE.read_text() == text),
            (README, readme_with(README.read_text(), text) == README.read_text()),
        ) if not ok]
        if stale:
            print("iam-policy: out of date: %s (run scripts/iam-policy.py --write)" % ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
