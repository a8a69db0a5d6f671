# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""OpenVPN client PKI helpers shared by the openvpn_* modules.

Client names are checked by module_utils/names.py. These functions need the ``cryptography``
library, the one community.crypto is built on, on the host that runs them; ``HAS_CRYPTOGRAPHY`` says whether it imported.
"""

import datetime
import json
import os
import tempfile

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


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def not_after(cert):
    """The certificate's notAfter as an aware UTC datetime (cryptography < 42 has only naive)."""
    return getattr(cert, "not_valid_after_utc", None) or _aware(cert.not_valid_after)


def not_before(cert):
    return getattr(cert, "not_valid_before_utc", None) or _aware(cert.not_valid_before)


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
    expires = min(now + datetime.timedelta(days=valid_days), not_after(ca_cert))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # An hour of slack for clients whose clock runs a little behind the server's.
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(expires)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    return builder.sign(ca_key, _signature_hash(ca_key))


def write_private_file(path, text):
    """Write ``text`` to ``path`` atomically with mode 0600 (mkstemp's mode: never readable by
    others, not even while being written)."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
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
