"""v6vpn.aws.openvpn_certificate_info through real ansible-playbook, over a PKI laid out as the
openvpn role lays it out (ca.crt, server.crt, clients/*.crt, crl.pem), generated here."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(path, obj):
    path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))


def make_pki(root):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("t OpenVPN CA")).issuer_name(_name("t OpenVPN CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(NOW - DAY).not_valid_after(NOW + 3650 * DAY)
          .sign(ca_key, hashes.SHA256()))

    def issue(cn, serial, days):
        key = ec.generate_private_key(ec.SECP256R1())
        return (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject).public_key(key.public_key())
                .serial_number(serial).not_valid_before(NOW - DAY).not_valid_after(NOW + days * DAY).sign(ca_key, hashes.SHA256()))

    (root / "clients").mkdir(parents=True)
    _write(root / "ca.crt", ca)
    _write(root / "server.crt", issue("t-server", 2, 3650))
    _write(root / "clients" / "alice.crt", issue("alice", 0x20, 3650))
    _write(root / "clients" / "bob.crt", issue("bob", 0x21, 10))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(NOW - DAY).next_update(NOW + 3650 * DAY)
           .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(0x22).revocation_date(NOW - DAY).build())
           .sign(ca_key, hashes.SHA256()))
    _write(root / "crl.pem", crl)


def test_issued_revoked_and_expiring(run_tasks, tmp_path):
    make_pki(tmp_path / "pki")
    args = {"pki_dir": str(tmp_path / "pki"), "crl_path": str(tmp_path / "pki" / "crl.pem")}
    run = run_tasks([
        {"v6vpn.aws.openvpn_certificate_info": args},
        {"v6vpn.aws.openvpn_certificate_info": dict(args, expiring_days=5), "check_mode": True},
        {"v6vpn.aws.openvpn_certificate_info": dict(args, crl_path=str(tmp_path / "none.pem"))},
        {"v6vpn.aws.openvpn_certificate_info": dict(args, expiring_days=-1)},
    ])
    full, narrow, no_crl, bad = run.results
    assert not full.get("failed") and not full["changed"], full
    assert [c["common_name"] for c in full["issued"]] == ["alice", "bob"]
    assert full["revoked"] == [{"common_name": "", "serial": "22", "revocation_date": full["revoked"][0]["revocation_date"]}]
    assert [(c["common_name"], c["role"]) for c in full["expiring"]] == [("bob", "client")]
    assert full["crl"]["revoked_count"] == 1
    assert narrow["expiring"] == [] and not narrow.get("failed")
    assert no_crl["crl"] is None and no_crl["revoked"] == []
    assert bad["failed"] and bad["msg"].startswith("expiring_days: ")
