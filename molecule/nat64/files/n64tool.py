"""Test fixtures and probes of the nat64 scenario (Python 3 standard library only).

    n64tool.py dns-serve CONFIG.json        the scenario's DNS: a static zone over UDP, port 53
    n64tool.py dns-query SERVER NAME TYPE   one query, one try; prints JSON {rcode, answers}
    n64tool.py web-serve FILE               IPv4 HTTP on port 80: / echoes the caller's address,
                                            /1m answers FILE's bytes
    n64tool.py connect HOST PORT            one TCP connect; prints JSON {result, seconds}

Every probe is bounded by --timeout (seconds) and reports what happened instead of raising:
verify.yml asserts on the printed result (e.g. a refused query, an unreachable network).
"""

import argparse
import errno
import http.server
import json
import random
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "SOA": 6, "AAAA": 28}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
TTL = 30


# --- DNS wire format (RFC 1035) ----------------------------------------------------------------

def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def read_name(packet, offset):
    """The name at offset (following compression pointers) and the offset after it."""
    labels, end, jumps = [], None, 0
    while True:
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            jumps += 1
            if jumps > 20:
                raise ValueError("compression loop")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | packet[offset + 1]
            continue
        offset += 1
        if length == 0:
            return ".".join(labels).lower(), end if end is not None else offset
        labels.append(packet[offset:offset + length].decode("ascii", "replace"))
        offset += length


def rdata_text(rtype, rdata):
    if rtype == TYPES["A"]:
        return socket.inet_ntop(socket.AF_INET, rdata)
    if rtype == TYPES["AAAA"]:
        return socket.inet_ntop(socket.AF_INET6, rdata)
    return rdata.hex()


def record(name_bytes, rtype, rdata):
    return name_bytes + struct.pack("!HHIH", rtype, 1, TTL, len(rdata)) + rdata


# --- dns-serve ---------------------------------------------------------------------------------

def answer(query, zone, names):
    """The response to one query: authoritative for zone, REFUSED outside it, NODATA for a known
    name without the asked type (what makes a DNS64 synthesize), NXDOMAIN for unknown names."""
    qid, flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1 or flags & 0x8000:
        return struct.pack("!HHHHHH", qid, 0x8001, 0, 0, 0, 0)  # FORMERR
    qname, end = read_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[end:end + 4])
    question = query[12:end + 4]
    rd = flags & 0x0100
    in_zone = qname == zone or qname.endswith("." + zone)
    if not in_zone or qclass != 1:
        return struct.pack("!HHHHHH", qid, 0x8000 | rd | 5, 1, 0, 0, 0) + question
    answers = []
    for rtype, value in names.get(qname, []):
        if TYPES[rtype] == qtype:
            family = socket.AF_INET if rtype == "A" else socket.AF_INET6
            answers.append(record(b"\xc0\x0c", qtype, socket.inet_pton(family, value)))
    rcode = 0 if qname in names or qname == zone else 3
    authority = []
    if not answers:
        soa = encode_name("ns." + zone) + encode_name("hostmaster." + zone) + struct.pack("!IIIII", 1, 3600, 600, 86400, TTL)
        authority.append(record(encode_name(zone), TYPES["SOA"], soa))
    header = struct.pack("!HHHHHH", qid, 0x8400 | rd | rcode, 1, len(answers), len(authority), 0)
    return header + question + b"".join(answers) + b"".join(authority)


def dns_serve(args):
    with open(args.config, encoding="utf-8") as handle:
        config = json.load(handle)
    zone = config["zone"].rstrip(".").lower()
    names = {}
    for name, records in config["names"].items():
        names["%s.%s" % (name, zone)] = [(rtype, value) for rtype, values in records.items() for value in values]
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", args.port))
    while True:
        query, peer = sock.recvfrom(4096)
        try:
            response = answer(query, zone, names)
        except (ValueError, IndexError, struct.error, KeyError):
            continue
        sock.sendto(response, peer)
        print("%s %s" % (peer[0], len(response)), flush=True)


# --- dns-query ---------------------------------------------------------------------------------

def dns_query(args):
    family = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    qid = random.randint(0, 0xFFFF)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + encode_name(args.name) + struct.pack("!HH", TYPES[args.type], 1)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(args.timeout)
    start = time.monotonic()
    result = {"server": args.server, "name": args.name, "type": args.type}
    try:
        sock.connect((args.server, args.port))
        sock.send(query)
        while True:
            packet = sock.recv(4096)
            if len(packet) >= 12 and struct.unpack("!H", packet[:2])[0] == qid:
                break
    except socket.timeout:
        result.update(rcode="timeout", answers=[])
    except OSError as exc:
        result.update(rcode=errno.errorcode.get(exc.errno, str(exc)), answers=[])
    else:
        flags, qdcount, ancount = struct.unpack("!HHH", packet[2:8])
        offset = 12
        for dummy in range(qdcount):
            offset = read_name(packet, offset)[1] + 4
        answers = []
        for dummy in range(ancount):
            offset = read_name(packet, offset)[1]
            rtype, dummy_class, dummy_ttl, length = struct.unpack("!HHIH", packet[offset:offset + 10])
            offset += 10
            answers.append({"type": {v: k for k, v in TYPES.items()}.get(rtype, rtype), "data": rdata_text(rtype, packet[offset:offset + length])})
            offset += length
        result.update(rcode=RCODES.get(flags & 0xF, flags & 0xF), answers=answers)
    result["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(result))


# --- web-serve ---------------------------------------------------------------------------------

class Web(http.server.BaseHTTPRequestHandler):
    body_file = ""

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        if self.path == "/1m":
            with open(self.body_file, "rb") as handle:
                body = handle.read()
            kind = "application/octet-stream"
        else:
            body = ("%s\n" % self.client_address[0]).encode("ascii")
            kind = "text/plain"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stdout.write("%s %s\n" % (self.client_address[0], format % args))
        sys.stdout.flush()


def web_serve(args):
    Web.body_file = args.file
    http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Web).serve_forever()


# --- connect -----------------------------------------------------------------------------------

def connect(args):
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    start = time.monotonic()
    try:
        sock.connect((args.host, args.port))
        result = "connected"
    except socket.timeout:
        result = "timeout"
    except OSError as exc:
        result = errno.errorcode.get(exc.errno, str(exc))
    finally:
        sock.close()
    print(json.dumps({"host": args.host, "port": args.port, "result": result, "seconds": round(time.monotonic() - start, 3)}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("dns-serve")
    serve.add_argument("config")
    serve.add_argument("--port", type=int, default=53)
    query = commands.add_parser("dns-query")
    query.add_argument("server")
    query.add_argument("name")
    query.add_argument("type", choices=sorted(TYPES))
    query.add_argument("--port", type=int, default=53)
    query.add_argument("--timeout", type=float, default=3)
    web = commands.add_parser("web-serve")
    web.add_argument("file")
    web.add_argument("--port", type=int, default=80)
    probe = commands.add_parser("connect")
    probe.add_argument("host")
    probe.add_argument("port", type=int)
    probe.add_argument("--timeout", type=float, default=3)
    args = parser.parse_args(argv)
    {"dns-serve": dns_serve, "dns-query": dns_query, "web-serve": web_serve, "connect": connect}[args.command](args)


if __name__ == "__main__":
    main()
