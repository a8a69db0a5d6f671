"""Read what ansible-playbook printed with the ansible.posix.json stdout callback.

The callback prints one JSON document at the end of a run: `plays`, each with its `tasks`, each
with the result of every host (`hosts`), and `stats`, the recap's counters per host. The lab
reads from it the account of a run (a line per task and host), the count of changed tasks, what
made the run fail, the lines a named `debug` task printed (site.yml's summary), and a fact a role
published (v6vpn_openvpn, for the proof).
"""

import datetime
import json

# Status words, from the most telling down: a result that failed and was ignored still says
# "failed" here, but only the recap's counters decide whether the run failed.
STATUS_KEYS = ("unreachable", "failed", "skipped", "changed")
MESSAGE_LIMIT = 2000


def load(path):
    """The callback's document, or None when the run printed none (killed, or a syntax error)."""
    try:
        with open(path, encoding="utf-8") as stream:
            run = json.load(stream)
    except (OSError, ValueError):
        return None
    return run if isinstance(run, dict) and "plays" in run and "stats" in run else None


def results(run):
    """(task name, host, result, seconds) for every host result, in the order they ran."""
    for play in run["plays"]:
        for task in play["tasks"]:
            seconds = duration(task["task"].get("duration", {}))
            for host, result in task["hosts"].items():
                yield task["task"]["name"], host, result, seconds


def duration(times):
    """Seconds between the callback's `start` and `end` stamps (0.0 when one is missing)."""
    try:
        start, end = (datetime.datetime.fromisoformat(times[key].rstrip("Z")) for key in ("start", "end"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


def status(result):
    return next((key for key in STATUS_KEYS if result.get(key)), "ok")


def changed_count(run):
    """The sum of the recap's changed= over every host."""
    return sum(counters.get("changed", 0) for counters in run["stats"].values())


def stopped_hosts(run):
    """Hosts the run failed on: a failure that was neither ignored nor rescued, or unreachable."""
    return sorted(host for host, counters in run["stats"].items()
                  if counters.get("failures") or counters.get("unreachable"))


def failures(run):
    """(task name, host, message) of the result that stopped each failed host: its last failure."""
    stopped = set(stopped_hosts(run))
    last = {}
    for task, host, result, _seconds in results(run):
        if host in stopped and status(result) in ("failed", "unreachable"):
            last[host] = (task, host, message(result))
    return [last[host] for host in sorted(last)]


def message(result):
    """What a failed result says: its msg, the failed items of a loop, a command's stderr."""
    failed_items = [item for item in result.get("results") or []
                    if isinstance(item, dict) and (item.get("failed") or item.get("unreachable"))]
    if failed_items:
        return "; ".join("item %s: %s" % (item_label(item), message(item)) for item in failed_items)
    text = str(result.get("msg") or "").strip() or "(no message)"
    stderr = str(result.get("stderr") or "").strip()
    if stderr and stderr not in text:
        text = "%s\n%s" % (text, stderr)
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + " [...]"


def item_label(item):
    return item.get("_ansible_item_label", item.get("item", "?"))


def debug_lines(run, task_name):
    """The msg lines of the debug task named `task_name` (a role's task is "role : name"), or None."""
    for task, _host, result, _seconds in results(run):
        if task == task_name or task.endswith(" : " + task_name):
            msg = result.get("msg")
            if isinstance(msg, list):
                return [str(line) for line in msg]
            if msg is not None:
                return str(msg).splitlines()
    return None


def published_fact(run, name):
    """The value a task last set as fact `name` (set_fact's ansible_facts) on any host, or None."""
    value = None
    for _task, _host, result, _seconds in results(run):
        facts = result.get("ansible_facts")
        if isinstance(facts, dict) and name in facts:
            value = facts[name]
    return value


def account(run):
    """The run for a log: a line per task and host, its status and duration, then the recap."""
    lines = ["%-11s %-12s %6.1fs  %s" % (status(result), host, seconds, task)
             for task, host, result, seconds in results(run)]
    lines.append("recap:")
    for host, counters in sorted(run["stats"].items()):
        lines.append("  %-12s %s" % (host, " ".join("%s=%s" % item for item in sorted(counters.items()))))
    return lines


def problem(run, returncode, timeout=None):
    """Why a run failed, as lines to show (none when it did not): each failing task, host, message."""
    if run is None:
        why = " (timed out after %ss)" % timeout if returncode == 124 and timeout else ""
        return ["ansible-playbook exited %s%s and printed no JSON result; its errors are above in the log"
                % (returncode, why)]
    found = failures(run)
    if not found and returncode == 0:
        return []
    lines = []
    for task, host, text in found:
        lines.append("failed task: %s" % task)
        lines.append("  host:    %s" % host)
        lines.extend(("  message: " if number == 0 else "           ") + line
                     for number, line in enumerate(text.splitlines()))
    if not found:
        lines.append("ansible-playbook exited %s, yet no task failed; its errors are above in the log" % returncode)
    return lines
