#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_pki_server
short_description: Keep an OpenVPN server's CA, server certificate and tls-crypt keys current
version_added: 0.2.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - The server half of an OpenVPN PKI in one task, in the directory O(path) (mode C(0700)); the client half
    (client certificates, the serial index and the CRL) is M(v6vpn.aws.openvpn_pki_clients).
  - "The CA (C(ca.key), C(ca.crt)): made when missing, unreadable, of another key type or common name, or
    expired. It is never renewed by itself (a new CA means new certificates and profiles for every client): the
    module warns when fewer than O(renew_days) remain."
  - "The server certificate (C(server.key), C(server.crt); C(serverAuth), named O(server_common_name)): made
    when missing or not as configured, and renewed with a new key when fewer than O(renew_days) of its life
    remain. Clients check the server by the CA and its name (C(verify-x509-name)), so a renewed server
    certificate needs no new client profile."
  - "The C(tls-crypt-v2) server key (C(tls-crypt-v2.key)): made once with C(openvpn --genkey); it wraps each
    client's own C(tls-crypt-v2) key (M(v6vpn.aws.openvpn_pki_clients))."
  - "The shared C(tls-crypt) key of servers deployed before C(tls-crypt-v2) (C(tls-crypt.key)): never made, only
    kept while clients with profiles of that time may still connect - until the date O(tls_crypt_v1_until) has
    passed, then deleted. RV(tls_crypt_v1) says whether the server must still load it (OpenVPN 2.6 accepts
    C(tls-crypt) and C(tls-crypt-v2) clients on one server when both are configured)."
