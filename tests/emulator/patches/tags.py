"""DescribeTags names an Elastic IP's resource type `elastic-ip`."""

from __future__ import annotations

from moto.ec2.models import tags as moto_tags


def apply() -> None:
    """AWS (DescribeTags, filter `resource-type`): an Elastic IP allocation's tags are reported with
    ResourceType `elastic-ip` and found by that filter value. moto 5.2.5 calls eipalloc- resources
    `vpc-elastic-ip`, so a `resource-type=elastic-ip` filter finds nothing and amazon.aws ec2_eip,
    which filters that way, re-adds its tags and reports `changed` on every run. The prefix table
    below is the one DescribeTags reads."""
    moto_tags.EC2_PREFIX_TO_RESOURCE["eipalloc"] = "elastic-ip"
