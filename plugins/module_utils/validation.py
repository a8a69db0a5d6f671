# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way v6vpn.aws checks its inputs, in modules and in roles alike.

A *check* is a function that returns the accepted value (often normalised) or raises
:class:`InvalidParameter` with a message that starts with the parameter's name and says what
would be accepted. :func:`collect` runs a set of checks and returns every value and every
problem, so one run reports all problems at once:

- modules: ``module_utils.ec2.validate(module, name=check, ...)`` fails the module with all
  problems joined, before any API call, and returns the values;
- roles: each rule is exposed as a ``v6vpn.aws.*_error`` filter (``''`` or the message), and a
  role asserts its list of messages is empty in one task (``plugins/filter/``).

Pure Python (no boto3, no Ansible), so unit tests and controller-side filters import it.
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


def problem(check, *args, **kwargs):
    """``''`` when ``check(*args, **kwargs)`` accepts its input, else the reason it does not.

    The shape of every ``v6vpn.aws.*_error`` filter, so roles report problems the way modules do.
    """
    try:
        check(*args, **kwargs)
    except InvalidParameter as e:
        return str(e)
    return ""
