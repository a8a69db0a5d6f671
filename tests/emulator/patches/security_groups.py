"""UpdateSecurityGroupRuleDescriptions{Ingress,Egress} answer `Return: true`."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses.security_groups import SecurityGroups

from ._common import wrap


def _returning_true(original: Any) -> Any:
    """AWS (UpdateSecurityGroupRuleDescriptionsIngress/Egress): the response element `Return` is
    "true if the request succeeds; otherwise, returns an error". moto 5.2.5 answers an empty result,
    so botocore's parsed response has no `Return` and amazon.aws ec2_security_group fails with
    KeyError 'Return' whenever it changes a rule's description."""
    def patched(self: SecurityGroups) -> ActionResult:
        original(self)
        return ActionResult({"Return": True})
    return patched


def apply() -> None:
    wrap(SecurityGroups, "update_security_group_rule_descriptions_ingress", _returning_true)
    wrap(SecurityGroups, "update_security_group_rule_descriptions_egress", _returning_true)
