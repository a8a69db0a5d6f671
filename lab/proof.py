"""The lab's proof that IPv6 crossed the tunnel, read from what the client and the target printed.

scripts/lab.sh runs the commands in the containers (`docker exec`) and hands their output here:
the client's tun0 addresses (`ip -o addr`), its route to the target (`ip -6 route get`), a ping6
to the target, the body of an HTTP GET to it ("... you came from ADDRESS"), and the target's own
request log (a line per request, the source address first). The record is proof.json.

In the IPv6-only mode (LAB_IPV6_ONLY=1) the lab also hands over a directory of outputs, a file
per command (IPV6_ONLY_OUTPUTS): the client's IPv4 routes, the options the server pushed, the
lab's names resolved through the DNS64 resolver (`getent ahosts`), HTTP GETs by name to the
IPv4-only web host and to the IPv6-only target, an IPv4-literal connect, and the logs of the
IPv4-only host and the lab's DNS. The record gets an "ipv6_only" part.
"""

import ipaddress
import os
import re


def first_address(ip_output):
    """The first "ADDRESS/PREFIX" of `ip -o addr show` output, or ''."""
    match = re.search(r"\binet6? (\S+)", ip_output)
    return match.group(1) if match else ""


def route_field(route, name):
    """A field of `ip route get` output ("dev", "src"), or None."""
    match = re.search(r" %s (\S+)" % name, route)
    return match.group(1) if match else None


def ping_counts(output):
    """(sent, received) from ping's statistics line; (0, 0) when it printed none."""
    match = re.search(r"(\d+) packets transmitted, (\d+) (?:packets )?received", output)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def source_seen(body):
    """The address the target says a request came from, or ''."""
    match = re.search(r"you came from ([0-9a-fA-F:.]+)", body)
    return match.group(1) if match else ""


def logged_by_target(target_log, source):
    """Whether the target logged a request from `source` (its log lines start with the source)."""
    return any(line.split(" ", 1)[0] == source for line in target_log.splitlines())


def record(context, outputs):
    """proof.json: `context` (client, profile, target, server addresses, site_changed) and what
    the commands printed (`outputs`: tun4, tun6, route, ping, body)."""
    sent, received = ping_counts(outputs["ping"])
    return dict(
        context,
        tunnel_ipv4=first_address(outputs["tun4"]),
        tunnel_ipv6=first_address(outputs["tun6"]),
        route=outputs["route"].strip(),
        ping_sent=sent,
        ping_received=received,
        http_body=outputs["body"].strip(),
        source_seen=source_seen(outputs["body"]),
    )


def problems(proof, target_log):
    """Every way the proof falls short: no tunnel address, a route around tun0, lost pings, no
    source in the answer or none in the target's log."""
    found = []
    if not proof["tunnel_ipv6"]:
        found.append("the client has no global IPv6 address on tun0")
    if route_field(proof["route"], "dev") != "tun0":
        found.append("the route to %s does not use tun0: %s" % (proof["target"], proof["route"]))
    if not proof["ping_sent"] or proof["ping_received"] < proof["ping_sent"]:
        found.append("ping6 to %s: %d/%d replies" % (proof["target"], proof["ping_received"], proof["ping_sent"]))
    if not proof["source_seen"]:
        found.append("the target's answer names no source address: %r" % proof["http_body"])
    elif not logged_by_target(target_log, proof["source_seen"]):
        found.append("the target did not log a request from %s" % proof["source_seen"])
    return found


def render(proof):
    """The proof as `make lab` prints it."""
    nat = proof["source_seen"] == proof["server_upstream_ipv6"]
    how = ("the server's upstream address: NAT66 masquerade" if nat
           else "the client's own tunnel address: routed, no NAT")
    addresses = ("%s and %s" % (proof["tunnel_ipv4"], proof["tunnel_ipv6"]) if proof["tunnel_ipv4"]
                 else "%s (no IPv4)" % proof["tunnel_ipv6"])
    lines = [
        "Proof, from the client container %s (IPv4-only network, profile %s):" % (proof["client"], proof["profile"]),
        "  tunnel addresses   %s on tun0" % addresses,
        "  route to target    dev %s, source %s" % (route_field(proof["route"], "dev"), route_field(proof["route"], "src")),
        "  ping6 target       %d/%d replies from %s" % (proof["ping_received"], proof["ping_sent"], proof["target"]),
        "  HTTP GET           http://[%s]/ -> %s" % (proof["target"], proof["http_body"]),
        "  target saw source  %s (%s)" % (proof["source_seen"], how),
    ]
    return lines + render_ipv6_only(proof) if proof.get("ipv6_only") else lines


