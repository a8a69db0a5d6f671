"""Generated blocks inside hand-written files: the one helper every docs generator here uses.

A block is everything between `<!-- BEGIN name (command) -->` and `<!-- END name -->`; the
command in the BEGIN marker says which script rewrites it. Text outside the markers is never
touched, so prose and generated tables live in the same file.
"""

from __future__ import annotations

import re


def begin_marker(name, command):
    return "<!-- BEGIN %s (%s) -->" % (name, command)


def end_marker(name):
    return "<!-- END %s -->" % name


def block(name, command, content):
    """The whole block, markers included, for a file that does not have it yet."""
    if content and not content.endswith("\n"):
        content += "\n"
    return "%s\n%s%s" % (begin_marker(name, command), content, end_marker(name))


def _pattern(name):
    # Any command in the BEGIN marker matches, so renaming the generator rewrites the marker too.
    return re.compile(r"<!-- BEGIN %s(?: \([^)]*\))? -->.*?%s" % (re.escape(name), re.escape(end_marker(name))), re.S)


def has_block(text, name):
    return bool(_pattern(name).search(text))


def replace_block(text, name, command, content, where="the file"):
    """`text` with block `name` holding `content`; SystemExit naming `where` when it has no such block."""
    pattern = _pattern(name)
    found = len(pattern.findall(text))
    if found != 1:
        raise SystemExit("%s has %s %s ... %s block (expected exactly one)" % (
            where, "no" if not found else found, begin_marker(name, command), end_marker(name)))
    return pattern.sub(lambda _: block(name, command, content), text)
