"""Issued, revoked and expiring certificates read from the certificates and the CRL themselves
(module_utils/certificate_inventory.py)."""

import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.v6vpn.aws.plugins.module_utils import certificate_inventory as inv

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def ca():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vpn OpenVPN CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOW - 10 * DAY).not_valid_after(NOW + 20 * DAY)
            .sign(key, hashes.SHA256()))
    return key, cert


def issue(ca, name, serial, days):
    key = ec.generate_private_key(ec.SECP256R1())
    return (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca[1].subject).public_key(key.public_key()).serial_number(serial)
            .not_valid_before(NOW - 5 * DAY).not_valid_after(NOW + days * DAY).sign(ca[0], hashes.SHA256()))


def crl_of(ca, serials, next_update_days):
    builder = x509.CertificateRevocationListBuilder().issuer_name(ca[1].subject).last_update(NOW - DAY).next_update(NOW + next_update_days * DAY)
    for index, serial in enumerate(serials):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - (3 - index) * DAY).build())
    return builder.sign(ca[0], hashes.SHA256())


def write(path, obj):
    path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))


@pytest.fixture
def pki(tmp_path, ca):
    clients = tmp_path / "clients"
    clients.mkdir()
    write(tmp_path / "ca.crt", ca[1])
    write(tmp_path / "server.crt", issue(ca, "vpn-server", 2, 400))
    write(clients / "alice.crt", issue(ca, "alice", 0x10, 300))
    write(clients / "bob.crt", issue(ca, "bob", 0x11, 12))          # expiring within 30 days
    write(clients / "mallory.crt", issue(ca, "mallory", 0x12, 300))  # revoked, file kept
    write(clients / "old.crt", issue(ca, "old", 0x13, -2))           # expired
    (clients / "junk.crt").write_text("not a certificate")
    write(tmp_path / "crl.pem", crl_of(ca, [0x12, 0xABCDEF], 45))
    (clients / "index.json").write_text(json.dumps({"certificates": [
        {"name": "eve", "serial_number": "AB:CD:EF", "state": "revoked"}]}))
    return tmp_path


def test_issued_revoked_and_expiring_from_files(pki):
    certs = [inv.read_certificate(str(pki / "ca.crt"), "ca"), inv.read_certificate(str(pki / "server.crt"), "server")]
    clients, unreadable = inv.read_certificates(str(pki / "clients"))
    assert [path.rsplit("/", 1)[1] for path, dummy in unreadable] == ["junk.crt"]
    result = inv.inventory(certs + clients, inv.read_crl(str(pki / "crl.pem")), NOW, 30, inv.read_serial_names(str(pki / "clients")))
    assert [c["common_name"] for c in result["issued"]] == ["alice", "bob"]
    assert result["issued"][0]["serial"] == "10"
    # revoked: one named by its certificate file, one only by the role's index
    assert result["revoked"] == [
        {"common_name": "mallory", "serial": "12", "revocation_date": "2026-11-28T12:00:00Z"},
        {"common_name": "eve", "serial": "AB:CD:EF", "revocation_date": "2026-11-29T12:00:00Z"},
    ]
    # expiring within 30 days, soonest first: the expired one, bob, the CA; not mallory (revoked); not the CRL (45 days)
    assert [(c["common_name"], c["role"], c["days_left"]) for c in result["expiring"]] == [
        ("old", "client", -2), ("bob", "client", 12), ("vpn OpenVPN CA", "ca", 20)]
    assert result["crl"] == {"last_update": "2026-11-30T12:00:00Z", "next_update": "2027-01-15T12:00:00Z", "days_left": 45, "revoked_count": 2}
    by_name = {c["common_name"]: c for c in result["certificates"]}
    assert by_name["mallory"]["revoked"] is True and by_name["old"]["expired"] is True and by_name["alice"]["revoked"] is False


def test_the_crl_itself_expires(pki, ca):
    write(pki / "crl.pem", crl_of(ca, [], 10))
    result = inv.inventory([], inv.read_crl(str(pki / "crl.pem")), NOW, 30)
    assert result["expiring"] == [{"common_name": "(CRL)", "role": "crl", "serial": "", "not_after": "2026-12-11T12:00:00Z", "days_left": 10}]
    assert inv.inventory([], inv.read_crl(str(pki / "crl.pem")), NOW, 5)["expiring"] == []


def test_no_crl_means_nothing_revoked(ca):
    cert = inv.describe_certificate(issue(ca, "alice", 5, 100))
    result = inv.inventory([cert], None, NOW, 30)
    assert [c["common_name"] for c in result["issued"]] == ["alice"]
    assert result["revoked"] == [] and result["crl"] is None


@pytest.mark.parametrize("value, number", [(18, 18), ("12", 0x12), ("AB:CD:EF", 0xABCDEF), ("4f:1c", 0x4F1C),
                                           ("x", None), ("", None), (None, None), (True, None)])
def test_serial_spellings(value, number):
    assert inv.serial_number(value) == number


def test_serial_text():
    assert inv.serial_text(0) == "00"
    assert inv.serial_text(0xABCDEF) == "AB:CD:EF"


def test_records_are_optional_and_a_broken_one_is_ignored(tmp_path):
    assert inv.read_serial_names(str(tmp_path)) == {}
    (tmp_path / "index.json").write_text("{broken")
    (tmp_path / "revoked.json").write_text(json.dumps({"revoked": [{"name": "carol", "serial_number": 77}]}))
    assert inv.read_serial_names(str(tmp_path)) == {77: "carol"}
