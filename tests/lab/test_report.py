"""The lab's reports (lab/playbook.py, lab/proof.py, lab/resources.py, lab/report.py), without Docker.

The samples are recorded from real lab runs: site.yml's JSON result (first run, converged re-run,
a module that failed on localhost, a bad setting that failed on the stand-in), trimmed by
tests/lab/trim_sample.py; what resources.describe() returned after site.yml; and what the proof's
commands printed in the client and target containers (tests/lab/samples/proof/; in the IPv6-only
mode, LAB_IPV6_ONLY=1, tests/lab/samples/proof-ipv6-only/, the files scripts/lab.sh writes, recorded
with LAB_NET=9 and its addresses rewritten to LAB_NET 1's like the other samples).
"""

from __future__ import annotations

import copy
import json
import pathlib

import pytest

from lab import playbook, proof, report, resources

SAMPLES = pathlib.Path(__file__).resolve().parent / "samples"
SUMMARY = "Show how to connect and how to tear down"


def sample(name):
    return playbook.load(SAMPLES / name)


def proof_output(name):
    return (SAMPLES / "proof" / name).read_text()


def task_results(run, name):
    return [(host, result) for task, host, result, _seconds in playbook.results(run) if task == name]


# --- playbook.py: ansible-playbook's JSON result -------------------------------------------------

