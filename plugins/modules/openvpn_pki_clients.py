#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_pki_clients
short_description: Issue and revoke many OpenVPN client certificates in one task
version_added: 0.1.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - Keeps one private key and certificate per client in O(path), signed by the CA in O(ownca_path) and
    O(ownca_privatekey_path) (for example made with M(community.crypto.x509_certificate)). Certificates carry
    the client's name as their only subject (CN), the C(clientAuth) extended key usage and a C(digitalSignature)
    key usage, and never outlive the CA.
  - Issues, in one pass, a new key and certificate for every client in O(clients) whose files are missing or no
    longer valid (another CA, expired, key and certificate not matching, another name, another key type). A
    few hundred clients take well under a second of work, where a task per client would take minutes.
  - Revokes the current certificate of every client in O(revoked_clients) - serial number and revocation date
    recorded in C(revoked.json) in O(path), private key and certificate deleted - and returns every revocation
    ever recorded in RV(revoked_certificates), ready for M(community.crypto.x509_crl). A revoked name that
    appears in O(clients) again later gets a new certificate; the old serial number stays revoked.
  - With O(profile_template), returns an inline OpenVPN client profile per client in RV(profiles).
  - With O(pki_check), first checks that the CA, the server certificate and the C(tls-crypt) key are in place;
    when they are not, it changes nothing and says so (RV(pki_current)), so that the caller can make them (for
    example with community.crypto) and call the module again without O(pki_check). A playbook that runs both
    steps every time spends most of a no-op run on them; this lets it skip them when nothing is missing.
options:
  path:
    description:
      - Directory of the client keys and certificates (C(<name>.key), C(<name>.crt)) and C(revoked.json).
      - Created with mode C(0700) if missing; every file in it is written with mode C(0600).
    type: path
    required: true
  ownca_path:
    description: The CA certificate (PEM) that signs the client certificates.
    type: path
    required: true
  ownca_privatekey_path:
    description: The CA private key (PEM).
    type: path
    required: true
  ownca_privatekey_passphrase:
    description: The passphrase of O(ownca_privatekey_path), if it has one.
    type: str
  clients:
    description:
      - Names of the clients that must have a valid certificate.
      - 1-64 characters, letters, digits, C(.), C(_) or C(-), starting with a letter or digit.
    type: list
    elements: str
    default: []
  revoked_clients:
    description:
      - Names of the clients whose certificate must be revoked. A name may not be in both lists.
      - Revoking a name that has no certificate does nothing.
    type: list
    elements: str
    default: []
  key_type:
    description: Type of the client private keys.
    type: str
    choices: [secp256r1, ed25519]
    default: secp256r1
  valid_days:
    description: Lifetime of a new certificate in days (capped at the CA's expiry).
    type: int
    default: 3650
  profile_template:
    description:
      - Client configuration text (C(client), C(remote), ciphers, ...). When set, RV(profiles) holds one profile
        per valid client - this text followed by inline C(<ca>), C(<cert>), C(<key>) and, with
        O(tls_crypt_key_path), C(<tls-crypt>) blocks.
    type: str
  tls_crypt_key_path:
    description: The server's C(tls-crypt) key file, inlined into every profile.
    type: path
  pki_check:
    description:
      - What the CA and the server certificate must be. When any of the checks fails, the module returns
        RV(pki_current=false) with the reasons in RV(pki_problems), and issues, revokes and writes nothing.
      - The checks - the CA certificate and key exist and match, are of O(key_type), the CA is a CA named
        O(pki_check.ca_common_name); the server certificate and key exist and match, are of O(key_type), are
        named O(pki_check.server_common_name), carry C(serverAuth) and were signed by the CA; the
        O(tls_crypt_key_path) file exists. Validity dates are not checked (community.crypto's certificate
        modules ignore them by default too).
    type: dict
    suboptions:
      ca_common_name:
        description: Common name of the CA.
        type: str
        required: true
      server_path:
        description: The server certificate (PEM).
        type: path
        required: true
      server_privatekey_path:
        description: The server's private key (PEM).
        type: path
        required: true
      server_common_name:
        description: Common name of the server certificate.
        type: str
        required: true
notes:
  - Runs where the CA private key is, normally the OpenVPN server.
  - The parameters are checked before anything is read or written, and every problem with them is reported at once.
  - "RV(profiles) contains private keys. Use C(no_log: true) on the task, and write the profiles with
    M(v6vpn.aws.openvpn_pki_profiles)."
  - Supports check mode (reports what would be issued or revoked, writes nothing) and diff mode (client names
    only, never key material).
requirements:
  - cryptography >= 3.3 (python3-cryptography on Debian 12 and 13)
seealso:
  - module: community.crypto.x509_crl
  - module: v6vpn.aws.openvpn_pki_profiles
  - module: v6vpn.aws.openvpn_management
"""

EXAMPLES = r"""
- name: Issue and revoke client certificates, and build their profiles
  v6vpn.aws.openvpn_pki_clients:
    path: /etc/openvpn/server/pki/clients
    ownca_path: /etc/openvpn/server/pki/ca.crt
    ownca_privatekey_path: /etc/openvpn/server/pki/ca.key
    clients: [alice, bob]
    revoked_clients: [mallory]
    profile_template: "{{ lookup('ansible.builtin.template', 'client.ovpn.j2') }}"
    tls_crypt_key_path: /etc/openvpn/server/pki/tls-crypt.key
  register: clients
  no_log: true

- name: The same, but first check the CA and server certificate (and do nothing if they are not in place)
  v6vpn.aws.openvpn_pki_clients:
    path: /etc/openvpn/server/pki/clients
    ownca_path: /etc/openvpn/server/pki/ca.crt
    ownca_privatekey_path: /etc/openvpn/server/pki/ca.key
    clients: [alice, bob]
    pki_check:
      ca_common_name: Example VPN CA
      server_path: /etc/openvpn/server/pki/server.crt
      server_privatekey_path: /etc/openvpn/server/pki/server.key
      server_common_name: example-server
  register: first
  no_log: true

- name: Put the revoked certificates on the CRL
  community.crypto.x509_crl:
    path: /etc/openvpn/server/crl.pem
    privatekey_path: /etc/openvpn/server/pki/ca.key
    issuer:
      CN: Example VPN CA
    next_update: +3650d
    ignore_timestamps: true
    serial_numbers: hex-octets
    revoked_certificates: "{{ clients.revoked_certificates }}"
"""

RETURN = r"""
issued:
  description: Clients that got a new key and certificate in this run (or would, in check mode).
  returned: always
  type: list
  elements: str
  sample: [alice]
revoked:
  description: Clients whose certificate was revoked in this run (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [mallory]
certificates:
  description: The valid certificate of each client in O(clients) (after this run).
  returned: when the PKI is in place
  type: dict
  sample: {"alice": {"serial_number": "4F:1C:09", "not_after": "20351103120000Z"}}
revoked_certificates:
  description:
    - Every revocation recorded in O(path), oldest first, in the form M(community.crypto.x509_crl) takes with
      C(serial_numbers=hex-octets); C(name) is informational.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "mallory", "serial_number": "2A:77:01", "revocation_date": "20250301101500Z"}]
