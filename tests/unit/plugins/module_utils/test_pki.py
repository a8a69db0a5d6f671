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


# --- Lifetimes, renewal, the CRL and the serial index ------------------------------------------

DAY = datetime.timedelta(days=1)


def test_lifetimes_accepted_and_returned_as_ints():
    assert pki.check_lifetimes("3650", 3650, 30, 3650) == dict(ca_days=3650, cert_days=3650, renew_days=30, crl_days=3650)
    # a lifetime given as None is not checked
    assert pki.check_lifetimes(None, 400, 30) == dict(cert_days=400, renew_days=30)


@pytest.mark.parametrize("args, message", [
    ((0, 10, 1, 2), "ca_days: 0 is not a whole number from 1 to 36500"),
    ((365, 730, 30, 60), "cert_days: 730 is more than ca_days (365); a certificate cannot outlive the CA that signs it"),
    ((365, 30, 30, 60), "renew_days: 30 must be less than cert_days (30), or every run would renew every certificate"),
    ((365, 60, 30, 30), "crl_days: 30 must be more than renew_days (30): the CRL is re-signed when fewer days than that remain"),
    ((365, 60, True, 90), "renew_days: True is not a whole number from 1 to 36500"),
    ((365, 60, 30, 36501), "crl_days: 36501 is not a whole number from 1 to 36500"),
])
def test_lifetimes_refused_with_the_reason(args, message):
    with pytest.raises(pki.InvalidParameter) as caught:
        pki.check_lifetimes(*args)
    assert str(caught.value) == message


def test_every_lifetime_problem_at_once_with_the_callers_names():
    with pytest.raises(pki.InvalidParameter) as caught:
        pki.check_lifetimes(365, 730, 730, 30, names=dict(cert_days="valid_days"))
    assert str(caught.value).split("; ") == [
        "valid_days: 730 is more than ca_days (365)",
        "a certificate cannot outlive the CA that signs it",
        "renew_days: 730 must be less than valid_days (730), or every run would renew every certificate",
        "crl_days: 30 must be more than renew_days (730): the CRL is re-signed when fewer days than that remain",
    ]


@pytest.mark.parametrize("value, expected", [("", None), (None, None), ("2027-03-31", datetime.date(2027, 3, 31)),
                                             (datetime.date(2027, 3, 31), datetime.date(2027, 3, 31))])
def test_until_date_accepted(value, expected):
    assert pki.check_until_date(value, "until") == expected


@pytest.mark.parametrize("value", ["2027-02-30", "31.03.2027", "2027-03-31\n", "2027-3-31", 20270331, "2027-03-31T00:00"])
def test_until_date_refused(value):
    with pytest.raises(pki.InvalidParameter) as caught:
        pki.check_until_date(value, "until")
    assert str(caught.value) == "until: %r is not a date (YYYY-MM-DD, UTC) or empty" % (value,)


def leaf(ca_cert, ca_key, now, days, usage="client"):
    key = pki.generate_private_key("secp256r1")
    return pki.issue_certificate("alice", key.public_key(), ca_cert, ca_key, days, now, usage)


def test_due_for_renewal_inside_the_window_only_if_a_new_one_lasts_longer():
    ca_cert, ca_key = make_ca(days=3650)
    now = pki.utcnow()
    assert not pki.due_for_renewal(leaf(ca_cert, ca_key, now, 400), ca_cert, 400, 30, now)
    assert not pki.due_for_renewal(leaf(ca_cert, ca_key, now, 31), ca_cert, 400, 30, now)
    assert pki.due_for_renewal(leaf(ca_cert, ca_key, now, 29), ca_cert, 400, 30, now)
    # moved clock: 380 days later a 400-day certificate has 20 left
    assert pki.due_for_renewal(leaf(ca_cert, ca_key, now, 400), ca_cert, 400, 30, now + 380 * DAY)
    # a CA with 10 days left caps every certificate: renewing would not help, so it is not renewed
    short_ca, short_key = make_ca(days=10)
    capped = leaf(short_ca, short_key, now, 400)
    assert pki.days_left(capped, now) < 10.01
    assert not pki.due_for_renewal(capped, short_ca, 400, 30, now)


def test_server_certificate_and_ca_builders():
    key = pki.generate_private_key("ed25519")
    now = pki.utcnow()
    ca_cert = pki.make_ca(key, "Test CA", 100, now)
    assert pki.is_ca(ca_cert) and pki.common_name(ca_cert) == "Test CA" and pki.issued_by(ca_cert, ca_cert)
    server = leaf(ca_cert, key, now, 400, usage="server")
    assert pki.has_server_auth(server) and not pki.has_client_auth(server)
    # never past the CA
    assert pki.not_after(server) == pki.not_after(ca_cert)


