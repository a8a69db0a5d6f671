"""The management interface's 'status 3' parser (module_utils/openvpn_management.py) over output
recorded from OpenVPN 2.6.14 (the molecule scenario's nat66 server with two clients, and a routed one)."""

from ansible_collections.v6vpn.aws.plugins.module_utils.openvpn_management import parse_status

CLIENT_LIST_HEADER = "\t".join([
    "HEADER", "CLIENT_LIST", "Common Name", "Real Address", "Virtual Address", "Virtual IPv6 Address", "Bytes Received",
    "Bytes Sent", "Connected Since", "Connected Since (time_t)", "Username", "Client ID", "Peer ID", "Data Channel Cipher"])
MALLORY = "\t".join(["CLIENT_LIST", "mallory", "[AF_INET6]2001:db8:6a00::21:51820", "10.8.0.3", "fdd6:5a3b:1194::1001", "120",
                     "5018", "2026-11-25 17:05:50", "1795626350", "UNDEF", "1", "1", "CHACHA20-POLY1305"])

# Recorded as the server sends it (tab-separated, CRLF stripped by the reader).
STATUS_3 = """TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO]
TIME\t2026-11-25 17:05:59\t1795626359
{header}
CLIENT_LIST\talice\t172.29.41.21:37846\t10.8.0.2\tfdd6:5a3b:1194::1000\t3465\t3391\t2026-11-25 17:05:37\t1795626337\tUNDEF\t0\t0\tAES-256-GCM
{mallory}
HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref (time_t)
ROUTING_TABLE\tfdd6:5a3b:1194::1000\talice\t172.29.41.21:37846\t2026-11-25 17:05:58\t1795626358
ROUTING_TABLE\t10.8.0.2\talice\t172.29.41.21:37846\t2026-11-25 17:05:58\t1795626358
GLOBAL_STATS\tMax bcast/mcast queue length\t0
GLOBAL_STATS\tdco_enabled\t0""".format(header=CLIENT_LIST_HEADER, mallory=MALLORY).splitlines()

# OpenVPN 2.6 in mode off: no IPv6 in the tunnel, the column is empty.
NO_IPV6 = """TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu
{header}
CLIENT_LIST\tcarol\t172.29.41.23:40000\t10.8.0.2\t\t10\t20\t2026-11-25 17:05:37\t1795626337\tUNDEF\t4\t0\tAES-256-GCM
GLOBAL_STATS\tdco_enabled\t1""".format(header=CLIENT_LIST_HEADER).splitlines()


def test_each_connected_client_with_its_addresses_bytes_and_start():
    clients, dco, title = parse_status(STATUS_3)
    assert title.startswith("OpenVPN 2.6.14 ")
    assert dco is False
    assert clients == [
        dict(common_name="alice", real_address="172.29.41.21:37846", virtual_address="10.8.0.2",
             virtual_ipv6_address="fdd6:5a3b:1194::1000", bytes_received=3465, bytes_sent=3391,
             connected_since=1795626337, connected_since_iso="2026-11-25T17:05:37Z", client_id=0, data_channel_cipher="AES-256-GCM"),
        dict(common_name="mallory", real_address="[AF_INET6]2001:db8:6a00::21:51820", virtual_address="10.8.0.3",
             virtual_ipv6_address="fdd6:5a3b:1194::1001", bytes_received=120, bytes_sent=5018,
             connected_since=1795626350, connected_since_iso="2026-11-25T17:05:50Z", client_id=1,
             data_channel_cipher="CHACHA20-POLY1305"),
    ]


def test_routing_table_rows_are_not_clients_and_an_empty_ipv6_column_stays_empty():
    clients, dco, dummy = parse_status(NO_IPV6)
    assert [c["common_name"] for c in clients] == ["carol"]
    assert clients[0]["virtual_ipv6_address"] == ""
    assert dco is True


def test_nobody_connected():
    clients, dco, dummy = parse_status(STATUS_3[:3] + STATUS_3[5:])
    assert clients == []
    assert dco is False
    assert parse_status([]) == ([], None, "")


def test_columns_are_found_by_header_not_position():
    # A future OpenVPN that adds or moves columns: the header names them.
    lines = ["HEADER\tCLIENT_LIST\tReal Address\tCommon Name\tVirtual Address\tExtra\tBytes Sent\tBytes Received",
             "CLIENT_LIST\t192.0.2.1:1\tdave\t10.8.0.9\tx\t7\t5"]
    clients, dummy, dummy2 = parse_status(lines)
    assert clients[0]["common_name"] == "dave" and clients[0]["bytes_sent"] == 7 and clients[0]["bytes_received"] == 5
    assert clients[0]["connected_since_iso"] == ""
