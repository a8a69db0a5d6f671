"""Record a sample for tests/lab/samples/ from a real run's JSON result (the ansible.posix.json callback).

    .venv/bin/python -m tests.lab.trim_sample lab/state/logs/4-site.yml.json tests/lab/samples/NAME.json

Keeps the document's shape (plays, tasks with their names, ids and durations, every host result,
the stats) and, of each host result, only the keys lab/playbook.py reads: module outputs (facts,
AWS descriptions, file stats) are dropped, so a sample is small and holds nothing a run created.
"""

import json
import sys

KEPT = ("action", "changed", "failed", "skipped", "unreachable", "msg", "stderr", "item",
        "_ansible_item_label", "_ansible_no_log")


def trim_result(result):
    kept = {key: result[key] for key in KEPT if key in result}
    if isinstance(result.get("results"), list):
        kept["results"] = [trim_result(item) for item in result["results"] if isinstance(item, dict)]
    return kept


def trim(run):
    return {
        "plays": [{"play": play["play"],
                   "tasks": [{"task": task["task"],
                              "hosts": {host: trim_result(result) for host, result in task["hosts"].items()}}
                             for task in play["tasks"]]}
                  for play in run["plays"]],
        "stats": run["stats"],
        "custom_stats": run.get("custom_stats", {}),
        "global_custom_stats": run.get("global_custom_stats", {}),
    }


def main(source, destination):
    with open(source, encoding="utf-8") as stream:
        run = json.load(stream)
    with open(destination, "w", encoding="utf-8") as stream:
        json.dump(trim(run), stream, indent=1, sort_keys=True)
        stream.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
