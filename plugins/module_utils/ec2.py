# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 plumbing shared by the v6vpn.aws modules: a retrying client, calls named by their API
operation, describing exactly one resource, tag reconciliation and bounded waits.

Every call goes through :func:`call` or :func:`describe`, which take the client's method itself
(``client.create_route``, ``client.describe_vpcs``), so the EC2 operations a module uses are named
in its code, where ``scripts/iam-policy.py`` reads them. Throttling (``RequestLimitExceeded``) is
retried with jittered backoff and any other AWS error ends the module with ``fail_json_aws`` and a
sentence saying what failed.

The EC2 API is eventually consistent ("Eventual consistency in the Amazon EC2 API", EC2 Developer
Guide, https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): an id a Create*
call has just returned may answer ``*.NotFound`` to the next calls, and Describe calls may omit it,
for a while. Calls that name such an id say so with ``just_created``: :func:`call` then retries
the NotFound codes of those ids (``ids.NOT_FOUND_CODES``) in the same bounded, jittered backoff as
throttling, and :func:`describe_one` retries an empty answer. Only ids a module was just handed
count: those its own create returned, and the ids its caller passes in right after creating them
(the roles pass a VPC, subnet, gateway or instance id created by the task before); an id that
really does not exist is reported after 15 s of asking again (``DESCRIBE_AGAIN_SLEEPS``).

