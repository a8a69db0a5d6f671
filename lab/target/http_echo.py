"""The lab's IPv6-only web target: answers every GET with the source address it saw.

Runs inside the lab's target container (scripts/lab.sh), which sits on the IPv6-only "upstream"
network only. Through the VPN in nat66 mode the address it reports is the server's upstream
IPv6 (masquerade); in routed mode it would be the client's own tunnel address.
"""

import http.server
import socket
import sys

PORT = 80


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "v6vpn-lab-target"

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        body = ("hello from the IPv6-only target; you came from %s\n" % self.client_address[0]).encode()
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


if __name__ == "__main__":
    Server(("::", PORT), Handler).serve_forever()
