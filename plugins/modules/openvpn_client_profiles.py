#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: openvpn_client_profiles
short_description: Write OpenVPN client profiles into a directory, private to the owner
version_added: 0.2.0
author:
  - v6vpn.aws contributors (@v6vpn)
description:
  - "Writes each profile of O(profiles) to C(<path>/<name>.ovpn) with mode C(0600), in one task, and deletes the
    profiles of O(remove). Meant to run on the controller (C(delegate_to: localhost)) with the profiles that
    M(v6vpn.aws.openvpn_pki_clients) returned from the server, so that hundreds of profiles do not need a
    M(ansible.builtin.fetch) each."
  - Called C(v6vpn.aws.openvpn_pki_profiles) in version 0.1.0; that name still works (meta/runtime.yml redirects
    it here).
  - Creates O(path) with mode C(0700) if it is missing. A file is rewritten only when its content or mode
    differs; writes are atomic (temporary file, then rename).
options:
  path:
    description: Directory of the profiles.
    type: path
    required: true
  profiles:
    description:
      - Profile text per client name. Names follow the rules of M(v6vpn.aws.openvpn_pki_clients).
      - Never logged (the profiles hold private keys).
    type: dict
    default: {}
  remove:
    description: Client names whose profile must not exist (revoked clients). A name may not be in both.
    type: list
    elements: str
    default: []
notes:
  - Supports check mode and diff mode; the diff lists profile names, never their content.
  - The parameters are checked before anything is written, and every problem with them is reported at once.
seealso:
  - module: v6vpn.aws.openvpn_pki_clients
"""

EXAMPLES = r"""
- name: Write the client profiles on the controller
  v6vpn.aws.openvpn_client_profiles:
    path: "{{ playbook_dir }}/clients/myvpn"
    profiles: "{{ clients.profiles }}"
    remove: [mallory]
  delegate_to: localhost
  become: false
"""

RETURN = r"""
written:
  description: Clients whose profile was written (new or changed) in this run, or would be in check mode.
  returned: always
  type: list
  elements: str
  sample: [alice]
removed:
  description: Clients whose profile was deleted in this run, or would be in check mode.
  returned: always
  type: list
  elements: str
  sample: [mallory]
path:
  description: The profile directory.
  returned: always
  type: str
  sample: /home/me/vpn/clients/myvpn
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.v6vpn.aws.plugins.module_utils import pki
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_client_names
from ansible_collections.v6vpn.aws.plugins.module_utils.names import check_clients_not_revoked
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import validate

SUFFIX = ".ovpn"


def check_profiles(profiles):
    """Each profile under a valid client name, as a non-empty string; return them."""
    check_client_names(sorted(profiles), "profiles")
    for name, text in sorted(profiles.items()):
        if not isinstance(text, str) or not text:
            raise InvalidParameter("profiles: the profile of %r is not a non-empty string" % name)
    return profiles


def check_directory(path):
    if os.path.exists(path) and not os.path.isdir(path):
        raise InvalidParameter("path: %s exists and is not a directory" % path)
    return path


def needs_write(path, text):
    try:
        info = os.stat(path)
        with open(path) as handle:
            current = handle.read()
    except FileNotFoundError:
        return True
    return current != text or stat.S_IMODE(info.st_mode) != 0o600


def present_names(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(entry[:-len(SUFFIX)] for entry in os.listdir(directory) if entry.endswith(SUFFIX))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            profiles=dict(type="dict", default={}, no_log=True),
            remove=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    checked = validate(
        module,
        profiles=lambda: check_profiles(params["profiles"]),
        remove=lambda: check_client_names(params["remove"], "remove"),
        not_revoked=lambda: check_clients_not_revoked(sorted(params["profiles"]), params["remove"], "profiles", "remove"),
        path=lambda: check_directory(params["path"]),
    )
    directory, profiles = checked["path"], checked["profiles"]

    written = [name for name in sorted(profiles) if needs_write(os.path.join(directory, name + SUFFIX), profiles[name])]
    removed = [name for name in checked["remove"] if os.path.lexists(os.path.join(directory, name + SUFFIX))]
    before = present_names(directory)
    result = dict(changed=bool(written or removed or not os.path.isdir(directory)), written=written, removed=removed, path=directory)
    if module._diff:
        result["diff"] = dict(
            before=dict(path=directory, profiles=before),
            after=dict(path=directory, profiles=sorted((set(before) | set(profiles)) - set(removed))),
        )
    if not module.check_mode:
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, mode=0o700)
            for name in written:
                pki.write_private_file(os.path.join(directory, name + SUFFIX), profiles[name])
            for name in removed:
                os.unlink(os.path.join(directory, name + SUFFIX))
        except OSError as exc:
            module.fail_json(msg="Failed to update the client profiles in %s: %s" % (directory, exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
