"""Unit tests of the NAT64 rules (plugins/module_utils/nat64.py): RFC 6052 prefixes, the
non-global IPv4 blocks, address embedding, the translator's pool."""

import ipaddress

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import nat64
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


@pytest.mark.parametrize("prefix, normalised", [
    ("64:ff9b::/96", "64:ff9b::/96"),
    ("0064:FF9B:0000::/96", "64:ff9b::/96"),
    ("2001:db8::/32", "2001:db8::/32"),
    ("2001:db8:100::/40", "2001:db8:100::/40"),
    ("2001:db8:122::/48", "2001:db8:122::/48"),
    ("2001:db8:122:300::/56", "2001:db8:122:300::/56"),
    ("2001:db8:122:344::/64", "2001:db8:122:344::/64"),
    ("fd64:1:2::/96", "fd64:1:2::/96"),
    # Bits 64-71 are free with /96: the IPv4 address comes after them.
    ("2001:db8:0:0:ff00::/96", None),
])
def test_rfc_6052_prefixes_are_accepted(prefix, normalised):
    if normalised is None:
        with pytest.raises(InvalidParameter, match="bits 64-71"):
            nat64.check_prefix(prefix, "p")
    else:
        assert nat64.check_prefix(prefix, "p") == normalised


@pytest.mark.parametrize("prefix, message", [
    ("2001:db8::/80", "p: 2001:db8::/80 has prefix length /80; RFC 6052 allows only /32, /40, /48, /56, /64, /96"),
    ("2001:db8::/33", "has prefix length /33"),
    ("2001:db8::/128", "has prefix length /128"),
    ("2001:db8::1/96", "is not a valid CIDR block"),
    ("2001:db8:0:0:0100::/64", "is not a valid CIDR block"),
    ("2001:db8:0:0:0100::/96", "sets bits 64-71 (the u octet)"),
    ("64:ff9b:1::/48", "is inside ::/8, which cannot carry IPv4 addresses"),
    ("::ffff:0:0/96", "is inside ::/8"),
    ("fe80::/64", "is inside fe80::/10"),
    ("ff0e::/96", "is inside ff00::/8"),
    ("10.0.0.0/8", "is an IPv4 block, expected IPv6"),
    ("64:ff9b::", "is not a CIDR block"),
])
def test_other_prefixes_are_refused_naming_the_variable(prefix, message):
    with pytest.raises(InvalidParameter, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        nat64.check_prefix(prefix, "p")
    assert str(err.value).startswith("p: ")


def test_the_prefix_must_stay_clear_of_the_tunnel_pools():
    pools = {"pool6": "fdd6:5a3b:1194::/64", "routed": "", "broken": "x"}
    assert nat64.check_prefix_apart("64:ff9b::/96", pools, "p") == "64:ff9b::/96"
    with pytest.raises(InvalidParameter, match="p: fdd6:5a3b:1194::/96 overlaps pool6 fdd6:5a3b:1194::/64"):
        nat64.check_prefix_apart("fdd6:5a3b:1194::/96", pools, "p")
    # A pool inside the prefix overlaps too.
    with pytest.raises(InvalidParameter, match="overlaps routed 2001:db8:1:2::/80"):
        nat64.check_prefix_apart("2001:db8::/32", {"routed": "2001:db8:1:2::/80"}, "p")


def test_non_global_ipv4_only_behind_a_network_specific_prefix():
    assert nat64.check_non_global(False, "64:ff9b::/96") is False
    assert nat64.check_non_global(True, "2001:db8:64::/96") is True
    assert nat64.check_non_global(True, "not a prefix") is True
    with pytest.raises(InvalidParameter, match=r"^allow: non-global IPv4 .* Well-Known Prefix 64:ff9b::/96 .* set p to"):
        nat64.check_non_global(True, "64:ff9b::/96", "allow", "p")


def test_blocked_ipv4_is_rfc_6052_non_global_list_or_link_local_only():
    blocked = nat64.blocked_ipv4(False)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                  "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
                  "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "0.0.0.0/8"):
        assert block in blocked
    assert nat64.blocked_ipv4(True) == ["169.254.0.0/16"]
    # A global address is never blocked.
    assert not any(ipaddress.ip_address("1.1.1.1") in ipaddress.ip_network(block) for block in blocked)


# RFC 6052 section 2.4's table: 192.0.2.33 behind each prefix length.
@pytest.mark.parametrize("prefix, embedded", [
    ("2001:db8::/32", "2001:db8:c000:221::"),
    ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
    ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"),
    ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
    ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
    ("2001:db8:122:344::/96", "2001:db8:122:344::c000:221"),
    ("64:ff9b::/96", "64:ff9b::c000:221"),
])
def test_embed_follows_rfc_6052_examples(prefix, embedded):
    network = ipaddress.ip_network(nat64.embed(prefix, "192.0.2.33/32"))
    assert network.network_address == ipaddress.ip_address(embedded)
    # The prefix, the 32 bits of the address and the u octet when they span it; the suffix is free.
    length = ipaddress.ip_network(prefix).prefixlen
    assert network.prefixlen == length + 32 + (8 if 64 < length + 32 and length < 96 else 0)


@pytest.mark.parametrize("prefix", ["2001:db8::/32", "2001:db8:100::/40", "2001:db8:122::/48",
                                    "2001:db8:122:300::/56", "2001:db8:122:344::/64", "64:ff9b::/96"])
@pytest.mark.parametrize("block", ["10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "198.18.0.0/15", "169.254.0.0/16"])
def test_an_embedded_block_holds_exactly_its_ipv4_addresses(prefix, block):
    embedded = ipaddress.ip_network(nat64.embed(prefix, block))
    network = ipaddress.ip_network(block)
    inside = [network.network_address, network.broadcast_address]
    outside = [network.network_address - 1, network.broadcast_address + 1]
    for address in inside:
        assert ipaddress.ip_network(nat64.embed(prefix, "%s/32" % address)).network_address in embedded
    for address in outside:
        assert ipaddress.ip_network(nat64.embed(prefix, "%s/32" % address)).network_address not in embedded


@pytest.mark.parametrize("pool", ["100.64.255.0/24", "192.168.255.0/24", "10.200.0.0/16", "100.64.255.252/30"])
def test_pools_accepted(pool):
    assert nat64.check_pool(pool, "10.8.0.0/24", "pool") == pool


@pytest.mark.parametrize("pool, message", [
    ("10.8.0.0/16", "pool: 10.8.0.0/16 overlaps tunnel 10.8.0.0/24"),
    ("10.8.0.128/25", "pool: 10.8.0.128/25 overlaps tunnel 10.8.0.0/24"),
    ("10.0.0.0/8", "has prefix length /8; use /16 to /30"),
    ("100.64.255.0/31", "has prefix length /31"),
    ("169.254.0.0/24", "overlaps 169.254.0.0/16"),
    ("127.0.0.0/24", "overlaps 127.0.0.0/8"),
    ("fd00::/64", "is an IPv6 block, expected IPv4"),
    ("100.64.255.1/24", "is not a valid CIDR block"),
])
def test_pools_refused(pool, message):
    with pytest.raises(InvalidParameter, match=message) as err:
        nat64.check_pool(pool, "10.8.0.0/24", "pool", "tunnel")
    assert str(err.value).startswith("pool: ")


def test_translator_address_and_coverage():
    assert nat64.translator_ipv4_address("100.64.255.0/24") == "100.64.255.1"
    assert nat64.covered("2001:db8:64::/96", ["2000::/3"])
    assert not nat64.covered("64:ff9b::/96", ["2000::/3"])
    assert nat64.is_well_known("0064:ff9b:0::/96")
    assert not nat64.is_well_known("64:ff9b:1::/96")
