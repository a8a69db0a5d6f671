# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 plumbing shared by the v6vpn.aws modules: a retrying client, error reporting,
lookups of VPCs and main route tables, and tag reconciliation.

Every call goes through :func:`call`, so throttling (``RequestLimitExceeded``) is retried
with jittered backoff and any other AWS error ends the module with ``fail_json_aws`` and a
sentence saying what failed.
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import LIVE_ASSOCIATION_STATES
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import live_ipv6_block
from ansible_collections.v6vpn.aws.plugins.module_utils.cidr import live_ipv6_blocks
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import InvalidParameter


# Throttling (RequestLimitExceeded) and 5xx are retried by AWSRetry itself.
RETRY = AWSRetry.jittered_backoff(retries=10)


def ec2_client(module):
    """An EC2 client whose calls retry throttling when made with ``aws_retry=True`` (as :func:`call` does)."""
    return module.client("ec2", retry_decorator=RETRY)


def call(module, client, action, what, **params):
    """Call ``client.<action>(**params)`` with retries; fail the module with ``what`` on error.

    :param what: what the call does, completing "Failed to ...", e.g. "describe VPC vpc-123"
    """
    try:
        return getattr(client, action)(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to %s" % what)


def describe(module, client, action, result_key, what, filters=None, **params):
    """Run a paginated describe call and return the concatenated ``result_key`` list."""
    if filters:
        params["Filters"] = ansible_dict_to_boto3_filter_list(filters)
    try:
        return paginated_query_with_retries(client, action, retry_decorator=RETRY, **params).get(result_key, [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to %s" % what)


def validate(module, *checks):
    """Run argument checks before any API call; fail with the first check's message.

    Each check is a callable taking no argument that raises :class:`InvalidParameter`.
    """
    for check in checks:
        try:
            check()
        except InvalidParameter as e:
            module.fail_json(msg=str(e))


def tags_of(resource):
    """The resource's tags as a plain dict."""
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def ensure_tags(module, client, resource_id, current_tags, tags, purge_tags):
    """Reconcile a resource's tags with ``tags``; ``tags=None`` leaves them alone.

    Unlike amazon.aws's ``ensure_ec2_tags`` this takes the current tags from the
    describe call the caller already made, saving a DescribeTags call per resource.
    Returns ``(changed, tags_after)``.
    """
    if tags is None:
        return False, current_tags
    to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    after = {k: v for k, v in current_tags.items() if k not in to_unset}
    after.update(to_set)
    if not to_set and not to_unset:
        return False, current_tags
    if module.check_mode:
        return True, after
    if to_unset:
        call(module, client, "delete_tags", "remove tags %s from %s" % (", ".join(to_unset), resource_id),
             Resources=[resource_id], Tags=[{"Key": k} for k in to_unset])
    if to_set:
        call(module, client, "create_tags", "tag %s" % resource_id,
             Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_set))
    return True, after


def get_vpc(module, client, vpc_id):
    """Describe one VPC; fail clearly when it does not exist."""
    vpcs = describe(module, client, "describe_vpcs", "Vpcs", "describe VPC %s" % vpc_id,
                    filters={"vpc-id": vpc_id})
    if not vpcs:
        module.fail_json(msg="VPC %s does not exist in this region" % vpc_id)
    return vpcs[0]


def vpc_ipv6_blocks(vpc):
    """The VPC's associated IPv6 CIDR blocks (any pool), as strings."""
    return live_ipv6_blocks(vpc.get("Ipv6CidrBlockAssociationSet"))


def vpc_amazon_ipv6_block(vpc):
    """The VPC's Amazon-provided /56, or None when it has no IPv6 block."""
    return live_ipv6_block(vpc.get("Ipv6CidrBlockAssociationSet"))


def subnet_ipv6_association(subnet):
    """The subnet's IPv6 block association that counts (module_utils/cidr.py), or None."""
    for assoc in subnet.get("Ipv6CidrBlockAssociationSet") or []:
        if (assoc.get("Ipv6CidrBlockState") or {}).get("State") in LIVE_ASSOCIATION_STATES:
            return assoc
    return None


def get_main_route_table(module, client, vpc_id):
    """The VPC's main route table (the one subnets use unless associated elsewhere)."""
    tables = describe(module, client, "describe_route_tables", "RouteTables",
                      "find the main route table of %s" % vpc_id,
                      filters={"vpc-id": vpc_id, "association.main": "true"})
    if not tables:
        module.fail_json(msg="VPC %s has no main route table (does the VPC exist?)" % vpc_id)
    return tables[0]


def wait_until(module, poll, what, timeout, delay=2):
    """Call ``poll()`` until it returns something truthy, and return that; bounded by ``timeout`` seconds.

    EC2 changes such as associating a subnet CIDR or starting an instance finish
    asynchronously; ``poll`` describes the resource and returns None while it is not
    there yet (or fails the module itself on a terminal error state).
    :param what: what is awaited, completing "Timed out after N s waiting for ...".
    """
    deadline = time.monotonic() + timeout
    while True:
        result = poll()
        if result:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            module.fail_json(msg="Timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(min(delay, remaining))
