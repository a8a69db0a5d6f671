#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_pki_clients
short_description: Issue, renew and revoke many OpenVPN client certificates in one task, and keep the CRL current
version_added: 0.1.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - Keeps one private key and certificate per client in O(path), signed by the CA in O(ownca_path) and
    O(ownca_privatekey_path) (for example made with M(v6vpn.aws.openvpn_pki_server)). Certificates carry
    the client's name as their only subject (CN), the C(clientAuth) extended key usage and a C(digitalSignature)
    key usage, and never outlive the CA.
  - Issues, in one pass, a new key and certificate for every client in O(clients) whose files are missing or no
    longer valid (another CA, expired, key and certificate not matching, another name, another key type), and
    renews those with fewer than O(renew_days) left. A certificate that is replaced while still valid is
    revoked (reason C(superseded)), so the profile that held it stops working. A few hundred clients take well under
    a second of work, where a task per client would take minutes.
  - Records every serial number it issues in an index, C(index.json) in O(path) - name, CA, expiry and state
    (C(valid), C(revoked), C(superseded)). Revoking a client in O(revoked_clients) revokes the serial numbers the
    index holds for it and deletes its files; a name with no certificate here and none in the index fails the task
    (a misspelt name must not pass for a revocation). A revoked name that appears in O(clients) again later gets
    a new certificate; the old serial number stays revoked. The C(revoked.json) of version 0.1.0 is folded into
    the index, and certificates issued by 0.1.0 are added to it when found.
  - With O(crl_path), keeps the CA's certificate revocation list there (mode C(0644)) - every revoked or
    superseded serial of the current CA that has not expired - and signs it again when that list changes, when
    the CA changed, or when fewer than O(renew_days) of its O(crl_days) remain (OpenVPN refuses every client
    once the CRL has expired).
  - With O(profile_template), returns an inline OpenVPN client profile per client in RV(profiles); with
    O(tls_crypt_v2_server_key_path), each client also gets its own C(tls-crypt-v2) key (C(<name>.tls-crypt-v2),
    made with C(openvpn --genkey) and wrapped by that server key) in its profile, instead of the shared key of
    O(tls_crypt_key_path).
  - With O(pki_check), first checks that the CA, the server certificate and the C(tls-crypt) key are in place;
    when they are not, it changes nothing and says so (RV(pki_current)). The openvpn role no longer uses it
    (M(v6vpn.aws.openvpn_pki_server) makes what is missing in one task).
options:
  path:
    description:
      - Directory of the client keys and certificates (C(<name>.key), C(<name>.crt), C(<name>.tls-crypt-v2)) and of
        the index C(index.json).
      - Created with mode C(0700) if missing; every file in it is written with mode C(0600).
    type: path
    required: true
  ownca_path:
    description: The CA certificate (PEM) that signs the client certificates and the CRL.
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
      - A name that never had a certificate here (no file, nothing in the index) fails the task before anything
        changes. A name revoked before is left as it is.
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
  renew_days:
    description:
      - A certificate with fewer than this many days left is renewed (new key, new certificate, the old one
        superseded), and so is the CRL. Less than O(valid_days).
      - A certificate capped at the CA's expiry is not renewed again and again once the CA has fewer days than
        this left; the module warns instead.
    type: int
    default: 30
  crl_path:
    description: Where to keep the CRL (PEM). Not kept when omitted; RV(revoked_certificates) then serves M(community.crypto.x509_crl).
    type: path
  crl_days:
    description: Validity of a newly signed CRL, in days. More than O(renew_days).
    type: int
    default: 3650
  profile_template:
    description:
      - Client configuration text (C(client), C(remote), ciphers, ...). When set, RV(profiles) holds one profile
        per valid client - this text followed by inline C(<ca>), C(<cert>), C(<key>) and C(<tls-crypt-v2>) (with
        O(tls_crypt_v2_server_key_path)) or C(<tls-crypt>) (with O(tls_crypt_key_path)) blocks.
    type: str
  tls_crypt_key_path:
    description: A C(tls-crypt) key shared by every client, inlined into every profile. Prefer O(tls_crypt_v2_server_key_path).
    type: path
  tls_crypt_v2_server_key_path:
    description:
      - The server's C(tls-crypt-v2) key. Each client gets its own key wrapped by it, made when missing, when the
        client's certificate is issued, and when this server key changes. Needs the C(openvpn) program.
      - Mutually exclusive with O(tls_crypt_key_path).
    type: path
  tls_crypt_v2_allowed_path:
    description:
      - With O(tls_crypt_v2_server_key_path), a file (mode C(0644)) listing, one a line, what the tls-crypt-v2 key
        of each valid client carries - its name and the serial number of its certificate. A
        C(--tls-crypt-v2-verify) script that admits only these refuses a revoked or replaced client's key before
        the TLS stack sees it (without it, a leaked key of a revoked client still reaches the TLS handshake,
        where the CRL refuses its certificate).
      - OpenVPN 2.6 forks the verify script at every handshake and exits when a fork fails, for example when
        the C(LimitNPROC=10) of Debian's C(openvpn-server@.service), which counts every process of the user
        C(nobody), is reached; the openvpn role raises that limit in its drop-in of the unit.
    type: path
  pki_check:
    description:
      - What the CA and the server certificate must be. When any of the checks fails, the module returns
        RV(pki_current=false) with the reasons in RV(pki_problems), and issues, revokes and writes nothing.
      - The checks - the CA certificate and key exist and match, are of O(key_type), the CA is a CA named
        O(pki_check.ca_common_name); the server certificate and key exist and match, are of O(key_type), are
        named O(pki_check.server_common_name), carry C(serverAuth) and were signed by the CA; the
        O(tls_crypt_key_path) or O(tls_crypt_v2_server_key_path) file exists. Validity dates are not checked.
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
    M(v6vpn.aws.openvpn_client_profiles). A failure returns no key material."
  - Supports check mode (reports what would be issued, renewed or revoked, writes nothing) and diff mode (client
    names only, never key material).
  - Renewal is tested with short lifetimes (certificates and CRLs made to expire within days), not by waiting.
