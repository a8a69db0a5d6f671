"""The lab end to end (`make lab` / `make lab-down`, i.e. scripts/lab.sh), asserting its proof.

One lab of its own (LAB_ID=labtest, its own subnets and a temporary state directory), so a lab
the user runs (`make lab`, LAB_NET 1) is left alone. In order:
  up          six phases, each "ok"; the proof: an IPv4-only client got a tunnel IPv6 address,
              reached the IPv6-only target with ping6 and HTTP through tun0, and the target saw
              the server's upstream address (NAT66)
  re-run      converges: site.yml changes nothing, the client stays connected; in check mode
              it predicts no change and only reads from EC2
  status      `status` shows the laptop on the UDP server and the phone (its router drops UDP)
              on the TCP 443 server, each with its tunnel addresses; the phone reaches the target
  IPv6-only   `up` again with LAB_IPV6_ONLY=1 switches the same lab to an IPv6-only tunnel: no IPv4
              path, DNS64 names, HTTP by name to the IPv4-only host through NAT64 (it saw the
              server's IPv4), the IPv6-only target natively; `up` without it switches back
  IAM         every EC2 call the emulator saw (site.yml twice, teardown.yml) is in docs/iam-policy.json
  clients     playbooks/clients.yml adds and revokes clients without any EC2 call; against AWS (the
              emulator) it finds the server with read-only calls and adds it as site.yml does
  failure     a phase that fails says which and where its log is; a failed playbook run, which
              task failed on which host, and why (from its JSON result)
  down        teardown.yml leaves nothing in the emulator; no container, network or emulator left
Traffic flows only between the lab's containers (and the stand-in's apt to the Debian mirror).
"""

from __future__ import annotations

import ipaddress
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import needs_docker

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAB = ROOT / "scripts" / "lab.sh"
LAB_ID = os.environ.get("LAB_TEST_ID", "labtest")
LAB_NET = os.environ.get("LAB_TEST_NET", "2")
LABEL = "org.v6vpn.lab=%s" % LAB_ID
UP_TIMEOUT = 1800
# Phase 5's note when both clients connected afresh (the laptop over UDP, the phone over TCP 443).
CLIENTS_CONNECTED = r"client .* ok, \d+s: laptop over UDP 1194 connected with .*; phone over TCP 443 \(its router drops UDP\) connected"


pytestmark = needs_docker("the lab needs one")


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60, check=False)


class Lab:
    def __init__(self, state):
        self.state = state
        self.env = dict(os.environ, LAB_ID=LAB_ID, LAB_NET=LAB_NET, LAB_STATE=str(state))

    def run(self, *args, timeout=UP_TIMEOUT, **env):
        proc = subprocess.run([str(LAB), *args], cwd=ROOT, env=dict(self.env, **env), capture_output=True, text=True,
                              timeout=timeout, check=False)
        return proc

    def proof(self):
        return json.loads((self.state / "proof.json").read_text())

    def calls(self):
        log = self.state / "emulator-calls.log"
        return log.read_text().split() if log.exists() else []

    def leftovers(self):
        return (docker("ps", "-aq", "--filter", "label=" + LABEL).stdout.split()
                + docker("network", "ls", "-q", "--filter", "label=" + LABEL).stdout.split())


def explain(proc):
    return "rc=%s\n--- stdout\n%s\n--- stderr\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-4000:])


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    state = tmp_path_factory.mktemp("lab") / "state"
    lab = Lab(state)
    # Left by an interrupted earlier run of this test (the label is this test's own).
    for ident in lab.leftovers():
        docker("rm", "-f", ident)
        docker("network", "rm", ident)
    lab.first_up = lab.run("up")
    try:
        yield lab
    finally:
        if state.exists():
            lab.run("down", timeout=600)
        for ident in lab.leftovers():
            docker("rm", "-f", ident)
            docker("network", "rm", ident)


