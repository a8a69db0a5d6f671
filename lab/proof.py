"""The lab's proof that IPv6 crossed the tunnel, read from what the client and the target printed.

scripts/lab.sh runs the commands in the containers (`docker exec`) and hands their output here:
the client's tun0 addresses (`ip -o addr`), its route to the target (`ip -6 route get`), a ping6
to the target, the body of an HTTP GET to it ("... you came from ADDRESS"), and the target's own
request log (a line per request, the source address first). The record is proof.json.
"""

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
    return [
        "Proof, from the client container %s (IPv4-only network, profile %s):" % (proof["client"], proof["profile"]),
        "  tunnel addresses   %s and %s on tun0" % (proof["tunnel_ipv4"], proof["tunnel_ipv6"]),
        "  route to target    dev %s, source %s" % (route_field(proof["route"], "dev"), route_field(proof["route"], "src")),
        "  ping6 target       %d/%d replies from %s" % (proof["ping_received"], proof["ping_sent"], proof["target"]),
        "  HTTP GET           http://[%s]/ -> %s" % (proof["target"], proof["http_body"]),
        "  target saw source  %s (%s)" % (proof["source_seen"], how),
    ]