profiles:
  description: Inline client profile text per valid client. Contains private keys.
  returned: when O(profile_template) is set and the PKI is in place
  type: dict
  sample: {"alice": "client\nremote 198.51.100.7 1194\n...<key>\n...\n</key>\n"}
pki_current:
  description: Whether the CA, server certificate and tls-crypt key passed the checks of O(pki_check).
  returned: when O(pki_check) is set
  type: bool
  sample: true
pki_problems:
  description: Why RV(pki_current) is false.
  returned: when O(pki_check) is set
  type: list
  elements: str
  sample: ["/etc/openvpn/server/pki/ca.crt: missing"]
"""

import json
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.v6vpn.aws.plugins.module_utils import pki
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_client_names
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_clients_not_revoked
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate

REVOKED_FILE = "revoked.json"


def load_ca(module):
    params = module.params
    try:
        ca_cert = pki.load_certificate(params["ownca_path"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg="ownca_path: cannot read the CA certificate %s: %s" % (params["ownca_path"], exc))
    try:
        ca_key = pki.load_private_key(params["ownca_privatekey_path"], params["ownca_privatekey_passphrase"])
    except (OSError, ValueError, TypeError) as exc:
        module.fail_json(msg="ownca_privatekey_path: cannot read the CA private key %s: %s" % (params["ownca_privatekey_path"], exc))
    if not pki.same_public_key(ca_cert.public_key(), ca_key.public_key()):
        module.fail_json(msg="ownca_privatekey_path: %s is not the private key of the CA certificate %s" % (
            params["ownca_privatekey_path"], params["ownca_path"]))
    return ca_cert, ca_key


def _load_pair(cert_path, key_path, what, problems):
    """Load a certificate and its key, adding to problems what is wrong with them."""
    found = []
    for path, loader in ((cert_path, pki.load_certificate), (key_path, pki.load_private_key)):
        if not os.path.exists(path):
            problems.append("%s: missing (%s)" % (path, what))
            continue
        try:
            found.append(loader(path))
        except (OSError, ValueError, TypeError) as exc:
            problems.append("%s: unreadable (%s): %s" % (path, what, exc))
    if len(found) != 2:
        return None, None
    cert, key = found
    if not pki.same_public_key(cert.public_key(), key.public_key()):
        problems.append("%s: not the key of %s" % (key_path, cert_path))
    return cert, key


def pki_problems(params):
    """What is missing or different in the CA, the server certificate and the tls-crypt key."""
    check = params["pki_check"]
    problems = []
    ca_cert, ca_key = _load_pair(params["ownca_path"], params["ownca_privatekey_path"], "CA", problems)
    if ca_cert is not None:
        if pki.key_type_of(ca_key) != params["key_type"]:
            problems.append("%s: not a %s key" % (params["ownca_privatekey_path"], params["key_type"]))
        if not pki.is_ca(ca_cert) or pki.common_name(ca_cert) != check["ca_common_name"]:
            problems.append("%s: not a CA named %r" % (params["ownca_path"], check["ca_common_name"]))
    cert, key = _load_pair(check["server_path"], check["server_privatekey_path"], "server", problems)
    if cert is not None:
        if pki.key_type_of(key) != params["key_type"]:
            problems.append("%s: not a %s key" % (check["server_privatekey_path"], params["key_type"]))
        if pki.common_name(cert) != check["server_common_name"] or not pki.has_server_auth(cert):
            problems.append("%s: not a serverAuth certificate named %r" % (check["server_path"], check["server_common_name"]))
        if ca_cert is not None and not pki.issued_by(cert, ca_cert):
            problems.append("%s: not signed by the CA" % check["server_path"])
    if params["tls_crypt_key_path"] and not os.path.exists(params["tls_crypt_key_path"]):
        problems.append("%s: missing (tls-crypt key)" % params["tls_crypt_key_path"])
    return problems


def current_certificate(directory, name, ca_cert, key_type, now):
    """The client's (certificate, key) if both are there and still good, else None."""
    cert_path = os.path.join(directory, name + ".crt")
    key_path = os.path.join(directory, name + ".key")
    if not (os.path.exists(cert_path) and os.path.exists(key_path)):
        return None
    try:
        cert = pki.load_certificate(cert_path)
        key = pki.load_private_key(key_path)
    except (OSError, ValueError, TypeError):
        # Unreadable or corrupt files are replaced, like missing ones.
        return None
    good = (
        pki.common_name(cert) == name
        and pki.key_type_of(key) == key_type
        and pki.same_public_key(cert.public_key(), key.public_key())
        and pki.has_client_auth(cert)
        and pki.not_before(cert) <= now < pki.not_after(cert)
        and pki.issued_by(cert, ca_cert)
    )
    return (cert, key) if good else None


