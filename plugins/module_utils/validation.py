# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way v6vpn.aws checks its inputs, in modules and in roles alike.

A *check* is a function that returns the accepted value (often normalised) or raises
:class:`InvalidParameter` with a message that starts with the parameter's name and says what
would be accepted. :func:`collect` runs a set of checks and returns every value and every
problem, so one run reports all problems at once:

- modules: :func:`validate` (``validate(module, name=check, ...)``) fails the module with all
  problems joined, before any API call or change, and returns the values;
- roles: each rule is exposed as a ``v6vpn.aws.*_error`` filter (``''`` or the message), and a
  role asserts its list of messages is empty in one task (``plugins/filter/``).

Pure Python (no boto3, no Ansible), so unit tests and controller-side filters import it, and
modules with and without boto3 alike.
"""


class InvalidParameter(ValueError):
    """A parameter's value is unacceptable; the message names the parameter and the fix."""


def collect(checks):
    """Run every check; return ``(values, problems)``.

    :param checks: a mapping of result name to a callable taking no argument; it returns the
        accepted value or raises :class:`InvalidParameter`. Checks run in mapping order.
    :returns: ``values``, the results of the checks that passed, by name; ``problems``, the
        messages of those that failed, in order.
    """
    values, problems = {}, []
    for key, check in checks.items():
        try:
            values[key] = check()
        except InvalidParameter as e:
            problems.append(str(e))
    return values, problems


def validate(module, **checks):
    """Run every check (see :func:`collect`); fail ``module`` once with every problem joined by
    ``"; "``, else return the checks' values by name.

    :param module: an Ansible module (only its ``fail_json`` is used)
    """
    values, problems = collect(checks)
    if problems:
        module.fail_json(msg="; ".join(problems))
    return values


def optional(check, value, *args, **kwargs):
    """``check(value, *args, **kwargs)`` for a parameter that may be left out: None when it is."""
    return None if value is None else check(value, *args, **kwargs)


def problem(check, *args, **kwargs):
    """``''`` when ``check(*args, **kwargs)`` accepts its input, else the reason it does not.

    The shape of every ``v6vpn.aws.*_error`` filter, so roles report problems the way modules do.
    """
    try:
        check(*args, **kwargs)
    except InvalidParameter as e:
        return str(e)
    return ""


def check_integer(value, name, minimum=None, maximum=None):
    """Validate a whole number (an int, or its decimal spelling) within bounds; return it as an int."""
    number = value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or \
            (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if minimum is not None and maximum is not None:
            wanted = "a whole number from %d to %d" % (minimum, maximum)
        elif minimum is not None:
            wanted = "a whole number of at least %d" % minimum
        elif maximum is not None:
            wanted = "a whole number of at most %d" % maximum
        else:
            wanted = "a whole number"
        raise InvalidParameter("%s: %r is not %s" % (name, value, wanted))
    return number
