"""v6vpn.aws instance filters: type-dependent rules and drift (plugins/filter/instance.py)."""

from ansible_collections.v6vpn.aws.plugins.filter import instance

T3 = {"instance_type": "t3.micro", "hypervisor": "nitro", "nitro": True, "ipv6_supported": True, "ipv6_addresses_per_interface": 2, "burstable": True}
T2 = dict(T3, instance_type="t2.micro", hypervisor="xen", nitro=False)
M1 = dict(T2, instance_type="m1.small", ipv6_supported=False, ipv6_addresses_per_interface=0, burstable=False)


def test_prefixes_need_nitro():
    assert instance.ipv6_prefix_count_error(T3, 1, "c") == ""
    assert instance.ipv6_prefix_count_error(T2, 0, "c") == ""
    assert instance.ipv6_prefix_count_error(T2, 1, "c").startswith("c: 1 /80 prefixes asked, but t2.micro is a Xen type")


def test_address_count_within_the_interface_limit():
    assert instance.ipv6_address_count_error(T3, 2, "n") == ""
    assert instance.ipv6_address_count_error(T3, 3, "n") == "n: 3 IPv6 addresses asked, but a network interface of t3.micro takes at most 2"
    assert "supports no IPv6" in instance.ipv6_address_count_error(M1, 1, "n")
    assert instance.ipv6_address_count_error(M1, 0, "n") == ""


def test_imds_ipv6_follows_the_type():
    assert instance.imds_ipv6(T3, "auto") == "enabled" and instance.imds_ipv6(T2, "auto") == "disabled"
    assert instance.imds_ipv6(T3, "disabled") == "disabled"
    assert instance.imds_ipv6_error(T2, "enabled", "i").startswith("i: the IPv6 endpoint of the instance metadata service is only on Nitro types")
    assert instance.imds_ipv6_error(T2, "auto", "i") == "" and instance.imds_ipv6_error(T3, "enabled", "i") == ""


SETTINGS = {"name": "v-server", "instance_type": "t3.micro", "key_name": "k", "vpc_subnet_id": "subnet-1", "security_group": "sg-1",
            "network": {"assign_public_ip": True}, "source_dest_check": False,
            "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_protocol_ipv6": "enabled",
                                 "http_put_response_hop_limit": "1"},
            "cpu_credit_specification": "standard", "tags": {"owner": "me", "v6vpn:deployment": "v"}}
DESCRIBED = {"state": {"name": "running"}, "instance_type": "t3.micro", "key_name": "k", "subnet_id": "subnet-1",
             "security_groups": [{"group_id": "sg-1"}], "source_dest_check": False, "public_ip_address": "198.51.100.1",
             "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_protocol_ipv6": "enabled",
                                  "http_put_response_hop_limit": 1},
             "tags": {"Name": "v-server", "owner": "me", "v6vpn:deployment": "v", "extra": "kept"}}


def test_drift_names_each_setting_that_differs():
    assert instance.instance_drift(DESCRIBED, SETTINGS) == []
    assert instance.instance_drift({}, SETTINGS) == ["instance"]
    assert instance.instance_drift(dict(DESCRIBED, tags={"Name": "v-server", "v6vpn:deployment": "v"}), SETTINGS) == ["tags"]
    assert instance.instance_drift(dict(DESCRIBED, instance_type="t3.small", source_dest_check=True), SETTINGS) == ["instance_type", "source_dest_check"]
    assert instance.instance_drift(dict(DESCRIBED, metadata_options=dict(DESCRIBED["metadata_options"], http_tokens="optional")), SETTINGS) == [
        "metadata_options.http_tokens"]
    # The IMDS hop limit (issue 11 item 6): 2 lets a forwarded client fetch a token.
    assert instance.instance_drift(dict(DESCRIBED, metadata_options=dict(DESCRIBED["metadata_options"], http_put_response_hop_limit=2)),
                                   SETTINGS) == ["metadata_options.http_put_response_hop_limit"]
    assert instance.instance_drift(dict(DESCRIBED, state={"name": "stopped"}, public_ip_address=None), SETTINGS) == ["state", "network.assign_public_ip"]
