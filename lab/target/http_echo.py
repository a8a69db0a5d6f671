"""The lab's web targets: answer every GET with the source address they saw.

    python3 http_echo.py            the IPv6-only target (on the "upstream" network only)
    python3 http_echo.py --ipv4     the IPv4-only web host (on the "internet" network only)

scripts/lab.sh runs both. Through the VPN in nat66 mode the IPv6-only target reports the
server's upstream IPv6 (masquerade); in routed mode it would be the client's own tunnel address.
In the IPv6-only mode (NAT64), the IPv4-only web host reports the server's IPv4: the translator's
traffic leaves from it.
"""

import http.server
import socket
import sys

PORT = 80


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "v6vpn-lab-target"
    greeting = "hello from the IPv6-only target"

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        body = ("%s; you came from %s\n" % (self.greeting, self.client_address[0])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        # One line per request on stdout (`docker logs`): the source address first.
        sys.stdout.write("%s %s\n" % (self.client_address[0], format % args))
        sys.stdout.flush()


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


class IPv4Handler(Handler):
    greeting = "hello from the IPv4-only web host"


class IPv4Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET


if __name__ == "__main__":
    if sys.argv[1:] == ["--ipv4"]:
        IPv4Server(("0.0.0.0", PORT), IPv4Handler).serve_forever()
    else:
        Server(("::", PORT), Handler).serve_forever()