def test_load_returns_none_without_a_json_result(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("")
    other = tmp_path / "other.json"
    other.write_text('{"plays": []}')
    assert playbook.load(tmp_path / "missing.json") is None
    assert playbook.load(empty) is None
    assert playbook.load(other) is None, "a document without stats is not a run's result"
    assert playbook.load(SAMPLES / "site-first.json") is not None


def test_changed_count_sums_the_recap_over_hosts():
    first = sample("site-first.json")
    assert first["stats"]["lab-server"]["changed"] == 21 and first["stats"]["localhost"]["changed"] == 8
    assert playbook.changed_count(first) == 29
    assert playbook.changed_count(sample("site-rerun.json")) == 0


def test_status_of_a_task_on_first_run_and_rerun():
    vpc = "v6vpn.aws.network : Create the VPC with an Amazon-provided IPv6 /56"
    [(host, result)] = task_results(sample("site-first.json"), vpc)
    assert host == "localhost" and playbook.status(result) == "changed"
    [(host, result)] = task_results(sample("site-rerun.json"), vpc)
    assert playbook.status(result) == "skipped"


def test_account_has_a_line_per_host_result_and_the_recap():
    run = sample("site-first.json")
    lines = playbook.account(run)
    results = list(playbook.results(run))
    assert len(lines) == len(results) + 1 + len(run["stats"])
    assert lines[-3] == "recap:"
    assert lines[-2].split() == ["lab-server", "changed=21", "failures=0", "ignored=0", "ok=34", "rescued=0",
                                 "skipped=7", "unreachable=0"]
    assert any(line.split()[:2] == ["changed", "lab-server"] and line.endswith("Configure the OpenVPN server")
               for line in lines), lines


def test_duration_in_seconds_or_zero_when_unfinished():
    assert playbook.duration({"start": "2026-12-03T08:02:10.000000Z", "end": "2026-12-03T08:02:11.500000Z"}) == 1.5
    assert playbook.duration({"start": "2026-12-03T08:02:10.000000Z"}) == 0.0
    assert all(seconds >= 0 for _task, _host, _result, seconds in playbook.results(sample("site-first.json")))


def test_failures_name_the_task_host_and_message_of_a_failed_module():
    [(task, host, text)] = playbook.failures(sample("site-failed-module.json"))
    assert task == "v6vpn.aws.network : Create the Egress-Only Internet Gateway"
    assert host == "localhost"
    assert "cannot import name 'validate'" in text


def test_failures_on_the_stand_in_while_localhost_went_on():
    run = sample("site-failed-server.json")
    assert playbook.stopped_hosts(run) == ["lab-server"]
    [(task, host, text)] = playbook.failures(run)
    assert (task, host) == ("v6vpn.aws.openvpn : Check the settings", "lab-server")
    assert "'bad name!' is not a valid client name" in text


def test_a_failure_that_did_not_stop_the_run_is_not_reported():
    """An ignored or rescued failure leaves failed: true in its result but not in the recap."""
    run = copy.deepcopy(sample("site-first.json"))
    _host, result = task_results(run, "v6vpn.aws.network : Attach an Internet Gateway")[0]
    result.update(failed=True, msg="ignored")
    assert playbook.failures(run) == []
    assert playbook.problem(run, 0) == []


def test_message_of_a_loop_names_its_failed_items_and_a_command_its_stderr():
    loop = {"failed": True, "msg": "One or more items failed", "results": [
        {"item": "laptop", "changed": True},
        {"item": "bad name!", "failed": True, "msg": "not a valid client name"},
        {"_ansible_item_label": "phone", "failed": True, "msg": "non-zero return code", "stderr": "openssl: error"},
    ]}
    assert playbook.message(loop) == ("item bad name!: not a valid client name; "
                                      "item phone: non-zero return code\nopenssl: error")
    assert playbook.message({"failed": True}) == "(no message)"
    long = playbook.message({"failed": True, "msg": "x" * 5000})
    assert len(long) < 2100 and long.endswith(" [...]")


def test_problem_lines_for_a_failed_run():
    lines = playbook.problem(sample("site-failed-server.json"), 2)
    assert lines[0] == "failed task: v6vpn.aws.openvpn : Check the settings"
    assert lines[1] == "  host:    lab-server"
    assert lines[2].startswith("  message: Task failed:") and "'bad name!'" in lines[2]


def test_problem_lines_without_a_json_result_or_a_failed_task():
    assert playbook.problem(sample("site-first.json"), 0) == []
    assert playbook.problem(None, 124, 1) == [
        "ansible-playbook exited 124 (timed out after 1s) and printed no JSON result; its errors are above in the log"]
    assert "exited 1 and printed no JSON" in playbook.problem(None, 1, 1200)[0]
    assert "exited 4, yet no task failed" in playbook.problem(sample("site-first.json"), 4)[0]


def test_debug_lines_find_the_summary_by_task_name_wherever_it_runs():
    first = sample("site-first.json")
    lines = playbook.debug_lines(first, SUMMARY)
    assert len(lines) == 7 and lines[0] == "VPN endpoint: 54.214.136.16 port 1194/udp", lines
    assert lines[-1].startswith("Tear down: ansible-playbook ") and "teardown.yml -e vpn_name=lab" in lines[-1]
    # Moved into a role's entry point, the task is "<role> : <name>".
    in_role = copy.deepcopy(first)
    for play in in_role["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == SUMMARY:
                task["task"]["name"] = "v6vpn.aws.openvpn : " + SUMMARY
    assert playbook.debug_lines(in_role, SUMMARY) == lines
    assert playbook.debug_lines(sample("site-failed-module.json"), SUMMARY) is None
    assert playbook.debug_lines(first, "how to connect") is None, "a part of a name is not the name"


# --- proof.py: what the client and target printed ------------------------------------------------

CONTEXT = {"client": "v6vpn-lab-client", "profile": "lab/state/clients/laptop.ovpn", "target": "2001:db8:1ab:1::80",
           "server_upstream_ipv6": "2001:db8:1ab:1::10", "server_public_ipv4": "198.18.1.10", "site_changed": 0}


def outputs(**changes):
    recorded = {"tun4": proof_output("tun4.txt"), "tun6": proof_output("tun6.txt"), "route": proof_output("route.txt"),
                "ping": proof_output("ping.txt"), "body": proof_output("http.txt")}
    return dict(recorded, **changes)


def test_record_from_the_recorded_outputs():
    record = proof.record(CONTEXT, outputs())
    assert record["tunnel_ipv4"] == "10.8.0.2/24"
    assert record["tunnel_ipv6"] == "fdd6:5a3b:1194::1000/64"
    assert record["route"] == "2001:db8:1ab:1::80 from :: dev tun0 src fdd6:5a3b:1194::1000 metric 1024 pref medium"
    assert (record["ping_sent"], record["ping_received"]) == (3, 3)
    assert record["http_body"] == "hello from the IPv6-only target; you came from 2001:db8:1ab:1::10"
    assert record["source_seen"] == "2001:db8:1ab:1::10"
    assert record["site_changed"] == 0 and record["client"] == "v6vpn-lab-client"


def test_the_recorded_proof_holds():
    assert proof.problems(proof.record(CONTEXT, outputs()), proof_output("target.log")) == []


def test_lost_pings_fail_the_proof():
    record = proof.record(CONTEXT, outputs(ping=proof_output("ping-lost.txt")))
    assert (record["ping_sent"], record["ping_received"]) == (3, 0)
    assert proof.problems(record, proof_output("target.log")) == ["ping6 to 2001:db8:1ab:1::80: 0/3 replies"]


def test_a_route_around_the_tunnel_fails_the_proof():
    route = proof_output("route.txt").replace("dev tun0", "dev eth0")
    [problem] = proof.problems(proof.record(CONTEXT, outputs(route=route)), proof_output("target.log"))
    assert problem.startswith("the route to 2001:db8:1ab:1::80 does not use tun0")


def test_the_target_must_have_logged_the_source_it_answered():
    record = proof.record(CONTEXT, outputs())
    assert proof.problems(record, "2001:db8:1ab:1::99 \"GET / HTTP/1.1\" 200 -\n") == [
        "the target did not log a request from 2001:db8:1ab:1::10"]
    assert proof.logged_by_target(proof_output("target.log"), "2001:db8:1ab:1::10")
    assert not proof.logged_by_target(proof_output("target.log"), "2001:db8:1ab:1::1")


def test_every_shortfall_at_once_when_the_commands_printed_nothing():
    record = proof.record(CONTEXT, {"tun4": "", "tun6": "", "route": "", "ping": "connect: Network is unreachable", "body": ""})
    assert proof.problems(record, "") == [
        "the client has no global IPv6 address on tun0",
        "the route to 2001:db8:1ab:1::80 does not use tun0: ",
        "ping6 to 2001:db8:1ab:1::80: 0/0 replies",
        "the target's answer names no source address: ''",
    ]


def test_render_says_how_the_target_saw_the_client():
    record = proof.record(CONTEXT, outputs())
    assert proof.render(record) == [
        "Proof, from the client container v6vpn-lab-client (IPv4-only network, profile lab/state/clients/laptop.ovpn):",
        "  tunnel addresses   10.8.0.2/24 and fdd6:5a3b:1194::1000/64 on tun0",
        "  route to target    dev tun0, source fdd6:5a3b:1194::1000",
        "  ping6 target       3/3 replies from 2001:db8:1ab:1::80",
        "  HTTP GET           http://[2001:db8:1ab:1::80]/ -> hello from the IPv6-only target; you came from 2001:db8:1ab:1::10",
        "  target saw source  2001:db8:1ab:1::10 (the server's upstream address: NAT66 masquerade)",
    ]
    routed = dict(record, source_seen="fdd6:5a3b:1194::1000")
    assert proof.render(routed)[-1].endswith("(the client's own tunnel address: routed, no NAT)")


# --- resources.py: what the emulator holds -------------------------------------------------------

def found_sample():
    return json.loads((SAMPLES / "resources.json").read_text())


def test_listing_of_a_deployment():
    lines = resources.listing(found_sample())
    assert lines[0] == "VPC vpc-d5d2e243971a8033f lab-vpc: 10.64.0.0/16, IPv6 2400:6500:567c:c800::/56"
    assert lines[1] == ("subnet subnet-c951ffb7cf5ace50a lab-subnet: 10.64.1.0/24, IPv6 2400:6500:567c:c800::/64 in "
                        "us-east-1a (auto-assign IPv6 on, public IPv4 on)")
    assert "egress-only internet gateway eigw-997e3d2ff2646b399 lab-eigw, attached to vpc-d5d2e243971a8033f" in lines
    table = lines.index("main route table rtb-e7ca4d959b1a769fc:")
    assert lines[table + 1:table + 5] == [
        "  10.64.0.0/16                 -> local (active)",
        "  2400:6500:567c:c800::/56     -> local (active)",
        "  0.0.0.0/0                    -> igw-ac44cafa964b708dd (active)",
        "  ::/0                         -> eigw-997e3d2ff2646b399 (active)",
    ]
    group = lines.index("security group sg-f5da7e5b98e24862c lab-sg:")
    assert lines[group + 1:group + 8] == [
        "  in  icmp type 3 from 0.0.0.0/0", "  in  icmp type 8 from 0.0.0.0/0", "  in  icmpv6 type 128 from ::/0",
        "  in  icmpv6 type 2 from ::/0", "  in  tcp/22 from 198.18.0.0/15", "  in  udp/1194 from 0.0.0.0/0",
        "  out all from 0.0.0.0/0, ::/0",
    ]
    assert lines[-2].startswith("instance i-3698ca435afbebac0 lab-server: t3.micro running, public IPv4 54.214.61.227")
    assert lines[-1] == "key pair lab-key"
    assert len(lines) == 19


def test_permission_text_of_port_ranges_and_prefixes():
    assert resources.permission_text({"IpProtocol": "tcp", "FromPort": 1000, "ToPort": 2000,
                                      "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]}) == "tcp/1000-2000 from 2001:db8::/32"
    assert resources.permission_text({"IpProtocol": "-1"}) == "all from -"


def test_leftovers_ignore_the_main_route_table():
    found = found_sample()
    assert resources.leftovers(found) == ["egress_only_gateways", "instances", "internet_gateways", "key_pairs",
                                          "security_groups", "subnets", "vpcs"]
    nothing = {kind: [] for kind in found}
    assert resources.leftovers(nothing) == []
    assert resources.leftovers(dict(nothing, main_route_tables=found["main_route_tables"])) == []
    assert resources.leftovers(dict(nothing, addresses=[{"PublicIp": "54.0.0.1"}])) == ["addresses"]


# --- report.py: what lab.sh runs -----------------------------------------------------------------

def test_summary_lines_of_site_yml():
    lines = report.summary_lines(sample("site-first.json"), "http://127.0.0.1:5000", "198.18.1.10")
    assert lines[0] == "site.yml summary (its AWS side ran against the emulator at http://127.0.0.1:5000):"
    assert lines[1] == "  VPN endpoint: 54.214.136.16 port 1194/udp"
    assert lines[-1] == "  (in the lab, clients connect to the stand-in container at 198.18.1.10 instead: lab/inventory.yml)"
    assert len(lines) == 9
    # A summary that already gives the stand-in's address as the endpoint needs no such note.
    endpoint_is_stand_in = copy.deepcopy(sample("site-first.json"))
    for _host, result in task_results(endpoint_is_stand_in, SUMMARY):
        result["msg"][0] = "VPN endpoint: 198.18.1.10 port 1194/udp"
    lines = report.summary_lines(endpoint_is_stand_in, "http://127.0.0.1:5000", "198.18.1.10")
    assert lines[1] == "  VPN endpoint: 198.18.1.10 port 1194/udp" and len(lines) == 8
    assert not any("stand-in container" in line for line in lines)
    assert report.summary_lines(None, "http://127.0.0.1:5000", "198.18.1.10") is None
    assert report.summary_lines(sample("site-failed-module.json"), "http://127.0.0.1:5000", "198.18.1.10") is None


def test_cli_playbook_writes_the_failing_task_for_the_lab_to_show(tmp_path, capsys):
    problem = tmp_path / "problem"
    assert report.main(["playbook", str(SAMPLES / "site-failed-module.json"), "--returncode", "2",
                        "--problem", str(problem)]) == 1
    assert problem.read_text().splitlines()[:2] == [
        "failed task: v6vpn.aws.network : Create the Egress-Only Internet Gateway", "  host:    localhost"]
    out = capsys.readouterr().out
    assert "failed      localhost" in out and out.rstrip().endswith(problem.read_text().rstrip())


def test_cli_playbook_without_json_leaves_the_log_to_speak(tmp_path, capsys):
    problem = tmp_path / "problem"
    assert report.main(["playbook", str(tmp_path / "none.json"), "--returncode", "124", "--timeout", "1",
                        "--problem", str(problem)]) == 1
    assert not problem.exists(), "ansible's own error is in the log: the lab shows its end instead"
    assert "timed out after 1s" in capsys.readouterr().out


def test_cli_playbook_and_changed_for_a_good_run(tmp_path, capsys):
    problem = tmp_path / "problem"
    assert report.main(["playbook", str(SAMPLES / "site-rerun.json"), "--returncode", "0", "--problem", str(problem)]) == 0
    assert not problem.exists()
    capsys.readouterr()
    assert report.main(["changed", str(SAMPLES / "site-first.json")]) == 0
    assert capsys.readouterr().out == "29\n"
    assert report.main(["changed", str(tmp_path / "none.json")]) == 1


def test_cli_status_prints_what_status_yml_printed(tmp_path, capsys):
    lines = ["Connected: 1 (OpenVPN 2.6.14)", "  phone  via server-tcp  from 198.18.1.2:44186  tunnel 10.8.0.130", "Issued: 1"]
    run = tmp_path / "status.json"
    run.write_text(json.dumps({"plays": [{"tasks": [{"task": {"name": "v6vpn.aws.openvpn : Print the status"},
                                                     "hosts": {"lab-server": {"msg": lines}}}]}],
                               "stats": {"lab-server": {"changed": 0}}}))
    assert report.main(["status", str(run)]) == 0
    assert capsys.readouterr().out.splitlines() == ["playbooks/status.yml on the stand-in:"] + ["  " + line for line in lines]
    assert report.main(["status", str(SAMPLES / "site-rerun.json")]) == 1
    assert "no status to show" in capsys.readouterr().err
    assert report.main(["status", str(tmp_path / "none.json")]) == 1


def proof_args(tmp_path, **changes):
    values = {"--out": str(tmp_path / "proof.json"), "--problem": str(tmp_path / "problem"),
              "--site": str(SAMPLES / "site-rerun.json"), "--client": CONTEXT["client"], "--profile": CONTEXT["profile"],
              "--target": CONTEXT["target"], "--server-v6": CONTEXT["server_upstream_ipv6"],
              "--server-v4": CONTEXT["server_public_ipv4"], "--tun4": proof_output("tun4.txt"),
              "--tun6": proof_output("tun6.txt"), "--route": proof_output("route.txt"),
              "--ping": proof_output("ping.txt"), "--body": proof_output("http.txt"),
              "--target-log": proof_output("target.log")}
    values.update(changes)
    return ["proof"] + [part for option, value in values.items() for part in (option, value)]


def test_cli_proof_writes_proof_json(tmp_path, capsys):
    assert report.main(proof_args(tmp_path)) == 0
    written = json.loads((tmp_path / "proof.json").read_text())
    assert written == proof.record(CONTEXT, outputs())
    assert not (tmp_path / "problem").exists()
    capsys.readouterr()
    assert report.main(["show-proof", str(tmp_path / "proof.json")]) == 0
    assert capsys.readouterr().out.splitlines() == proof.render(written)


def test_cli_proof_fails_and_says_why(tmp_path):
    assert report.main(proof_args(tmp_path, **{"--ping": proof_output("ping-lost.txt")})) == 1
    assert (tmp_path / "problem").read_text() == "ping6 to 2001:db8:1ab:1::80: 0/3 replies\n"
    assert json.loads((tmp_path / "proof.json").read_text())["ping_received"] == 0


@pytest.mark.parametrize("command", ["playbook", "changed", "summary", "proof", "show-proof", "leftovers"])
def test_cli_commands_need_their_arguments(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        report.main([command])
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


# --- proof.py, the IPv6-only mode: outputs recorded in tests/lab/samples/proof-ipv6-only/ ------

SIX_DIR = SAMPLES / "proof-ipv6-only"
SIX_CONTEXT = dict(CONTEXT, target4="198.18.1.80", domain="lab.example")
PUBLISHED = {"ipv6_only": True, "nat64_prefix": "fdd6:5a3b:1194:64::/96", "dns64_resolver": "fdd6:5a3b:1194::1",
             "ipv6_mode": "nat66"}


def six_proof(published=None, **changes):
    """proof.json of the recorded IPv6-only run, with some outputs replaced; and the outputs."""
    six_outputs = dict(proof.read_outputs(SIX_DIR), **changes)
    record = proof.record(CONTEXT, outputs())
    record["ipv6_only"] = proof.ipv6_only_record(SIX_CONTEXT, six_outputs, PUBLISHED if published is None else published)
    return record, six_outputs


def six_problems(published=None, **changes):
    record, six_outputs = six_proof(published, **changes)
    return proof.ipv6_only_problems(record, six_outputs)


def test_read_outputs_reads_every_file_and_leaves_missing_ones_empty(tmp_path):
    recorded = proof.read_outputs(SIX_DIR)
    assert set(recorded) == set(proof.IPV6_ONLY_OUTPUTS)
    assert all(recorded[name] for name in proof.IPV6_ONLY_OUTPUTS), "every sample file has content"
    (tmp_path / "route4.txt").write_text("198.18.1.80 dev tun0\n")
    partial = proof.read_outputs(tmp_path)
    assert partial["route4"] == "198.18.1.80 dev tun0\n" and partial["pushed"] == ""


def test_parsers_of_getent_curl_bash_and_the_pushed_options():
    recorded = proof.read_outputs(SIX_DIR)
    assert proof.ahosts_addresses(recorded["ahosts-ipv4-only"]) == ["fdd6:5a3b:1194:64::c612:150", "198.18.1.80"]
    assert proof.ahosts_addresses(recorded["ahosts-dual-stack"]) == ["198.18.1.80", "2001:db8:1ab:1::80"]
    assert proof.ahosts_addresses("") == []
    assert proof.http_result(recorded["http-ipv4-only"]) == (
        "hello from the IPv4-only web host; you came from 198.18.1.10", "fdd6:5a3b:1194:64::c612:150")
    # curl's own failure: no body, no address.
    failed = "curl: (7) Failed to connect to ipv4-only.lab.example port 80 after 3 ms: Couldn't connect to server\n\nremote \n"
    assert proof.http_result(failed) == ("", "")
    assert proof.http_result("curl: (6) Could not resolve host: x.lab.example\n") == ("", "")
    assert proof.connect_result(recorded["connect-ipv4"]) == {
        "exit": 1, "ms": 14, "kind": "ENETUNREACH",
        "error": "bash: connect: Network is unreachable bash: line 1: /dev/tcp/198.18.1.80/80: Network is unreachable"}
    assert proof.connect_result("exit 0 after 16 ms\n")["kind"] == "connected"
    assert proof.connect_result("exit 124 after 5003 ms\n")["kind"] == "timeout"
    assert proof.connect_result("bash: connect: Connection refused\nexit 1 after 20 ms\n")["kind"] == "ECONNREFUSED"
    assert proof.connect_result("Error: No such container: x\n") == {
        "exit": None, "ms": None, "error": "Error: No such container: x", "kind": "unknown"}
    assert proof.pushed_resolvers(recorded["pushed"]) == ["fdd6:5a3b:1194::1"]
    assert proof.pushed_resolvers("dhcp-option DNS 10.0.0.2\ndns server 0 address fd00::1\ndhcp-option DNS6 fd00::1\n"
                                  "dhcp-option DOMAIN lab.example\n") == ["10.0.0.2", "fd00::1"]


@pytest.mark.parametrize("prefix, address, ipv4", [
    ("fdd6:5a3b:1194:64::/96", "fdd6:5a3b:1194:64::c612:150", "198.18.1.80"),
    ("64:ff9b::/96", "64:ff9b::c612:150", "198.18.1.80"),
    ("64:ff9b::/96", "64:ff9b::192.0.2.33", "192.0.2.33"),
    # RFC 6052 section 2.4's examples: 192.0.2.33 under each prefix length.
    ("2001:db8::/32", "2001:db8:c000:221::", "192.0.2.33"),
    ("2001:db8:100::/40", "2001:db8:1c0:2:21::", "192.0.2.33"),
    ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::", "192.0.2.33"),
    ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::", "192.0.2.33"),
    ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0", "192.0.2.33"),
    ("2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33", "192.0.2.33"),
    ("64:ff9b::/96", "2001:db8:1ab:1::80", ""),
    ("64:ff9b::/96", "198.18.1.80", ""),
    ("", "fdd6:5a3b:1194:64::c612:150", ""),
])
def test_embedded_ipv4_follows_rfc_6052(prefix, address, ipv4):
    assert proof.embedded_ipv4(address, prefix) == ipv4


def test_the_recorded_ipv6_only_proof_holds():
    record, six_outputs = six_proof()
    six = record["ipv6_only"]
    assert six["names"] == {"ipv4_only": "ipv4-only.lab.example", "ipv6_only": "ipv6-only.lab.example",
                            "dual_stack": "dual-stack.lab.example"}
    assert six["http"]["ipv4_only"]["source_seen"] == "198.18.1.10"
    assert six["http"]["ipv6_only"]["remote"] == "2001:db8:1ab:1::80"
    assert six["resolv_nameservers"] == ["fdd6:5a3b:1194::1"]
    assert proof.ipv6_only_problems(record, six_outputs) == []


def test_an_ipv4_path_fails_the_ipv6_only_proof():
    around = six_problems(**{"route4": "198.18.1.80 dev eth0 src 198.18.1.20 uid 0 \n    cache \n",
                             "connect-ipv4": "exit 0 after 16 ms\n"})
    assert around == [
        "IPv4 goes around the tunnel: the client's route to 198.18.1.80 is '198.18.1.80 dev eth0 src 198.18.1.20 uid 0 \\n    cache'",
        "an IPv4-literal connect to 198.18.1.80 port 80 succeeded after 16 ms: the client still has an IPv4 path"]
    # No route at all on the client is no path either.
    assert six_problems(route4="RTNETLINK answers: Network is unreachable\n") == []


@pytest.mark.parametrize("connect, problem", [
    ("exit 124 after 5004 ms\n", "timed out after 5004 ms instead of failing at once (unreachable)"),
    ("bash: connect: Connection refused\nexit 1 after 3 ms\n",
     "failed with ECONNREFUSED (bash: connect: Connection refused), not unreachable (EHOSTUNREACH or ENETUNREACH)"),
    ("bash: connect: No route to host\nexit 1 after 3076 ms\n", "failed (EHOSTUNREACH) only after 3076 ms, not at once (within 2000 ms)"),
    ("", "failed with unknown (no error printed), not unreachable (EHOSTUNREACH or ENETUNREACH)"),
])
def test_an_ipv4_literal_connect_must_fail_at_once_as_unreachable(connect, problem):
    assert six_problems(**{"connect-ipv4": connect}) == ["an IPv4-literal connect to 198.18.1.80 port 80 " + problem]
    assert six_problems(**{"connect-ipv4": "bash: connect: No route to host\nexit 1 after 4 ms\n"}) == []


def test_the_dns64_resolver_must_be_the_only_one_pushed():
    assert six_problems(pushed="dhcp-option DNS6 fdd6:5a3b:1194::1\ndhcp-option DNS 10.8.0.1\n") == [
        "the server pushed the resolvers ['fdd6:5a3b:1194::1', '10.8.0.1'], not only its DNS64 resolver fdd6:5a3b:1194::1"]
    assert six_problems(pushed="") == [
        "the server pushed the resolvers none, not only its DNS64 resolver fdd6:5a3b:1194::1"]


def test_dns64_must_synthesize_for_the_a_only_name_and_only_for_it():
    assert six_problems(**{"ahosts-ipv4-only": "198.18.1.80     STREAM ipv4-only.lab.example\n"}) == [
        "getent ahosts ipv4-only.lab.example gave no address in the NAT64 prefix fdd6:5a3b:1194:64::/96: ['198.18.1.80']"]
    assert six_problems(**{"ahosts-ipv4-only": "fdd6:5a3b:1194:64::c612:151 STREAM ipv4-only.lab.example\n"}) == [
        "getent ahosts ipv4-only.lab.example gave fdd6:5a3b:1194:64::c612:151, which embeds 198.18.1.81, not 198.18.1.80"]
    replaced = "fdd6:5a3b:1194:64::c612:150 STREAM dual-stack.lab.example\n198.18.1.80     STREAM \n"
    assert six_problems(**{"ahosts-dual-stack": replaced}) == [
        "getent ahosts dual-stack.lab.example did not give its AAAA 2001:db8:1ab:1::80: ['fdd6:5a3b:1194:64::c612:150', '198.18.1.80']",
        "getent ahosts dual-stack.lab.example gave a synthesized address though the name has an AAAA: "
        "['fdd6:5a3b:1194:64::c612:150', '198.18.1.80']"]


def test_http_by_name_must_reach_the_ipv4_host_through_nat64_and_the_ipv6_target_natively():
    failed = "curl: (6) Could not resolve host: ipv4-only.lab.example\n\nremote \n"
    assert six_problems(**{"http-ipv4-only": failed}) == [
        "HTTP GET http://ipv4-only.lab.example/ failed: curl: (6) Could not resolve host: ipv4-only.lab.example\n\nremote"]
    direct = "hello from the IPv4-only web host; you came from 198.18.1.20\n\nremote 198.18.1.80\n"
    assert six_problems(**{"http-ipv4-only": direct}) == [
        "HTTP GET http://ipv4-only.lab.example/ connected to 198.18.1.80, not to an address in the NAT64 prefix fdd6:5a3b:1194:64::/96",
        "the IPv4-only host saw 198.18.1.20, not the server's IPv4 198.18.1.10"]
    assert six_problems(**{"target4-log": "198.18.1.99 \"GET / HTTP/1.1\" 200 -\n"}) == [
        "the IPv4-only host did not log a request from 198.18.1.10"]
    translated = "hello from the IPv6-only target; you came from 2001:db8:1ab:1::10\n\nremote fdd6:5a3b:1194:64::c612:150\n"
    assert six_problems(**{"http-ipv6-only": translated}) == [
        "HTTP GET http://ipv6-only.lab.example/ connected to fdd6:5a3b:1194:64::c612:150, not natively to 2001:db8:1ab:1::80"]


def test_the_ipv6_only_proof_needs_what_site_yml_published():
    problems = six_problems(published={})
    assert problems[0] == ("site.yml did not publish v6vpn_openvpn.ipv6_only: true (published: "
                           "{'ipv6_only': None, 'nat64_prefix': None, 'dns64_resolver': None})")
    assert "the server pushed the resolvers ['fdd6:5a3b:1194::1'], not only its DNS64 resolver (none published)" in problems
    assert "getent ahosts ipv4-only.lab.example gave no address in the NAT64 prefix (none published): " \
           "['fdd6:5a3b:1194:64::c612:150', '198.18.1.80']" in problems


def test_render_of_the_ipv6_only_proof():
    record, _outputs = six_proof()
    record["tunnel_ipv4"] = ""
    lines = proof.render(record)
    assert lines[1] == "  tunnel addresses   fdd6:5a3b:1194::1000/64 (no IPv4) on tun0"
    six = lines[6:]
    assert six[0] == "IPv6-only mode (lab/ipv6-only.yml), NAT64 prefix fdd6:5a3b:1194:64::/96, DNS64 resolver fdd6:5a3b:1194::1:"
    assert "RFC 6052" in six[1] and "openvpn_nat64_nonglobal_ipv4: true" in six[2]
    assert six[5] == ("  IPv4 to 198.18.1.80  route dev tun0; connect ENETUNREACH after 14 ms (bash: connect: Network is "
                      "unreachable bash: line 1: /dev/tcp/198.18.1.80/80: Network is unreachable)")
    assert six[7] == "  getent ahosts      ipv4-only.lab.example -> fdd6:5a3b:1194:64::c612:150, 198.18.1.80"
    assert six[10] == ("  HTTP GET by name   http://ipv4-only.lab.example/ via fdd6:5a3b:1194:64::c612:150 -> hello from the IPv4-only "
                       "web host; you came from 198.18.1.10")
    assert six[-1] == "  IPv4 host saw      198.18.1.10 (the server's IPv4: NAT64)"
    # The default mode's proof has no IPv6-only lines.
    assert len(proof.render(proof.record(CONTEXT, outputs()))) == 6


def test_published_fact_is_the_last_value_set():
    run = {"plays": [{"tasks": [
        {"task": {"name": "a"}, "hosts": {"lab-server": {"ansible_facts": {"v6vpn_openvpn": {"ipv6_only": False}}}}},
        {"task": {"name": "b"}, "hosts": {"lab-server": {"changed": False}}},
        {"task": {"name": "c"}, "hosts": {"lab-server": {"ansible_facts": {"v6vpn_openvpn": {"ipv6_only": True}}}}},
    ]}], "stats": {}}
    assert playbook.published_fact(run, "v6vpn_openvpn") == {"ipv6_only": True}
    assert playbook.published_fact(run, "v6vpn_network") is None


def test_cli_proof_in_the_ipv6_only_mode(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(playbook, "published_fact", lambda run, name: PUBLISHED if name == "v6vpn_openvpn" else None)
    args = proof_args(tmp_path) + ["--ipv6-only", str(SIX_DIR), "--target4", "198.18.1.80", "--domain", "lab.example"]
    assert report.main(args) == 0
    written = json.loads((tmp_path / "proof.json").read_text())
    assert written["ipv6_only"]["published"] == {key: PUBLISHED[key] for key in ("ipv6_only", "nat64_prefix", "dns64_resolver")}
    capsys.readouterr()
    # A shortfall is written for the lab to show, and fails the command.
    broken = tmp_path / "broken"
    broken.mkdir()
    for source in SIX_DIR.iterdir():
        (broken / source.name).write_text(source.read_text())
    (broken / "connect-ipv4.txt").write_text("exit 0 after 16 ms\n")
    args = proof_args(tmp_path) + ["--ipv6-only", str(broken), "--target4", "198.18.1.80", "--domain", "lab.example"]
    assert report.main(args) == 1
    assert (tmp_path / "problem").read_text() == (
        "an IPv4-literal connect to 198.18.1.80 port 80 succeeded after 16 ms: the client still has an IPv4 path\n")
    # --ipv6-only without the host's address or the domain is refused.
    assert report.main(proof_args(tmp_path) + ["--ipv6-only", str(SIX_DIR)]) == 2
    assert "--ipv6-only needs --target4 and --domain" in capsys.readouterr().err
