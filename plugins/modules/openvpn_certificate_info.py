#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_certificate_info
short_description: List the issued, revoked and expiring certificates of an OpenVPN server's PKI
version_added: 0.2.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - Reads, on the server, the CA and server certificates, every client certificate (C(*.crt) under
    O(clients_dir)) and the certificate revocation list, and reports the issued client certificates
    (neither revoked nor expired), every revoked serial on the CRL, and the certificates and CRL that
    end within O(expiring_days) (or have ended).
  - Reads the certificates and the CRL themselves, not an index. A revoked serial whose certificate file
    is gone is named from the role's records in O(clients_dir) (C(index.json), C(revoked.json)) when they
    name it.
  - Read-only. The backend is plugins/module_utils/certificate_inventory.py.
options:
  pki_dir:
    description: Directory holding C(ca.crt) and C(server.crt).
    type: path
    required: true
  clients_dir:
    description: Directory of the client certificates (searched with its subdirectories). Defaults to C(<pki_dir>/clients).
    type: path
  crl_path:
    description: The certificate revocation list (PEM or DER). A missing file means no CRL (nothing revoked).
    type: path
    required: true
  expiring_days:
    description: The window, in days from now, within which a certificate or the CRL counts as expiring.
    type: int
    default: 30
notes:
  - Supports check mode (it changes nothing either way).
  - Verified against the PKI the collection's openvpn role builds (molecule scenario, OpenVPN 2.6).
requirements:
  - cryptography (python3-cryptography) on the server
"""

EXAMPLES = r"""
- name: Certificates issued, revoked, and expiring within 30 days
  v6vpn.aws.openvpn_certificate_info:
    pki_dir: /etc/openvpn/server/pki
    crl_path: /etc/openvpn/server/crl.pem
    expiring_days: 30
  register: pki
"""

RETURN = r"""
issued:
  description: Client certificates neither revoked nor expired, by common name.
  returned: always
  type: list
  elements: dict
  contains:
    common_name:
      description: The client's name.
      type: str
    serial:
      description: Serial number, colon-separated hex octets.
      type: str
    not_after:
      description: End of validity, ISO 8601 UTC.
      type: str
    days_left:
      description: Whole days until the end of validity.
      type: int
  sample: [{"common_name": "alice", "serial": "4F:0A:91", "not_after": "2036-11-25T17:05:37Z", "days_left": 3644}]
revoked:
  description: Every serial on the CRL, oldest revocation first.
  returned: always
  type: list
  elements: dict
  contains:
    common_name:
      description: The certificate's name when known (its file or the role's records), else empty.
      type: str
    serial:
      description: Serial number, colon-separated hex octets.
      type: str
    revocation_date:
      description: When it was revoked, ISO 8601 UTC.
      type: str
  sample: [{"common_name": "mallory", "serial": "1B:22:03", "revocation_date": "2026-11-25T17:06:10Z"}]
expiring:
  description:
    - Certificates (CA, server, clients; not revoked ones) and the CRL whose validity ends within
      O(expiring_days), soonest first; already expired ones included (negative RV(expiring[].days_left)).
  returned: always
  type: list
  elements: dict
  contains:
    common_name:
      description: Certificate name; C((CRL)) for the revocation list.
      type: str
    role:
      description: C(ca), C(server), C(client) or C(crl).
      type: str
    serial:
      description: Serial number (empty for the CRL).
      type: str
    not_after:
      description: End of validity (the CRL's next update), ISO 8601 UTC.
      type: str
    days_left:
      description: Whole days left.
      type: int
  sample: [{"common_name": "bob", "role": "client", "serial": "7C:01", "not_after": "2026-12-20T10:00:00Z", "days_left": 16}]
certificates:
  description: Every certificate read, with C(role), C(serial), C(not_before), C(not_after), C(days_left), C(expired), C(revoked) and C(path).
  returned: always
  type: list
  elements: dict
crl:
  description: The CRL's C(last_update), C(next_update), C(days_left) and C(revoked_count); null when there is no CRL file.
  returned: always
  type: dict
unreadable:
  description: Certificate files that could not be read, with the reason.
  returned: always
  type: list
  elements: str
"""

import datetime
import os
import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.v6vpn.aws.plugins.module_utils import certificate_inventory as inv
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate


def run(module):
    params = module.params
    checked = validate(module, expiring_days=lambda: check_integer(params["expiring_days"], "expiring_days", 0, 36500))
    pki_dir = params["pki_dir"]
    clients_dir = params["clients_dir"] or os.path.join(pki_dir, "clients")
    certificates, unreadable = [], []
    for role in ("ca", "server"):
        path = os.path.join(pki_dir, role + ".crt")
        if os.path.exists(path):
            try:
                certificates.append(inv.read_certificate(path, role))
            except (OSError, ValueError) as exc:
                unreadable.append((path, str(exc)))
    if os.path.isdir(clients_dir):
        clients, bad = inv.read_certificates(clients_dir)
        certificates += clients
        unreadable += bad
    crl = None
    if os.path.exists(params["crl_path"]):
        try:
            crl = inv.read_crl(params["crl_path"])
        except (OSError, ValueError) as exc:
            module.fail_json(msg="crl_path: cannot read the CRL %s: %s" % (params["crl_path"], exc))
    now = datetime.datetime.now(datetime.timezone.utc)
    result = inv.inventory(certificates, crl, now, checked["expiring_days"], inv.read_serial_names(clients_dir))
    module.exit_json(changed=False, unreadable=["%s: %s" % item for item in unreadable], **result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pki_dir=dict(type="path", required=True),
            clients_dir=dict(type="path"),
            crl_path=dict(type="path", required=True),
            expiring_days=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    if not inv.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(inv.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        run(module)
    except OSError as exc:
        module.fail_json(msg="Failed to read the PKI in %s: %s" % (module.params["pki_dir"], exc), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
