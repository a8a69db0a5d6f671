"""Known causes of an OpenVPN server that does not start (module_utils/openvpn_diagnosis.py), over log
samples as OpenVPN 2.6 writes them (journalctl -u openvpn-server@server -o cat)."""

import pytest

from ansible_collections.v6vpn.aws.plugins.filter.openvpn_diagnosis import FilterModule, openvpn_failure_causes, openvpn_host_ipv6_error
from ansible_collections.v6vpn.aws.plugins.module_utils import openvpn_diagnosis

START = [
    "OpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO]",
    "library versions: OpenSSL 3.0.17 1 Jul 2025, LZO 2.10",
    "DCO version: N/A",
    "MANAGEMENT: unix domain socket listening on /run/openvpn-server/server.sock",
]
IPV6_DISABLED = START + [
    "TUN/TAP device tun-v6vpn opened",
    "net_iface_mtu_set: mtu 1500 for tun-v6vpn",
    "net_iface_up: set tun-v6vpn up",
    "net_addr_v4_add: 10.8.0.1/24 dev tun-v6vpn",
    "net_iface_mtu_set: mtu 1500 for tun-v6vpn",
    "net_iface_up: set tun-v6vpn up",
    "net_addr_v6_add: fdd6:5a3b:1194::1/64 dev tun-v6vpn",
    "sitnl_send: rtnl: generic error (-13): Permission denied",
    "Linux can't add IPv6 to interface tun-v6vpn",
    "Exiting due to fatal error",
]
PORT_IN_USE = START + [
    "TCP/UDP: Socket bind failed on local address [AF_INET6][undef]:1194: Address already in use (errno=98)",
    "Exiting due to fatal error",
]
NO_TUN = START + [
    "ERROR: Cannot open TUN/TAP dev /dev/net/tun: No such file or directory (errno=2)",
    "Exiting due to fatal error",
]
NO_CERT = START[:3] + [
    "Cannot load certificate file /etc/openvpn/server/pki/server.crt",
    "Exiting due to fatal error",
]
BAD_OPTION = [
    "Options error: Unrecognized option or missing or extra parameter(s) in /etc/openvpn/server/server.conf:42: dns (2.5.1)",
    "Use --help for more information.",
]
HEALTHY = START + [
    "TUN/TAP device tun-v6vpn opened",
    "net_addr_v6_add: fdd6:5a3b:1194::1/64 dev tun-v6vpn",
    "Initialization Sequence Completed",
]


@pytest.mark.parametrize("lines, words", [
    (IPV6_DISABLED, ["IPv6 is disabled for new interfaces", "net.ipv6.conf.default.disable_ipv6=0", "openvpn_ipv6_mode: off"]),
    (PORT_IN_USE, ["Another process already listens on OpenVPN's port", "sport = :1194'", "openvpn_port"]),
    (NO_TUN, ["/dev/net/tun", "--device /dev/net/tun"]),
    (NO_CERT, ["cannot read a file of its PKI", "run the role again"]),
    (BAD_OPTION, ["refused its configuration"]),
])
def test_each_known_cause_is_explained_with_its_fix(lines, words):
    causes = openvpn_failure_causes(lines)
    assert len(causes) == 1, causes
    for word in words:
        assert word in causes[0]


def test_a_healthy_or_unknown_log_explains_nothing():
    assert openvpn_failure_causes(HEALTHY) == []
    assert openvpn_failure_causes(START + ["Exiting due to fatal error"]) == []
    assert openvpn_failure_causes([]) == []
    assert openvpn_failure_causes(None) == []


def test_one_text_works_like_lines_and_each_cause_counts_once():
    text = "\n".join(IPV6_DISABLED + PORT_IN_USE + IPV6_DISABLED)
    causes = openvpn_failure_causes(text)
    assert [c.split(" ")[0] for c in causes] == ["IPv6", "Another"]


def test_every_cause_has_a_distinct_name_and_says_what_to_do():
    names = [name for name, dummy, dummy2 in openvpn_diagnosis.CAUSES]
    assert len(names) == len(set(names))
    for dummy, dummy2, explanation in openvpn_diagnosis.CAUSES:
        assert explanation.endswith(".")


def test_filter_is_registered():
    assert set(FilterModule().filters()) == {"openvpn_failure_causes", "openvpn_host_ipv6_error"}


def sysctl(all_value, default_value, rc=0):
    return {"rc": rc, "stdout_lines": [all_value, default_value] if rc == 0 else []}


def test_ipv6_disabled_on_the_host_is_named_before_anything_changes():
    assert openvpn_host_ipv6_error(sysctl("0", "0"), "nat66", "vpn1") == ""
    message = openvpn_host_ipv6_error(sysctl("0", "1"), "nat66", "vpn1")
    assert message.startswith("openvpn_ipv6_mode is 'nat66', but IPv6 is disabled on vpn1 (net.ipv6.conf.default.disable_ipv6 = 1)")
    assert "sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0" in message
    assert "net.ipv6.conf.all.disable_ipv6 and net.ipv6.conf.default.disable_ipv6 = 1" in openvpn_host_ipv6_error(sysctl("1", "1"), "routed")
    assert "ipv6.disable=1" in openvpn_host_ipv6_error(sysctl("", "", rc=255), "nat66")
    # no IPv6 in the tunnel: nothing to check
    assert openvpn_host_ipv6_error(sysctl("1", "1"), "off") == ""
    assert openvpn_host_ipv6_error(sysctl("1", "1"), False) == ""
