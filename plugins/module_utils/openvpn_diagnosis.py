# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Why OpenVPN cannot start, said before anything changes when the host shows it, else read
from OpenVPN's own log lines: a table of known causes, each a pattern of OpenVPN's message (as
OpenVPN 2.6 writes it) and what it means and how to fix it.

The openvpn role checks the host first (``v6vpn.aws.openvpn_host_ipv6_error``) and, when the
server does not start, shows OpenVPN's last log lines with the explanations of the causes it
recognises (``v6vpn.aws.openvpn_failure_causes``). Pure Python.
"""

import re

IPV6_FIX = ("Fix: sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 and remove the setting "
            "that turned it off (/etc/sysctl.conf, /etc/sysctl.d/, ipv6.disable=1 on the kernel command line), or set "
            "openvpn_ipv6_mode: off.")

# (name, pattern searched in each log line, explanation with the fix; {group} takes what the
# pattern's named group matched). First match of each name counts once; the order is the
# order of the report.
CAUSES = (
    ("ipv6_disabled",
     re.compile(r"Linux can't add IPv6 to interface|can't add IPv6 to interface|sitnl_addr_add: .*(Permission denied|errno=-13)"),
     "IPv6 is disabled for new interfaces on this host (net.ipv6.conf.default.disable_ipv6 or "
     "net.ipv6.conf.all.disable_ipv6 is 1, or the kernel runs with ipv6.disable=1), so OpenVPN cannot give its tun device "
     "an IPv6 address. " + IPV6_FIX),
    ("no_tun_device",
     re.compile(r"Cannot open TUN/TAP dev|Cannot ioctl TUNSETIFF|Cannot open DCO device"),
     "OpenVPN cannot create its tun device: /dev/net/tun is missing or not usable (no tun module: modprobe tun; in a "
     "container: pass --device /dev/net/tun and the NET_ADMIN capability)."),
    ("port_in_use",
     re.compile(r"Socket bind failed on local address \S*?:(?P<port>\d+): .*(Address already in use|errno=98)"),
     "Another process already listens on OpenVPN's port. Find it with: ss -lunpt 'sport = :{port}'; stop it, "
     "or choose another openvpn_port (the security group must follow)."),
    ("address_missing",
     re.compile(r"Socket bind failed on local address .*(Cannot assign requested address|errno=99)"),
     "OpenVPN is bound to an address this host does not have (check the 'local' option and the host's addresses)."),
    ("pki_unreadable",
     re.compile(r"Cannot load (CA certificate|certificate|private key) file|CRL: cannot read CRL from file|"
                r"Cannot (open|load) .*tls-crypt|Error: private key password verification failed"),
     "OpenVPN cannot read a file of its PKI (CA, server certificate or key, tls-crypt key or CRL): run the role again, "
     "which rebuilds what is missing, and check that nothing else changed /etc/openvpn/server."),
    ("unknown_user",
     re.compile(r"failed to find (UID for user|GID for group) "),
     "The user or group OpenVPN drops to after start does not exist on this host (Debian has nobody/nogroup)."),
    ("bad_option",
     re.compile(r"Options error: "),
     "OpenVPN refused its configuration (server.conf) at the option named above: an option this OpenVPN version does "
     "not know, or a value it refuses. The role supports OpenVPN 2.6 and later."),
    ("crl_expired",
     re.compile(r"CRL has expired|CRL is not yet valid"),
     "The certificate revocation list has expired, so OpenVPN refuses every client: run the role again to re-sign it."),
    ("no_capability",
     re.compile(r"Operation not permitted \(errno=1\)|capng_.*failed"),
     "OpenVPN lacks a privilege it needs (CAP_NET_ADMIN; in a container, the NET_ADMIN capability)."),
)


def failure_causes(lines):
    """The explanations of the known causes found in OpenVPN's log ``lines`` (a list or one text),
    in the table's order, each once. ``[]`` when none is recognised."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    found = []
    for dummy, pattern, explanation in CAUSES:
        for line in lines or []:
            match = pattern.search(line) if isinstance(line, str) else None
            if match:
                found.append(explanation.format(**match.groupdict()))
                break
    return found


def host_ipv6_error(sysctl, mode, host="this host"):
    """Why ``host`` cannot carry IPv6 in the tunnel, or ``''``: for a mode other than ``off``, the
    tun device OpenVPN creates needs IPv6, which new interfaces get only when
    net.ipv6.conf.all.disable_ipv6 and net.ipv6.conf.default.disable_ipv6 are both 0.

    :param sysctl: the result of ``sysctl -n net.ipv6.conf.all.disable_ipv6
        net.ipv6.conf.default.disable_ipv6`` (a dict with ``rc`` and ``stdout_lines``); a non-zero
        rc means the kernel has no IPv6 at all (ipv6.disable=1).
    """
    if mode in ("off", False):
        return ""
    if (sysctl or {}).get("rc", 0) != 0:
        return ("openvpn_ipv6_mode is '%s', but %s has no IPv6 at all (no /proc/sys/net/ipv6: the kernel runs with "
                "ipv6.disable=1). Remove ipv6.disable=1 from the kernel command line and reboot, or set openvpn_ipv6_mode: off."
                % (mode, host))
    values = dict(zip(("all", "default"), [str(v).strip() for v in (sysctl or {}).get("stdout_lines") or []]))
    disabled = ["net.ipv6.conf.%s.disable_ipv6" % key for key in ("all", "default") if values.get(key) != "0"]
    if not disabled:
        return ""
    return ("openvpn_ipv6_mode is '%s', but IPv6 is disabled on %s (%s = 1): OpenVPN could not give its tun device an IPv6 "
            "address. %s" % (mode, host, " and ".join(disabled), IPV6_FIX))
