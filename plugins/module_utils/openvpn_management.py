# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A client of OpenVPN's management interface (unix socket) and the parser of its ``status 3``
answer: who is connected, from where, with which tunnel addresses, how many bytes, since when.
Used by v6vpn.aws.openvpn_management; pure Python (the standard library only).
"""

import datetime
import socket
import time


class ManagementError(Exception):
    pass


class Management:
    """A minimal client of OpenVPN's line-based management protocol."""

    def __init__(self, path, timeout):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        # The server greets with ">INFO:OpenVPN Management Interface Version ...".
        self._line()

    def _line(self):
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buffer:
            if time.monotonic() > deadline:
                raise ManagementError("no answer within %s seconds" % self.timeout)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ManagementError("the server closed the management connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8", "replace").rstrip("\r")

    def _answer_line(self):
        # Lines starting with ">" are asynchronous notifications, not answers.
        while True:
            line = self._line()
            if not line.startswith(">"):
                return line

    def command(self, text):
        self.sock.sendall(text.encode("utf-8") + b"\n")

    def status(self):
        self.command("status 3")
        lines = []
        while True:
            line = self._answer_line()
            if line == "END":
                return lines
            if line.startswith("ERROR"):
                raise ManagementError("'status 3' failed: %s" % line)
            lines.append(line)

    def client_kill(self, client_id):
        # Unlike "kill <cn>", client-kill tells the client (RESTART): it reconnects at once and
        # meets the CRL, instead of keeping a dead tunnel until its ping-restart timeout.
        self.command("client-kill %s" % client_id)
        line = self._answer_line()
        if line.startswith("SUCCESS"):
            return True
        if line.startswith("ERROR"):
            # Gone in the meantime (it disconnected by itself).
            return False
        raise ManagementError("'client-kill %s' got an unexpected answer: %s" % (client_id, line))

    def close(self):
        try:
            self.command("quit")
        except OSError:
            # The session is over either way; a broken socket here must not hide the real error.
            pass
        finally:
            self.sock.close()


def _iso(time_t):
    """Seconds since the epoch as ISO 8601 UTC ('2026-11-25T17:05:37Z'); '' when unknown."""
    try:
        return datetime.datetime.fromtimestamp(int(time_t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def parse_status(lines):
    """'status 3' output (tab-separated; HEADER rows name the columns of the rows after them).

    Returns (clients, dco_enabled, title).
    """
    header = None
    clients = []
    dco = None
    title = ""
    for line in lines:
        fields = line.split("\t")
        if fields[0] == "TITLE" and len(fields) > 1:
            title = fields[1]
        elif fields[0] == "GLOBAL_STATS" and len(fields) > 2 and fields[1] == "dco_enabled":
            dco = fields[2] == "1"
        elif fields[0] == "HEADER" and len(fields) > 1 and fields[1] == "CLIENT_LIST":
            header = fields[2:]
        elif fields[0] == "CLIENT_LIST" and header:
            row = dict(zip(header, fields[1:]))
            clients.append(dict(
                common_name=row.get("Common Name", ""),
                real_address=row.get("Real Address", ""),
                virtual_address=row.get("Virtual Address", ""),
                virtual_ipv6_address=row.get("Virtual IPv6 Address", ""),
                bytes_received=int(row.get("Bytes Received") or 0),
                bytes_sent=int(row.get("Bytes Sent") or 0),
                connected_since=int(row.get("Connected Since (time_t)") or 0),
                connected_since_iso=_iso(row.get("Connected Since (time_t)")),
                client_id=int(row.get("Client ID") or 0),
                data_channel_cipher=row.get("Data Channel Cipher", ""),
            ))
    return clients, dco, title
