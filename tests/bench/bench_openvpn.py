"""Benchmark of the openvpn role on the molecule/openvpn Docker topology (not a timed test).

    .venv/bin/python -m tests.bench.bench_openvpn [--runs 5] [--seconds 8] [--keep] [--json FILE]

Brings the topology up with `molecule converge -s openvpn` (its own ephemeral directory; do not
run it while `molecule test -s openvpn` runs: same container names), then measures, each the
median of --runs runs:

- IPv6 iperf3 throughput client -> IPv6-only target through the tunnel of the role's server
  (ovpn-server-nat66, Debian 12, NAT66), and the server OpenVPN process's CPU seconds per GB moved
  (utime+stime from /proc, bytes from iperf3);
- the same through a reference server shaped like the angristan/openvpn-install defaults
  (AES-128-GCM, tls-crypt-v2, otherwise stock), run on the same containers, interleaved run by run;
- the raw paths without the tunnel: client -> server over IPv4 (the underlay the tunnel rides
  on) and server -> target over IPv6 (the upstream);
- the wall-clock time of the whole role (ansible-playbook through the docker connection) issuing
  10, 100 and 250 new clients, and re-running with nothing new (250 clients in place).

Whether the data channel is offloaded to the kernel (DCO) is read from the running server.
Traffic goes only between the scenario's containers; every wait and loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = "openvpn"
EPHEMERAL = ROOT / ".cache" / "bench-openvpn"
SERVER = "ovpn-server-nat66"
CLIENT = "ovpn-client-nat66"
TARGET = "ovpn-target"
PKI_SERVER = "ovpn-server-routed"
TARGET_ADDRESS = "2001:db8:6a99::80"
SERVER_IPV4 = "172.29.41.10"
SERVER_UPSTREAM = "2001:db8:6a00::10"
CLIENT_NAME = "alice"
REF_PORT = 1195
REF_DIR = "/etc/openvpn/bench-ref"
REF_TABLE = "v6vpn_bench_ref"

# The reference server: angristan/openvpn-install's defaults (ECDSA P-256, tls-crypt-v2,
# AES-128-GCM, SHA256, its fd42:42:42:42::/112 NAT66 network), otherwise stock OpenVPN 2.6.
# It borrows the role's CA, server certificate and tls-crypt-v2 server key (so the role's
# profile, whose client key it wraps, connects to both): same handshake cost class.
REF_SERVER_CONF = """\
port {port}
proto udp
dev tun
user nobody
group nogroup
persist-key
persist-tun
keepalive 10 120
topology subnet
server 10.9.0.0 255.255.255.0
server-ipv6 fd42:42:42:42::/112
push "route-ipv6 2000::/3"
dh none
ecdh-curve prime256v1
tls-crypt-v2 /etc/openvpn/server/pki/tls-crypt-v2.key
crl-verify /etc/openvpn/server/crl.pem
ca /etc/openvpn/server/pki/ca.crt
cert /etc/openvpn/server/pki/server.crt
key /etc/openvpn/server/pki/server.key
auth SHA256
cipher AES-128-GCM
data-ciphers AES-128-GCM
tls-server
tls-version-min 1.2
tls-cipher TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
status {dir}/status.log
verb 3
"""
REF_NFT = """\
table inet {table}
delete table inet {table}
table inet {table} {{
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "eth1" ip6 saddr fd42:42:42:42::/112 masquerade
    }}
}}
"""


def log(message):
    print("[bench] %s" % message, file=sys.stderr, flush=True)


def run(cmd, timeout=120, check=True, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (%s):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


def dexec(container, script, timeout=60, check=True):
    return run(["docker", "exec", container, "bash", "-c", script], timeout=timeout, check=check)


def wait_for(what, predicate, timeout, interval=1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError("timed out after %ss waiting for %s" % (timeout, what))


def tool_env():
    env = dict(os.environ)
    env["PATH"] = "%s:%s" % (ROOT / ".venv" / "bin", env.get("PATH", ""))
    env["MOLECULE_EPHEMERAL_DIRECTORY"] = str(EPHEMERAL)
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["PY_COLORS"] = "0"
    return env


def molecule(action, timeout):
    log("molecule %s -s %s" % (action, SCENARIO))
    run([str(ROOT / ".venv" / "bin" / "molecule"), action, "-s", SCENARIO], timeout=timeout, cwd=ROOT, env=tool_env())


# --- throughput ------------------------------------------------------------------------------

def cpu_seconds(container, pid):
    fields = dexec(container, "cat /proc/%s/stat" % pid).stdout.rsplit(")", 1)[1].split()
    ticks = int(dexec(container, "getconf CLK_TCK").stdout)
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def iperf(client, server_address, seconds, family="-6"):
    out = dexec(client, "iperf3 %s -c %s -t %d -J" % (family, server_address, seconds), timeout=seconds + 30).stdout
    data = json.loads(out)
    received = data["end"]["sum_received"]
    return received["bits_per_second"] / 1e6, received["bytes"]


def tunnel_run(seconds, server_pid):
    before = cpu_seconds(SERVER, server_pid)
    mbits, moved = iperf(CLIENT, TARGET_ADDRESS, seconds)
    cpu = cpu_seconds(SERVER, server_pid) - before
    return mbits, cpu / (moved / 1e9)


def role_server_pid():
    return dexec(SERVER, "systemctl show -p MainPID --value openvpn-server@server").stdout.strip()


def start_reference():
    """The reference server on SERVER (port 1195) and its client on CLIENT (pushed routes ignored:
    the bench routes the target's /128 into whichever tunnel it measures)."""
    conf = REF_SERVER_CONF.format(port=REF_PORT, dir=REF_DIR)
    dexec(SERVER, "mkdir -p %s && cat > %s/server.conf <<'EOF'\n%sEOF\ncat > %s/nat.nft <<'EOF'\n%sEOF\nnft -f %s/nat.nft"
          % (REF_DIR, REF_DIR, conf, REF_DIR, REF_NFT.format(table=REF_TABLE), REF_DIR))
    dexec(SERVER, "openvpn --config %s/server.conf --daemon bench-ref --writepid %s/pid --log %s/log" % (REF_DIR, REF_DIR, REF_DIR))
    # The client: the role's profile for alice, pointed at the reference port (UDP only: no TCP
    # fallback line) and cipher.
    dexec(CLIENT, "sed -e 's/^remote \\(.*\\) 1194\\( udp\\)\\?$/remote \\1 %d udp/' -e '/^remote .* tcp$/d'"
          " -e 's/^data-ciphers .*/data-ciphers AES-128-GCM/'"
          " /etc/openvpn/client/%s.conf > /tmp/ref.conf && chmod 600 /tmp/ref.conf" % (REF_PORT, CLIENT_NAME))
    dexec(CLIENT, "openvpn --config /tmp/ref.conf --pull-filter ignore route-ipv6 --dev tun9 --daemon bench-ref-client"
          " --writepid /tmp/ref.pid --log /tmp/ref.log")
    wait_for("the reference tunnel", lambda: dexec(CLIENT, "ip -6 addr show dev tun9 | grep -q fd42:42:42:42::", check=False).returncode == 0, 60)
    return dexec(SERVER, "cat %s/pid" % REF_DIR).stdout.strip()


def stop_reference():
    dexec(CLIENT, "[ -f /tmp/ref.pid ] && kill $(cat /tmp/ref.pid); ip -6 route del %s/128 2>/dev/null; rm -f /tmp/ref.pid" % TARGET_ADDRESS, check=False)
    dexec(SERVER, "[ -f {d}/pid ] && kill $(cat {d}/pid); nft delete table inet {t} 2>/dev/null; rm -rf {d}".format(d=REF_DIR, t=REF_TABLE), check=False)


def measure_throughput(runs, seconds):
    profile = EPHEMERAL / "profiles" / "mol-nat66" / ("%s.ovpn" % CLIENT_NAME)
    run(["docker", "cp", str(profile), "%s:/etc/openvpn/client/%s.conf" % (CLIENT, CLIENT_NAME)])
    dexec(CLIENT, "chmod 600 /etc/openvpn/client/%s.conf && systemctl restart openvpn-client@%s" % (CLIENT_NAME, CLIENT_NAME))
    wait_for("the role's tunnel", lambda: dexec(CLIENT, "ping -6 -c1 -W1 %s" % TARGET_ADDRESS, check=False).returncode == 0, 60)
    log("installing iperf3 on %s for the raw paths" % SERVER)
    dexec(SERVER, "command -v iperf3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iperf3", timeout=300)
    for container in (TARGET, SERVER):
        dexec(container, "pgrep -x iperf3 >/dev/null || iperf3 -s -D")
    stop_reference()
    ref_pid = start_reference()
    role_pid = role_server_pid()
    results = {"role": [], "reference": [], "raw_underlay_ipv4": [], "raw_upstream_ipv6": []}
    try:
        for index in range(runs):
            # Interleaved, so drift on this shared machine hits both alike.
            dexec(CLIENT, "ip -6 route del %s/128 2>/dev/null; true" % TARGET_ADDRESS)
            results["role"].append(tunnel_run(seconds, role_pid))
            dexec(CLIENT, "ip -6 route replace %s/128 dev tun9" % TARGET_ADDRESS)
            before = cpu_seconds(SERVER, ref_pid)
            mbits, moved = iperf(CLIENT, TARGET_ADDRESS, seconds)
            results["reference"].append((mbits, (cpu_seconds(SERVER, ref_pid) - before) / (moved / 1e9)))
            dexec(CLIENT, "ip -6 route del %s/128" % TARGET_ADDRESS)
            results["raw_underlay_ipv4"].append(iperf(CLIENT, SERVER_IPV4, seconds, "-4"))
            results["raw_upstream_ipv6"].append(iperf(SERVER, TARGET_ADDRESS, seconds))
            log("run %d/%d: role %.0f, reference %.0f, underlay %.0f, upstream %.0f Mbit/s" % (
                index + 1, runs, results["role"][-1][0], results["reference"][-1][0],
                results["raw_underlay_ipv4"][-1][0], results["raw_upstream_ipv6"][-1][0]))
    finally:
        stop_reference()
        for container in (TARGET, SERVER):
            dexec(container, "pkill -x iperf3; true", check=False)
    return results


# --- client issuance -------------------------------------------------------------------------

CALIBRATION_PLAYS = {
    "tasks": """\
- name: Calibration, 20 trivial tasks
  hosts: all
  gather_facts: false
  tasks:
    - name: A trivial task
      ansible.builtin.command: "true"
      changed_when: false
      loop: "{{ range(20) | list }}"
""",
    "empty": """\
- name: Calibration, an empty play
  hosts: all
  gather_facts: false
  tasks: []
""",
}


def ansible_env():
    env = tool_env()
    env.update({
        "ANSIBLE_CONFIG": str(EPHEMERAL / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (ROOT / ".cache" / "self", ROOT / ".cache" / "collections"),
        "ANSIBLE_PIPELINING": "True",
    })
    return env


def calibrate():
    """The machine's current cost of one module execution through the docker connection:
    (20 trivial tasks - an empty play) / 20, and the empty play's own time."""
    timings = {}
    for name, text in CALIBRATION_PLAYS.items():
        play = EPHEMERAL / ("calibration-%s.yml" % name)
        play.write_text(text)
        start = time.monotonic()
        run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(EPHEMERAL / "inventory"), "-l", PKI_SERVER, str(play)],
            timeout=300, cwd=ROOT, env=ansible_env())
        timings[name] = time.monotonic() - start
    return (timings["tasks"] - timings["empty"]) / 20, timings["empty"], os.getloadavg()[0]


