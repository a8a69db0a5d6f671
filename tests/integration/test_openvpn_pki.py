"""v6vpn.aws.openvpn_pki_server, openvpn_pki_clients and openvpn_client_profiles through real
ansible-playbook.

The first tests make the CA with community.crypto (any CA the module is given must do) and the
CRL with community.crypto.x509_crl from the module's revoked_certificates; the lifecycle tests
use openvpn_pki_server and the module's own CRL. Renewal is tested with short lifetimes: the
test re-signs a certificate or the CRL so that it expires within days (what time would do), then
runs the modules. Everything runs on localhost in a temporary directory; the tls-crypt-v2 keys
come from the real `openvpn` of the test image, run in Docker.
"""

import datetime
import json
import os
import stat

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.conftest import needs_docker

OPENVPN_IMAGE = "v6vpn-test/openvpn-peer:bookworm"

TLS_CRYPT = "-----BEGIN OpenVPN Static key V1-----\n" + "0123456789abcdef" * 2 + "\n-----END OpenVPN Static key V1-----\n"


def ca_tasks(pki, key_type="ECC", force=False):
    key = {"type": key_type} if key_type != "ECC" else {"type": "ECC", "curve": "secp256r1"}
    return [
        {"community.crypto.openssl_privatekey": dict(path="%s/ca.key" % pki, mode="0600", force=force, **key)},
        {"community.crypto.openssl_csr": {
            "path": "%s/ca.csr" % pki, "privatekey_path": "%s/ca.key" % pki, "common_name": "Test CA",
            "use_common_name_for_san": False, "basic_constraints": ["CA:TRUE"], "basic_constraints_critical": True,
            "key_usage": ["keyCertSign", "cRLSign"], "key_usage_critical": True, "create_subject_key_identifier": True,
            "force": force}},
        {"community.crypto.x509_certificate": {
            "path": "%s/ca.crt" % pki, "csr_path": "%s/ca.csr" % pki, "privatekey_path": "%s/ca.key" % pki,
            "provider": "selfsigned", "force": force}},
    ]


def server_tasks(pki, ca_dir=None, name="vpn-server"):
    ca_dir = ca_dir or pki
    return [
        {"community.crypto.openssl_privatekey": {"path": "%s/server.key" % pki, "type": "ECC", "curve": "secp256r1", "mode": "0600"}},
        {"community.crypto.openssl_csr": {
            "path": "%s/server.csr" % pki, "privatekey_path": "%s/server.key" % pki, "common_name": name,
            "use_common_name_for_san": False, "extended_key_usage": ["serverAuth"], "key_usage": ["digitalSignature"]}},
        {"community.crypto.x509_certificate": {
            "path": "%s/server.crt" % pki, "csr_path": "%s/server.csr" % pki, "provider": "ownca",
            "ownca_path": "%s/ca.crt" % ca_dir, "ownca_privatekey_path": "%s/ca.key" % ca_dir}},
    ]


def check_args(pki, name="vpn-server"):
    return {"pki_check": {"ca_common_name": "Test CA", "server_path": "%s/server.crt" % pki,
                          "server_privatekey_path": "%s/server.key" % pki, "server_common_name": name},
            "tls_crypt_key_path": "%s/tls-crypt.key" % pki}


def clients_task(pki, clients, revoked=(), check=False, diff=False, **extra):
    args = {
        "path": "%s/clients" % pki, "ownca_path": "%s/ca.crt" % pki, "ownca_privatekey_path": "%s/ca.key" % pki,
        "clients": list(clients), "revoked_clients": list(revoked),
    }
    args.update(extra)
    task = {"v6vpn.aws.openvpn_pki_clients": args}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


def listing(directory):
    """Names, modes and contents of every file: 'nothing changed' compares these."""
    out = {}
    for root, dummy, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, directory)] = (os.stat(path).st_mode & 0o777, handle.read())
    return out


def cert(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read())


@pytest.fixture
def pki(tmp_path):
    directory = tmp_path / "pki"
    directory.mkdir(mode=0o700)
    (directory / "tls-crypt.key").write_text(TLS_CRYPT)
    return str(directory)


