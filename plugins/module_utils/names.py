# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Name rules of v6vpn.aws, each written once: deployment, client, interface and host names,
certificate common names, EC2 instance types and OpenSSH public keys. The modules use the checks directly; the roles
through the ``v6vpn.aws.*_error`` filters (plugins/filter/names.py). Every pattern matches the
whole value (``fullmatch``: a trailing newline is not accepted).
"""

import re

from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter

# A deployment name: it becomes part of resource names and tags (<vpn_name>-vpc, the
# v6vpn:deployment tag), of key pair and certificate names, and of a directory name.
VPN_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")

# A client name is the certificate's CN and part of file names (<name>.crt, <name>.ovpn):
# letters, digits, dot, dash and underscore, starting with a letter or digit (so never "." or
# "..", never an option-like "-x"), at most 64 characters (the X.520 upper bound of a CN).
CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# A Linux interface name (IFNAMSIZ is 16 with the terminating NUL).
INTERFACE = re.compile(r"[A-Za-z0-9_-]{1,15}")

# A DNS name: labels of 1-63 letters, digits and inner dashes, 253 characters in all.
HOSTNAME = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")

# Instance types are family.size: t3.micro, m7i-flex.large, c7i.metal-24xl, u-6tb1.112xlarge.
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*")
# Graviton (arm64) families: a1 and those whose generation digit is followed by a "g"
# (t4g, m7g, c7gn, r8gd, ...).
ARM64_FAMILY = re.compile(r"(a1|[a-z]+[0-9]+g[a-z]*)[.-].*")

# An OpenSSH public key line of a type EC2 imports (type, base64 body, optional comment), as
# opposed to the path of a .pub file.
SSH_PUBLIC_KEY = re.compile(r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*(\s.*)?", re.DOTALL)


def _matches(pattern, value):
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def check_vpn_name(value, name="vpn_name"):
    """Validate a deployment name; return it."""
    if not _matches(VPN_NAME, value):
        raise InvalidParameter("%s: %r must be 1-31 characters: lower-case letters, digits or '-', starting with a letter or digit"
                               % (name, value))
    return value


def check_client_name(value, name="name"):
    """Validate one client name; return it unchanged."""
    if not _matches(CLIENT_NAME, value):
        raise InvalidParameter(
            "%s: %r is not a valid client name (1-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit)" % (name, value)
        )
    return value


def check_client_names(values, name="names"):
    """Validate a list of client names: each valid, none twice. Return the list."""
    if not isinstance(values, (list, tuple)):
        raise InvalidParameter("%s: expected a list of client names, got %r" % (name, values))
    for value in values:
        check_client_name(value, name)
    problems = listed_twice(values, name)
    if problems:
        raise InvalidParameter("; ".join(problems))
    return list(values)


def listed_twice(values, name="names"):
    """The "listed twice" problem of each value that ``values`` holds more than once, in order."""
    seen, problems = set(), []
    for value in values:
        problem = "%s: %r is listed twice" % (name, value)
        if value in seen and problem not in problems:
            problems.append(problem)
        seen.add(value)
    return problems


def entry_name(entry):
    """The client name of a client entry: a name, or a mapping with a ``name`` (and fixed addresses,
    plugins/module_utils/fixed_addresses.py)."""
    return entry.get("name") if isinstance(entry, dict) else entry


def check_clients_not_revoked(clients, revoked, clients_name="clients", revoked_name="revoked_clients"):
    """Validate that no name is in both the list of valid clients (names or mappings with a
    ``name``) and the list of revoked clients."""
    wanted = set(v for v in map(entry_name, clients) if isinstance(v, str))
    both = sorted(wanted & set(v for v in revoked if isinstance(v, str)))
    if both:
        raise InvalidParameter("%s and %s both list %s; a client is either valid or revoked"
                               % (clients_name, revoked_name, ", ".join(both)))
    return clients


# X.520's upper bound of a common name (ub-common-name).
COMMON_NAME_MAX = 64
# Characters the server's name may not hold: each profile names it unquoted in verify-x509-name.
UNQUOTABLE = frozenset(" \t\"'\\#;")


def check_common_name(value, name="common_name", spaces=True):
    """Validate a certificate common name: 1-64 printable characters (no newline or other control
    character), no space at either end; with ``spaces=False`` also none inside, nor a quote, a
    backslash, '#' or ';' (for a name written unquoted in an OpenVPN configuration). Return it."""
    if not isinstance(value, str) or not value:
        raise InvalidParameter("%s: %r is not a common name (1-%d printable characters)" % (name, value, COMMON_NAME_MAX))
    if len(value) > COMMON_NAME_MAX:
        raise InvalidParameter("%s: %r has %d characters; a certificate common name has at most %d (X.520)"
                               % (name, value, len(value), COMMON_NAME_MAX))
    if not value.isprintable() or value != value.strip():
        raise InvalidParameter("%s: %r must be printable characters with no newline, control character or space at either end"
                               % (name, value))
    if not spaces and UNQUOTABLE & set(value):
        raise InvalidParameter("%s: %r may not contain spaces, quotes, '\\', '#' or ';' (the client profiles name it "
                               "unquoted in verify-x509-name)" % (name, value))
    return value


def check_client_names_free(clients, taken, name="clients"):
    """Validate that no client takes a name in ``taken`` (a mapping of variable name to the common
    name it sets, e.g. the server's and the CA's): a client certificate must never carry the
    server's name. Entries of ``clients`` are names or mappings with a ``name``. Return ``clients``."""
    wanted = [entry_name(entry) for entry in clients or []]
    problems = ["%r is the common name set by %s" % (value, variable)
                for variable, value in sorted(taken.items()) if isinstance(value, str) and value in wanted]
    if problems:
        raise InvalidParameter("%s: %s; a client may not take the server's or the CA's name"
                               % (name, ", ".join(problems)))
    return clients


def check_interface(value, name="interface"):
    """Validate a Linux interface name; return it."""
    if not _matches(INTERFACE, value):
        raise InvalidParameter("%s: %r is not an interface name (1-15 letters, digits, '_' or '-')" % (name, value))
    return value


def is_hostname(value):
    """True for a syntactically valid DNS name."""
    return _matches(HOSTNAME, value)


def check_instance_type(value, name="instance_type"):
    """Validate an EC2 instance type's spelling (family.size); return it."""
    if not _matches(INSTANCE_TYPE, value):
        raise InvalidParameter("%s: %r is not an instance type (expected family.size, for example t3.micro)" % (name, value))
    return value


def instance_architecture(instance_type):
    """``arm64`` for Graviton instance types, else ``x86_64``."""
    return "arm64" if _matches(ARM64_FAMILY, instance_type) else "x86_64"


def is_ssh_public_key(value):
    """True for an OpenSSH public key line of a type EC2 imports."""
    return _matches(SSH_PUBLIC_KEY, value)
