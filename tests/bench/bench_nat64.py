"""Benchmark of NAT64 against NAT66 through the openvpn role's IPv6-only tunnel (not a timed test).

    .venv/bin/python -m tests.bench.bench_nat64 [--runs 5] [--seconds 8] [--reverse] [--keep] [--reuse]

Brings the molecule/nat64 topology up with `molecule converge -s nat64` (its own ephemeral
directory, under the scenario's lock /tmp/v6vpn-molecule-nat64.lock, so it never runs beside
`molecule test -s nat64`), connects the real OpenVPN client, then measures in the same run,
interleaved run by run, each figure the median of --runs runs:

- NAT64: iperf3 from the client to the IPv4-only web host at <NAT64 prefix>::<its IPv4> (the tunnel,
  then tayga, a userspace translator: each packet crosses a tun device twice more, then the
  kernel's IPv4 masquerade);
- NAT66: iperf3 from the client to the IPv6-only target (the tunnel, then the kernel's IPv6
  masquerade);

and, for each, the server's CPU seconds per GB moved: utime+stime of the openvpn and tayga
processes from /proc (the kernel's forwarding and NAT run in softirq context and are not
counted). Prints the NAT64/NAT66 ratios. Traffic goes only between the scenario's containers;
every wait is bounded.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pathlib
import sys

from tests.bench.bench_openvpn import cpu_seconds, dexec, iperf, log, median, run, wait_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = "nat64"
LOCK = "/tmp/v6vpn-molecule-nat64.lock"
EPHEMERAL = ROOT / ".cache" / "bench-nat64"
SERVER = "n64-server"
CLIENT = "n64-client"
WEB = "n64-web"
TARGET = "n64-target"
CLIENT_NAME = "dora"
VPN_NAME = "mol-n64"
# The scenario's network-specific NAT64 prefix (its IPv4 hosts are private: RFC 6052 keeps them
# out of 64:ff9b::/96).
WEB_NAT64 = "2001:db8:6b64::172.29.51.40"
TARGET_ADDRESS = "2001:db8:6b99::80"
RESOLVER = "fdd6:5a3b:1194::1"
PATHS = {"nat64": WEB_NAT64, "nat66": TARGET_ADDRESS}


def molecule(action, timeout):
    env = dict(os.environ, MOLECULE_EPHEMERAL_DIRECTORY=str(EPHEMERAL), ANSIBLE_FORCE_COLOR="0", PY_COLORS="0")
    env["PATH"] = "%s:%s" % (ROOT / ".venv" / "bin", env.get("PATH", ""))
    log("molecule %s -s %s" % (action, SCENARIO))
    run([str(ROOT / ".venv" / "bin" / "molecule"), action, "-s", SCENARIO], timeout=timeout, cwd=ROOT, env=env)


def server_pids():
    """The processes that move the tunnel's packets in userspace: openvpn and tayga."""
    openvpn = dexec(SERVER, "systemctl show -p MainPID --value openvpn-server@server").stdout.strip()
    tayga = dexec(SERVER, "pgrep -x tayga").stdout.split()
    if openvpn in ("", "0") or len(tayga) != 1:
        raise RuntimeError("expected one openvpn server and one tayga on %s, got %r and %r" % (SERVER, openvpn, tayga))
    return {"openvpn": openvpn, "tayga": tayga[0]}


def connect_client():
    profile = EPHEMERAL / "profiles" / VPN_NAME / ("%s.ovpn" % CLIENT_NAME)
    run(["docker", "cp", str(profile), "%s:/etc/openvpn/client/%s.conf" % (CLIENT, CLIENT_NAME)])
    dexec(CLIENT, "chmod 600 /etc/openvpn/client/{0}.conf && systemctl restart openvpn-client@{0}".format(CLIENT_NAME))
    wait_for("the tunnel", lambda: dexec(CLIENT, "ping -6 -c1 -W1 %s" % RESOLVER, check=False).returncode == 0, 60)
    for path, address in PATHS.items():
        wait_for("the %s path" % path, lambda a=address: dexec(CLIENT, "ping -6 -c1 -W1 %s" % a, check=False).returncode == 0, 30)


def measure(runs, seconds, reverse):
    pids = server_pids()
    dexec(WEB, "pgrep -x iperf3 >/dev/null || iperf3 -s -4 -D")
    dexec(TARGET, "pgrep -x iperf3 >/dev/null || iperf3 -s -D")
    results = {path: [] for path in PATHS}
    family = "-6 -R" if reverse else "-6"
    try:
        for index in range(runs):
            # Interleaved, so drift on this shared machine hits both alike.
            for path, address in PATHS.items():
                before = {name: cpu_seconds(SERVER, pid) for name, pid in pids.items()}
                mbits, moved = iperf(CLIENT, address, seconds, family)
                gigabytes = moved / 1e9
                cpu = {name: (cpu_seconds(SERVER, pid) - before[name]) / gigabytes for name, pid in pids.items()}
                results[path].append({"mbits": mbits, "cpu_per_gb": cpu})
            log("run %d/%d: NAT64 %.0f Mbit/s, NAT66 %.0f Mbit/s" % (
                index + 1, runs, results["nat64"][-1]["mbits"], results["nat66"][-1]["mbits"]))
    finally:
        for container in (WEB, TARGET):
            dexec(container, "pkill -x iperf3; true", check=False)
    return results


def report(results, args):
    def figure(path, key, process=None):
        return median([r[key] if process is None else r[key][process] for r in results[path]])

    def total(path):
        return median([sum(r["cpu_per_gb"].values()) for r in results[path]])

    direction = "web host/target -> client (iperf3 -R)" if args.reverse else "client -> web host/target"
    lines = [
        "",
        "NAT64 vs NAT66 through the IPv6-only tunnel (medians of %d runs, %d s iperf3 each, %s;" % (args.runs, args.seconds, direction),
        "2-core shared machine; server CPU = utime+stime of openvpn and tayga per GB moved)",
        "  %-52s %9s %13s %11s %11s" % ("path", "Mbit/s", "CPU s/GB all", "openvpn", "tayga"),
    ]
    for path, label in (("nat64", "NAT64 client -> %s (tayga)" % WEB_NAT64), ("nat66", "NAT66 client -> %s" % TARGET_ADDRESS)):
        lines.append("  %-52s %9.0f %13.2f %11.2f %11.2f" % (
            label, figure(path, "mbits"), total(path), figure(path, "cpu_per_gb", "openvpn"), figure(path, "cpu_per_gb", "tayga")))
    lines.append("  NAT64 / NAT66: throughput %.2fx, server CPU per GB %.2fx" % (
        figure("nat64", "mbits") / figure("nat66", "mbits"), total("nat64") / total("nat66")))
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per path (median reported)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each iperf3 run")
    parser.add_argument("--reverse", action="store_true", help="measure downloads (iperf3 -R) instead of uploads")
    parser.add_argument("--keep", action="store_true", help="leave the containers running")
    parser.add_argument("--reuse", action="store_true", help="use the containers a --keep run left (no converge)")
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 20 or not 1 <= args.seconds <= 60:
        parser.error("--runs must be 1-20 and --seconds 1-60")

    EPHEMERAL.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit("%s is held: molecule/nat64 is in use (molecule test -s nat64?)" % LOCK)
        try:
            if not args.reuse:
                molecule("converge", timeout=1200)
            connect_client()
            results = measure(args.runs, args.seconds, args.reverse)
        finally:
            if not args.keep:
                molecule("destroy", timeout=300)
    report(results, args)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