def test_issue_idempotence_check_mode_diff_and_profiles(run_tasks, pki):
    run = run_tasks(ca_tasks(pki) + [
        clients_task(pki, ["alice", "bob"], check=True, diff=True),
        clients_task(pki, ["alice", "bob"], diff=True, profile_template="client\nremote 198.51.100.7 1194\n",
                     tls_crypt_key_path="%s/tls-crypt.key" % pki),
        clients_task(pki, ["alice", "bob"], profile_template="client\n"),
        clients_task(pki, ["alice", "bob"], check=True),
    ])
    predicted, issued, again, check_again = run[3], run[4], run[5], run[6]
    assert not any(r.get("failed") for r in run.results), run

    # check mode predicts both, writes nothing (the directory did not even exist)
    assert predicted["changed"] and predicted["issued"] == ["alice", "bob"]
    assert predicted["diff"] == {"before": {"clients": [], "revoked": []}, "after": {"clients": ["alice", "bob"], "revoked": []}}

    assert issued["changed"] and issued["issued"] == ["alice", "bob"]
    assert issued["diff"]["after"]["clients"] == ["alice", "bob"]
    files = listing(pki + "/clients")
    assert sorted(files) == ["alice.crt", "alice.key", "bob.crt", "bob.key", "index.json"]
    assert {mode for mode, dummy in files.values()} == {0o600}
    assert os.stat(pki + "/clients").st_mode & 0o777 == 0o700

    ca = cert(pki + "/ca.crt")
    alice = cert(pki + "/clients/alice.crt")
    assert alice.issuer == ca.subject
    assert alice.subject.rfc4514_string() == "CN=alice"
    assert issued["certificates"]["alice"]["serial_number"] == ":".join("%02X" % b for b in alice.serial_number.to_bytes(
        (alice.serial_number.bit_length() + 7) // 8, "big"))

    profile = issued["profiles"]["alice"]
    assert profile.startswith("client\nremote 198.51.100.7 1194\n<ca>\n-----BEGIN CERTIFICATE-----")
    for tag in ("ca", "cert", "key", "tls-crypt"):
        assert profile.count("<%s>\n" % tag) == 1 and profile.count("</%s>\n" % tag) == 1
    assert "PRIVATE KEY" in profile.split("<key>")[1]
    assert "OpenVPN Static key V1" in profile.split("<tls-crypt>")[1]
    # the task's own invocation record never shows key material
    assert "PRIVATE KEY" not in json.dumps(issued.get("invocation", {}))

    assert not again["changed"] and again["issued"] == []
    assert again["certificates"]["alice"] == issued["certificates"]["alice"]
    assert not check_again["changed"]
    assert listing(pki + "/clients") == files


def test_revoke_feeds_the_crl_and_a_readded_name_gets_a_new_certificate(run_tasks, pki):
    crl = {"community.crypto.x509_crl": {
        "path": "%s/crl.pem" % pki, "privatekey_path": "%s/ca.key" % pki, "issuer": {"CN": "Test CA"},
        "next_update": "+3650d", "ignore_timestamps": True, "serial_numbers": "hex-octets",
        "revoked_certificates": "{{ revocation.revoked_certificates }}"}}
    first = run_tasks(ca_tasks(pki) + [clients_task(pki, ["alice", "bob"])])
    assert not first[3].get("failed"), first
    bob_serial = first[3]["certificates"]["bob"]["serial_number"]
    before = listing(pki + "/clients")

    predicted = run_tasks([clients_task(pki, ["alice"], ["bob"], check=True, diff=True)])[0]
    assert predicted["changed"] and predicted["revoked"] == ["bob"]
    assert predicted["revoked_certificates"] == [{"serial_number": bob_serial, "revocation_date": predicted["revoked_certificates"][0]["revocation_date"]}]
    assert predicted["diff"] == {"before": {"clients": ["alice", "bob"], "revoked": []}, "after": {"clients": ["alice"], "revoked": ["bob"]}}
    assert listing(pki + "/clients") == before

    run = run_tasks([
        dict(clients_task(pki, ["alice"], ["bob"], diff=True), register="revocation"),
        crl,
        {"community.crypto.x509_crl_info": {"path": "%s/crl.pem" % pki}},
        dict(clients_task(pki, ["alice"], ["bob"]), register="revocation"),
        crl,
        # bob comes back: a new certificate, the old serial stays revoked
        dict(clients_task(pki, ["alice", "bob"]), register="revocation"),
        crl,
        {"community.crypto.x509_crl_info": {"path": "%s/crl.pem" % pki}},
    ])
    revoked, crl_made, crl_info, again, crl_again, readded, crl_readded, crl_info2 = run.results
    assert not any(r.get("failed") for r in run.results), run

    after = listing(pki + "/clients")
    assert sorted(after) == ["alice.crt", "alice.key", "bob.crt", "bob.key", "index.json"]
    # bob's revoked key was deleted; the re-added bob has a new one
    assert after["bob.key"] != before["bob.key"] and after["alice.key"] == before["alice.key"]
    assert revoked["changed"] and revoked["revoked"] == ["bob"] and revoked["issued"] == []
    assert [r["serial_number"] for r in revoked["revoked_certificates"]] == [bob_serial]
    assert crl_made["changed"]
    assert [r["serial_number"] for r in crl_info["revoked_certificates"]] == [int(bob_serial.replace(":", ""), 16)]

    assert not again["changed"] and not crl_again["changed"]

    assert readded["issued"] == ["bob"]
    assert readded["certificates"]["bob"]["serial_number"] != bob_serial
    assert [r["serial_number"] for r in readded["revoked_certificates"]] == [bob_serial]
    assert not crl_readded["changed"]
    assert len(crl_info2["revoked_certificates"]) == 1

    with open(pki + "/clients/index.json") as handle:
        record = json.load(handle)["certificates"]
    assert [(r["name"], r["state"]) for r in record if r["name"] == "bob"] == [("bob", "revoked"), ("bob", "valid")]
    assert record[1]["serial_number"] == bob_serial if record[1]["name"] == "bob" else True
    revoked_entry = [r for r in record if r["state"] == "revoked"][0]
    assert revoked_entry["serial_number"] == bob_serial
    assert revoked_entry["revocation_date"].endswith("Z") and len(revoked_entry["revocation_date"]) == 15


def test_a_new_ca_reissues_every_client(run_tasks, pki):
    first = run_tasks(ca_tasks(pki) + [clients_task(pki, ["alice"])])
    old = first[3]["certificates"]["alice"]["serial_number"]
    run = run_tasks(ca_tasks(pki, force=True) + [clients_task(pki, ["alice"]), clients_task(pki, ["alice"])])
    assert run[3]["issued"] == ["alice"] and run[3]["certificates"]["alice"]["serial_number"] != old
    assert not run[4]["changed"]
    assert cert(pki + "/clients/alice.crt").issuer == cert(pki + "/ca.crt").subject


def test_ed25519_keys(run_tasks, pki):
    run = run_tasks(ca_tasks(pki, key_type="Ed25519") + [
        clients_task(pki, ["alice"], key_type="ed25519"),
        clients_task(pki, ["alice"], key_type="ed25519"),
        # switching the key type replaces the client's key
        clients_task(pki, ["alice"], key_type="secp256r1"),
    ])
    assert run[3]["issued"] == ["alice"] and not run[4]["changed"] and run[5]["issued"] == ["alice"]


def test_bad_input_fails_and_changes_nothing(run_tasks, pki, tmp_path):
    first = run_tasks(ca_tasks(pki) + [clients_task(pki, ["alice"])])
    assert not first[3].get("failed")
    other = str(tmp_path / "other")
    os.mkdir(other)
    before = listing(pki)
    run = run_tasks(ca_tasks(other) + [
        clients_task(pki, ["alice", "bob smith"]),
        clients_task(pki, ["alice", "../../etc/passwd"]),
        clients_task(pki, ["alice", "alice"]),
        clients_task(pki, ["alice", "bob"], ["bob"]),
        clients_task(pki, ["alice", "bob"], valid_days=0),
        clients_task(pki, ["alice", "bob"], key_type="rsa"),
        clients_task(pki, ["alice", "bob"], ownca_privatekey_path="%s/ca.key" % other),
        clients_task(pki, ["alice", "bob"], ownca_path="%s/missing.crt" % pki),
        clients_task(pki, ["alice", "bob"], tls_crypt_key_path="%s/missing.key" % pki, profile_template="client\n"),
        # every problem with the parameters at once
        clients_task(pki, ["bob smith", "bob"], ["bob", "-x"], valid_days=0),
    ])
    bad = run.results[3:]
    assert all(r.get("failed") for r in bad), run
    messages = [r["msg"] for r in bad]
    assert messages[0] == ("clients: 'bob smith' is not a valid client name (1-64 characters: letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit)")
    assert messages[1].startswith("clients: '../../etc/passwd' is not a valid client name")
    assert messages[2] == "clients: 'alice' is listed twice"
    assert messages[3] == "clients and revoked_clients both list bob; a client is either valid or revoked"
    assert messages[4] == "valid_days: 0 is not a whole number from 1 to 36500"
    assert "value of key_type must be one of: secp256r1, ed25519, got: rsa" in messages[5]
    assert messages[6] == "ownca_privatekey_path: %s/ca.key is not the private key of the CA certificate %s/ca.crt" % (other, pki)
    assert messages[7].startswith("ownca_path: cannot read the CA certificate %s/missing.crt" % pki)
    assert messages[8].startswith("tls_crypt_key_path: cannot read %s/missing.key" % pki)
    name_rule = "(1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit)"
    assert messages[9] == "; ".join([
        "clients: 'bob smith' is not a valid client name %s" % name_rule,
        "revoked_clients: '-x' is not a valid client name %s" % name_rule,
        "clients and revoked_clients both list bob; a client is either valid or revoked",
        "valid_days: 0 is not a whole number from 1 to 36500",
    ])
    assert listing(pki) == before


def profiles_task(path, profiles, remove=(), check=False, diff=False):
    task = {"v6vpn.aws.openvpn_client_profiles": {"path": path, "profiles": profiles, "remove": list(remove)}}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


def test_the_old_module_name_still_works(run_tasks, tmp_path):
    path = str(tmp_path / "profiles")
    run = run_tasks([{"v6vpn.aws.openvpn_pki_profiles": {"path": path, "profiles": {"alice": "client\n"}}}])
    assert run[0]["changed"] and run[0]["written"] == ["alice"], run
    assert open(os.path.join(path, "alice.ovpn")).read() == "client\n"


def test_profiles_are_written_private_and_removed(run_tasks, tmp_path):
    path = str(tmp_path / "clients" / "myvpn")
    profiles = {"alice": "client\n<key>\nALICE SECRET\n</key>\n", "bob": "client\n<key>\nBOB SECRET\n</key>\n"}
    run = run_tasks([
        profiles_task(path, profiles, check=True, diff=True),
        profiles_task(path, profiles, diff=True),
        profiles_task(path, profiles),
    ])
    predicted, written, again = run.results
    assert predicted["changed"] and predicted["written"] == ["alice", "bob"]
    assert predicted["diff"] == {"before": {"path": path, "profiles": []}, "after": {"path": path, "profiles": ["alice", "bob"]}}
    assert written["changed"] and written["written"] == ["alice", "bob"]
    assert not again["changed"] and again["written"] == []
    assert os.stat(path).st_mode & 0o777 == 0o700
    for name, text in profiles.items():
        assert open(os.path.join(path, name + ".ovpn")).read() == text
        assert os.stat(os.path.join(path, name + ".ovpn")).st_mode & 0o777 == 0o600
    # the secrets are never echoed back
    assert "SECRET" not in run.stdout

    # a profile loosened by hand is tightened again; bob is removed (check mode first)
    os.chmod(os.path.join(path, "alice.ovpn"), 0o644)
    run = run_tasks([
        profiles_task(path, {"alice": profiles["alice"]}, ["bob"], check=True, diff=True),
        profiles_task(path, {"alice": profiles["alice"]}, ["bob"]),
        profiles_task(path, {"alice": profiles["alice"]}, ["bob"]),
    ])
    predicted, changed, again = run.results
    assert predicted["written"] == ["alice"] and predicted["removed"] == ["bob"]
    assert predicted["diff"]["after"]["profiles"] == ["alice"]
    assert changed["changed"] and changed["removed"] == ["bob"]
    assert sorted(os.listdir(path)) == ["alice.ovpn"]
    assert os.stat(os.path.join(path, "alice.ovpn")).st_mode & 0o777 == 0o600
    assert not again["changed"]


def test_profiles_bad_input_fails_and_changes_nothing(run_tasks, tmp_path):
    path = str(tmp_path / "clients")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = run_tasks([
        profiles_task(path, {"bad name": "client\n"}),
        profiles_task(path, {"alice": "client\n"}, ["../x"]),
        profiles_task(path, {"alice": "client\n"}, ["alice"]),
        profiles_task(path, {"alice": ""}),
        profiles_task(str(blocker), {"alice": "client\n"}),
        profiles_task(str(blocker), {"bad name": "client\n"}, ["../x"]),
    ])
    assert all(r.get("failed") for r in run.results), run
    messages = [r["msg"] for r in run.results]
    assert messages[0].startswith("profiles: 'bad name' is not a valid client name")
    assert messages[1].startswith("remove: '../x' is not a valid client name")
    assert messages[2] == "profiles and remove both list alice; a client is either valid or revoked"
    assert messages[3] == "profiles: the profile of 'alice' is not a non-empty string"
    assert messages[4] == "path: %s exists and is not a directory" % blocker
    # every problem at once
    assert messages[5].startswith("profiles: 'bad name' is not a valid client name")
    assert "; remove: '../x' is not a valid client name" in messages[5]
    assert messages[5].endswith("; path: %s exists and is not a directory" % blocker)
    assert not os.path.exists(path)
    assert blocker.read_text() == "x"


def test_pki_check_does_nothing_until_the_ca_and_server_are_in_place(run_tasks, pki, tmp_path):
    os.unlink(pki + "/tls-crypt.key")
    first = run_tasks([clients_task(pki, ["alice"], **check_args(pki))])[0]
    assert not first.get("failed") and not first["changed"], first
    assert first["pki_current"] is False and first["issued"] == []
    assert sorted(first["pki_problems"]) == sorted([
        "%s/ca.crt: missing (CA)" % pki, "%s/ca.key: missing (CA)" % pki,
        "%s/server.crt: missing (server)" % pki, "%s/server.key: missing (server)" % pki,
        "%s/tls-crypt.key: missing (tls-crypt key)" % pki])
    assert not os.path.exists(pki + "/clients")

    (tmp_path / "pki" / "tls-crypt.key").write_text(TLS_CRYPT)
    other = str(tmp_path / "other")
    os.mkdir(other)
    run = run_tasks(ca_tasks(pki) + server_tasks(pki) + [
        clients_task(pki, ["alice"], **check_args(pki)),
        clients_task(pki, ["alice"], **check_args(pki)),
        # another server name than the certificate's
        clients_task(pki, ["alice", "bob"], **check_args(pki, name="renamed")),
    ] + ca_tasks(other) + server_tasks(pki, ca_dir=other, name="vpn-server") + [
        # the server certificate now comes from another CA
        clients_task(pki, ["alice", "bob"], **check_args(pki)),
    ])
    assert not any(r.get("failed") for r in run.results), run
    issued, again, renamed, foreign = run[6], run[7], run[8], run[15]
    assert issued["pki_current"] and issued["issued"] == ["alice"] and issued["pki_problems"] == []
    assert again["pki_current"] and not again["changed"]
    assert not renamed["pki_current"] and renamed["issued"] == []
    assert renamed["pki_problems"] == ["%s/server.crt: not a serverAuth certificate named 'renamed'" % pki]
    assert not foreign["pki_current"] and foreign["pki_problems"] == ["%s/server.crt: not signed by the CA" % pki]
    assert sorted(os.listdir(pki + "/clients")) == ["alice.crt", "alice.key", "index.json"]


# --- The lifecycle: openvpn_pki_server, renewal, the serial index, tls-crypt-v2 -----------------


@pytest.fixture
def openvpn_in_docker(tmp_path, monkeypatch):
    """`openvpn` on PATH runs the real OpenVPN 2.6 of the test image (the modules call it to make
    tls-crypt-v2 keys); it sees the test's temporary directory at the same path, read-only."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "openvpn"
    shim.write_text("#!/bin/sh\nexec docker run --rm --network none -v %s:%s:ro %s openvpn \"$@\"\n" % (tmp_path, tmp_path, OPENVPN_IMAGE))
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, os.environ["PATH"]))


def server_task(pki, check=False, diff=False, **extra):
    args = dict(path=pki, ca_common_name="Test CA", server_common_name="vpn-server", ca_days=3650, cert_days=400, renew_days=30)
    args.update(extra)
    task = {"v6vpn.aws.openvpn_pki_server": args}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


def lifecycle_task(pki, clients, revoked=(), **extra):
    args = dict(valid_days=400, renew_days=30, crl_path="%s/crl.pem" % pki, crl_days=90, profile_template="client\n",
                tls_crypt_v2_server_key_path="%s/tls-crypt-v2.key" % pki, tls_crypt_v2_allowed_path="%s/allowed.txt" % pki)
    args.update(extra)
    return clients_task(pki, clients, revoked, **args)


def key(path):
    with open(path, "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), password=None)


def resign(pki, path, days_left, public_key=None):
    """Re-sign the certificate at ``path`` with the CA so that it expires in ``days_left`` days:
    what the passing of time would do, without waiting."""
    old = cert(path)
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(old.issuer)
               .public_key(public_key or old.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=300)).not_valid_after(now + datetime.timedelta(days=days_left)))
    for extension in old.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    new = builder.sign(key(pki + "/ca.key"), hashes.SHA256())
    with open(path, "wb") as handle:
        handle.write(new.public_bytes(serialization.Encoding.PEM))
    return new


def resign_crl(pki, days_left):
    old = x509.load_pem_x509_crl(open(pki + "/crl.pem", "rb").read())
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = x509.CertificateRevocationListBuilder().issuer_name(old.issuer).last_update(now - datetime.timedelta(days=80)) \
        .next_update(now + datetime.timedelta(days=days_left))
    for revoked in old:
        builder = builder.add_revoked_certificate(revoked)
    with open(pki + "/crl.pem", "wb") as handle:
        handle.write(builder.sign(key(pki + "/ca.key"), hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def crl_serials(pki):
    return {entry.serial_number: entry for entry in x509.load_pem_x509_crl(open(pki + "/crl.pem", "rb").read())}


@needs_docker("the tls-crypt-v2 keys are made by the real openvpn of the test image")
def test_server_and_clients_lifecycle_with_short_lifetimes(run_tasks, pki, openvpn_in_docker):
    os.unlink(pki + "/tls-crypt.key")
    run = run_tasks([server_task(pki, check=True, diff=True), server_task(pki), server_task(pki),
                     lifecycle_task(pki, ["alice", "bob"]), lifecycle_task(pki, ["alice", "bob"])])
    assert not any(r.get("failed") for r in run.results), run
    predicted, made, again, issued, clients_again = run.results
    assert predicted["changed"] and sorted(predicted["made"]) == ["ca", "server", "tls-crypt-v2"]
    assert predicted["ca"] == {} and predicted["diff"]["after"]["ca"] == {}
    assert made["changed"] and sorted(made["made"]) == ["ca", "server", "tls-crypt-v2"] and not made["tls_crypt_v1"]
    assert not again["changed"] and again["made"] == {}
    for name, mode in (("ca.key", 0o600), ("server.key", 0o600), ("tls-crypt-v2.key", 0o600), ("ca.crt", 0o644), ("server.crt", 0o644)):
        assert stat.S_IMODE(os.stat(os.path.join(pki, name)).st_mode) == mode, name
    assert "BEGIN OpenVPN tls-crypt-v2 server key" in open(pki + "/tls-crypt-v2.key").read()
    server = cert(pki + "/server.crt")
    assert server.issuer == cert(pki + "/ca.crt").subject and (server.not_valid_after_utc - server.not_valid_before_utc).days == 400
    assert "PRIVATE KEY" not in json.dumps(run.results[:3]) and "tls-crypt-v2 server key" not in json.dumps(run.results[:3])

    assert issued["issued"] == ["alice", "bob"] and issued["crl"]["renewed"] and issued["crl"]["reason"] == "missing"
    profile = issued["profiles"]["alice"]
    assert "<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----" in profile and "<tls-crypt>" not in profile
    assert profile.split("<tls-crypt-v2>")[1] != issued["profiles"]["bob"].split("<tls-crypt-v2>")[1]
    assert not clients_again["changed"] and not clients_again["crl"]["renewed"]
    assert clients_again["profiles"] == issued["profiles"]
    assert crl_serials(pki) == {}
    # the list the server's tls-crypt-v2-verify script admits: name and serial of each valid client
    assert open(pki + "/allowed.txt").read() == "alice %s\nbob %s\n" % (
        issued["certificates"]["alice"]["serial_number"], issued["certificates"]["bob"]["serial_number"])
    assert stat.S_IMODE(os.stat(pki + "/allowed.txt").st_mode) == 0o644

    # Time passes: the server certificate, bob's certificate and the CRL have days left.
    old_server = resign(pki, pki + "/server.crt", 5)
    old_bob = resign(pki, pki + "/clients/bob.crt", 3)
    resign_crl(pki, 10)
    run = run_tasks([server_task(pki, check=True), server_task(pki), lifecycle_task(pki, ["alice", "bob"], check=True),
                     lifecycle_task(pki, ["alice", "bob"]), server_task(pki), lifecycle_task(pki, ["alice", "bob"])])
    assert not any(r.get("failed") for r in run.results), run
    predicted, renewed, clients_predicted, clients_renewed, server_again, clients_again = run.results
    assert predicted["changed"] and predicted["made"] == {"server": "fewer than 30 days left (5.0)"}
    assert cert(pki + "/server.crt").serial_number != old_server.serial_number
    assert renewed["changed"] and renewed["made"]["server"].startswith("fewer than 30 days left")
    assert renewed["server"]["days_left"] > 399 and renewed["ca"] == predicted["ca"]
    assert clients_predicted["renewed"] == ["bob"] and clients_predicted["superseded"] == [renewed_hex(old_bob)]
    assert clients_renewed["renewed"] == ["bob"] and clients_renewed["issued"] == ["bob"]
    assert clients_renewed["superseded"] == [renewed_hex(old_bob)]
    assert clients_renewed["reasons"] == {"bob": "fewer than 30 days left (3.0)"}
    assert clients_renewed["profiles"]["alice"] == issued["profiles"]["alice"]
    assert clients_renewed["profiles"]["bob"] != issued["profiles"]["bob"]
    # the renewed bob's old certificate is on the new CRL (superseded), which has 90 days again
    entries = crl_serials(pki)
    assert list(entries) == [old_bob.serial_number]
    assert entries[old_bob.serial_number].extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.superseded
    crl = x509.load_pem_x509_crl(open(pki + "/crl.pem", "rb").read())
    assert 89 < (crl.next_update_utc - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400 <= 90
    assert clients_renewed["crl"]["renewed"]
    assert open(pki + "/allowed.txt").read() == "alice %s\nbob %s\n" % (
        clients_renewed["certificates"]["alice"]["serial_number"], clients_renewed["certificates"]["bob"]["serial_number"])
    assert not server_again["changed"] and not clients_again["changed"]


def renewed_hex(certificate):
    raw = certificate.serial_number.to_bytes((certificate.serial_number.bit_length() + 7) // 8, "big")
    return ":".join("%02X" % octet for octet in raw)


@needs_docker("the tls-crypt-v2 keys are made by the real openvpn of the test image")
def test_revocation_by_index_and_unknown_names(run_tasks, pki, openvpn_in_docker):
    os.unlink(pki + "/tls-crypt.key")
    run = run_tasks([server_task(pki), lifecycle_task(pki, ["alice", "bob", "carol"])])
    assert not any(r.get("failed") for r in run.results), run
    carol = run[1]["certificates"]["carol"]["serial_number"]
    # carol's files are lost: the index still knows her serial, so she can be revoked
    for suffix in (".crt", ".key"):
        os.unlink(pki + "/clients/carol" + suffix)
    before = listing(pki)
    run = run_tasks([
        lifecycle_task(pki, ["alice"], ["bob", "dave"]),
        lifecycle_task(pki, ["alice"], ["bob", "carol"]),
        lifecycle_task(pki, ["alice"], ["bob", "carol"]),
    ])
    unknown, revoked, again = run.results
    assert unknown["failed"] and unknown["msg"].startswith("revoked_clients: no certificate was ever issued here to dave")
    assert "PRIVATE KEY" not in json.dumps(unknown)
    assert revoked["revoked"] == ["bob", "carol"] and not revoked.get("failed"), revoked
    assert {entry["serial_number"] for entry in revoked["revoked_certificates"]} == {carol, run_serial(before, "bob")}
    assert {renewed_hex_int(serial) for serial in crl_serials(pki)} == {carol, run_serial(before, "bob")}
    assert sorted(os.listdir(pki + "/clients")) == ["alice.crt", "alice.key", "alice.tls-crypt-v2", "index.json"]
    assert open(pki + "/allowed.txt").read() == "alice %s\n" % revoked["certificates"]["alice"]["serial_number"]
    assert not again["changed"]


def run_serial(files, name):
    certificate = x509.load_pem_x509_certificate(files["clients/%s.crt" % name][1])
    return renewed_hex(certificate)


def renewed_hex_int(serial):
    raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    return ":".join("%02X" % octet for octet in raw)


def test_shared_tls_crypt_key_kept_until_the_date(run_tasks, pki, tmp_path):
    # A server deployed before tls-crypt-v2: its CA, server and v2 keys exist, and tls-crypt.key.
    (tmp_path / "pki" / "tls-crypt-v2.key").write_text("-----BEGIN OpenVPN tls-crypt-v2 server key-----\nx\n")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    run = run_tasks([
        server_task(pki),
        server_task(pki),
        server_task(pki, tls_crypt_v1_until=str(today)),
        server_task(pki, tls_crypt_v1_until=str(today - datetime.timedelta(days=1)), check=True),
        server_task(pki, tls_crypt_v1_until=str(today - datetime.timedelta(days=1))),
        server_task(pki, tls_crypt_v1_until=str(today - datetime.timedelta(days=1))),
    ])
    made, unset, until_today, predicted, removed, again = run.results
    assert not any(r.get("failed") for r in run.results), run
    assert made["tls_crypt_v1"] and "tls-crypt-v2" not in made["made"]
    assert not unset["changed"] and unset["tls_crypt_v1"]
    assert any("set tls_crypt_v1_until" in warning for warning in unset["warnings"])
    assert not until_today["changed"] and until_today["tls_crypt_v1"]
    assert any("until the end of %s" % today in warning for warning in until_today["warnings"])
    assert predicted["changed"] and predicted["tls_crypt_v1_removed"]
    assert removed["changed"] and removed["tls_crypt_v1_removed"] and not removed["tls_crypt_v1"]
    assert not os.path.exists(pki + "/tls-crypt.key")
    assert not again["changed"] and not again["tls_crypt_v1"] and not again.get("warnings")


def test_lifetime_bounds_fail_before_anything_changes(run_tasks, pki):
    run = run_tasks([
        server_task(pki, ca_days=365, cert_days=730, renew_days=0),
        server_task(pki, tls_crypt_v1_until="31.03.2027", renew_days=400),
        lifecycle_task(pki, ["alice"], valid_days=30, renew_days=30, crl_days=30),
    ])
    assert all(r.get("failed") for r in run.results), run
    assert run[0]["msg"] == ("renew_days: 0 is not a whole number from 1 to 36500; cert_days: 730 is more than ca_days (365); "
                             "a certificate cannot outlive the CA that signs it")
    assert run[1]["msg"] == ("renew_days: 400 must be less than cert_days (400), or every run would renew every certificate; "
                             "tls_crypt_v1_until: '31.03.2027' is not a date (YYYY-MM-DD, UTC) or empty")
    assert run[2]["msg"] == ("renew_days: 30 must be less than valid_days (30), or every run would renew every certificate; "
                             "crl_days: 30 must be more than renew_days (30): the CRL is re-signed when fewer days than that remain")
    assert sorted(os.listdir(pki)) == ["tls-crypt.key"]
