"""Harness patch for the ec2 role (not in patches/ yet: for the emulator owner to fold in).

DescribeTags of an Elastic IP: AWS reports the resource type `elastic-ip` and filters on it
(DescribeTags, filter `resource-type`, value `elastic-ip`); moto 5.2.5 calls eipalloc- resources
`vpc-elastic-ip`, so `resource-type=elastic-ip` finds no tags, and amazon.aws.ec2_eip, which
filters that way, adds the tags again and reports `changed` on every run (the ec2 role with
`ec2_elastic_ip: true` would never be idempotent). Patched: moto's prefix table names eipalloc-
resources `elastic-ip`, which is what DescribeTags reports and matches.

`apply()` patches moto in this process (idempotent); tests/integration/test_roles_aws.py applies
and checks it, tests/bench/aws_emulator.py applies it in the standalone emulator it starts.
"""

from __future__ import annotations

from moto.ec2.models import tags as moto_tags


def apply() -> None:
    # The same dict object moto's DescribeTags reads for the resource type of an id's prefix.
    moto_tags.EC2_PREFIX_TO_RESOURCE["eipalloc"] = "elastic-ip"