def test_up_prints_a_line_per_phase_and_the_proof(lab):
    proc = lab.first_up
    assert proc.returncode == 0, explain(proc)
    phases = re.findall(r"^lab \[(\d)/6\] (\S+) .* \.\.\. ok, \d+s", proc.stdout, re.M)
    assert [phase[1] for phase in phases] == ["prerequisites", "emulator", "containers", "site.yml", "client", "proof"], proc.stdout
    for words in ("site.yml summary", "egress-only internet gateway eigw-", "::/0", "-> eigw-", "Proof, from the client",
                  "target saw source", "make lab-down"):
        assert words in proc.stdout, "%r not in the output:\n%s" % (words, proc.stdout)
    # site.yml's JSON result, private, beside its log; the log accounts for every task and host.
    result = lab.state / "logs" / "4-site.yml.json"
    assert result.stat().st_mode & 0o777 == 0o600
    stats = json.loads(result.read_text())["stats"]
    assert set(stats) == {"localhost", "lab-server"} and all(s["failures"] == 0 for s in stats.values()), stats
    log = (lab.state / "logs" / "4-site.yml.log").read_text().splitlines()
    assert log[-3] == "recap:" and log[-2].split()[0] == "lab-server", log[-5:]
    assert any(line.split()[:2] == ["changed", "localhost"] for line in log), log


def test_the_ipv4_only_client_reaches_the_ipv6_only_target_through_the_tunnel(lab):
    proof = lab.proof()
    tunnel = ipaddress.ip_interface(proof["tunnel_ipv6"])
    ula = yaml.safe_load((ROOT / "roles" / "openvpn" / "defaults" / "main.yml").read_text())["openvpn_ipv6_network"]
    assert tunnel.ip in ipaddress.ip_network(ula), "tunnel address %s is not from the nat66 pool %s" % (tunnel, ula)
    assert ipaddress.ip_interface(proof["tunnel_ipv4"]).ip in ipaddress.ip_network("10.8.0.0/24")
    assert " dev tun0" in proof["route"] and str(tunnel.ip) in proof["route"], proof["route"]
    assert proof["ping_received"] == proof["ping_sent"] == 3
    assert proof["http_body"].startswith("hello from the IPv6-only target")
    # NAT66: the target saw the server's address on the upstream network, not the ULA.
    assert proof["source_seen"] == proof["server_upstream_ipv6"]
    # The client's only IPv6 is the tunnel's: it has no other global address or route.
    client = proof["client"]
    addrs = docker("exec", client, "ip", "-6", "-o", "addr", "show", "scope", "global").stdout
    assert [line.split()[1] for line in addrs.splitlines()] == ["tun0"], addrs
    # The target has no IPv4 at all.
    target = "v6vpn-%s-target" % LAB_ID
    assert docker("exec", target, "ip", "-4", "-o", "addr", "show", "scope", "global").stdout.strip() == ""


def test_profiles_are_private_and_complete(lab):
    clients = lab.state / "clients"
    for name in ("laptop", "phone"):
        profile = clients / ("%s.ovpn" % name)
        assert profile.stat().st_mode & 0o777 == 0o600, profile
        text = profile.read_text()
        for block in ("<ca>", "<cert>", "<key>", "<tls-crypt-v2>"):
            assert block in text, "%s lacks %s" % (profile, block)
        # UDP first, then the TCP 443 fallback, both to the stand-in's IPv4.
        remotes = re.findall(r"^remote (\S+) (\d+) (\w+)$", text, re.M)
        server = "198.18.%s.10" % LAB_NET
        assert remotes == [(server, "1194", "udp"), (server, "443", "tcp")], remotes


def test_rerun_converges_with_nothing_changed(lab):
    proc = lab.run("up")
    assert proc.returncode == 0, explain(proc)
    assert re.search(r"site\.yml .* ok, \d+s: converged, nothing changed", proc.stdout), proc.stdout
    assert "connected already (profile and mode unchanged)" in proc.stdout
    assert re.search(r"emulator .* ok, \d+s: already running at", proc.stdout), proc.stdout
    assert lab.proof()["site_changed"] == 0


