"""The lab's reports (scripts/lab.sh runs them from the checkout's root with `python -m lab.report`).

    playbook RUN.json --returncode N [--timeout S] [--problem FILE]
        a line per task and host, the recap; when the run failed, each failing task, its host and
        its message (also written to FILE, which the lab shows for a failed phase), exit 1
    changed RUN.json
        the number of changed tasks
    summary RUN.json --endpoint URL --deployment NAME --stand-in ADDRESS
        site.yml's summary (its task "Show how to connect and how to tear down"), then what the
        emulator holds for the deployment
    proof --out FILE --site RUN.json [context and command outputs, see --help]
          [--ipv6-only DIR --target4 ADDRESS --domain DOMAIN]
        checks that IPv6 crossed the tunnel (and, in the IPv6-only mode, that IPv4 has no path,
        DNS64 and NAT64 work) and writes proof.json; every shortfall, exit 1
    show-proof FILE
        proof.json as `make lab` prints it
    status RUN.json
        who is connected and the certificates, as playbooks/status.yml printed them
    leftovers --endpoint URL --deployment NAME
        exit 1, with a listing, when the deployment still has a resource

RUN.json is what ansible-playbook printed with the ansible.posix.json stdout callback.
"""

import argparse
import json
import sys

from lab import playbook, proof, resources

SUMMARY_TASK = "Show how to connect and how to tear down"
STATUS_TASK = "Print the status"


def summary_lines(run, endpoint, stand_in):
    """site.yml's summary block, or None when the run has no summary task. Where the summary gives
    the instance's address rather than the stand-in's, a last line says where clients connect."""
    lines = playbook.debug_lines(run, SUMMARY_TASK) if run else None
    if lines is None:
        return None
    note = [] if any(stand_in in line for line in lines) else [
        "(in the lab, clients connect to the stand-in container at %s instead: lab/inventory.yml)" % stand_in]
    return (["site.yml summary (its AWS side ran against the emulator at %s):" % endpoint]
            + ["  " + line for line in lines + note])


def holdings_lines(found, deployment):
    return ["What the emulator holds for deployment %s:" % deployment] + ["  " + line for line in resources.listing(found)]


def write_problem(path, lines):
    if path:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("".join(line + "\n" for line in lines))


def cmd_playbook(args):
    run = playbook.load(args.run)
    if run is not None:
        print("\n".join(playbook.account(run)))
    problem = playbook.problem(run, args.returncode, args.timeout)
    if not problem:
        return 0
    print("\n".join(problem))
    if run is not None:  # without JSON, ansible's own error (the log's end) says more
        write_problem(args.problem, problem)
    return 1


def cmd_changed(args):
    run = playbook.load(args.run)
    if run is None:
        print("%s holds no ansible-playbook JSON result" % args.run, file=sys.stderr)
        return 1
    print(playbook.changed_count(run))
    return 0


def cmd_summary(args):
    lines = summary_lines(playbook.load(args.run), args.endpoint, args.stand_in)
    if lines is None:
        print("lab: %s has no task named %r: no summary to show" % (args.run, SUMMARY_TASK), file=sys.stderr)
        return 1
    found = resources.describe(resources.connect(args.endpoint), args.deployment)
    print("\n".join(lines + [""] + holdings_lines(found, args.deployment)))
    return 0


def cmd_proof(args):
    if args.ipv6_only and not (args.target4 and args.domain):
        print("lab.report proof: --ipv6-only needs --target4 and --domain", file=sys.stderr)
        return 2
    run = playbook.load(args.site)
    context = {
        "client": args.client, "profile": args.profile, "target": args.target,
        "server_upstream_ipv6": args.server_v6, "server_public_ipv4": args.server_v4,
        "site_changed": playbook.changed_count(run) if run else None,
    }
    outputs = {"tun4": args.tun4, "tun6": args.tun6, "route": args.route, "ping": args.ping, "body": args.body}
    record = proof.record(context, outputs)
    if args.ipv6_only:
        six_outputs = proof.read_outputs(args.ipv6_only)
        published = (playbook.published_fact(run, "v6vpn_openvpn") if run else None) or {}
        record["ipv6_only"] = proof.ipv6_only_record(dict(context, target4=args.target4, domain=args.domain),
                                                     six_outputs, published)
    with open(args.out, "w", encoding="utf-8") as stream:
        json.dump(record, stream, indent=2)
    print(json.dumps(record, indent=2))
    problems = proof.problems(record, args.target_log)
    if args.ipv6_only:
        problems += proof.ipv6_only_problems(record, six_outputs)
    if run is None:
        problems.append("%s holds no ansible-playbook JSON result" % args.site)
    if not problems:
        return 0
    print("\n".join(problems))
    write_problem(args.problem, problems)
    return 1


