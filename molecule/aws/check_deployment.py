"""Check a v6vpn.aws deployment through boto3, independently of the roles that built it.

    python check_deployment.py --endpoint URL --region R --name VPN [--ipv6-inbound] [--prefix-count N]
           [--admin-cidr CIDR ...]            # the deployment is as site.yml's AWS play builds it
    python check_deployment.py --endpoint URL --region R --name VPN --absent
                                              # nothing tagged with the deployment is left

Prints every problem found and exits 1 if there is any. Used by molecule/aws (verify, destroy)
and tests/integration/test_roles_aws.py (imported as a module: check_present(), check_absent()).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

import boto3

TAG = "v6vpn:deployment"
LIVE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]
DEFAULT_VPC_CIDR = "10.64.0.0/16"
DEFAULT_SUBNET_CIDR = "10.64.1.0/24"


def client(endpoint, region):
    return boto3.client("ec2", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _tagged(name):
    return [{"Name": "tag:%s" % TAG, "Values": [name]}]


def _tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def _protocol(value):
    return {"58": "icmpv6", "1": "icmp", "6": "tcp", "17": "udp"}.get(str(value), str(value))


def _rules(permissions):
    """Security group permissions as a set of (protocol, from, to, cidr) tuples."""
    rules = set()
    for perm in permissions:
        proto = _protocol(perm["IpProtocol"])
        ports = (perm.get("FromPort"), perm.get("ToPort")) if proto != "-1" else (None, None)
        for cidr in [r["CidrIp"] for r in perm.get("IpRanges", [])] + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]:
            rules.add((proto,) + ports + (str(ipaddress.ip_network(cidr)),))
    return rules


def expected_ingress(admin_cidrs, client_cidrs, port=1194, proto="udp", tcp_fallback_port=443):
    rules = {("tcp", 22, 22, str(ipaddress.ip_network(c))) for c in admin_cidrs}
    rules |= {(proto, port, port, str(ipaddress.ip_network(c))) for c in client_cidrs}
    if proto == "udp" and tcp_fallback_port:
        # The openvpn role's TCP fallback server beside a UDP one (network_openvpn_tcp_fallback_port).
        rules |= {("tcp", tcp_fallback_port, tcp_fallback_port, str(ipaddress.ip_network(c))) for c in client_cidrs}
    rules |= {("icmp", 8, -1, "0.0.0.0/0"), ("icmp", 3, 4, "0.0.0.0/0"), ("icmpv6", 128, -1, "::/0"), ("icmpv6", 2, -1, "::/0")}
    return rules


def check_present(ec2, name, admin_cidrs, ipv6_inbound=False, prefix_count=0, subnet_index=0,
                  vpc_cidr=DEFAULT_VPC_CIDR, subnet_cidr=DEFAULT_SUBNET_CIDR, port=1194, proto="udp", tcp_fallback_port=443):
    """Problems with the deployment `name` as site.yml's AWS play should have left it ([] when none)."""
    problems = []
    vpcs = ec2.describe_vpcs(Filters=_tagged(name))["Vpcs"]
    if len(vpcs) != 1:
        return ["expected 1 VPC tagged %s=%s, found %d" % (TAG, name, len(vpcs))]
    vpc = vpcs[0]
    vpc_id = vpc["VpcId"]
    if vpc["CidrBlock"] != vpc_cidr or _tags(vpc).get("Name") != name + "-vpc":
        problems.append("VPC %s: CIDR %s, Name %s" % (vpc_id, vpc["CidrBlock"], _tags(vpc).get("Name")))
    v6 = [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet", []) if a["Ipv6CidrBlockState"]["State"] == "associated"]
    if len(v6) != 1 or not v6[0].endswith("/56"):
        return problems + ["VPC %s: expected one associated IPv6 /56, found %s" % (vpc_id, v6)]
    for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        if not ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]:
            problems.append("VPC %s: %s is off" % (vpc_id, attribute))

    wanted_64 = list(ipaddress.ip_network(v6[0]).subnets(new_prefix=64))[subnet_index]
    subnets = ec2.describe_subnets(Filters=_tagged(name))["Subnets"]
    if len(subnets) != 1:
        return problems + ["expected 1 subnet, found %d" % len(subnets)]
    subnet = subnets[0]
    subnet_64 = [a["Ipv6CidrBlock"] for a in subnet.get("Ipv6CidrBlockAssociationSet", []) if a["Ipv6CidrBlockState"]["State"] == "associated"]
    if subnet["CidrBlock"] != subnet_cidr or subnet["VpcId"] != vpc_id:
        problems.append("subnet %s: CIDR %s in %s" % (subnet["SubnetId"], subnet["CidrBlock"], subnet["VpcId"]))
    if [ipaddress.ip_network(c) for c in subnet_64] != [wanted_64]:
        problems.append("subnet %s: IPv6 %s, expected %s" % (subnet["SubnetId"], subnet_64, wanted_64))
    if not subnet["MapPublicIpOnLaunch"] or not subnet["AssignIpv6AddressOnCreation"]:
        problems.append("subnet %s: auto-assign public IPv4 %s, IPv6 %s"
                        % (subnet["SubnetId"], subnet["MapPublicIpOnLaunch"], subnet["AssignIpv6AddressOnCreation"]))
    azs = sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"] if z.get("ZoneType", "availability-zone") == "availability-zone")
    if subnet["AvailabilityZone"] != azs[0]:
        problems.append("subnet %s: in %s, expected the first zone %s" % (subnet["SubnetId"], subnet["AvailabilityZone"], azs[0]))

    igws = ec2.describe_internet_gateways(Filters=_tagged(name))["InternetGateways"]
    eigws = ec2.describe_egress_only_internet_gateways(Filters=_tagged(name))["EgressOnlyInternetGateways"]
    if len(igws) != 1 or [a["VpcId"] for a in igws[0]["Attachments"]] != [vpc_id]:
        return problems + ["expected 1 IGW attached to %s, found %s" % (vpc_id, igws)]
    if len(eigws) != 1 or [a["VpcId"] for a in eigws[0]["Attachments"]] != [vpc_id]:
        return problems + ["expected 1 EIGW attached to %s, found %s" % (vpc_id, eigws)]
    igw_id, eigw_id = igws[0]["InternetGatewayId"], eigws[0]["EgressOnlyInternetGatewayId"]

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    routes = set()
    for route in tables[0]["Routes"]:
        dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        target = route.get("GatewayId") or route.get("EgressOnlyInternetGatewayId") or route.get("NatGatewayId") or route.get("InstanceId")
        routes.add((str(ipaddress.ip_network(dest)), target, route.get("State")))
    wanted_routes = {
        (vpc_cidr, "local", "active"), (str(ipaddress.ip_network(v6[0])), "local", "active"),
        ("0.0.0.0/0", igw_id, "active"), ("::/0", igw_id if ipv6_inbound else eigw_id, "active"),
    }
    if routes != wanted_routes:
        problems.append("main route table %s: routes %s, expected %s" % (tables[0]["RouteTableId"], sorted(routes, key=str), sorted(wanted_routes, key=str)))

    groups = ec2.describe_security_groups(Filters=_tagged(name))["SecurityGroups"]
    if len(groups) != 1 or groups[0]["VpcId"] != vpc_id:
        return problems + ["expected 1 security group in %s, found %d" % (vpc_id, len(groups))]
    group = groups[0]
    client_cidrs = ["0.0.0.0/0"] + (["::/0"] if ipv6_inbound else [])
    ingress, wanted_ingress = _rules(group["IpPermissions"]), expected_ingress(admin_cidrs, client_cidrs, port, proto, tcp_fallback_port)
    if ingress != wanted_ingress:
        problems.append("security group %s: extra ingress %s, missing %s"
                        % (group["GroupId"], sorted(ingress - wanted_ingress, key=str), sorted(wanted_ingress - ingress, key=str)))
    egress = _rules(group["IpPermissionsEgress"])
    if egress != {("-1", None, None, "0.0.0.0/0"), ("-1", None, None, "::/0")}:
        problems.append("security group %s: egress %s" % (group["GroupId"], egress))

    reservations = ec2.describe_instances(Filters=_tagged(name) + [{"Name": "instance-state-name", "Values": LIVE_STATES}])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    if len(instances) != 1:
        return problems + ["expected 1 live instance, found %d" % len(instances)]
    instance = instances[0]
    iid = instance["InstanceId"]
    if instance["State"]["Name"] != "running" or not instance.get("PublicIpAddress"):
        problems.append("instance %s: state %s, public IPv4 %s" % (iid, instance["State"]["Name"], instance.get("PublicIpAddress")))
    if instance["SubnetId"] != subnet["SubnetId"] or [g["GroupId"] for g in instance["SecurityGroups"]] != [group["GroupId"]]:
        problems.append("instance %s: subnet %s, groups %s" % (iid, instance["SubnetId"], instance["SecurityGroups"]))
    options = instance["MetadataOptions"]
    if options.get("HttpTokens") != "required" or options.get("HttpProtocolIpv6") != "enabled" or options.get("HttpEndpoint") != "enabled":
        problems.append("instance %s: metadata options %s" % (iid, options))
    if ec2.describe_instance_attribute(InstanceId=iid, Attribute="sourceDestCheck")["SourceDestCheck"]["Value"]:
        problems.append("instance %s: source/dest check is on" % iid)
    eni = [n for n in instance["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
    addresses = [ipaddress.ip_address(a["Ipv6Address"]) for a in eni.get("Ipv6Addresses", [])]
    if not addresses or any(a not in wanted_64 for a in addresses):
        problems.append("instance %s: IPv6 addresses %s, expected at least one in %s" % (iid, addresses, wanted_64))
    prefixes = [ipaddress.ip_network(p["Ipv6Prefix"]) for p in eni.get("Ipv6Prefixes", [])]
    if len(prefixes) < prefix_count or any(p.prefixlen != 80 or not p.subnet_of(wanted_64) for p in prefixes):
        problems.append("instance %s: IPv6 prefixes %s, expected %d /80 in %s" % (iid, prefixes, prefix_count, wanted_64))
    root = [m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == instance["RootDeviceName"]]
    volumes = ec2.describe_volumes(VolumeIds=[root[0]["Ebs"]["VolumeId"]])["Volumes"] if root else []
    if not volumes or volumes[0]["VolumeType"] != "gp3" or not volumes[0]["Encrypted"]:
        problems.append("instance %s: root volume %s" % (iid, volumes))
    if instance.get("KeyName") != name + "-key" or not ec2.describe_key_pairs(Filters=_tagged(name))["KeyPairs"]:
        problems.append("instance %s: key pair %s missing or untagged" % (iid, instance.get("KeyName")))
    return problems


def check_absent(ec2, name):
    """Everything still tagged with the deployment `name` (terminated instances excepted)."""
    left = []
    tagged = _tagged(name)
    left += ["vpc " + v["VpcId"] for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]]
    left += ["subnet " + s["SubnetId"] for s in ec2.describe_subnets(Filters=tagged)["Subnets"]]
    left += ["igw " + g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"]]
    left += ["eigw " + g["EgressOnlyInternetGatewayId"] for g in ec2.describe_egress_only_internet_gateways(Filters=tagged)["EgressOnlyInternetGateways"]]
    left += ["security group " + g["GroupId"] for g in ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]]
    left += ["key pair " + k["KeyName"] for k in ec2.describe_key_pairs(Filters=tagged)["KeyPairs"]]
    left += ["address " + a["PublicIp"] for a in ec2.describe_addresses(Filters=tagged)["Addresses"]]
    left += ["nat gateway " + g["NatGatewayId"] for g in ec2.describe_nat_gateways(
        Filter=tagged + [{"Name": "state", "Values": ["pending", "available", "deleting", "failed"]}])["NatGateways"]]
    reservations = ec2.describe_instances(Filters=tagged + [{"Name": "instance-state-name", "Values": LIVE_STATES}])["Reservations"]
    left += ["instance " + i["InstanceId"] for r in reservations for i in r["Instances"]]
    return left


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--name", required=True)
    parser.add_argument("--absent", action="store_true")
    parser.add_argument("--ipv6-inbound", action="store_true")
    parser.add_argument("--prefix-count", type=int, default=0)
    parser.add_argument("--admin-cidr", action="append", default=[])
    args = parser.parse_args(argv)
    ec2 = client(args.endpoint, args.region)
    if args.absent:
        problems = ["left behind: " + item for item in check_absent(ec2, args.name)]
    else:
        problems = check_present(ec2, args.name, args.admin_cidr, args.ipv6_inbound, args.prefix_count)
    for problem in problems:
        print(problem)
    if not problems:
        print("deployment %s: %s" % (args.name, "nothing left" if args.absent else "as specified"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