def role_run(clients):
    """The whole role on PKI_SERVER with these clients, through the docker connection; seconds."""
    env = ansible_env()
    extra = json.dumps({"openvpn_clients": clients})
    start = time.monotonic()
    run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(EPHEMERAL / "inventory"), "-l", PKI_SERVER,
         "-e", extra, str(ROOT / "molecule" / SCENARIO / "converge.yml")], timeout=600, cwd=ROOT, env=env)
    return time.monotonic() - start


def measure_issuance(runs, sizes):
    per_task, startup, load = calibrate()
    log("calibration: %.2f s per trivial task, %.1f s for an empty play, load average %.1f" % (per_task, startup, load))
    results = {"calibration": {"per_task": per_task, "empty_play": startup, "load": load}}
    profiles = EPHEMERAL / "profiles" / "mol-routed"
    for size in sizes:
        names = ["bench-%04d" % i for i in range(size)]
        issue, noop = [], []
        for index in range(runs):
            dexec(PKI_SERVER, "rm -rf /etc/openvpn/server/pki/clients")
            shutil.rmtree(profiles, ignore_errors=True)
            issue.append(role_run(names))
            count = len(list(profiles.glob("*.ovpn")))
            if count != size:
                raise RuntimeError("expected %d profiles after the run, found %d" % (size, count))
            noop.append(role_run(names))
            log("%d clients, run %d/%d: issue %.1f s, no-op re-run %.1f s" % (size, index + 1, runs, issue[-1], noop[-1]))
        results[size] = {"issue": issue, "noop": noop}
    return results


