# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a described instance differs from the settings the ec2 role launches it with.

The role keeps its wanted settings in ONE dict, ``ec2_instance_settings`` (roles/ec2/vars/main.yml),
whose keys are M(amazon.aws.ec2_instance)'s arguments and which roles/ec2/tasks/launch.yml passes
to that module. :func:`drift` compares an instance as M(amazon.aws.ec2_instance_info) describes it
with that dict; the role uses it only to skip the AMI lookup, the key pair and ec2_instance (about
a dozen calls) when nothing differs: putting a difference right is ec2_instance's job, so the
comparison never needs to be more than "is there anything to do".

Pure Python: the role's ``v6vpn.aws.instance_drift`` filter imports it on the controller.
"""


def drift(instance, settings):
    """The names of the settings ``instance`` does not have, in a stable order; ``[]`` when none.

    :param instance: one entry of ec2_instance_info's ``instances`` (snake case, tags as a dict),
        or None/{} for no instance
    :param settings: ec2_instance's arguments: ``name``, ``instance_type``, ``key_name``,
        ``vpc_subnet_id``, ``security_group``, ``source_dest_check``, ``network.assign_public_ip``,
        ``metadata_options`` and ``tags`` (added, never purged, as the role launches with
        ``purge_tags: false``); ``cpu_credit_specification`` is not in DescribeInstances' answer:
        v6vpn.aws.instance_credits checks it on every run.
    """
    if not instance:
        return ["instance"]
    found = []
    if (instance.get("state") or {}).get("name") != "running":
        found.append("state")
    if instance.get("instance_type") != settings.get("instance_type"):
        found.append("instance_type")
    if (instance.get("key_name") or "") != (settings.get("key_name") or ""):
        found.append("key_name")
    if instance.get("subnet_id") != settings.get("vpc_subnet_id"):
        found.append("vpc_subnet_id")
    if [g.get("group_id") for g in instance.get("security_groups") or []] != [settings.get("security_group")]:
        found.append("security_group")
    if bool(instance.get("source_dest_check", True)) != bool(settings.get("source_dest_check")):
        found.append("source_dest_check")
    if (settings.get("network") or {}).get("assign_public_ip") and not instance.get("public_ip_address"):
        found.append("network.assign_public_ip")
    options = instance.get("metadata_options") or {}
    for key, value in sorted((settings.get("metadata_options") or {}).items()):
        # Compared as text: a templated hop limit may arrive as "1", DescribeInstances says 1.
        if value is not None and str(options.get(key)) != str(value):
            found.append("metadata_options.%s" % key)
    tags = instance.get("tags") or {}
    wanted_tags = dict(settings.get("tags") or {})
    if settings.get("name"):
        wanted_tags["Name"] = settings["name"]
    if any(tags.get(key) != str(value) for key, value in wanted_tags.items()):
        found.append("tags")
    return found
