# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The index of issued client certificates kept by v6vpn.aws.openvpn_pki_clients.

``index.json`` in the client directory (mode 0600) records every serial number issued, whose it
is, which CA signed it, when it expires and whether it is valid, ``revoked`` (the client was
revoked) or ``superseded`` (the client got a new certificate). From it come the CRL (every
revoked or superseded serial of the current CA that has not expired yet) and the answer to "is
there anything to revoke for this name". The ``revoked.json`` of version 0.1.0 is read once and
folded in.
"""

import datetime
import hashlib
import json
import os

from ansible_collections.v6vpn.aws.plugins.module_utils import pki
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

INDEX_FILE = "index.json"
LEGACY_FILE = "revoked.json"
REVOKED_STATES = ("revoked", "superseded")


class SerialIndex:
    """Load with :meth:`load` (a check for validate()), change in memory, then :meth:`save`."""

    def __init__(self, directory):
        self.directory = directory
        self.path = os.path.join(directory, INDEX_FILE)
        self.entries = []
        self.tls_crypt_v2_server = None
        # what each client's tls-crypt-v2 key carries (its metadata), by name
        self.tls_crypt_v2_keys = {}
        self.dirty = False
        self._revoked_before = set()

    def load(self):
        legacy = os.path.join(self.directory, LEGACY_FILE)
        try:
            if os.path.exists(self.path):
                with open(self.path) as handle:
                    data = json.load(handle)
                self.entries = [dict(entry) for entry in data["certificates"]]
                self.tls_crypt_v2_server = data.get("tls_crypt_v2_server")
                self.tls_crypt_v2_keys = dict(data.get("tls_crypt_v2_keys") or {})
            elif os.path.exists(legacy):
                with open(legacy) as handle:
                    old = json.load(handle)["revoked"]
                self.entries = [dict(name=entry["name"], serial_number=entry["serial_number"], not_after=None, ca=None,
                                     state="revoked", revocation_date=entry["revocation_date"]) for entry in old]
                self.dirty = True
            for entry in self.entries:
                if not {"name", "serial_number", "state"} <= set(entry):
                    raise ValueError("an entry without name, serial_number or state: %r" % (entry,))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidParameter("path: cannot read the certificate index %s: %s; restore it from a backup"
                                   % (self.path if os.path.exists(self.path) else legacy, exc))
        self._revoked_before = self.revoked_names()
        return self

    def entries_of(self, name):
        return [entry for entry in self.entries if entry["name"] == name]

    def _by_serial(self, serial):
        for entry in self.entries:
            if entry["serial_number"] == serial:
                return entry
        return None

    def add(self, name, cert, ca_id):
        self.entries.append(dict(name=name, serial_number=pki.serial_to_hex(cert.serial_number),
                                 not_after=pki.asn1_time(pki.not_after(cert)), ca=ca_id, state="valid", revocation_date=None))
        self.dirty = True

    def adopt(self, name, cert, ca_id):
        """Record a certificate found on disk that the index does not know (issued by 0.1.0)."""
        if self._by_serial(pki.serial_to_hex(cert.serial_number)) is None:
            self.add(name, cert, ca_id)

    def revoke(self, serial, date, reason):
        entry = self._by_serial(serial)
        if entry is not None and entry["state"] == "valid":
            entry.update(state=reason, revocation_date=date)
            self.dirty = True

    def revoked_names(self, before=False):
        if before:
            return set(self._revoked_before)
        valid = {entry["name"] for entry in self.entries if entry["state"] == "valid"}
        return {entry["name"] for entry in self.entries if entry["state"] == "revoked"} - valid

    def revocations(self):
        """Every revoked or superseded serial, in the order recorded."""
        return [entry for entry in self.entries if entry["state"] in REVOKED_STATES]

    def crl_entries(self, ca_id, now):
        """What the CA's CRL lists: its revoked and superseded serials (and those of 0.1.0, whose
        CA was not recorded) that have not expired (OpenVPN refuses an expired one anyway)."""
        out = []
        for entry in self.revocations():
            if entry.get("ca") not in (None, ca_id):
                continue
            if entry.get("not_after") and pki.parse_asn1_time(entry["not_after"]) <= now:
                continue
            out.append(dict(serial=pki.hex_to_serial(entry["serial_number"]), date=pki.parse_asn1_time(entry["revocation_date"]),
                            reason=entry["state"]))
        return out

    @staticmethod
    def key_id(text):
        """Names a tls-crypt-v2 server key without revealing it."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def save(self):
        data = dict(certificates=self.entries, tls_crypt_v2_server=self.tls_crypt_v2_server, tls_crypt_v2_keys=self.tls_crypt_v2_keys,
                    updated=pki.asn1_time(datetime.datetime.now(datetime.timezone.utc)))
        pki.write_private_file(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        legacy = os.path.join(self.directory, LEGACY_FILE)
        if os.path.exists(legacy):
            os.unlink(legacy)
        self.dirty = False
