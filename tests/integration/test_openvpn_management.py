"""v6vpn.aws.openvpn_management through real ansible-playbook, against a fake management socket.

The fake speaks the protocol as OpenVPN 2.6.14 does (its 'status 3' and 'kill' answers were
captured from the molecule scenario's server), so the tests run without an OpenVPN server.
"""

import os
import socket
import threading

import pytest

STATUS_HEAD = (
    "TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO]\r\n"
    "TIME\t2026-11-25 17:05:59\t1795626359\r\n"
    "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent"
    "\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher\r\n"
)
CLIENT_ROW = "CLIENT_LIST\t{cn}\t172.29.41.21:37846\t{v4}\tfdd6:5a3b:1194::1000\t3465\t3391\t2026-11-25 17:05:37\t1795626337\tUNDEF\t{cid}\t0\tAES-256-GCM\r\n"
STATUS_TAIL = "HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref (time_t)\r\nGLOBAL_STATS\tdco_enabled\t{dco}\r\nEND\r\n"


class FakeOpenVPN:
    """A management socket with connected clients; records the commands it gets."""

    def __init__(self, path, clients, dco=0):
        # (common name, client id); ids start at 7 so that they differ from list positions
        self.clients = [(cn, 7 + i) for i, cn in enumerate(clients)]
        self.dco = dco
        self.commands = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(60)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def status(self):
        rows = "".join(CLIENT_ROW.format(cn=cn, cid=cid, v4="10.8.0.%d" % (cid - 5)) for cn, cid in self.clients)
        return STATUS_HEAD + rows + STATUS_TAIL.format(dco=self.dco)

    def serve(self):
        while True:
            try:
                conn, dummy = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n")
                for line in conn.makefile("r"):
                    command = line.strip()
                    self.commands.append(command)
                    if command == "status 3":
                        # a real-time notification may come in between; the module must skip it
                        conn.sendall(b">BYTECOUNT_CLI:0,1,2\r\n" + self.status().encode())
                    elif command.startswith("client-kill "):
                        cid = int(command.split()[1])
                        if cid in [c for dummy, c in self.clients]:
                            self.clients = [(n, c) for n, c in self.clients if c != cid]
                            conn.sendall(b"SUCCESS: client-kill command succeeded\r\n")
                        else:
                            conn.sendall(b"ERROR: client-kill command failed\r\n")
                    elif command == "quit":
                        break

    def close(self):
        self.sock.close()


@pytest.fixture
def fake(tmp_path):
    # Unix socket paths are limited to ~107 bytes; tmp_path can be longer.
    path = "/tmp/ovpn-mgmt-%d.sock" % os.getpid()
    if os.path.exists(path):
        os.unlink(path)
    server = FakeOpenVPN(path, ["alice", "mallory"])
    server.path = path
    yield server
    server.close()
    os.unlink(path)


def task(path, kill=(), check=False, **extra):
    args = {"socket": path, "kill": list(kill)}
    args.update(extra)
    out = {"v6vpn.aws.openvpn_management": args}
    if check:
        out["check_mode"] = True
    return out


def test_status_kill_and_idempotence(run_tasks, fake):
    run = run_tasks([
        task(fake.path),
        task(fake.path, ["mallory", "bob"], check=True),
        task(fake.path, ["mallory", "bob"]),
        task(fake.path, ["mallory", "bob"]),
    ])
    status, predicted, killed, again = run.results
    assert not any(r.get("failed") for r in run.results), run
    assert not status["changed"] and status["killed"] == []
    assert [c["common_name"] for c in status["clients"]] == ["alice", "mallory"]
    assert status["clients"][0] == {
        "common_name": "alice", "real_address": "172.29.41.21:37846", "virtual_address": "10.8.0.2",
        "virtual_ipv6_address": "fdd6:5a3b:1194::1000", "bytes_received": 3465, "bytes_sent": 3391,
        "connected_since": 1795626337, "connected_since_iso": "2026-11-25T17:05:37Z", "client_id": 7, "data_channel_cipher": "AES-256-GCM"}
    assert status["dco_enabled"] is False
    assert status["title"].startswith("OpenVPN 2.6.14 ")

    assert predicted["changed"] and predicted["killed"] == ["mallory"]
    assert killed["changed"] and killed["killed"] == ["mallory"]
    assert [c["common_name"] for c in killed["clients"]] == ["alice", "mallory"]  # as found before the kill
    assert not again["changed"] and again["killed"] == []
    assert fake.clients == [("alice", 7)]
    # check mode only asked; only mallory's session (client id 8) was killed, once
    assert [c for c in fake.commands if "kill" in c] == ["client-kill 8"]


def test_dco_reported_when_the_server_offloads(run_tasks, fake):
    fake.dco = 1
    assert run_tasks([task(fake.path)])[0]["dco_enabled"] is True


def test_missing_socket(run_tasks, tmp_path):
    path = str(tmp_path / "none.sock")
    run = run_tasks([task(path, ["alice"]), task(path, ["alice"], missing_ok=True)])
    assert run[0]["failed"]
    assert run[0]["msg"] == "socket: %s does not exist; is the OpenVPN server running with 'management %s unix'?" % (path, path)
    assert not run[1].get("failed") and run[1]["clients"] == [] and not run[1]["changed"]


def test_bad_input_fails_and_kills_nothing(run_tasks, fake, tmp_path):
    not_a_socket = tmp_path / "file"
    not_a_socket.write_text("x")
    run = run_tasks([
        task(fake.path, ["mallory", "bad name"]),
        task(fake.path, ["mallory", "-x"]),
        task(fake.path, ["mallory", "mallory"]),
        task(fake.path, ["mallory"], timeout=0),
        task(fake.path, ["mallory"], timeout="soon"),
        task(str(not_a_socket), ["mallory"]),
        task(fake.path, ["mallory", "mallory"], timeout=-1),
    ])
    assert all(r.get("failed") for r in run.results), run
    messages = [r["msg"] for r in run.results]
    assert messages[0].startswith("kill: 'bad name' is not a valid client name")
    assert messages[1].startswith("kill: '-x' is not a valid client name")
    assert messages[2] == "kill: 'mallory' is listed twice"
    assert messages[3] == "timeout: must be positive, got 0.0"
    assert "timeout" in messages[4] and "float" in messages[4]
    assert messages[5].startswith("Failed to talk to the OpenVPN management socket %s:" % not_a_socket)
    assert messages[6] == "kill: 'mallory' is listed twice; timeout: must be positive, got -1.0"
    assert [n for n, dummy in fake.clients] == ["alice", "mallory"]
    assert not [c for c in fake.commands if "kill" in c]
