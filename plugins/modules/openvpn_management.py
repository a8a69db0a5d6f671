#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_management
short_description: List and disconnect OpenVPN clients through the server's management socket
version_added: 0.1.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - Talks to a running OpenVPN server over its unix management socket (C(management <path> unix) in the
    server configuration). Returns the connected clients and whether the data channel is offloaded to the
    kernel (C(status 3)), and disconnects every session whose certificate common name is in O(kill), telling the
    client to reconnect (C(client-kill), whose default message is C(RESTART)).
  - Revoking a certificate only stops new connections (the server checks its CRL at each TLS handshake). A
    revoked client that is connected keeps its session until the next renegotiation, up to an hour later,
    unless it is killed - which is what O(kill) is for. The client then reconnects at once and is refused.
options:
  socket:
    description: Path of the management unix socket.
    type: path
    required: true
  kill:
    description: Common names of the clients to disconnect. Names that are not connected are ignored.
    type: list
    elements: str
    default: []
  missing_ok:
    description:
      - When the socket does not exist (the server is not running), return no clients instead of failing.
    type: bool
    default: false
  timeout:
    description: Seconds to wait for the server's answer to each command.
    type: float
    default: 10.0
notes:
  - Supports check mode (reports which clients would be disconnected, disconnects none).
  - The parameters are checked before the socket is opened, and every problem with them is reported at once.
  - Verified against OpenVPN 2.6.14 (Debian 12 and 13) in the collection's molecule scenario.
  - Needs permission to connect to the socket (root, with C(management-client-user root)).
"""

EXAMPLES = r"""
- name: Disconnect revoked clients that are still connected
  v6vpn.aws.openvpn_management:
    socket: /run/openvpn-server/server.sock
    kill: [mallory]
    missing_ok: true

- name: List the connected clients
  v6vpn.aws.openvpn_management:
    socket: /run/openvpn-server/server.sock
  register: vpn
"""

RETURN = r"""
clients:
  description: The clients connected before any was disconnected.
  returned: always
  type: list
  elements: dict
  contains:
    common_name:
      description: Certificate common name.
      type: str
    real_address:
      description: The client's address and port as the server sees them.
      type: str
    virtual_address:
      description: Tunnel IPv4 address.
      type: str
    virtual_ipv6_address:
      description: Tunnel IPv6 address (empty without IPv6 in the tunnel).
      type: str
    bytes_received:
      description: Bytes received from the client.
      type: int
    bytes_sent:
      description: Bytes sent to the client.
      type: int
    connected_since:
      description: Start of the session, seconds since the epoch.
      type: int
    client_id:
      description: The server's id of the session (what C(client-kill) takes).
      type: int
    data_channel_cipher:
      description: Negotiated data channel cipher.
      type: str
  sample: [{"common_name": "alice", "real_address": "198.51.100.20:41000", "virtual_address": "10.8.0.2",
            "virtual_ipv6_address": "fdd6:5a3b:1194::1000", "bytes_received": 5120, "bytes_sent": 4312,
            "connected_since": 1767225600, "client_id": 0, "data_channel_cipher": "AES-256-GCM"}]
dco_enabled:
  description:
    - Whether the server's data channel is offloaded to the kernel (DCO), as the server reports it
      (C(GLOBAL_STATS dco_enabled), OpenVPN 2.6 and later). V(null) when the server does not say.
  returned: always
  type: bool
  sample: false
title:
  description: The server's version line.
  returned: always
  type: str
  sample: OpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO]
killed:
  description: Common names disconnected in this run (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [mallory]
"""

import os
import socket
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_client_names
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


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
                client_id=int(row.get("Client ID") or 0),
                data_channel_cipher=row.get("Data Channel Cipher", ""),
            ))
    return clients, dco, title


def check_timeout(value):
    if value <= 0:
        raise InvalidParameter("timeout: must be positive, got %s" % value)
    return value


def main():
    module = AnsibleModule(
        argument_spec=dict(
            socket=dict(type="path", required=True),
            kill=dict(type="list", elements="str", default=[]),
            missing_ok=dict(type="bool", default=False),
            timeout=dict(type="float", default=10.0),
        ),
        supports_check_mode=True,
    )
    path = module.params["socket"]
    checked = validate(
        module,
        kill=lambda: check_client_names(module.params["kill"], "kill"),
        timeout=lambda: check_timeout(module.params["timeout"]),
    )
    names = checked["kill"]
    if not os.path.exists(path):
        if module.params["missing_ok"]:
            module.exit_json(changed=False, clients=[], killed=[], dco_enabled=None, title="")
        module.fail_json(msg="socket: %s does not exist; is the OpenVPN server running with 'management %s unix'?" % (path, path))

    try:
        session = Management(path, checked["timeout"])
        try:
            clients, dco, title = parse_status(session.status())
            # With duplicate-cn a name can have several sessions: disconnect them all.
            sessions = [(client["common_name"], client["client_id"]) for client in clients if client["common_name"] in names]
            if module.check_mode:
                killed = sorted({name for name, dummy in sessions})
            else:
                killed = sorted({name for name, client_id in sessions if session.client_kill(client_id)})
        finally:
            session.close()
    except (OSError, ManagementError) as exc:
        module.fail_json(msg="Failed to talk to the OpenVPN management socket %s: %s" % (path, exc))
    module.exit_json(changed=bool(killed), clients=clients, killed=killed, dco_enabled=dco, title=title)


if __name__ == "__main__":
    main()
