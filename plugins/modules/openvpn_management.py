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
  - Without O(kill) it changes nothing and only reads who is connected (what playbooks/status.yml prints).
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
    connected_since_iso:
      description: Start of the session, ISO 8601 in UTC (empty when the server does not say).
      type: str
      version_added: 0.2.0
    client_id:
      description: The server's id of the session (what C(client-kill) takes).
      type: int
    data_channel_cipher:
      description: Negotiated data channel cipher.
      type: str
  sample: [{"common_name": "alice", "real_address": "198.51.100.20:41000", "virtual_address": "10.8.0.2",
            "virtual_ipv6_address": "fdd6:5a3b:1194::1000", "bytes_received": 5120, "bytes_sent": 4312,
            "connected_since": 1767225600, "connected_since_iso": "2026-01-01T00:00:00Z", "client_id": 0, "data_channel_cipher": "AES-256-GCM"}]
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_client_names
from ansible_collections.v6vpn.aws.plugins.module_utils.openvpn_management import Management
from ansible_collections.v6vpn.aws.plugins.module_utils.openvpn_management import ManagementError
from ansible_collections.v6vpn.aws.plugins.module_utils.openvpn_management import parse_status
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


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