def test_check_mode_on_the_deployed_lab_has_nothing_to_change(lab):
    """site.yml --check --diff on the converged lab: every module and role answers in check mode,
    predicts no change, and no EC2 call but reads is made."""
    calls_before = len(lab.calls())
    proc = lab.run("run", "playbooks/site.yml", "--check", "--diff", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    assert proc.returncode == 0, explain(proc)
    stats = json.loads(proc.stdout)["stats"]
    assert set(stats) == {"localhost", "lab-server"}, stats
    assert all(s["changed"] == 0 and s["failures"] == 0 for s in stats.values()), stats
    calls = lab.calls()[calls_before:]
    assert calls and all(call.startswith("Describe") for call in calls), calls


def tun0(container, family):
    out = docker("exec", container, "ip", "-%d" % family, "-o", "addr", "show", "dev", "tun0", "scope", "global").stdout
    return [ipaddress.ip_interface(line.split()[3]).ip for line in out.splitlines()]


def test_status_shows_the_udp_and_the_tcp_443_connection(lab):
    """`scripts/lab.sh status` runs playbooks/status.yml: the laptop on the UDP server; the phone,
    whose router drops its UDP, fell back to the TCP 443 server by itself, with addresses from that
    server's halves of the tunnel networks, and reaches the IPv6-only target through it."""
    proc = lab.run("status")
    assert proc.returncode == 0, explain(proc)
    assert "\n  Connected: 2 (OpenVPN 2.6" in proc.stdout, proc.stdout
    rows = {match[0]: match[1:] for match in
            re.findall(r"^    (\S+)  via (\S+)  from (\S+):\d+  tunnel (\S+) (\S+)  in ", proc.stdout, re.M)}
    assert sorted(rows) == ["laptop", "phone"], proc.stdout
    defaults = yaml.safe_load((ROOT / "roles" / "openvpn" / "defaults" / "main.yml").read_text())
    ipv4_halves = list(ipaddress.ip_network(defaults["openvpn_ipv4_network"]).subnets())
    ipv6_halves = list(ipaddress.ip_network(defaults["openvpn_ipv6_network"]).subnets())
    router = "198.18.%s.2" % LAB_NET  # the home router's address on "internet": both come through its NAT
    for name, server, half in (("laptop", "server", 0), ("phone", "server-tcp", 1)):
        via, real, ipv4, ipv6 = rows[name]
        container = "v6vpn-%s-%s" % (LAB_ID, "client" if name == "laptop" else name)
        assert (via, real) == (server, router), rows[name]
        assert ipaddress.ip_address(ipv4) in ipv4_halves[half] and ipaddress.ip_address(ipv6) in ipv6_halves[half], rows[name]
        # What the server lists is what the client's tun0 holds.
        assert tun0(container, 4) == [ipaddress.ip_address(ipv4)] and tun0(container, 6) == [ipaddress.ip_address(ipv6)], name
    phone = "v6vpn-%s-phone" % LAB_ID
    assert docker("exec", phone, "ping", "-6", "-c", "2", "-W", "3", lab.proof()["target"]).returncode == 0
    # Its own log names the TCP connection to the server's port 443.
    logs = docker("logs", phone)
    log = logs.stdout + logs.stderr
    assert "TCP connection established with [AF_INET]198.18.%s.10:443" % LAB_NET in log, log[-3000:]


def client_connect_ipv4(lab, address):
    """A TCP connect from the client to `address` port 80, bounded: bash's exit status and error."""
    return docker("exec", lab.proof()["client"], "timeout", "5", "bash", "-c", "exec 3<>/dev/tcp/%s/80" % address)


def test_the_ipv6_only_switch_proves_nat64_and_dns64_on_the_same_lab(lab):
    proc = lab.run("up", LAB_IPV6_ONLY="1")
    assert proc.returncode == 0, explain(proc)
    phases = re.findall(r"^lab \[(\d)/6\] (\S+) .* \.\.\. ok, \d+s", proc.stdout, re.M)
    assert [phase[1] for phase in phases] == ["prerequisites", "emulator", "containers", "site.yml", "client", "proof"], proc.stdout
    assert re.search(r"site\.yml .* ok, \d+s: \d+ changed \(IPv6-only mode, lab/ipv6-only\.yml\)", proc.stdout), proc.stdout
    # The client connected afresh to the switched server.
    assert re.search(CLIENTS_CONNECTED, proc.stdout), proc.stdout
    # The lab says that it lets NAT64 reach its non-global IPv4 behind the well-known prefix.
    assert "openvpn_nat64_nonglobal_ipv4: true" in proc.stdout and "RFC 6052" in proc.stdout
    proof = lab.proof()
    six = proof["ipv6_only"]
    prefix = yaml.safe_load((ROOT / "lab" / "ipv6-only.yml").read_text())["openvpn_nat64_prefix"]
    assert six["published"] == {"ipv6_only": True, "nat64_prefix": prefix,
                                "dns64_resolver": six["pushed_resolvers"][0]}, six
    assert six["pushed_resolvers"] == six["resolv_nameservers"] == [six["published"]["dns64_resolver"]]
    target4 = "198.18.%s.80" % LAB_NET
    # No IPv4 path: the route to the IPv4-only host on the client's own network enters the tunnel,
    # where the server answers unreachable, at once.
    assert " dev tun0 " in six["route4"] + " ", six["route4"]
    assert six["connect_ipv4"]["kind"] in ("ENETUNREACH", "EHOSTUNREACH") and six["connect_ipv4"]["ms"] < 2000, six
    # DNS64: the A-only name has an address in the NAT64 /96 embedding the host's IPv4; real AAAA untouched.
    synthesized = [a for a in six["ahosts"]["ipv4_only"] if ipaddress.ip_address(a) in ipaddress.ip_network(prefix)]
    assert synthesized and ipaddress.ip_address(synthesized[0]).packed[12:] == ipaddress.ip_address(target4).packed, six
    assert proof["target"] in six["ahosts"]["ipv6_only"] and proof["target"] in six["ahosts"]["dual_stack"]
    # NAT64: the IPv4-only host answered over 64:ff9b:: and saw the server's IPv4.
    web4 = six["http"]["ipv4_only"]
    assert web4["remote"] == synthesized[0] and web4["body"].startswith("hello from the IPv4-only web host"), web4
    assert web4["source_seen"] == proof["server_public_ipv4"] == "198.18.%s.10" % LAB_NET
    assert six["http"]["ipv6_only"]["remote"] == proof["target"]
    # The IPv6 proof of the default mode still holds; IPv4 in the tunnel is a dead end.
    assert proof["ping_received"] == proof["ping_sent"] == 3
    direct = client_connect_ipv4(lab, target4)
    assert direct.returncode != 0 and re.search("unreachable|No route to host", direct.stderr), direct


def test_up_without_the_switch_goes_back_to_the_default_mode(lab):
    proc = lab.run("up")
    assert proc.returncode == 0, explain(proc)
    assert re.search(r"site\.yml .* ok, \d+s: \d+ changed$", proc.stdout, re.M), proc.stdout
    assert re.search(CLIENTS_CONNECTED, proc.stdout), proc.stdout
    proof = lab.proof()
    assert "ipv6_only" not in proof and "IPv6-only mode (lab/ipv6-only.yml)" not in proc.stdout
    assert ipaddress.ip_interface(proof["tunnel_ipv4"]).ip in ipaddress.ip_network("10.8.0.0/24")
    assert proof["source_seen"] == proof["server_upstream_ipv6"] and proof["ping_received"] == 3
    # IPv4 goes around the tunnel again: the client reaches the IPv4-only host through its router.
    direct = client_connect_ipv4(lab, "198.18.%s.80" % LAB_NET)
    assert direct.returncode == 0, direct
    pushed = docker("exec", proof["client"], "cat", "/run/v6vpn-pushed-options")
    assert pushed.returncode == 0 and "DNS6" not in pushed.stdout, pushed


def test_every_ec2_call_is_in_the_iam_policy(lab):
    policy = json.loads((ROOT / "docs" / "iam-policy.json").read_text())
    allowed = {a.split(":", 1)[1] for statement in policy["Statement"] for a in statement["Action"]}
    seen = set(lab.calls())
    assert {"CreateVpc", "CreateEgressOnlyInternetGateway", "RunInstances"} <= seen, sorted(seen)
    assert seen <= allowed, "EC2 calls the IAM policy lacks: %s" % sorted(seen - allowed)


def test_clients_playbook_adds_and_revokes_without_touching_aws(lab):
    clients = lab.state / "clients"
    laptop_before = (clients / "laptop.ovpn").read_text()
    calls_before = len(lab.calls())
    proc = lab.run("run", "playbooks/clients.yml", "-e",
                   json.dumps({"openvpn_clients": ["laptop", "tablet"], "openvpn_revoked_clients": ["phone"]}))
    assert proc.returncode == 0, explain(proc)
    assert (clients / "tablet.ovpn").is_file()
    assert not (clients / "phone.ovpn").exists(), "the revoked client's profile is still there"
    assert (clients / "laptop.ovpn").read_text() == laptop_before
    assert len(lab.calls()) == calls_before, "clients.yml made EC2 calls: %s" % lab.calls()[calls_before:]
    # The revoked certificate is on the CRL the server checks.
    server = "v6vpn-%s-server" % LAB_ID
    crl = docker("exec", server, "sh", "-c", "grep -h '^crl-verify' /etc/openvpn/server/server.conf | awk '{print $2}'").stdout.strip()
    assert crl, "server.conf has no crl-verify"
    assert docker("exec", server, "test", "-s", crl).returncode == 0
    # The laptop stays connected.
    assert docker("exec", lab.proof()["client"], "ping", "-6", "-c", "1", "-W", "3", lab.proof()["target"]).returncode == 0


def test_clients_playbook_finds_the_server_on_aws_with_read_only_calls(lab):
    """Without the server in the inventory, clients.yml looks it up by tags (here in the lab's
    emulator) and adds it to openvpn_servers as the ec2 role does. --limit localhost: the
    emulator's instance has no SSH, so the openvpn play is left out."""
    calls_before = len(lab.calls())
    url = (lab.state / "emulator.url").read_text().strip()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_COLLECTIONS_PATH="%s:%s" % (ROOT / ".cache" / "self", ROOT / ".cache" / "collections"))
    proc = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "--limit", "localhost",
         "playbooks/clients.yml", "-e", "@lab/vars.yml", "-e", "endpoint_url=%s" % url,
         "-e", json.dumps({"ec2_wait_for_ssh": False, "ec2_add_host": True, "ansible_python_interpreter": sys.executable,
                           "ec2_private_key_file": str(lab.state / "lab-key.pem")})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, explain(proc)
    results = [task["hosts"]["localhost"] for play in json.loads(proc.stdout)["plays"] for task in play["tasks"]]
    added = [r["add_host"] for r in results if "add_host" in r]
    assert len(added) == 1, results
    host_vars = added[0]["host_vars"]
    import boto3  # pylint: disable=import-outside-toplevel
    ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    (reservation,) = ec2.describe_instances(Filters=[{"Name": "tag:v6vpn:deployment", "Values": ["lab"]},
                                                     {"Name": "instance-state-name", "Values": ["running"]}])["Reservations"]
    instance = reservation["Instances"][0]
    assert added[0]["groups"] == ["openvpn_servers"]
    assert host_vars["ansible_host"] == host_vars["v6vpn_public_ipv4"] == instance["PublicIpAddress"]
    assert host_vars["v6vpn_ipv6_address"] == instance["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
    assert host_vars["v6vpn_ipv6_prefixes"] == []
    new_calls = lab.calls()[calls_before:]
    assert new_calls and set(new_calls) == {"DescribeInstances"}, new_calls


def test_a_failing_phase_names_itself_and_its_log(lab):
    env_timeout = dict(lab.env, LAB_SITE_TIMEOUT="1")
    proc = subprocess.run([str(LAB), "up"], cwd=ROOT, env=env_timeout, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode != 0
    assert re.search(r"lab \[4/6\] site\.yml .* FAILED after", proc.stdout), proc.stdout
    match = re.search(r"lab: phase 4 \(site\.yml\) failed; its full log: (\S+)", proc.stderr)
    assert match and pathlib.Path(match.group(1)).is_file(), proc.stderr
    assert "ansible-playbook exited 124 (timed out after 1s)" in proc.stderr, proc.stderr


def test_a_failing_playbook_run_names_the_task_its_host_and_why(lab):
    """The stand-in is reached with `docker exec -u <remote user>`: a user it lacks fails the
    openvpn play on its first task, after the AWS play converged."""
    env = dict(lab.env, ANSIBLE_REMOTE_USER="v6vpn-no-such-user")
    proc = subprocess.run([str(LAB), "up"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode != 0
    assert re.search(r"lab \[4/6\] site\.yml .* FAILED after", proc.stdout), proc.stdout
    assert re.search(r"^failed task: .+\n  host: +lab-server\n  message: .*v6vpn-no-such-user", proc.stderr, re.M), proc.stderr
    assert "lab: phase 4 (site.yml) failed; its full log: " in proc.stderr
    assert '"plays"' not in proc.stderr, "the JSON result itself is not shown"


def test_down_leaves_nothing_behind(lab):
    pid = int((lab.state / "emulator.pid").read_text())
    proc = lab.run("down", timeout=600)
    assert proc.returncode == 0, explain(proc)
    assert "teardown.yml removed every resource of the deployment" in proc.stdout, proc.stdout
    assert lab.leftovers() == []
    assert not pathlib.Path("/proc/%d" % pid).exists(), "the emulator (pid %d) still runs" % pid
    assert not lab.state.exists()
    # A second down is a no-op.
    again = lab.run("down", timeout=120)
    assert again.returncode == 0 and "is not running" in again.stdout, explain(again)
