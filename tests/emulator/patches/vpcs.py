"""The text of Amazon-provided VPC IPv6 blocks."""

from __future__ import annotations

import ipaddress

from moto.ec2.models import vpcs


def apply() -> None:
    """AWS prints IPv6 blocks canonically (lower case, no leading zeros: `2600:1f18:a1b:c00::/56`).
    moto 5.2.5 builds the Amazon-provided /56 from random hex groups that may keep leading zeros
    (`2400:6500:0a1b:0c00::/56`), a spelling no client computes, so the `local` route and the VPC's
    block then compare unequal to the same network written canonically."""
    original = vpcs.random_ipv6_cidr
    vpcs.random_ipv6_cidr = lambda: str(ipaddress.ip_network(original()))  # type: ignore[attr-defined]