def profile_text(template, ca_pem, cert_pem, key_pem, tls_crypt):
    parts = [template.rstrip("\n") + "\n"]
    for tag, body in (("ca", ca_pem), ("cert", cert_pem), ("key", key_pem), ("tls-crypt", tls_crypt)):
        if body is not None:
            parts.append("<%s>\n%s\n</%s>\n" % (tag, body.strip("\n"), tag))
    return "".join(parts)


def run(module):
    params = module.params
    directory = params["path"]
    checked = validate(
        module,
        clients=lambda: check_client_names(params["clients"], "clients"),
        revoked_clients=lambda: check_client_names(params["revoked_clients"], "revoked_clients"),
        not_revoked=lambda: check_clients_not_revoked(params["clients"], params["revoked_clients"]),
        valid_days=lambda: check_integer(params["valid_days"], "valid_days", minimum=1),
    )
    clients, revoked_names = checked["clients"], checked["revoked_clients"]

    if params["pki_check"]:
        problems = pki_problems(params)
        if problems:
            module.exit_json(changed=False, pki_current=False, pki_problems=problems, issued=[], revoked=[])

    tls_crypt = None
    if params["tls_crypt_key_path"]:
        try:
            with open(params["tls_crypt_key_path"]) as handle:
                tls_crypt = handle.read()
        except OSError as exc:
            module.fail_json(msg="tls_crypt_key_path: cannot read %s: %s" % (params["tls_crypt_key_path"], exc))

    ca_cert, ca_key = load_ca(module)
    now = pki.utcnow()
    revoked_file = os.path.join(directory, REVOKED_FILE)
    try:
        revocations = pki.read_json(revoked_file, {"revoked": []})["revoked"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        module.fail_json(msg="path: cannot read the revocation record %s: %s" % (revoked_file, exc))

    valid, to_issue = {}, []
    for name in clients:
        found = current_certificate(directory, name, ca_cert, params["key_type"], now)
        if found:
            valid[name] = found
        else:
            to_issue.append(name)

    # Only certificates of this CA go on its CRL; a stray file from another CA is just removed.
    to_revoke = []
    for name in revoked_names:
        cert_path = os.path.join(directory, name + ".crt")
        if os.path.exists(cert_path) or os.path.exists(os.path.join(directory, name + ".key")):
            try:
                cert = pki.load_certificate(cert_path)
            except (OSError, ValueError):
                cert = None
            to_revoke.append((name, cert if cert is not None and pki.issued_by(cert, ca_cert) else None))

    new_revocations = [
        dict(name=name, serial_number=pki.serial_to_hex(cert.serial_number), revocation_date=pki.asn1_time(now))
        for name, cert in to_revoke if cert is not None
    ]
    revoked_before = sorted({entry["name"] for entry in revocations})
    revocations = revocations + new_revocations
    result = dict(changed=bool(to_issue or to_revoke), issued=to_issue, revoked=[name for name, dummy in to_revoke])
    if params["pki_check"]:
        result.update(pki_current=True, pki_problems=[])
    if module._diff:
        result["diff"] = dict(
            before=dict(clients=sorted(set(valid) | {name for name, dummy in to_revoke}), revoked=revoked_before),
            after=dict(clients=sorted(clients), revoked=sorted({entry["name"] for entry in revocations})),
        )

    if not module.check_mode:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        if to_revoke:
            # Record the revocation before deleting anything, so an interrupted run cannot lose it.
            pki.write_private_file(revoked_file, json.dumps(dict(revoked=revocations), indent=1) + "\n")
            for name, dummy in to_revoke:
                for suffix in (".crt", ".key"):
                    if os.path.exists(os.path.join(directory, name + suffix)):
                        os.unlink(os.path.join(directory, name + suffix))
        for name in to_issue:
            key = pki.generate_private_key(params["key_type"])
            cert = pki.issue_client_certificate(name, key.public_key(), ca_cert, ca_key, params["valid_days"], now)
            pki.write_private_file(os.path.join(directory, name + ".key"), pki.private_key_pem(key))
            pki.write_private_file(os.path.join(directory, name + ".crt"), pki.certificate_pem(cert))
            valid[name] = (cert, key)

    result["certificates"] = dict(
        (name, dict(serial_number=pki.serial_to_hex(cert.serial_number), not_after=pki.asn1_time(pki.not_after(cert))))
        for name, (cert, dummy) in sorted(valid.items())
    )
    result["revoked_certificates"] = [
        dict(serial_number=entry["serial_number"], revocation_date=entry["revocation_date"]) for entry in revocations
    ]
    if params["profile_template"] is not None:
        ca_pem = pki.certificate_pem(ca_cert)
        result["profiles"] = dict(
            (name, profile_text(params["profile_template"], ca_pem, pki.certificate_pem(cert), pki.private_key_pem(key), tls_crypt))
            for name, (cert, key) in sorted(valid.items())
        )
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            ownca_path=dict(type="path", required=True),
            ownca_privatekey_path=dict(type="path", required=True),
            ownca_privatekey_passphrase=dict(type="str", no_log=True),
            clients=dict(type="list", elements="str", default=[]),
            revoked_clients=dict(type="list", elements="str", default=[]),
            key_type=dict(type="str", choices=list(pki.KEY_TYPES), default="secp256r1"),
            valid_days=dict(type="int", default=3650),
            profile_template=dict(type="str"),
            tls_crypt_key_path=dict(type="path", no_log=False),
            pki_check=dict(type="dict", options=dict(
                ca_common_name=dict(type="str", required=True),
                server_path=dict(type="path", required=True),
                server_privatekey_path=dict(type="path", required=True, no_log=False),
                server_common_name=dict(type="str", required=True),
            )),
        ),
        supports_check_mode=True,
    )
    if not pki.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(pki.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        run(module)
    except OSError as exc:
        module.fail_json(msg="Failed to update the client PKI in %s: %s" % (module.params["path"], exc), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