requirements:
  - cryptography >= 3.3 (python3-cryptography on Debian 12 and 13)
  - openvpn >= 2.6 for O(tls_crypt_v2_server_key_path)
seealso:
  - module: v6vpn.aws.openvpn_pki_server
  - module: v6vpn.aws.openvpn_client_profiles
  - module: v6vpn.aws.openvpn_management
"""

EXAMPLES = r"""
- name: Issue, renew and revoke client certificates, keep the CRL, build the profiles
  v6vpn.aws.openvpn_pki_clients:
    path: /etc/openvpn/server/pki/clients
    ownca_path: /etc/openvpn/server/pki/ca.crt
    ownca_privatekey_path: /etc/openvpn/server/pki/ca.key
    clients: [alice, bob]
    revoked_clients: [mallory]
    renew_days: 30
    crl_path: /etc/openvpn/server/crl.pem
    crl_days: 180
    profile_template: "{{ lookup('ansible.builtin.template', 'client.ovpn.j2') }}"
    tls_crypt_v2_server_key_path: /etc/openvpn/server/pki/tls-crypt-v2.key
  register: clients
  no_log: true
"""

RETURN = r"""
issued:
  description: Clients that got a new key and certificate in this run, renewals included (or would, in check mode).
  returned: always
  type: list
  elements: str
  sample: [alice, carol]
renewed:
  description: The clients of RV(issued) whose certificate was renewed because fewer than O(renew_days) were left.
  returned: always
  type: list
  elements: str
  sample: [carol]
reasons:
  description: Why each client of RV(issued) got a new certificate.
  returned: always
  type: dict
  sample: {"alice": "missing", "carol": "fewer than 30 days left (3.0)"}