options:
  path:
    description:
      - Directory of the keys and certificates. Created with mode C(0700) if missing; private keys are written
        with mode C(0600), certificates with mode C(0644).
    type: path
    required: true
  ca_common_name:
    description: Common name of the CA. Another name makes a new CA.
    type: str
    required: true
  server_common_name:
    description: Common name of the server certificate (what the clients check with C(verify-x509-name)).
    type: str
    required: true
  key_type:
    description: Type of the CA and server private keys. Another type makes new keys.
    type: str
    choices: [secp256r1, ed25519]
    default: secp256r1
  ca_days:
    description: Lifetime of a new CA certificate, in days.
    type: int
    default: 3650
  cert_days:
    description: Lifetime of a new server certificate, in days (capped at the CA's expiry; at most O(ca_days)).
    type: int
    default: 3650
  renew_days:
    description:
      - The server certificate is renewed when fewer than this many days of its life remain; the CA's expiry is
        warned about from then on. Less than O(cert_days).
    type: int
    default: 30
  tls_crypt_v1_until:
    description:
      - Last day (C(YYYY-MM-DD), UTC) on which clients with a profile holding the shared C(tls-crypt) key of an
        earlier deployment may still connect. From the next day on the key is deleted and RV(tls_crypt_v1) is
        false. Empty - the key, if there is one, is kept, with a warning on every run.
      - Has no effect on a server that never had a shared key.
    type: str
    default: ""
notes:
  - Runs where the keys stay, normally the OpenVPN server; needs the C(openvpn) program to make the
    C(tls-crypt-v2) server key.
  - The parameters are checked before anything is read or written, and every problem with them is reported at once.
  - Supports check mode (reports what would be made or renewed, writes nothing) and diff mode (subjects, serial
    numbers and expiry dates, never key material). A failure returns no key material.
requirements:
  - cryptography >= 3.3 (python3-cryptography on Debian 12 and 13)
  - openvpn >= 2.6 (for the tls-crypt-v2 key)
seealso:
  - module: v6vpn.aws.openvpn_pki_clients
  - module: v6vpn.aws.openvpn_client_profiles
"""

EXAMPLES = r"""
- name: Keep the CA, the server certificate and the tls-crypt keys current
  v6vpn.aws.openvpn_pki_server:
    path: /etc/openvpn/server/pki
    ca_common_name: Example VPN CA
    server_common_name: example-server
    renew_days: 30
    # clients with profiles from before tls-crypt-v2 may connect until the end of this day
    tls_crypt_v1_until: "2027-03-31"
  register: server_pki
  notify: Restart OpenVPN
"""

RETURN = r"""
ca:
  description: The CA certificate after this run (or as it would be, in check mode; empty when it would be new).
  returned: always
  type: dict
  sample: {"serial_number": "4F:1C:09", "not_after": "20361201120000Z", "days_left": 3649.9, "fingerprint": "9f2c..."}
server:
  description: The server certificate after this run (or as it would be, in check mode; empty when it would be new).
  returned: always
  type: dict
  sample: {"serial_number": "61:0A:3E", "not_after": "20361201120000Z", "days_left": 3649.9}
made:
  description:
    - What was made or renewed in this run (or would be, in check mode) - C(ca), C(server), C(tls-crypt-v2) - with
      the reason.
  returned: always
  type: dict
  sample: {"server": "fewer than 30 days left (12.4)"}
tls_crypt_v1:
  description: Whether the server must still load the shared C(tls-crypt) key (C(tls-crypt.key)) for clients with older profiles.
  returned: always
  type: bool
  sample: false
tls_crypt_v1_removed:
  description: Whether the shared C(tls-crypt) key was deleted in this run because O(tls_crypt_v1_until) has passed.
  returned: always
  type: bool
  sample: false
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.v6vpn.aws.plugins.module_utils import pki
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_common_name
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate

TLS_CRYPT_V2 = "tls-crypt-v2.key"
TLS_CRYPT_V1 = "tls-crypt.key"


def load_pair(directory, stem):
    """The (certificate, key) in <stem>.crt and <stem>.key, or (None, None) if either is missing
    or unreadable (then they are made again)."""
    try:
        return (pki.load_certificate(os.path.join(directory, stem + ".crt")),
                pki.load_private_key(os.path.join(directory, stem + ".key")))
    except (OSError, ValueError, TypeError):
        return None, None


def ca_problem(cert, key, params, now):
    """'' when the CA is as configured and unexpired, else what is wrong with it."""
    if cert is None:
        return "missing or unreadable"
    if not pki.same_public_key(cert.public_key(), key.public_key()):
        return "key and certificate do not match"
    if pki.key_type_of(key) != params["key_type"]:
        return "not a %s key" % params["key_type"]
    if not pki.is_ca(cert) or pki.common_name(cert) != params["ca_common_name"]:
        return "not a CA named %r" % params["ca_common_name"]
    if now >= pki.not_after(cert):
        return "expired on %s" % pki.asn1_time(pki.not_after(cert))
    return ""


def server_problem(cert, key, ca_cert, params, now):
    """'' when the server certificate is as configured and not due for renewal, else why not."""
    if cert is None:
        return "missing or unreadable"
    if not pki.same_public_key(cert.public_key(), key.public_key()):
        return "key and certificate do not match"
    if pki.key_type_of(key) != params["key_type"]:
        return "not a %s key" % params["key_type"]
    if pki.common_name(cert) != params["server_common_name"] or not pki.has_server_auth(cert):
        return "not a serverAuth certificate named %r" % params["server_common_name"]
    if ca_cert is None or not pki.issued_by(cert, ca_cert):
        return "not signed by the CA"
    if not pki.not_before(cert) <= now < pki.not_after(cert):
        return "not valid now"
    if pki.due_for_renewal(cert, ca_cert, params["cert_days"], params["renew_days"], now):
        return "fewer than %d days left (%.1f)" % (params["renew_days"], pki.days_left(cert, now))
    return ""


def describe(cert, now, with_fingerprint=False):
    if cert is None:
        return {}
    out = dict(serial_number=pki.serial_to_hex(cert.serial_number), not_after=pki.asn1_time(pki.not_after(cert)),
               days_left=round(pki.days_left(cert, now), 1))
    if with_fingerprint:
        out["fingerprint"] = pki.fingerprint(cert)
    return out


def genkey(module, args):
    """Run `openvpn --genkey ...` and return the key it prints (never logged)."""
    openvpn = module.get_bin_path("openvpn", required=True)
    rc, out, err = module.run_command([openvpn] + args)
    if rc != 0 or "-----BEGIN" not in out:
        # stderr of `openvpn --genkey` names the problem and holds no key material.
        module.fail_json(msg="openvpn %s failed (rc=%d): %s" % (" ".join(args), rc, err.strip()))
    return out


def run(module):
    params = module.params
    checked = validate(
        module,
        ca_common_name=lambda: check_common_name(params["ca_common_name"], "ca_common_name"),
        server_common_name=lambda: check_common_name(params["server_common_name"], "server_common_name", spaces=False),
        lifetimes=lambda: pki.check_lifetimes(params["ca_days"], params["cert_days"], params["renew_days"]),
        until=lambda: pki.check_until_date(params["tls_crypt_v1_until"], "tls_crypt_v1_until"),
    )
    directory = params["path"]
    now = pki.utcnow()
    made, warnings = {}, []

    ca_cert, ca_key = load_pair(directory, "ca")
    why = ca_problem(ca_cert, ca_key, params, now)
    if why:
        made["ca"] = why
    elif pki.not_after(ca_cert) - now < params["renew_days"] * pki.DAY:
        warnings.append(
            "The CA %s expires on %s (%.1f days): then every client is refused. Plan a new CA (delete ca.crt and ca.key "
            "in %s, run again, hand out the new profiles)." % (params["ca_common_name"], pki.asn1_time(pki.not_after(ca_cert)),
                                                               pki.days_left(ca_cert, now), directory))
    server_cert, server_key = load_pair(directory, "server")
    why = "a new CA" if made.get("ca") else server_problem(server_cert, server_key, ca_cert, params, now)
    if why:
        made["server"] = why
    v2_path = os.path.join(directory, TLS_CRYPT_V2)
    if not os.path.exists(v2_path):
        made["tls-crypt-v2"] = "missing"

    v1_path = os.path.join(directory, TLS_CRYPT_V1)
    until = checked["until"]
    v1_present = os.path.exists(v1_path)
    v1_expired = v1_present and until is not None and now.date() > until
    if v1_present and until is None:
        warnings.append(
            "%s: the shared tls-crypt key of profiles made before tls-crypt-v2 is still accepted. Hand out the new "
            "profiles, then set tls_crypt_v1_until to the last day the old ones may connect." % v1_path)
    elif v1_present and not v1_expired:
        warnings.append("%s: profiles with the shared tls-crypt key may connect until the end of %s (UTC)." % (v1_path, until))

    changed = bool(made) or v1_expired
    before = dict(ca=describe(ca_cert, now), server=describe(server_cert, now), tls_crypt_v1=v1_present)

    if not module.check_mode and changed:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        if "ca" in made:
            ca_key = pki.generate_private_key(params["key_type"])
            ca_cert = pki.make_ca(ca_key, params["ca_common_name"], params["ca_days"], now)
            pki.write_private_file(os.path.join(directory, "ca.key"), pki.private_key_pem(ca_key))
            pki.write_public_file(os.path.join(directory, "ca.crt"), pki.certificate_pem(ca_cert))
        if "server" in made:
            server_key = pki.generate_private_key(params["key_type"])
            server_cert = pki.issue_certificate(params["server_common_name"], server_key.public_key(), ca_cert, ca_key,
                                                params["cert_days"], now, "server")
            # The key first: a certificate never sits beside a key that is not its own.
            pki.write_private_file(os.path.join(directory, "server.key"), pki.private_key_pem(server_key))
            pki.write_public_file(os.path.join(directory, "server.crt"), pki.certificate_pem(server_cert))
        if "tls-crypt-v2" in made:
            pki.write_private_file(v2_path, genkey(module, ["--genkey", "tls-crypt-v2-server"]))
        if v1_expired:
            os.unlink(v1_path)
    elif module.check_mode:
        ca_cert = None if "ca" in made else ca_cert
        server_cert = None if "server" in made else server_cert

    result = dict(
        changed=changed, made=made, ca=describe(ca_cert, now, with_fingerprint=True), server=describe(server_cert, now),
        tls_crypt_v1=v1_present and not v1_expired, tls_crypt_v1_removed=v1_expired,
    )
    if module._diff:
        result["diff"] = dict(before=before, after=dict(ca=describe(ca_cert, now), server=describe(server_cert, now),
                                                        tls_crypt_v1=result["tls_crypt_v1"]))
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            ca_common_name=dict(type="str", required=True),
            server_common_name=dict(type="str", required=True),
            key_type=dict(type="str", choices=list(pki.KEY_TYPES), default="secp256r1"),
            ca_days=dict(type="int", default=3650),
            cert_days=dict(type="int", default=3650),
            renew_days=dict(type="int", default=30),
            tls_crypt_v1_until=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    if not pki.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(pki.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        run(module)
    except OSError as exc:
        module.fail_json(msg="Failed to update the server PKI in %s: %s" % (module.params["path"], exc), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
