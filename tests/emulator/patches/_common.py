"""Helpers shared by the emulator's patches: canonical IPv6 text, AWS filter matching, method wrapping."""

from __future__ import annotations

import fnmatch
import functools
import inspect
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from moto.ec2.exceptions import EC2ClientError, FilterNotImplementedError
from moto.ec2.utils import tag_filter_matches

# How a filter compares: "text" values match AWS-style (`*` and `?` wildcards), "cidr" and "ip"
# values are compared as networks / addresses, so `2600:1f18:0:100::/64` matches
# `2600:1f18::100:0:0:0:0/64` as it does on AWS.
Extractor = Callable[[Any], Iterable[Any]]
FilterSpec = tuple[str, Extractor]


def invalid_value(message: str) -> EC2ClientError:
    return EC2ClientError("InvalidParameterValue", message)


def canonical_network(value: str, parameter: str = "cidrBlock") -> str:
    """`value` as AWS prints it (lower case, compressed); InvalidParameterValue if it is no network."""
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=True))
    except ValueError:
        raise invalid_value(f"Value ({value}) for parameter {parameter} is invalid. This is not a valid CIDR block.") from None


def canonical_address(value: str) -> str:
    """IPv6 address `value` as AWS prints it; InvalidParameterValue if it is none."""
    try:
        return str(ipaddress.IPv6Address(str(value).strip()))
    except ValueError:
        raise invalid_value(f"Invalid IPv6 address: {value}") from None


def _normalised(kind: str, value: Any) -> str | None:
    try:
        if kind == "cidr":
            return str(ipaddress.ip_network(str(value).strip(), strict=False))
        if kind == "ip":
            return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None
    return None


def value_matches(kind: str, candidates: Iterable[Any], wanted: Iterable[str]) -> bool:
    """AWS filter semantics: the resource matches when any of its values matches any filter value."""
    have = [str(c) for c in candidates if c is not None]
    for want in wanted:
        canonical = _normalised(kind, want)
        for value in have:
            if canonical is not None and _normalised(kind, value) == canonical:
                return True
            if fnmatch.fnmatchcase(value, str(want)):
                return True
    return False


def matches_all(obj: Any, filters: dict[str, list[str]], specs: dict[str, FilterSpec]) -> bool:
    for name, wanted in filters.items():
        if name in specs:
            kind, extract = specs[name]
            if not value_matches(kind, extract(obj), wanted):
                return False
        elif name.startswith("tag:") or name in ("tag-key", "tag-value"):
            if not tag_filter_matches(obj, name, wanted):
                return False
        else:
            raise FilterNotImplementedError(name, type(obj).__name__)
    return True


def wrap(owner: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace `owner.name` by `make(original)`, keeping the original's metadata."""
    original = getattr(owner, name)
    setattr(owner, name, functools.wraps(original)(make(original)))


def bind(func: Callable[..., Any], *args: Any, **kwargs: Any) -> inspect.BoundArguments:
    """The arguments of a call to `func` by parameter name, defaults filled in."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound


def add_filters(owner: type, method: str, specs: dict[str, FilterSpec], post: Callable[[Any, Callable[[Any], bool]], Any] | None = None) -> None:
    """Teach `owner.method(..., filters=...)` the filters in `specs`.

    Our filters are taken out of the call, moto's own run as before, and ours are applied to what
    comes back (`post` decides how for results that are not a flat list, such as reservations).
    """
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def patched(*args: Any, **kwargs: Any) -> Any:
            bound = bind(original, *args, **kwargs)
            filters = bound.arguments.get("filters") or {}
            ours = {k: v for k, v in filters.items() if k in specs}
            if not ours:
                return original(*bound.args, **bound.kwargs)
            bound.arguments["filters"] = {k: v for k, v in filters.items() if k not in specs}
            result = original(*bound.args, **bound.kwargs)

            def keep(obj: Any) -> bool:
                return matches_all(obj, ours, specs)

            if post is not None:
                return post(result, keep)
            return [obj for obj in result if keep(obj)]
        return patched
    wrap(owner, method, make)