revoked:
  description: Clients whose certificate was revoked in this run (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [mallory]
superseded:
  description: Serial numbers of still valid certificates replaced in this run; they are on the CRL.
  returned: always
  type: list
  elements: str
  sample: ["3C:11:5E"]
certificates:
  description: The valid certificate of each client in O(clients) (after this run).
  returned: when the PKI is in place
  type: dict
  sample: {"alice": {"serial_number": "4F:1C:09", "not_after": "20351103120000Z", "days_left": 3649.9}}
revoked_certificates:
  description:
    - Every revoked or superseded serial number in the index, oldest first, in the form
      M(community.crypto.x509_crl) takes with C(serial_numbers=hex-octets).
  returned: when the PKI is in place
  type: list
  elements: dict
  sample: [{"serial_number": "2A:77:01", "revocation_date": "20250301101500Z"}]
crl:
  description: The CRL at O(crl_path) - whether it was signed again in this run, and why.
  returned: when O(crl_path) is set and the PKI is in place
  type: dict
  sample: {"path": "/etc/openvpn/server/crl.pem", "renewed": true, "reason": "fewer than 30 days of validity left"}
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

import base64
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.v6vpn.aws.plugins.module_utils import pki
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_client_names
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_clients_not_revoked
from ansible_collections.v6vpn.aws.plugins.module_utils.pki_index import SerialIndex
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate

TLS_CRYPT_V2_SUFFIX = ".tls-crypt-v2"


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
    for option, what in (("tls_crypt_key_path", "tls-crypt key"), ("tls_crypt_v2_server_key_path", "tls-crypt-v2 server key")):
        if params[option] and not os.path.exists(params[option]):
            problems.append("%s: missing (%s)" % (params[option], what))
    return problems


def client_files(directory, name):
    return dict((suffix, os.path.join(directory, name + suffix)) for suffix in (".crt", ".key", TLS_CRYPT_V2_SUFFIX))


def judge_client(directory, name, ca_cert, params, now):
    """(state, certificate, key): state is 'good', 'renew' (good but fewer than renew_days left
    and a new one would last longer) or why it must be issued again ('missing', 'invalid')."""
    files = client_files(directory, name)
    if not os.path.exists(files[".crt"]):
        return "missing", None, None
    try:
        cert = pki.load_certificate(files[".crt"])
    except (OSError, ValueError):
        # Unreadable or corrupt files are replaced, like missing ones.
        return "invalid", None, None
    try:
        key = pki.load_private_key(files[".key"])
    except (OSError, ValueError, TypeError):
        return "invalid", cert, None
    good = (
        pki.common_name(cert) == name
        and pki.key_type_of(key) == params["key_type"]
        and pki.same_public_key(cert.public_key(), key.public_key())
        and pki.has_client_auth(cert)
        and pki.not_before(cert) <= now < pki.not_after(cert)
        and pki.issued_by(cert, ca_cert)
    )
    if not good:
        return "invalid", cert, key
    if pki.due_for_renewal(cert, ca_cert, params["valid_days"], params["renew_days"], now):
        return "renew", cert, key
    return "good", cert, key


def profile_text(template, blocks):
    parts = [template.rstrip("\n") + "\n"]
    for tag, body in blocks:
        if body is not None:
            parts.append("<%s>\n%s\n</%s>\n" % (tag, body.strip("\n"), tag))
    return "".join(parts)


def read_text(module, option):
    path = module.params[option]
    if not path:
        return None
    try:
        with open(path) as handle:
            return handle.read()
    except OSError as exc:
        module.fail_json(msg="%s: cannot read %s: %s" % (option, path, exc))


def tls_crypt_v2_metadata(name, cert):
    """What a client's tls-crypt-v2 key carries (the server's verify script sees it before TLS):
    the name and the serial number of the certificate it was made with."""
    return "%s %s" % (name, pki.serial_to_hex(cert.serial_number))


def tls_crypt_v2_client_key(module, server_key_path, metadata):
    """A new client key wrapped with the server key, by `openvpn --genkey` (never logged)."""
    openvpn = module.get_bin_path("openvpn", required=True)
    encoded = base64.b64encode(metadata.encode("utf-8")).decode("ascii")
    rc, out, err = module.run_command([openvpn, "--tls-crypt-v2", server_key_path, "--genkey", "tls-crypt-v2-client", "", encoded])
    if rc != 0 or "-----BEGIN OpenVPN tls-crypt-v2 client key-----" not in out:
        # stderr names the problem and holds no key material
        module.fail_json(msg="tls_crypt_v2_server_key_path: openvpn --genkey tls-crypt-v2-client failed (rc=%d): %s" % (rc, err.strip()))
    return out


def check_revocable(names, directory, index):
    """Each name to revoke has a certificate here or one in the index (valid or already revoked)."""
    unknown = [name for name in names if not os.path.exists(client_files(directory, name)[".crt"]) and not index.entries_of(name)]
    if unknown:
        raise InvalidParameter(
            "revoked_clients: no certificate was ever issued here to %s (none in %s or in the index %s): nothing to "
            "revoke; check the name" % (", ".join(unknown), directory, index.path))
    return names


def run(module):
    params = module.params
    directory = params["path"]
    index = SerialIndex(directory)
    checked = validate(
        module,
        clients=lambda: check_client_names(params["clients"], "clients"),
        revoked_clients=lambda: check_client_names(params["revoked_clients"], "revoked_clients"),
        not_revoked=lambda: check_clients_not_revoked(params["clients"], params["revoked_clients"]),
        lifetimes=lambda: pki.check_lifetimes(None, params["valid_days"], params["renew_days"],
                                              params["crl_days"] if params["crl_path"] else None,
                                              names=dict(cert_days="valid_days")),
        index=index.load,
    )
    clients, revoked_names = checked["clients"], checked["revoked_clients"]

    if params["pki_check"]:
        problems = pki_problems(params)
        if problems:
            module.exit_json(changed=False, pki_current=False, pki_problems=problems, issued=[], renewed=[], revoked=[])
    validate(module, revocable=lambda: check_revocable(revoked_names, directory, index))

    tls_crypt = read_text(module, "tls_crypt_key_path")
    v2_server = read_text(module, "tls_crypt_v2_server_key_path")
    ca_cert, ca_key = load_ca(module)
    ca_id = pki.fingerprint(ca_cert)
    now = pki.utcnow()
    present_before = sorted(name for name in set(clients) | set(revoked_names)
                            if os.path.exists(client_files(directory, name)[".crt"]))

    # Judge every client: keep, renew, or issue.
    valid, to_issue, superseded, warnings = {}, {}, [], []
    for name in clients:
        state, cert, key = judge_client(directory, name, ca_cert, params, now)
        if cert is not None and pki.issued_by(cert, ca_cert):
            index.adopt(name, cert, ca_id)
        if state == "good":
            valid[name] = (cert, key)
            if pki.days_left(cert, now) < params["renew_days"]:
                warnings.append("%s: the certificate expires on %s with the CA; it cannot be renewed past the CA's expiry"
                                % (name, pki.asn1_time(pki.not_after(cert))))
            continue
        to_issue[name] = "fewer than %d days left (%.1f)" % (params["renew_days"], pki.days_left(cert, now)) if state == "renew" else state
        if cert is not None and pki.issued_by(cert, ca_cert) and now < pki.not_after(cert):
            # The certificate it replaces goes on the CRL: its profile must stop working.
            superseded.append((name, cert))

    # Revoke: the certificate on disk if any, else the valid one the index still knows.
    to_revoke = []
    for name in revoked_names:
        files = client_files(directory, name)
        present = [path for path in files.values() if os.path.lexists(path)]
        serials = []
        if os.path.exists(files[".crt"]):
            try:
                cert = pki.load_certificate(files[".crt"])
            except (OSError, ValueError):
                cert = None
            if cert is not None and pki.issued_by(cert, ca_cert):
                index.adopt(name, cert, ca_id)
        serials = [entry["serial_number"] for entry in index.entries_of(name) if entry["state"] == "valid"]
        if present or serials:
            to_revoke.append((name, present, serials))

    # v2 keys: for each client that keeps its certificate, made when missing or when the server key changed.
    v2_id = index.key_id(v2_server) if v2_server else None
    v2_missing = []
    if v2_server:
        for name in valid:
            if not os.path.exists(client_files(directory, name)[TLS_CRYPT_V2_SUFFIX]) or index.tls_crypt_v2_server != v2_id \
                    or index.tls_crypt_v2_keys.get(name) != tls_crypt_v2_metadata(name, valid[name][0]):
                v2_missing.append(name)

    moment = pki.asn1_time(now)
    for name, cert in superseded:
        index.revoke(pki.serial_to_hex(cert.serial_number), moment, "superseded")
    for name, dummy, serials in to_revoke:
        for serial in serials:
            index.revoke(serial, moment, "revoked")
    revoked_before = sorted(index.revoked_names(before=True))

    # Issue (check mode: only pretend).
    if not module.check_mode:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
    issued_certs = {}
    for name in to_issue:
        if module.check_mode:
            continue
        key = pki.generate_private_key(params["key_type"])
        cert = pki.issue_certificate(name, key.public_key(), ca_cert, ca_key, params["valid_days"], now, "client")
        issued_certs[name] = (cert, key)
        index.add(name, cert, ca_id)

    crl_reason = ""
    if params["crl_path"]:
        entries = index.crl_entries(ca_id, now)
        crl_reason = pki.crl_is_current(params["crl_path"], ca_cert, [entry["serial"] for entry in entries], params["renew_days"], now)

    allowed_stale = False
    if v2_server and params["tls_crypt_v2_allowed_path"] and not (to_issue or to_revoke):
        expected = "".join("%s\n" % tls_crypt_v2_metadata(name, valid[name][0]) for name in sorted(valid))
        try:
            with open(params["tls_crypt_v2_allowed_path"]) as handle:
                allowed_stale = handle.read() != expected
        except OSError:
            allowed_stale = True

    changed = bool(to_issue or to_revoke or v2_missing or crl_reason or index.dirty or allowed_stale)
    if not module.check_mode and changed:
        # The index first: an interrupted run cannot lose a revocation or an issued serial.
        index.tls_crypt_v2_server = v2_id if v2_server else index.tls_crypt_v2_server
        index.save()
        for name, present, dummy in to_revoke:
            for path in present:
                os.unlink(path)
        for name, (cert, key) in issued_certs.items():
            files = client_files(directory, name)
            pki.write_private_file(files[".key"], pki.private_key_pem(key))
            pki.write_private_file(files[".crt"], pki.certificate_pem(cert))
            valid[name] = (cert, key)
        if v2_server:
            for name in sorted(set(v2_missing) | set(issued_certs)):
                metadata = tls_crypt_v2_metadata(name, valid[name][0])
                pki.write_private_file(client_files(directory, name)[TLS_CRYPT_V2_SUFFIX],
                                       tls_crypt_v2_client_key(module, params["tls_crypt_v2_server_key_path"], metadata))
                index.tls_crypt_v2_keys[name] = metadata
            for name, dummy, dummy2 in to_revoke:
                index.tls_crypt_v2_keys.pop(name, None)
            index.save()
            if params["tls_crypt_v2_allowed_path"]:
                keys = dict((name, index.tls_crypt_v2_keys[name]) for name in valid)
                pki.write_public_file(params["tls_crypt_v2_allowed_path"], "".join("%s\n" % keys[name] for name in sorted(keys)))
        if crl_reason:
            pki.write_public_file(params["crl_path"], pki.crl_pem(pki.make_crl(ca_cert, ca_key, entries, params["crl_days"], now)))

    result = dict(
        changed=changed,
        issued=sorted(to_issue),
        renewed=sorted(name for name, why in to_issue.items() if why.startswith("fewer than")),
        reasons=to_issue,
        revoked=[name for name, dummy, dummy2 in to_revoke],
        superseded=[pki.serial_to_hex(cert.serial_number) for dummy, cert in superseded],
        certificates=dict(
            (name, dict(serial_number=pki.serial_to_hex(cert.serial_number), not_after=pki.asn1_time(pki.not_after(cert)),
                        days_left=round(pki.days_left(cert, now), 1)))
            for name, (cert, dummy) in sorted(valid.items())),
        revoked_certificates=[dict(serial_number=entry["serial_number"], revocation_date=entry["revocation_date"])
                              for entry in index.revocations()],
    )
    if params["crl_path"]:
        result["crl"] = dict(path=params["crl_path"], renewed=bool(crl_reason), reason=crl_reason)
    if params["pki_check"]:
        result.update(pki_current=True, pki_problems=[])
    if module._diff:
        result["diff"] = dict(
            before=dict(clients=present_before, revoked=revoked_before),
            after=dict(clients=sorted(clients), revoked=sorted(index.revoked_names())),
        )
    if params["profile_template"] is not None:
        ca_pem = pki.certificate_pem(ca_cert)
        result["profiles"] = {}
        for name, (cert, key) in sorted(valid.items()):
            v2_key = None
            if v2_server:
                try:
                    with open(client_files(directory, name)[TLS_CRYPT_V2_SUFFIX]) as handle:
                        v2_key = handle.read()
                except OSError:
                    continue  # check mode: the key would be made
            blocks = [("ca", ca_pem), ("cert", pki.certificate_pem(cert)), ("key", pki.private_key_pem(key)),
                      ("tls-crypt-v2", v2_key) if v2_server else ("tls-crypt", tls_crypt)]
            result["profiles"][name] = profile_text(params["profile_template"], blocks)
    for warning in warnings:
        module.warn(warning)
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
            renew_days=dict(type="int", default=30),
            crl_path=dict(type="path"),
            crl_days=dict(type="int", default=3650),
            profile_template=dict(type="str"),
            tls_crypt_key_path=dict(type="path", no_log=False),
            tls_crypt_v2_server_key_path=dict(type="path", no_log=False),
            tls_crypt_v2_allowed_path=dict(type="path"),
            pki_check=dict(type="dict", options=dict(
                ca_common_name=dict(type="str", required=True),
                server_path=dict(type="path", required=True),
                server_privatekey_path=dict(type="path", required=True, no_log=False),
                server_common_name=dict(type="str", required=True),
            )),
        ),
        mutually_exclusive=[("tls_crypt_key_path", "tls_crypt_v2_server_key_path")],
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