# --- the IPv6-only mode ----------------------------------------------------------------------

# The files scripts/lab.sh writes in the IPv6-only mode, one per command (NAME.txt).
IPV6_ONLY_OUTPUTS = ("tun4-routes", "route4", "pushed", "resolv", "ahosts-ipv4-only", "ahosts-ipv6-only",
                     "ahosts-dual-stack", "http-ipv4-only", "http-ipv6-only", "connect-ipv4", "target4-log", "dns-log")
# The lab's names, under its domain (scripts/lab.sh gives its DNS their records): A only,
# AAAA only, both.
NAMES = (("ipv4_only", "ipv4-only"), ("ipv6_only", "ipv6-only"), ("dual_stack", "dual-stack"))
# An IPv4-literal connect must fail at once (an ICMP unreachable, or no route on the client),
# well before its 5 s bound: within this many milliseconds.
FAST_MS = 2000
# How bash's connect error names the errno, and the kinds that mean "unreachable".
CONNECT_ERRORS = (("No route to host", "EHOSTUNREACH"), ("Network is unreachable", "ENETUNREACH"),
                  ("Connection refused", "ECONNREFUSED"), ("Permission denied", "EACCES"),
                  ("Connection timed out", "ETIMEDOUT"))
UNREACHABLE = ("EHOSTUNREACH", "ENETUNREACH")


def read_outputs(directory):
    """The IPv6-only mode's outputs from `directory` (NAME.txt each; '' for a missing file)."""
    outputs = {}
    for name in IPV6_ONLY_OUTPUTS:
        try:
            with open(os.path.join(directory, name + ".txt"), encoding="utf-8") as stream:
                outputs[name] = stream.read()
        except FileNotFoundError:
            outputs[name] = ""
    return outputs


def is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ahosts_addresses(output):
    """The addresses `getent ahosts` printed (first column), each once, in its order."""
    found = []
    for line in output.splitlines():
        fields = line.split()
        if fields and is_address(fields[0]) and fields[0] not in found:
            found.append(fields[0])
    return found


def http_result(output):
    """(body, address curl connected to) from `curl -w '\\nremote %{remote_ip}\\n'` output; the
    body is '' and the address '' when curl failed (its error is then the output)."""
    lines = output.rstrip("\n").splitlines()
    if not lines or not lines[-1].startswith("remote "):
        return "", ""
    remote = lines[-1][len("remote "):].strip()
    return ("\n".join(lines[:-1]).strip(), remote) if remote else ("", "")


def connect_result(output):
    """How the IPv4-literal connect ended: exit status, milliseconds, bash's error line and its kind
    (an errno name, "connected", "timeout" or "unknown")."""
    match = re.search(r"^exit (\d+) after (\d+) ms$", output, re.M)
    error = " ".join(line.strip() for line in output.splitlines() if line.strip() and not line.startswith("exit "))
    if not match:
        return {"exit": None, "ms": None, "error": error, "kind": "unknown"}
    status, millis = int(match.group(1)), int(match.group(2))
    if status == 0:
        kind = "connected"
    elif status == 124:
        kind = "timeout"
    else:
        kind = next((errno for text, errno in CONNECT_ERRORS if text in error), "unknown")
    return {"exit": status, "ms": millis, "error": error, "kind": kind}


def pushed_resolvers(pushed):
    """The resolvers the server pushed ("dhcp-option DNS/DNS6 ADDRESS", or OpenVPN 2.6's "dns server
    N address ADDRESS" as the lab's up script records it), each once, in order."""
    found = []
    for line in pushed.splitlines():
        match = re.match(r"(?:dhcp-option DNS6? |dns server \d+ address )(\S+)$", line.strip())
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def embedded_ipv4(address, prefix):
    """The IPv4 address an IPv4-embedded IPv6 address carries under `prefix` (RFC 6052 section 2.2:
    the 32 bits right after the prefix, skipping bits 64-71), or '' when it is not in the prefix."""
    try:
        network = ipaddress.ip_network(prefix)
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version != 6 or ip not in network or network.prefixlen not in (32, 40, 48, 56, 64, 96):
        return ""
    octets = ip.packed
    if network.prefixlen < 96:
        octets = octets[:8] + octets[9:]  # the u octet
    start = network.prefixlen // 8
    return str(ipaddress.IPv4Address(octets[start:start + 4]))


