"""ModifyInstanceMetadataOptions keeps what the request does not name."""

from __future__ import annotations

from typing import Any

from moto.ec2.models.instances import InstanceBackend, MetadataOptions

from ._common import bind, wrap


def _modify_instance_metadata_options(original: Any) -> Any:
    """AWS (ModifyInstanceMetadataOptions): "If this parameter is not specified, the existing state
    is maintained" (HttpEndpoint, HttpPutResponseHopLimit; the other options behave alike: a call
    that only enables `HttpProtocolIpv6` leaves `HttpTokens: required` in place).
    moto 5.2.5 rebuilds the options from the request alone: unnamed options fall back to their
    defaults (`HttpTokens: optional`) or vanish from DescribeInstances (`HttpEndpoint`,
    `InstanceMetadataTags` become None), so amazon.aws ec2_instance never converges."""
    def patched(*args: Any, **kwargs: Any) -> MetadataOptions:
        arguments = bind(original, *args, **kwargs).arguments
        current = arguments["self"].get_instance(arguments["instance_id"]).metadata_options
        requested = {
            "HttpTokens": arguments["http_tokens"],
            "HttpPutResponseHopLimit": arguments["hop_limit"],
            "HttpEndpoint": arguments["http_endpoint"],
            "HttpProtocolIpv6": arguments["http_protocol"],
            "InstanceMetadataTags": arguments["metadata_tags"],
        }
        kept = {
            "HttpTokens": current.http_tokens,
            "HttpPutResponseHopLimit": current.http_put_response_hop_limit,
            "HttpEndpoint": current.http_endpoint,
            "HttpProtocolIpv6": current.http_protocol_ipv6,
            "InstanceMetadataTags": current.instance_metadata_tags,
        }
        options = MetadataOptions({"State": "applied", **{k: kept[k] if v is None else v for k, v in requested.items()}})
        arguments["self"].get_instance(arguments["instance_id"]).metadata_options = options
        return options
    return patched


def apply() -> None:
    wrap(InstanceBackend, "modify_instance_metadata_options", _modify_instance_metadata_options)