DCO_PROBE = """\
import socket, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect('/run/openvpn-server/server.sock')
s.sendall(b'status 3\\n')
data, deadline = b'', time.monotonic() + 10
while b'\\nEND' not in data and time.monotonic() < deadline:
    data += s.recv(65536)
s.sendall(b'quit\\n')
print(data.decode())
"""


def dco_state():
    """Whether the running server offloads the data channel (GLOBAL_STATS dco_enabled), or None."""
    out = dexec(SERVER, "python3 - <<'EOF'\n%sEOF" % DCO_PROBE).stdout
    for line in out.splitlines():
        fields = line.strip().split("\t")
        if fields[:2] == ["GLOBAL_STATS", "dco_enabled"]:
            return fields[2] == "1"
    return None


def median(values):
    return statistics.median(values) if values else float("nan")


def report(throughput, issuance, dco, args):
    lines = ["", "openvpn role benchmark (medians of %d runs, %d s iperf3 each; 2-core shared machine)" % (args.runs, args.seconds)]
    if throughput:
        role_mbit = median([m for m, dummy in throughput["role"]])
        ref_mbit = median([m for m, dummy in throughput["reference"]])
        role_cpu = median([c for dummy, c in throughput["role"]])
        ref_cpu = median([c for dummy, c in throughput["reference"]])
        lines += [
            "  DCO (read from the running server): %s" % {True: "in use", False: "not in use (userspace data channel)", None: "unknown"}[dco],
            "  %-52s %9s %12s" % ("path", "Mbit/s", "CPU s/GB"),
            "  %-52s %9.0f %12.2f" % ("tunnel, role (AES-256-GCM negotiated, NAT66)", role_mbit, role_cpu),
            "  %-52s %9.0f %12.2f" % ("tunnel, reference (angristan-like, AES-128-GCM)", ref_mbit, ref_cpu),
            "  %-52s %9.0f %12s" % ("raw underlay client -> server, IPv4", median([m for m, d in throughput["raw_underlay_ipv4"]]), "-"),
            "  %-52s %9.0f %12s" % ("raw upstream server -> target, IPv6", median([m for m, d in throughput["raw_upstream_ipv6"]]), "-"),
            "  role / reference: throughput %.2fx (target >= 0.95x), CPU per GB %.2fx (target <= 1.0x)" % (
                role_mbit / ref_mbit, role_cpu / ref_cpu),
        ]
    if issuance:
        lines.append("  %-52s %9s %12s" % ("role run (docker connection, pipelining)", "issue s", "no-op s"))
        for size, times in sorted((k, v) for k, v in issuance.items() if k != "calibration"):
            lines.append("  %-52s %9.1f %12.1f" % ("%d new clients" % size, median(times["issue"]), median(times["noop"])))
        lines.append("  machine at the time: %.2f s per trivial task, %.1f s for an empty play, load average %.1f" % (
            issuance["calibration"]["per_task"], issuance["calibration"]["empty_play"], issuance["calibration"]["load"]))
        if 250 in issuance:
            lines.append("  targets: 250 clients <= 60 s (%s), no-op re-run <= 10 s (%s)" % (
                "met" if median(issuance[250]["issue"]) <= 60 else "MISSED", "met" if median(issuance[250]["noop"]) <= 10 else "MISSED"))
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per figure (median reported)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each iperf3 run")
    parser.add_argument("--sizes", default="10,100,250", help="client counts to issue")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-issuance", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the containers running")
    parser.add_argument("--reuse", action="store_true", help="use the containers a --keep run left (no converge)")
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 20 or not 1 <= args.seconds <= 60:
        parser.error("--runs must be 1-20 and --seconds 1-60")
    sizes = [int(size) for size in args.sizes.split(",")]
    if any(not 1 <= size <= 1000 for size in sizes):
        parser.error("--sizes: each from 1 to 1000")

    EPHEMERAL.mkdir(parents=True, exist_ok=True)
    throughput, issuance = {}, {}
    try:
        if not args.reuse:
            molecule("converge", timeout=1200)
        dco = dco_state()
        if not args.skip_throughput:
            throughput = measure_throughput(args.runs, args.seconds)
        if not args.skip_issuance:
            issuance = measure_issuance(args.runs, sizes)
    finally:
        if not args.keep:
            molecule("destroy", timeout=300)
    report(throughput, issuance, dco, args)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"throughput": throughput, "issuance": issuance, "dco": dco}, indent=1))


if __name__ == "__main__":
    main()