def in_prefix(address, prefix):
    try:
        return bool(prefix) and ipaddress.ip_address(address) in ipaddress.ip_network(prefix)
    except ValueError:
        return False


def ipv6_only_record(context, outputs, published):
    """The "ipv6_only" part of proof.json: `context` (target4, domain, the server's addresses),
    the outputs (read_outputs) and what site.yml published as v6vpn_openvpn (`published`, {}
    when it published nothing)."""
    names = {key: "%s.%s" % (label, context["domain"]) for key, label in NAMES}
    http = {}
    for key in ("ipv4_only", "ipv6_only"):
        body, remote = http_result(outputs["http-" + key.replace("_", "-")])
        http[key] = {"url": "http://%s/" % names[key], "body": body, "remote": remote, "source_seen": source_seen(body),
                     "output": outputs["http-" + key.replace("_", "-")].strip() if not remote else ""}
    return {
        "target4": context["target4"],
        "names": names,
        "published": {key: published.get(key) for key in ("ipv6_only", "nat64_prefix", "dns64_resolver")},
        "tun4_routes": [line.strip() for line in outputs["tun4-routes"].splitlines() if line.strip()],
        "route4": outputs["route4"].strip(),
        "pushed_resolvers": pushed_resolvers(outputs["pushed"]),
        "resolv_nameservers": re.findall(r"^nameserver\s+(\S+)", outputs["resolv"], re.M),
        "ahosts": {key: ahosts_addresses(outputs["ahosts-" + key.replace("_", "-")]) for key, _label in NAMES},
        "http": http,
        "connect_ipv4": connect_result(outputs["connect-ipv4"]),
    }