Argument checks are not here: modules validate with ``module_utils.validation.validate``, which
the modules without boto3 share.
"""

import inspect
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

from ansible_collections.v6vpn.aws.plugins.module_utils.ids import not_found_codes


# Throttling (RequestLimitExceeded) and 5xx are retried by AWSRetry itself.
RETRY = AWSRetry.jittered_backoff(retries=10)

# The backoff of calls naming ids that may not be visible yet: sleeps of random 0..1, 0..2, 0..4,
# ... 0..30 s, 10 attempts, about 2.5 minutes at most (terraform-provider-aws waits up to 2 minutes
# for EC2's propagation). Throttling shares it in those calls.
CONSISTENCY_RETRIES = 10
CONSISTENCY_DELAY = 1.0
CONSISTENCY_MAX_DELAY = 30.0

# Sleeps before asking a Describe again for a resource it did not show (describe_one with
# just_created): 15 s in all. Such a resource is a module's input, which the task before created
# and (amazon.aws's creating modules wait for the new resource) most likely saw already; an id
# that does not exist at all, a typo, should not take minutes to be reported.
DESCRIBE_AGAIN_SLEEPS = (1.0, 2.0, 4.0, 8.0)


def consistency_retry(resource_ids):
    """An AWSRetry decorator retrying throttling and the NotFound codes of ``resource_ids``."""
    return AWSRetry.jittered_backoff(retries=CONSISTENCY_RETRIES, delay=CONSISTENCY_DELAY, backoff=2.0,
                                     max_delay=CONSISTENCY_MAX_DELAY, catch_extra_error_codes=not_found_codes(resource_ids))


def ec2_client(module):
    """An EC2 client whose calls retry throttling when made with ``aws_retry=True`` (as :func:`call` does)."""
    return module.client("ec2", retry_decorator=RETRY)


def operation_of(method):
    """``(botocore client, operation's method name)`` behind a client method such as ``client.describe_vpcs``.

    :func:`ec2_client`'s client hands out retrying wrappers of the botocore client's bound methods
    (``functools.wraps``), which :func:`inspect.unwrap` sees through.
    """
    bound = inspect.unwrap(method)
    return bound.__self__, bound.__name__


def call(module, method, what, just_created=(), **params):
    """Call ``method(**params)``, e.g. ``call(module, client.create_route, "create a route", ...)``,
    with retries; fail the module with ``what`` on error.

    :param method: a method of an :func:`ec2_client` client; it names the EC2 operation
    :param what: what the call does, completing "Failed to ...", e.g. "create a route to ::/0 in rtb-123"
    :param just_created: ids the call names that were just created (``("eigw-...",)``): their
        NotFound answers are retried, bounded, with throttling (see the module's docstring)
    """
    try:
        if just_created:
            return consistency_retry(just_created)(inspect.unwrap(method))(**params)
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to %s" % what)


def describe(module, method, result_key, what, filters=None, just_created=(), **params):
    """Run a describe operation through all its pages; return the concatenated ``result_key`` list.

    :param method: the client's describe method, e.g. ``client.describe_subnets``
    :param filters: ``{"vpc-id": "vpc-123"}``, turned into the API's ``Filters``
    :param just_created: ids named in ``params`` (``SubnetIds=[...]``) that were just created:
        their NotFound answers are retried as :func:`call` does
    """
    client, name = operation_of(method)
    if filters:
        params["Filters"] = ansible_dict_to_boto3_filter_list(filters)
    retry = consistency_retry(just_created) if just_created else RETRY
    try:
        return paginated_query_with_retries(client, name, retry_decorator=retry, **params).get(result_key, [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to %s" % what)


def describe_one(module, method, result_key, missing, filters=None, just_created=False, **params):
    """The one resource a describe operation finds; fail with ``missing`` when it finds none.

    Ask by an id filter (``filters={"subnet-id": subnet_id}``) rather than by the ``SubnetIds``
    parameter: a filter answers an unknown id with an empty list, where the parameter raises an
    API error, so ``missing`` can say plainly what is wrong.

    :param missing: the message for no match, naming the parameter at fault when there is one,
        e.g. "subnet_id: subnet subnet-123 does not exist in this region"
    :param just_created: the resource may have been created just now, so a Describe may not show
        it yet: an empty answer is asked again after each of ``DESCRIBE_AGAIN_SLEEPS`` before
        ``missing`` is reported
    """
    asked = "%s (%s)" % (operation_of(method)[1].replace("_", " "),
                         ", ".join("%s=%s" % item for item in sorted(dict(filters or {}, **params).items())))
    found = describe(module, method, result_key, asked, filters, **params)
    waited = 0.0
    for sleep in DESCRIBE_AGAIN_SLEEPS if just_created else ():
        if found:
            break
        time.sleep(sleep)
        waited += sleep
        found = describe(module, method, result_key, asked, filters, **params)
    if not found:
        module.fail_json(msg=missing + (" (still not found after %.0f s of retries)" % waited if just_created else ""))
    if len(found) > 1:
        module.fail_json(msg="Expected one answer to %s, got %d" % (asked, len(found)))
    return found[0]


def tags_of(resource):
    """The resource's tags as a plain dict."""
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def ensure_tags(module, client, resource_id, current_tags, tags, purge_tags, just_created=False):
    """Reconcile a resource's tags with ``tags``; ``tags=None`` leaves them alone.

    Unlike amazon.aws's ``ensure_ec2_tags`` this takes the current tags from the
    describe call the caller already made, saving a DescribeTags call per resource.
    ``just_created``: the resource is new, retry its NotFound answers (see :func:`call`).
    Returns ``(changed, tags_after)``.
    """
    fresh = (resource_id,) if just_created else ()
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
        call(module, client.delete_tags, "remove tags %s from %s" % (", ".join(to_unset), resource_id), just_created=fresh,
             Resources=[resource_id], Tags=[{"Key": k} for k in to_unset])
    if to_set:
        call(module, client.create_tags, "tag %s" % resource_id, just_created=fresh,
             Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_set))
    return True, after


def get_vpc(module, client, vpc_id, just_created=False):
    """Describe one VPC; fail clearly when it does not exist (after retries when ``just_created``)."""
    return describe_one(module, client.describe_vpcs, "Vpcs", "VPC %s does not exist in this region" % vpc_id,
                        filters={"vpc-id": vpc_id}, just_created=just_created)


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
