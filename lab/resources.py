"""What a deployment holds in an EC2 endpoint (the lab's emulator), found by its tag.

Every v6vpn.aws resource carries the tag `v6vpn:deployment: <vpn_name>`. `make lab` lists what
the deployment holds after site.yml; `make lab-down` checks that nothing is left after
teardown.yml (lab/report.py runs both).
"""

import os

import boto3

TAG = "v6vpn:deployment"
ROUTE_TARGETS = ("GatewayId", "EgressOnlyInternetGatewayId", "NatGatewayId", "InstanceId",
                 "NetworkInterfaceId", "TransitGatewayId", "VpcPeeringConnectionId")


def connect(endpoint, region="us-east-1"):
    """An EC2 client for `endpoint`; the emulator takes any credentials, the environment's win."""
    return boto3.client("ec2", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                        aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))


def describe(ec2, deployment):
    """Everything of the deployment, by kind (terminated instances do not count)."""
    tagged = [{"Name": "tag:%s" % TAG, "Values": [deployment]}]
    instances = [i for r in ec2.describe_instances(Filters=tagged)["Reservations"] for i in r["Instances"]
                 if i["State"]["Name"] != "terminated"]
    vpcs = ec2.describe_vpcs(Filters=tagged)["Vpcs"]
    vpc_ids = [v["VpcId"] for v in vpcs]
    main_tables = [{"Name": "vpc-id", "Values": vpc_ids}, {"Name": "association.main", "Values": ["true"]}]
    return {
        "vpcs": vpcs,
        "subnets": ec2.describe_subnets(Filters=tagged)["Subnets"],
        "internet_gateways": ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"],
        "egress_only_gateways": ec2.describe_egress_only_internet_gateways(Filters=tagged)["EgressOnlyInternetGateways"],
        "main_route_tables": ec2.describe_route_tables(Filters=main_tables)["RouteTables"] if vpc_ids else [],
        "security_groups": ec2.describe_security_groups(Filters=tagged)["SecurityGroups"],
        "instances": instances,
        "addresses": ec2.describe_addresses(Filters=tagged)["Addresses"],
        "key_pairs": ec2.describe_key_pairs(Filters=tagged)["KeyPairs"],
    }


def leftovers(found):
    """The kinds of resources `found` still has (a main route table goes with its VPC)."""
    return sorted(kind for kind, items in found.items() if items and kind != "main_route_tables")


def listing(found):
    """What `found` holds: a line per resource, its routes and rules indented below it."""
    return [line for kind, lines_of in LISTERS for resource in found[kind] for line in lines_of(resource)]


def name_of(resource):
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == "Name"), "-")


def ipv6_blocks(resource):
    return ", ".join(a["Ipv6CidrBlock"] for a in resource.get("Ipv6CidrBlockAssociationSet", [])) or "none"


def attached_to(gateway):
    return ", ".join(a["VpcId"] for a in gateway.get("Attachments", [])) or "nothing"


def on_off(flag):
    return "on" if flag else "off"


def vpc_lines(vpc):
    return ["VPC %s %s: %s, IPv6 %s" % (vpc["VpcId"], name_of(vpc), vpc["CidrBlock"], ipv6_blocks(vpc))]


def subnet_lines(subnet):
    return ["subnet %s %s: %s, IPv6 %s in %s (auto-assign IPv6 %s, public IPv4 %s)" % (
        subnet["SubnetId"], name_of(subnet), subnet["CidrBlock"], ipv6_blocks(subnet), subnet["AvailabilityZone"],
        on_off(subnet.get("AssignIpv6AddressOnCreation")), on_off(subnet.get("MapPublicIpOnLaunch")))]


def igw_lines(igw):
    return ["internet gateway %s %s, attached to %s" % (igw["InternetGatewayId"], name_of(igw), attached_to(igw))]


def eigw_lines(eigw):
    return ["egress-only internet gateway %s %s, attached to %s" % (
        eigw["EgressOnlyInternetGatewayId"], name_of(eigw), attached_to(eigw))]


def route_table_lines(table):
    return ["main route table %s:" % table["RouteTableId"]] + [
        "  %-28s -> %s (%s)" % (destination_of(route), target_of(route), route.get("State", "?"))
        for route in table["Routes"]]


def destination_of(route):
    return route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock") or route.get("DestinationPrefixListId")


def target_of(route):
    return next((route[key] for key in ROUTE_TARGETS if route.get(key)), "?")


def security_group_lines(group):
    return (["security group %s %s:" % (group["GroupId"], group["GroupName"])]
            + ["  in  %s" % text for text in sorted(map(permission_text, group.get("IpPermissions", [])))]
            + ["  out %s" % text for text in sorted(map(permission_text, group.get("IpPermissionsEgress", [])))])


def permission_text(perm):
    proto = {"-1": "all", "58": "icmpv6", "1": "icmp"}.get(perm.get("IpProtocol"), perm.get("IpProtocol"))
    ports = ""
    if proto in ("tcp", "udp"):
        same = perm.get("FromPort") == perm.get("ToPort")
        ports = "/%s" % perm["FromPort"] if same else "/%s-%s" % (perm.get("FromPort"), perm.get("ToPort"))
    elif proto in ("icmp", "icmpv6"):
        ports = " type %s" % perm.get("FromPort")
    sources = [r["CidrIp"] for r in perm.get("IpRanges", [])] + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
    return "%s%s from %s" % (proto, ports, ", ".join(sources) or "-")


def instance_lines(inst):
    eni = (inst.get("NetworkInterfaces") or [{}])[0]
    v6 = ", ".join(a["Ipv6Address"] for a in eni.get("Ipv6Addresses", [])) or "none"
    prefixes = [p["Ipv6Prefix"] for p in eni.get("Ipv6Prefixes", [])]
    return ["instance %s %s: %s %s, public IPv4 %s, private %s, IPv6 %s%s" % (
        inst["InstanceId"], name_of(inst), inst["InstanceType"], inst["State"]["Name"], inst.get("PublicIpAddress", "none"),
        inst.get("PrivateIpAddress"), v6, ", prefixes %s" % ", ".join(prefixes) if prefixes else "")]


def address_lines(address):
    return ["elastic IP %s %s" % (address["PublicIp"], address.get("AllocationId"))]


def key_pair_lines(key):
    return ["key pair %s" % key["KeyName"]]


# The order of the listing: the network first, then what runs in it.
LISTERS = (
    ("vpcs", vpc_lines), ("subnets", subnet_lines), ("internet_gateways", igw_lines),
    ("egress_only_gateways", eigw_lines), ("main_route_tables", route_table_lines),
    ("security_groups", security_group_lines), ("instances", instance_lines),
    ("addresses", address_lines), ("key_pairs", key_pair_lines),
)