def ipv6_only_problems(proof, outputs):
    """Every way the IPv6-only proof falls short, each naming what failed."""
    six = proof["ipv6_only"]
    found = []
    published, names, target4 = six["published"], six["names"], six["target4"]
    prefix, resolver = published["nat64_prefix"] or "", published["dns64_resolver"] or ""
    if published["ipv6_only"] is not True:
        found.append("site.yml did not publish v6vpn_openvpn.ipv6_only: true (published: %r)" % published)
    # No IPv4 path through or around the tunnel: the route to the IPv4-only host (on the client's
    # own network) does not leave by another interface, and a connect to it fails at once.
    dev = route_field(" " + six["route4"], "dev")
    if dev not in (None, "tun0"):
        found.append("IPv4 goes around the tunnel: the client's route to %s is %r" % (target4, six["route4"]))
    connect = six["connect_ipv4"]
    what = "an IPv4-literal connect to %s port 80" % target4
    if connect["kind"] == "connected":
        found.append("%s succeeded after %s ms: the client still has an IPv4 path" % (what, connect["ms"]))
    elif connect["kind"] == "timeout":
        found.append("%s timed out after %s ms instead of failing at once (unreachable)" % (what, connect["ms"]))
    elif connect["kind"] not in UNREACHABLE:
        found.append("%s failed with %s (%s), not unreachable (%s)" % (
            what, connect["kind"], connect["error"] or "no error printed", " or ".join(UNREACHABLE)))
    elif connect["ms"] > FAST_MS:
        found.append("%s failed (%s) only after %s ms, not at once (within %s ms)" % (what, connect["kind"], connect["ms"], FAST_MS))
    # DNS64: the server's resolver is the only one pushed.
    if not resolver or six["pushed_resolvers"] != [resolver]:
        found.append("the server pushed the resolvers %s, not only its DNS64 resolver %s" % (
            six["pushed_resolvers"] or "none", resolver or "(none published)"))
    synthesized = [address for address in six["ahosts"]["ipv4_only"] if in_prefix(address, prefix)]
    if not synthesized:
        found.append("getent ahosts %s gave no address in the NAT64 prefix %s: %s" % (
            names["ipv4_only"], prefix or "(none published)", six["ahosts"]["ipv4_only"] or "nothing"))
    elif embedded_ipv4(synthesized[0], prefix) != target4:
        found.append("getent ahosts %s gave %s, which embeds %s, not %s" % (
            names["ipv4_only"], synthesized[0], embedded_ipv4(synthesized[0], prefix), target4))
    for key in ("ipv6_only", "dual_stack"):
        addresses = six["ahosts"][key]
        if proof["target"] not in addresses:
            found.append("getent ahosts %s did not give its AAAA %s: %s" % (names[key], proof["target"], addresses or "nothing"))
        if any(in_prefix(address, prefix) for address in addresses):
            found.append("getent ahosts %s gave a synthesized address though the name has an AAAA: %s" % (names[key], addresses))
    # HTTP by name: to the IPv4-only host through NAT64, which saw the server's IPv4; to the
    # IPv6-only target natively.
    web4, web6 = six["http"]["ipv4_only"], six["http"]["ipv6_only"]
    if not web4["remote"]:
        found.append("HTTP GET %s failed: %s" % (web4["url"], web4["output"] or "no output"))
    else:
        if not in_prefix(web4["remote"], prefix):
            found.append("HTTP GET %s connected to %s, not to an address in the NAT64 prefix %s" % (
                web4["url"], web4["remote"], prefix or "(none published)"))
        if web4["source_seen"] != proof["server_public_ipv4"]:
            found.append("the IPv4-only host saw %s, not the server's IPv4 %s" % (
                web4["source_seen"] or "no source (%r)" % web4["body"], proof["server_public_ipv4"]))
        elif not logged_by_target(outputs["target4-log"], web4["source_seen"]):
            found.append("the IPv4-only host did not log a request from %s" % web4["source_seen"])
    if not web6["remote"]:
        found.append("HTTP GET %s failed: %s" % (web6["url"], web6["output"] or "no output"))
    elif web6["remote"] != proof["target"]:
        found.append("HTTP GET %s connected to %s, not natively to %s" % (web6["url"], web6["remote"], proof["target"]))
    elif not web6["source_seen"]:
        found.append("the IPv6-only target's answer by name names no source address: %r" % web6["body"])
    return found


def render_ipv6_only(proof):
    """The IPv6-only mode's lines of the proof as `make lab` prints them."""
    six = proof["ipv6_only"]
    published, names, connect = six["published"], six["names"], six["connect_ipv4"]
    web4, web6 = six["http"]["ipv4_only"], six["http"]["ipv6_only"]
    prefix = published["nat64_prefix"]
    dev = route_field(" " + six["route4"], "dev")
    return [
        "IPv6-only mode (lab/ipv6-only.yml), NAT64 prefix %s, DNS64 resolver %s:" % (prefix, published["dns64_resolver"]),
        "  (the lab's IPv4 side, 198.18.0.0/15, is non-global benchmarking space, which RFC 6052 forbids",
        "   behind the Well-Known Prefix 64:ff9b::/96: the lab sets openvpn_nat64_nonglobal_ipv4: true",
        "   with a network-specific prefix; on AWS both stay at their defaults)",
        "  IPv4 routes on tun0 %s" % ("; ".join(six["tun4_routes"]) or "none"),
        "  IPv4 to %-12s %s; connect %s after %s ms (%s)" % (
            six["target4"], "route dev %s" % dev if dev else "no route", connect["kind"], connect["ms"], connect["error"]),
        "  pushed resolvers   %s" % (", ".join(six["pushed_resolvers"]) or "none"),
        "  getent ahosts      %s -> %s" % (names["ipv4_only"], ", ".join(six["ahosts"]["ipv4_only"])),
        "                     %s -> %s" % (names["ipv6_only"], ", ".join(six["ahosts"]["ipv6_only"])),
        "                     %s -> %s" % (names["dual_stack"], ", ".join(six["ahosts"]["dual_stack"])),
        "  HTTP GET by name   %s via %s -> %s" % (web4["url"], web4["remote"], web4["body"]),
        "                     %s via %s -> %s" % (web6["url"], web6["remote"], web6["body"]),
        "  IPv4 host saw      %s (the server's IPv4: NAT64)" % web4["source_seen"],
    ]
