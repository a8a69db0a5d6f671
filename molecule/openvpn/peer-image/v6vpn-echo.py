"""HTTP echo of the openvpn scenario: answers GET with the address the request came from.

The verify step reads it to tell NAT66 (the server's upstream address) from routed mode (the
client's own tunnel address).
"""
import http.server
import socket


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("%s\n" % self.client_address[0]).encode("ascii")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


Server(("::", 8080), Echo).serve_forever()
