"""v6vpn.aws.openvpn_pki_clients and openvpn_pki_profiles through real ansible-playbook.

The CA is made with community.crypto, as the openvpn role makes it; the CRL with
community.crypto.x509_crl from the module's revoked_certificates. Everything runs on
localhost in a temporary directory (no emulator calls).
"""

import json
import os

import pytest

from cryptography import x509

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
    assert sorted(files) == ["alice.crt", "alice.key", "bob.crt", "bob.key"]
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
    assert sorted(after) == ["alice.crt", "alice.key", "bob.crt", "bob.key", "revoked.json"]
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

    with open(pki + "/clients/revoked.json") as handle:
        record = json.load(handle)["revoked"]
    assert [(r["name"], r["serial_number"]) for r in record] == [("bob", bob_serial)]
    assert record[0]["revocation_date"].endswith("Z") and len(record[0]["revocation_date"]) == 15


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
    assert messages[4] == "valid_days: 0 is not a whole number of at least 1"
    assert "value of key_type must be one of: secp256r1, ed25519, got: rsa" in messages[5]
    assert messages[6] == "ownca_privatekey_path: %s/ca.key is not the private key of the CA certificate %s/ca.crt" % (other, pki)
    assert messages[7].startswith("ownca_path: cannot read the CA certificate %s/missing.crt" % pki)
    assert messages[8].startswith("tls_crypt_key_path: cannot read %s/missing.key" % pki)
    name_rule = "(1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit)"
    assert messages[9] == "; ".join([
        "clients: 'bob smith' is not a valid client name %s" % name_rule,
        "revoked_clients: '-x' is not a valid client name %s" % name_rule,
        "clients and revoked_clients both list bob; a client is either valid or revoked",
        "valid_days: 0 is not a whole number of at least 1",
    ])
    assert listing(pki) == before


def profiles_task(path, profiles, remove=(), check=False, diff=False):
    task = {"v6vpn.aws.openvpn_pki_profiles": {"path": path, "profiles": profiles, "remove": list(remove)}}
    if check:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


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
    assert sorted(os.listdir(pki + "/clients")) == ["alice.crt", "alice.key"]
