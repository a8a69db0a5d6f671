# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a PKI holds, read from the certificates and the CRL themselves: issued, revoked and
expiring certificates. Relies on no index the role keeps (a serial index, when present, only
names revoked serials whose certificate file is gone). Needs ``cryptography``; the pure
functions (:func:`inventory`) take already-read data so that tests need no files.
"""

import datetime
import glob
import json
import os

from ansible_collections.v6vpn.aws.plugins.module_utils import pki

try:
    from cryptography import x509
except ImportError:  # pki.HAS_CRYPTOGRAPHY says so
    pass

# Reported by the modules through missing_required_lib().
HAS_CRYPTOGRAPHY = pki.HAS_CRYPTOGRAPHY
CRYPTOGRAPHY_IMPORT_ERROR = pki.CRYPTOGRAPHY_IMPORT_ERROR

# Files that may name the serials of revoked certificates whose files were deleted: the index
# of 0.2.0 (certificates: name, serial_number) and the revocation record of 0.1.0.
NAME_RECORDS = (("index.json", "certificates"), ("revoked.json", "revoked"))
# At most this many certificate files are read from a directory (a bound, not a limit in practice).
MAX_FILES = 100000


def _iso(moment):
    return pki.aware_utc(moment).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


# An integer serial as colon-separated hex octets (as community.crypto and OpenVPN show it).
serial_text = pki.serial_to_hex


def serial_number(value):
    """A serial given as an int or as hex octets (text, colon-separated or not, as the role's records
    and community.crypto write it), as an int; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text.replace(":", ""), 16)
        except ValueError:
            return None
    return None


def describe_certificate(cert, path="", role="client"):
    """The facts of one certificate (a cryptography x509.Certificate) that the inventory needs."""
    return dict(
        common_name=pki.common_name(cert) or "",
        serial=cert.serial_number,
        not_before=pki.not_before(cert),
        not_after=pki.not_after(cert),
        path=path,
        role=role,
    )


def read_certificate(path, role="client"):
    return describe_certificate(pki.load_certificate(path), path, role)


def read_certificates(directory, role="client"):
    """Every ``*.crt`` in ``directory`` and its subdirectories (sorted), described; unreadable
    files are returned apart as ``(path, error)``."""
    found, unreadable = [], []
    paths = sorted(glob.glob(os.path.join(directory, "**", "*.crt"), recursive=True))[:MAX_FILES]
    for path in paths:
        try:
            found.append(read_certificate(path, role))
        except (OSError, ValueError) as exc:
            unreadable.append((path, str(exc)))
    return found, unreadable


def read_crl(path):
    """The CRL at ``path`` (PEM or DER): last and next update and the revoked serials."""
    with open(path, "rb") as handle:
        data = handle.read()
    crl = x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data)
    last = getattr(crl, "last_update_utc", None) or crl.last_update
    return dict(
        last_update=pki.aware_utc(last) if last else None,
        next_update=pki.crl_next_update(crl),
        revoked=[dict(serial=entry.serial_number,
                      revocation_date=pki.aware_utc(getattr(entry, "revocation_date_utc", None) or entry.revocation_date))
                 for entry in crl],
    )


def read_serial_names(directory):
    """Names of serials from the role's records in ``directory``, when there are any ({} otherwise):
    only to name revoked certificates whose files were deleted."""
    names = {}
    for filename, key in NAME_RECORDS:
        try:
            with open(os.path.join(directory, filename)) as handle:
                entries = json.load(handle).get(key) or []
        except (OSError, ValueError, AttributeError):
            continue
        for entry in entries if isinstance(entries, list) else []:
            number = serial_number(entry.get("serial_number")) if isinstance(entry, dict) else None
            if number is not None and isinstance(entry.get("name"), str):
                names.setdefault(number, entry["name"])
    return names


def _days_left(moment, now):
    return int((moment - now).total_seconds() // 86400)


def inventory(certificates, crl, now, days, serial_names=None):
    """Issued, revoked and expiring certificates.

    :param certificates: described certificates (:func:`describe_certificate`), any role
        (``ca``, ``server``, ``client``)
    :param crl: :func:`read_crl`'s result, or None when there is no CRL
    :param now: an aware datetime
    :param days: the expiry window: a certificate (or the CRL) whose end is within ``days`` of
        ``now`` is expiring
    :param serial_names: serial -> name, for revoked serials without a certificate file
    :returns: ``issued`` (client certificates neither revoked nor expired, by name),
        ``revoked`` (every serial on the CRL, named when known), ``expiring`` (certificates and
        the CRL ending within the window, soonest first; expired ones included), ``certificates``
        (all, with ``revoked``/``expired``/``days_left``) and ``crl`` (its dates and count).
    """
    revoked_serials = {entry["serial"]: entry for entry in (crl or {}).get("revoked", [])}
    limit = now + datetime.timedelta(days=days)
    listed = []
    for cert in certificates:
        listed.append(dict(
            common_name=cert["common_name"],
            role=cert["role"],
            serial=serial_text(cert["serial"]),
            not_before=_iso(cert["not_before"]),
            not_after=_iso(cert["not_after"]),
            days_left=_days_left(cert["not_after"], now),
            expired=cert["not_after"] <= now,
            revoked=cert["serial"] in revoked_serials,
            path=cert["path"],
        ))
    by_serial = {cert["serial"]: cert for cert in certificates}
    names = dict(serial_names or {})
    revoked = []
    for serial, entry in sorted(revoked_serials.items(), key=lambda item: item[1]["revocation_date"]):
        known = by_serial.get(serial)
        revoked.append(dict(
            common_name=known["common_name"] if known else names.get(serial, ""),
            serial=serial_text(serial),
            revocation_date=_iso(entry["revocation_date"]),
        ))
    issued = sorted((c for c in listed if c["role"] == "client" and not c["revoked"] and not c["expired"]),
                    key=lambda c: (c["common_name"], c["not_after"]))
    expiring = [dict(common_name=entry["common_name"], role=entry["role"], serial=entry["serial"], not_after=entry["not_after"],
                     days_left=entry["days_left"])
                for cert, entry in zip(certificates, listed) if not entry["revoked"] and cert["not_after"] <= limit]
    crl_facts = None
    if crl is not None:
        crl_facts = dict(last_update=_iso(crl["last_update"]), next_update=_iso(crl["next_update"]),
                         days_left=_days_left(crl["next_update"], now) if crl["next_update"] else None,
                         revoked_count=len(revoked_serials))
        if crl["next_update"] and crl["next_update"] <= limit:
            expiring.append(dict(common_name="(CRL)", role="crl", serial="", not_after=crl_facts["next_update"],
                                 days_left=crl_facts["days_left"]))
    expiring.sort(key=lambda c: (c["not_after"], c["role"], c["common_name"]))
    return dict(
        issued=[dict(common_name=c["common_name"], serial=c["serial"], not_after=c["not_after"], days_left=c["days_left"])
                for c in issued],
        revoked=revoked,
        expiring=expiring,
        certificates=listed,
        crl=crl_facts,
    )
