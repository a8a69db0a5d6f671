"""Unit tests of the client PKI helpers (serials, certificate checks)."""

import datetime

import pytest

from ansible_collections.v6vpn.aws.plugins.module_utils import pki

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def make_ca(key_type="secp256r1", name="Test CA", days=30):
    key = pki.generate_private_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = pki.utcnow()
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, None if key_type == "ed25519" else hashes.SHA256())
    )
    return cert, key


def test_serial_to_hex_matches_community_crypto_format():
    assert pki.serial_to_hex(0) == "00"
    assert pki.serial_to_hex(1) == "01"
    assert pki.serial_to_hex(0x1234AB) == "12:34:AB"
    assert pki.serial_to_hex(2 ** 64) == "01:00:00:00:00:00:00:00:00"


@pytest.mark.parametrize("key_type", pki.KEY_TYPES)
def test_issued_certificate_is_a_client_certificate_of_the_ca(key_type):
    ca_cert, ca_key = make_ca(key_type)
    key = pki.generate_private_key(key_type)
    now = pki.utcnow()
    cert = pki.issue_client_certificate("alice", key.public_key(), ca_cert, ca_key, 3650, now)
    assert pki.common_name(cert) == "alice"
    assert pki.has_client_auth(cert)
    assert pki.issued_by(cert, ca_cert)
    assert pki.key_type_of(key) == key_type
    assert pki.same_public_key(cert.public_key(), key.public_key())
    # never outlives the CA
    assert pki.not_after(cert) == pki.not_after(ca_cert).replace(microsecond=0)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])


def test_issued_by_rejects_another_ca_with_the_same_name():
    ca_cert, ca_key = make_ca()
    other_cert, other_key = make_ca()
    key = pki.generate_private_key("secp256r1")
    cert = pki.issue_client_certificate("alice", key.public_key(), other_cert, other_key, 10, pki.utcnow())
    assert cert.issuer == ca_cert.subject
    assert not pki.issued_by(cert, ca_cert)
    assert pki.issued_by(cert, other_cert)


def test_write_private_file_is_0600_and_atomic(tmp_path):
    target = tmp_path / "x.key"
    pki.write_private_file(str(target), "secret\n")
    assert target.read_text() == "secret\n"
    assert target.stat().st_mode & 0o777 == 0o600
    pki.write_private_file(str(target), "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.key"]


def test_ca_and_server_auth_checks():
    ca_cert, ca_key = make_ca()
    key = pki.generate_private_key("secp256r1")
    client = pki.issue_client_certificate("alice", key.public_key(), ca_cert, ca_key, 10, pki.utcnow())
    assert pki.is_ca(ca_cert) and not pki.is_ca(client)
    assert pki.has_client_auth(client) and not pki.has_server_auth(client)
    # no extended key usage at all
    assert not pki.has_server_auth(ca_cert) and not pki.has_client_auth(ca_cert)
