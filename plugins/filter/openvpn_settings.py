# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The openvpn role's input check: validates its variables and derives what the templates need.

Runs on the controller as the role's first task, so bad input fails before anything on the
server changes, with a message that names the variable. The role's argument spec checks types
and choices; this checks what an argument spec cannot (CIDR syntax and sizes, name patterns).
"""

import ipaddress
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.v6vpn.aws.plugins.module_utils import cidr, names
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

MODES = ("nat66", "routed", "off")
PROTOS = ("udp", "tcp")
# AEAD only: what OpenVPN 2.6 negotiates by default, and what DCO can offload.
DATA_CIPHERS = ("AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305")
VPN_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
INTERFACE = re.compile(r"^[A-Za-z0-9_-]{1,15}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# OpenVPN's server-ipv6 takes /64 to /112; its IPv4 pool holds at most 65536 addresses and
# "server" needs room for the server, the network and broadcast addresses and clients.
IPV6_POOL_PREFIXES = (64, 112)
IPV4_POOL_PREFIXES = (16, 29)

REQUIRED = (
    "vpn_name", "openvpn_ipv6_mode", "openvpn_port", "openvpn_proto", "openvpn_ipv4_network",
    "openvpn_ipv6_network", "openvpn_ipv6_routed_prefix", "openvpn_ipv6_push_routes",
    "openvpn_dns_servers", "openvpn_clients", "openvpn_revoked_clients", "openvpn_public_endpoint",
    "openvpn_uplink_interface", "openvpn_data_ciphers", "openvpn_keepalive_interval", "openvpn_keepalive_timeout",
)


def _fail(message):
    raise AnsibleFilterError("openvpn role: %s" % message)


def _int(settings, name, low, high):
    value = settings[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail("%s: %r is not an integer from %d to %d" % (name, value, low, high))
    return value


def _pool(value, name, family, prefixes):
    try:
        return cidr.check_prefix_length(value, name, prefixes[0], prefixes[1], family)
    except InvalidParameter as exc:
        _fail(str(exc))


def _sink(network):
    """The dead-end IPv6 address and gateway pushed with block-ipv6 when IPv6 is off."""
    first = network.network_address
    return "%s/%d %s" % (first + 2, network.prefixlen, first + 1)


def openvpn_settings(settings):
    """Validate the role's variables (a dict keyed by variable name); return derived settings."""
    if not isinstance(settings, dict):
        _fail("expected a dict of the role's variables, got %r" % type(settings).__name__)
    missing = [name for name in REQUIRED if name not in settings]
    if missing:
        _fail("missing variables: %s" % ", ".join(missing))

    if not isinstance(settings["vpn_name"], str) or not VPN_NAME.match(settings["vpn_name"]):
        _fail("vpn_name: %r must be 1-31 characters: lower-case letters, digits and '-', starting with a letter or digit"
              % (settings["vpn_name"],))
    mode = settings["openvpn_ipv6_mode"]
    # YAML 1.1 reads an unquoted `off` as false; the argument spec accepts it the same way.
    if mode is False:
        mode = "off"
    if mode not in MODES:
        _fail("openvpn_ipv6_mode: %r is not one of %s" % (mode, ", ".join(MODES)))
    if settings["openvpn_proto"] not in PROTOS:
        _fail("openvpn_proto: %r is not one of %s" % (settings["openvpn_proto"], ", ".join(PROTOS)))
    port = _int(settings, "openvpn_port", 1, 65535)
    interval = _int(settings, "openvpn_keepalive_interval", 1, 3600)
    timeout = _int(settings, "openvpn_keepalive_timeout", 2, 7200)
    if timeout < 2 * interval:
        _fail("openvpn_keepalive_timeout: %d must be at least twice openvpn_keepalive_interval (%d)" % (timeout, interval))

    ipv4 = _pool(settings["openvpn_ipv4_network"], "openvpn_ipv4_network", 4, IPV4_POOL_PREFIXES)
    ipv6_network = _pool(settings["openvpn_ipv6_network"], "openvpn_ipv6_network", 6, IPV6_POOL_PREFIXES)
    if mode == "routed":
        prefix = settings["openvpn_ipv6_routed_prefix"]
        if not prefix:
            _fail("openvpn_ipv6_routed_prefix is required when openvpn_ipv6_mode is 'routed': the /64-/112 routed "
                  "to this server (site.yml takes the instance's delegated /80 from v6vpn_ipv6_prefixes)")
        pool = _pool(prefix, "openvpn_ipv6_routed_prefix", 6, IPV6_POOL_PREFIXES)
        if not pool.subnet_of(GLOBAL_UNICAST):
            _fail("openvpn_ipv6_routed_prefix: %s is not a global unicast prefix (inside 2000::/3); routed clients "
                  "need addresses the internet routes back" % prefix)
    else:
        pool = ipv6_network

    routes = settings["openvpn_ipv6_push_routes"]
    if not isinstance(routes, list):
        _fail("openvpn_ipv6_push_routes: expected a list of IPv6 CIDRs, got %r" % (routes,))
    try:
        routes = [cidr.normalize_cidr(route, "openvpn_ipv6_push_routes", 6) for route in routes]
    except InvalidParameter as exc:
        _fail(str(exc))

    dns_servers = settings["openvpn_dns_servers"]
    if not isinstance(dns_servers, list):
        _fail("openvpn_dns_servers: expected a list of IP addresses, got %r" % (dns_servers,))
    try:
        dns = [ipaddress.ip_address(cidr.normalize_address(server, "openvpn_dns_servers")) for server in dns_servers]
    except InvalidParameter as exc:
        _fail(str(exc))

    try:
        clients = names.check_client_names(settings["openvpn_clients"], "openvpn_clients")
        revoked = names.check_client_names(settings["openvpn_revoked_clients"], "openvpn_revoked_clients")
    except InvalidParameter as exc:
        _fail(str(exc))
    both = sorted(set(clients) & set(revoked))
    if both:
        _fail("openvpn_clients and openvpn_revoked_clients both list %s" % ", ".join(both))

    endpoint = settings["openvpn_public_endpoint"]
    if not isinstance(endpoint, str) or not endpoint:
        _fail("openvpn_public_endpoint: empty; set it to the address or DNS name clients connect to")
    try:
        endpoint = ipaddress.ip_address(endpoint).compressed
    except ValueError:
        if not HOSTNAME.match(endpoint):
            _fail("openvpn_public_endpoint: %r is neither an IP address nor a DNS name" % endpoint)

    uplink = settings["openvpn_uplink_interface"]
    if uplink and (not isinstance(uplink, str) or not INTERFACE.match(uplink)):
        _fail("openvpn_uplink_interface: %r is not an interface name (1-15 letters, digits, '_' or '-')" % (uplink,))

    ciphers = settings["openvpn_data_ciphers"]
    if not isinstance(ciphers, list) or not ciphers or any(c not in DATA_CIPHERS for c in ciphers):
        _fail("openvpn_data_ciphers: %r must be a non-empty list of %s" % (ciphers, ", ".join(DATA_CIPHERS)))

    return dict(
        mode=mode,
        port=port,
        ipv4_network=ipv4.compressed,
        ipv4_server="%s %s" % (ipv4.network_address, ipv4.netmask),
        ipv6_pool=pool.compressed,
        ipv6_sink=_sink(ipv6_network),
        push_ipv6_routes=routes,
        dns4=[str(a) for a in dns if a.version == 4],
        dns6=[a.compressed for a in dns if a.version == 6],
        clients=clients,
        revoked_clients=revoked,
        public_endpoint=endpoint,
        data_ciphers=":".join(ciphers),
    )


class FilterModule(object):
    def filters(self):
        return {"openvpn_settings": openvpn_settings}