def cmd_show_proof(args):
    with open(args.proof, encoding="utf-8") as stream:
        print("\n".join(proof.render(json.load(stream))))
    return 0


def cmd_status(args):
    run = playbook.load(args.run)
    lines = playbook.debug_lines(run, STATUS_TASK) if run else None
    if lines is None:
        print("lab: %s has no task named %r: no status to show" % (args.run, STATUS_TASK), file=sys.stderr)
        return 1
    print("\n".join(["playbooks/status.yml on the stand-in:"] + ["  " + line for line in lines]))
    return 0


def cmd_leftovers(args):
    found = resources.describe(resources.connect(args.endpoint), args.deployment)
    if resources.leftovers(found):
        print("deployment %s still has:" % args.deployment)
        print("\n".join(resources.listing(found)))
        return 1
    print("deployment %s has no resources left" % args.deployment)
    return 0


def parser():
    top = argparse.ArgumentParser(prog="python -m lab.report", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    sub = commands.add_parser("playbook", help="account of a run; the failing tasks when it failed")
    sub.add_argument("run")
    sub.add_argument("--returncode", type=int, required=True, help="ansible-playbook's exit status")
    sub.add_argument("--timeout", type=int, help="the run's time limit (exit status 124: it ran out)")
    sub.add_argument("--problem", help="file for the lines that say why the run failed")
    sub.set_defaults(handler=cmd_playbook)

    sub = commands.add_parser("changed", help="the number of changed tasks")
    sub.add_argument("run")
    sub.set_defaults(handler=cmd_changed)

    sub = commands.add_parser("summary", help="site.yml's summary and what the emulator holds")
    sub.add_argument("run")
    for option in ("--endpoint", "--deployment", "--stand-in"):
        sub.add_argument(option, required=True)
    sub.set_defaults(handler=cmd_summary)

    sub = commands.add_parser("proof", help="check the proof and write proof.json")
    for option, what in (("--out", "proof.json to write"), ("--site", "site.yml's JSON result"),
                         ("--client", "client container"), ("--profile", "client's profile"),
                         ("--target", "target's IPv6"), ("--server-v6", "server's upstream IPv6"),
                         ("--server-v4", "server's public IPv4"), ("--tun4", "ip -4 -o addr show dev tun0"),
                         ("--tun6", "ip -6 -o addr show dev tun0 scope global"), ("--route", "ip -6 route get TARGET"),
                         ("--ping", "ping -6 TARGET"), ("--body", "the HTTP GET's body"),
                         ("--target-log", "the target's request log")):
        sub.add_argument(option, required=True, help=what)
    sub.add_argument("--problem", help="file for the shortfalls")
    sub.add_argument("--ipv6-only", metavar="DIR",
                     help="the IPv6-only mode: its command outputs, a file each (lab/proof.py IPV6_ONLY_OUTPUTS)")
    sub.add_argument("--target4", help="the IPv4-only web host's address (with --ipv6-only)")
    sub.add_argument("--domain", help="the lab's DNS domain (with --ipv6-only)")
    sub.set_defaults(handler=cmd_proof)

    sub = commands.add_parser("show-proof", help="proof.json as make lab prints it")
    sub.add_argument("proof")
    sub.set_defaults(handler=cmd_show_proof)

    sub = commands.add_parser("status", help="playbooks/status.yml's output")
    sub.add_argument("run")
    sub.set_defaults(handler=cmd_status)

    sub = commands.add_parser("leftovers", help="fail when the deployment still has a resource")
    for option in ("--endpoint", "--deployment"):
        sub.add_argument(option, required=True)
    sub.set_defaults(handler=cmd_leftovers)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
