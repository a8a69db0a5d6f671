# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""OpenVPN PKI backend of the openvpn_pki_* modules: the CA, certificates, the CRL and their
lifetimes, written once here (the modules are thin, as community.crypto's are).

Client names are checked by module_utils/names.py. The crypto functions need the ``cryptography``
library, the one community.crypto is built on, on the host that runs them; ``HAS_CRYPTOGRAPHY``
says whether it imported. The lifetime rules (:func:`check_lifetimes`, :func:`check_until_date`)
are pure Python: the role's filters use them on the controller too.
"""

import datetime
import hashlib
import json
import os
import re
import tempfile

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import check_integer

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # reported by the modules through missing_required_lib()
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc

KEY_TYPES = ("secp256r1", "ed25519")

# Longest lifetime accepted, in days (100 years: far beyond any sane setting, and inside what
# X.509 GeneralizedTime and every library here can represent).
MAX_DAYS = 36500
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# ASN.1 GeneralizedTime, the format community.crypto.x509_crl takes for absolute dates.
ASN1_TIME_FORMAT = "%Y%m%d%H%M%SZ"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def asn1_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(ASN1_TIME_FORMAT)


def serial_to_hex(serial):
    """An integer serial number as colon-separated hex octets (community.crypto's to_serial)."""
    raw = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    return ":".join("%02X" % octet for octet in raw)


def aware_utc(moment):
    """``moment`` with UTC as its zone when it has none (cryptography < 42 gives naive datetimes)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def not_after(cert):
    """The certificate's notAfter as an aware UTC datetime (cryptography < 42 has only naive)."""
    return getattr(cert, "not_valid_after_utc", None) or aware_utc(cert.not_valid_after)


def not_before(cert):
    return getattr(cert, "not_valid_before_utc", None) or aware_utc(cert.not_valid_before)


def generate_private_key(key_type):
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def key_type_of(key):
    """'secp256r1', 'ed25519' or None for any other private or public key."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "ed25519"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and isinstance(key.curve, ec.SECP256R1):
        return "secp256r1"
    return None


def _public_bytes(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def same_public_key(first, second):
    return _public_bytes(first) == _public_bytes(second)


def private_key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def certificate_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_certificate(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read())


def load_private_key(path, passphrase=None):
    with open(path, "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), password=passphrase.encode("utf-8") if passphrase else None)


def _signature_hash(key):
    # Ed25519 signs the message itself; ECDSA needs a digest.
    return None if key_type_of(key) == "ed25519" else hashes.SHA256()


def issued_by(cert, ca_cert):
    """True when ``ca_cert`` signed ``cert`` (issuer name and signature both check out)."""
    if cert.issuer != ca_cert.subject:
        return False
    ca_public = ca_cert.public_key()
    try:
        if isinstance(ca_public, ed25519.Ed25519PublicKey):
            ca_public.verify(cert.signature, cert.tbs_certificate_bytes)
        elif isinstance(ca_public, ec.EllipticCurvePublicKey):
            ca_public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def common_name(cert):
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return values[0].value if values else None


def _has_usage(cert, usage):
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage in usages


def has_client_auth(cert):
    return _has_usage(cert, ExtendedKeyUsageOID.CLIENT_AUTH)


def has_server_auth(cert):
    return _has_usage(cert, ExtendedKeyUsageOID.SERVER_AUTH)


def is_ca(cert):
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def issue_client_certificate(name, public_key, ca_cert, ca_key, valid_days, now):
    """A client certificate for ``name``: CN only, clientAuth, never past the CA's own expiry."""
    return issue_certificate(name, public_key, ca_cert, ca_key, valid_days, now, "client")


def write_private_file(path, text, mode=0o600):
    """Write ``text`` to ``path`` atomically (mkstemp's mode 0600 while being written, ``mode``
    set before the file takes the place of the old one: a reader sees the old file or the whole
    new one, never a partial or unreadable one)."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_json(path, default):
    if not os.path.exists(path):
        return default
    with open(path) as handle:
        return json.load(handle)


# --- Lifetime rules (pure Python) -------------------------------------------------------------

LIFETIME_NAMES = dict(ca_days="ca_days", cert_days="cert_days", crl_days="crl_days", renew_days="renew_days")


def check_lifetimes(ca_days, cert_days, renew_days, crl_days=None, names=None):
    """Validate the PKI lifetimes together; return them as ints by key.

    Each is a whole number of days from 1; certificates fit within the CA's life; the renewal
    window is shorter than a certificate's life (else every run would renew); the CRL's validity
    is longer than the window (else every run would re-sign it: it is re-signed when fewer than
    ``renew_days`` remain). ``names`` maps the keys to the parameter names the messages use;
    a lifetime given as None is not checked (a module that does not use it).
    """
    names = dict(LIFETIME_NAMES, **(names or {}))
    values, problems = {}, []
    for key, value in (("ca_days", ca_days), ("cert_days", cert_days), ("crl_days", crl_days), ("renew_days", renew_days)):
        if value is None:
            continue
        try:
            values[key] = check_integer(value, names[key], 1, MAX_DAYS)
        except InvalidParameter as exc:
            problems.append(str(exc))
    if "ca_days" in values and "cert_days" in values and values["cert_days"] > values["ca_days"]:
        problems.append("%s: %d is more than %s (%d); a certificate cannot outlive the CA that signs it"
                        % (names["cert_days"], values["cert_days"], names["ca_days"], values["ca_days"]))
    if "cert_days" in values and "renew_days" in values and values["renew_days"] >= values["cert_days"]:
        problems.append("%s: %d must be less than %s (%d), or every run would renew every certificate"
                        % (names["renew_days"], values["renew_days"], names["cert_days"], values["cert_days"]))
    if "crl_days" in values and "renew_days" in values and values["crl_days"] <= values["renew_days"]:
        problems.append("%s: %d must be more than %s (%d): the CRL is re-signed when fewer days than that remain"
                        % (names["crl_days"], values["crl_days"], names["renew_days"], values["renew_days"]))
    if problems:
        raise InvalidParameter("; ".join(problems))
    return values


def check_until_date(value, name):
    """'' (none) or a calendar date YYYY-MM-DD (UTC); return a ``datetime.date`` or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = value if isinstance(value, str) else ""
    if ISO_DATE.fullmatch(text):
        try:
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass
    raise InvalidParameter("%s: %r is not a date (YYYY-MM-DD, UTC) or empty" % (name, value))


# --- Certificates: issue, judge, renew ---------------------------------------------------------

DAY = datetime.timedelta(days=1)
# Clients whose clock runs a little behind the server's accept a certificate this much older.
BACKDATE = datetime.timedelta(hours=1)


def fingerprint(cert):
    """SHA-256 of the certificate (DER), hex: names a CA in the serial index."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _key_usage(**on):
    flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    flags.update(on)
    return x509.KeyUsage(**flags)


def make_ca(key, common, days, now):
    """A self-signed CA certificate: pathlen 0, keyCertSign and cRLSign only."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + days * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, _signature_hash(key))


def issue_certificate(common, public_key, ca_cert, ca_key, valid_days, now, usage):
    """A leaf certificate for ``common`` (CN only) with extended key ``usage`` ('client' or
    'server'), never past the CA's own expiry."""
    expires = min(now + valid_days * DAY, not_after(ca_cert))
    eku = ExtendedKeyUsageOID.CLIENT_AUTH if usage == "client" else ExtendedKeyUsageOID.SERVER_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(expires)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    return builder.sign(ca_key, _signature_hash(ca_key))


def due_for_renewal(cert, ca_cert, valid_days, renew_days, now):
    """True when fewer than ``renew_days`` remain and a new certificate would last longer.

    The second condition keeps a certificate capped at the CA's expiry from being renewed on
    every run once the CA itself has fewer than ``renew_days`` left (the CA's expiry is then
    what needs attention: the modules warn about it)."""
    if not_after(cert) - now >= renew_days * DAY:
        return False
    return min(now + valid_days * DAY, not_after(ca_cert)) > not_after(cert) + DAY


def days_left(cert, now):
    return (not_after(cert) - now).total_seconds() / 86400.0


# --- The CRL -----------------------------------------------------------------------------------


def load_crl(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_crl(handle.read())


def crl_next_update(crl):
    return getattr(crl, "next_update_utc", None) or (crl.next_update and aware_utc(crl.next_update))


def crl_is_current(path, ca_cert, serials, renew_days, now):
    """'' when the CRL at ``path`` is signed by ``ca_cert``, lists exactly ``serials`` (ints) and
    has at least ``renew_days`` left; else why it must be re-signed."""
    if not os.path.exists(path):
        return "missing"
    try:
        crl = load_crl(path)
    except (OSError, ValueError) as exc:
        return "unreadable: %s" % exc
    if crl.issuer != ca_cert.subject or not crl.is_signature_valid(ca_cert.public_key()):
        return "not signed by the current CA"
    if {entry.serial_number for entry in crl} != set(serials):
        return "another list of revoked serial numbers"
    next_update = crl_next_update(crl)
    if next_update is None or next_update - now < renew_days * DAY:
        return "fewer than %d days of validity left" % renew_days
    return ""


REASONS = {"superseded": "superseded", "revoked": "unspecified"}


def make_crl(ca_cert, ca_key, revocations, days, now):
    """A CRL signed by the CA, valid ``days`` from ``now``; ``revocations``: dicts with an int
    ``serial``, an aware ``date`` and a ``reason`` ('revoked' or 'superseded')."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + days * DAY)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    for entry in revocations:
        revoked = x509.RevokedCertificateBuilder().serial_number(entry["serial"]).revocation_date(entry["date"])
        if entry["reason"] == "superseded":
            revoked = revoked.add_extension(x509.CRLReason(x509.ReasonFlags.superseded), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(ca_key, _signature_hash(ca_key))


def crl_pem(crl):
    return crl.public_bytes(serialization.Encoding.PEM).decode("ascii")


def write_public_file(path, text):
    """Write ``text`` atomically, readable by all (mode 0644): for the CA certificate and the
    CRL, which OpenVPN reads after dropping privileges."""
    write_private_file(path, text, 0o644)


def parse_asn1_time(text):
    return datetime.datetime.strptime(text, ASN1_TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)


def hex_to_serial(text):
    return int(text.replace(":", ""), 16)