def test_crl_signed_current_and_when_it_must_be_signed_again(tmp_path):
    ca_cert, ca_key = make_ca(days=3650)
    other_cert, other_key = make_ca(days=3650)
    now = pki.utcnow()
    path = str(tmp_path / "crl.pem")
    entries = [dict(serial=0x1234, date=now, reason="superseded"), dict(serial=0x99, date=now, reason="revoked")]
    assert pki.crl_is_current(path, ca_cert, [0x1234, 0x99], 30, now) == "missing"
    pki.write_public_file(path, pki.crl_pem(pki.make_crl(ca_cert, ca_key, entries, 90, now)))
    assert oct(__import__("os").stat(path).st_mode & 0o777) == "0o644"
    assert pki.crl_is_current(path, ca_cert, [0x99, 0x1234], 30, now) == ""
    assert pki.crl_is_current(path, ca_cert, [0x99], 30, now) == "another list of revoked serial numbers"
    assert pki.crl_is_current(path, other_cert, [0x99, 0x1234], 30, now) == "not signed by the current CA"
    # moved clock: 61 days later 29 remain
    assert pki.crl_is_current(path, ca_cert, [0x99, 0x1234], 30, now + 61 * DAY) == "fewer than 30 days of validity left"
    crl = pki.load_crl(path)
    reason = crl.get_revoked_certificate_by_serial_number(0x1234).extensions.get_extension_for_class(x509.CRLReason)
    assert reason.value.reason == x509.ReasonFlags.superseded
    assert other_key is not None


def test_index_records_supersedes_revokes_and_folds_in_0_1_0(tmp_path):
    from ansible_collections.v6vpn.aws.plugins.module_utils.pki_index import SerialIndex
    import json
    import os

    ca_cert, ca_key = make_ca(days=3650)
    ca_id = pki.fingerprint(ca_cert)
    now = pki.utcnow()
    (tmp_path / "revoked.json").write_text(json.dumps({"revoked": [
        {"name": "old", "serial_number": "0A:0B", "revocation_date": "20250101000000Z"}]}))
    index = SerialIndex(str(tmp_path)).load()
    assert index.dirty and index.revoked_names() == {"old"}
    first, second = leaf(ca_cert, ca_key, now, 400), leaf(ca_cert, ca_key, now, 400)
    expired = leaf(ca_cert, ca_key, now - 500 * DAY, 400)
    index.add("alice", first, ca_id)
    index.adopt("alice", first, ca_id)
    assert len(index.entries_of("alice")) == 1
    index.revoke(pki.serial_to_hex(first.serial_number), pki.asn1_time(now), "superseded")
    index.add("alice", second, ca_id)
    index.add("bob", expired, ca_id)
    index.revoke(pki.serial_to_hex(expired.serial_number), pki.asn1_time(now), "revoked")
    index.add("carol", leaf(ca_cert, ca_key, now, 400), "another-ca")
    index.revoke(index.entries_of("carol")[0]["serial_number"], pki.asn1_time(now), "revoked")
    # the CRL: alice's superseded serial and 0.1.0's (CA unknown); not bob's expired one, not another CA's
    assert [entry["serial"] for entry in index.crl_entries(ca_id, now)] == [0x0A0B, first.serial_number]
    assert [entry["reason"] for entry in index.crl_entries(ca_id, now)] == ["revoked", "superseded"]
    assert index.revoked_names() == {"old", "bob", "carol"}
    index.save()
    assert not os.path.exists(tmp_path / "revoked.json")
    assert os.stat(tmp_path / "index.json").st_mode & 0o777 == 0o600
    again = SerialIndex(str(tmp_path)).load()
    assert not again.dirty and again.entries == index.entries


def test_index_unreadable_is_a_clear_error(tmp_path):
    from ansible_collections.v6vpn.aws.plugins.module_utils.pki_index import SerialIndex

    (tmp_path / "index.json").write_text("{not json")
    with pytest.raises(pki.InvalidParameter) as caught:
        SerialIndex(str(tmp_path)).load()
    assert str(caught.value).startswith("path: cannot read the certificate index %s/index.json" % tmp_path)
    assert str(caught.value).endswith("restore it from a backup")
