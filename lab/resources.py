"""List what a deployment holds in an EC2 endpoint (the lab's emulator), or check it holds nothing.

    python lab/resources.py --endpoint http://127.0.0.1:PORT --deployment lab [--expect-none]

Finds resources by the tag every v6vpn.aws resource carries (`v6vpn:deployment: <vpn_name>`).
`make lab` prints the listing after site.yml; `make lab-down` runs it with --expect-none after
teardown.yml and fails when anything of the deployment is left.
"""

import argparse
import os
import sys

import boto3

TAG = "v6vpn:deployment"


def tagged(deployment):
    return [{"Name": "tag:%s" % TAG, "Values": [deployment]}]


def name_of(resource):
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == "Name"), "-")


def target_of(route):
    for key in ("GatewayId", "EgressOnlyInternetGatewayId", "NatGatewayId", "InstanceId",
                "NetworkInterfaceId", "TransitGatewayId", "VpcPeeringConnectionId"):
        if route.get(key):
            return route[key]
    return "?"


def describe(ec2, deployment):
    """Everything of the deployment, by kind (terminated instances do not count)."""
    f = tagged(deployment)
    instances = [i for r in ec2.describe_instances(Filters=f)["Reservations"] for i in r["Instances"]
                 if i["State"]["Name"] != "terminated"]
    vpcs = ec2.describe_vpcs(Filters=f)["Vpcs"]
    vpc_ids = [v["VpcId"] for v in vpcs]
    return {
        "vpcs": vpcs,
        "subnets": ec2.describe_subnets(Filters=f)["Subnets"],
        "internet_gateways": ec2.describe_internet_gateways(Filters=f)["InternetGateways"],
        "egress_only_gateways": ec2.describe_egress_only_internet_gateways(Filters=f)["EgressOnlyInternetGateways"],
        "main_route_tables": ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": vpc_ids}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"] if vpc_ids else [],
        "security_groups": ec2.describe_security_groups(Filters=f)["SecurityGroups"],
        "instances": instances,
        "addresses": ec2.describe_addresses(Filters=f)["Addresses"],
        "key_pairs": ec2.describe_key_pairs(Filters=f)["KeyPairs"],
    }


def permission_text(perm):
    proto = {"-1": "all", "58": "icmpv6", "1": "icmp"}.get(perm.get("IpProtocol"), perm.get("IpProtocol"))
    ports = ""
    if proto in ("tcp", "udp"):
        ports = "/%s" % perm["FromPort"] if perm.get("FromPort") == perm.get("ToPort") else "/%s-%s" % (perm.get("FromPort"), perm.get("ToPort"))
    elif proto in ("icmp", "icmpv6"):
        ports = " type %s" % perm.get("FromPort")
    sources = [r["CidrIp"] for r in perm.get("IpRanges", [])] + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
    return "%s%s from %s" % (proto, ports, ", ".join(sources) or "-")


def print_listing(found):
    for vpc in found["vpcs"]:
        v6 = [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet", [])]
        print("VPC %s %s: %s, IPv6 %s" % (vpc["VpcId"], name_of(vpc), vpc["CidrBlock"], ", ".join(v6) or "none"))
    for subnet in found["subnets"]:
        v6 = [a["Ipv6CidrBlock"] for a in subnet.get("Ipv6CidrBlockAssociationSet", [])]
        print("subnet %s %s: %s, IPv6 %s in %s (auto-assign IPv6 %s, public IPv4 %s)" % (
            subnet["SubnetId"], name_of(subnet), subnet["CidrBlock"], ", ".join(v6) or "none", subnet["AvailabilityZone"],
            "on" if subnet.get("AssignIpv6AddressOnCreation") else "off", "on" if subnet.get("MapPublicIpOnLaunch") else "off"))
    for igw in found["internet_gateways"]:
        print("internet gateway %s %s, attached to %s" % (
            igw["InternetGatewayId"], name_of(igw), ", ".join(a["VpcId"] for a in igw.get("Attachments", [])) or "nothing"))
    for eigw in found["egress_only_gateways"]:
        print("egress-only internet gateway %s %s, attached to %s" % (
            eigw["EgressOnlyInternetGatewayId"], name_of(eigw), ", ".join(a["VpcId"] for a in eigw.get("Attachments", [])) or "nothing"))
    for table in found["main_route_tables"]:
        print("main route table %s:" % table["RouteTableId"])
        for route in table["Routes"]:
            dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock") or route.get("DestinationPrefixListId")
            print("  %-28s -> %s (%s)" % (dest, target_of(route), route.get("State", "?")))
    for group in found["security_groups"]:
        print("security group %s %s:" % (group["GroupId"], group["GroupName"]))
        for text in sorted(permission_text(perm) for perm in group.get("IpPermissions", [])):
            print("  in  %s" % text)
        for text in sorted(permission_text(perm) for perm in group.get("IpPermissionsEgress", [])):
            print("  out %s" % text)
    for inst in found["instances"]:
        eni = (inst.get("NetworkInterfaces") or [{}])[0]
        v6 = [a["Ipv6Address"] for a in eni.get("Ipv6Addresses", [])]
        prefixes = [p["Ipv6Prefix"] for p in eni.get("Ipv6Prefixes", [])]
        print("instance %s %s: %s %s, public IPv4 %s, private %s, IPv6 %s%s" % (
            inst["InstanceId"], name_of(inst), inst["InstanceType"], inst["State"]["Name"], inst.get("PublicIpAddress", "none"),
            inst.get("PrivateIpAddress"), ", ".join(v6) or "none", ", prefixes %s" % ", ".join(prefixes) if prefixes else ""))
    for address in found["addresses"]:
        print("elastic IP %s %s" % (address["PublicIp"], address.get("AllocationId")))
    for key in found["key_pairs"]:
        print("key pair %s" % key["KeyName"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--deployment", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--expect-none", action="store_true", help="fail when the deployment has any resource left")
    args = parser.parse_args()
    # The emulator takes any credentials; real ones from the environment are used when set.
    ec2 = boto3.client("ec2", endpoint_url=args.endpoint, region_name=args.region,
                       aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                       aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                       aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))
    found = describe(ec2, args.deployment)
    if args.expect_none:
        left = {kind: items for kind, items in found.items() if items and kind != "main_route_tables"}
        if left:
            print("deployment %s still has:" % args.deployment)
            print_listing(found)
            return 1
        print("deployment %s has no resources left" % args.deployment)
        return 0
    print_listing(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
