"""Kusto's `ipv4_is_in_range` and `ipv6_is_in_range`, for duckdb-kql, which lacks both.

Written from Microsoft's function reference (semantics.md F.4 4.3): true when the address is in the
range given in IP-prefix notation, false otherwise, and null when either string cannot be parsed,
so a host name in `SourceIpAddress` drops the row under `not(...)` too.

Only the cases whose Kusto answer is certain are answered. A canonical address or range is parsed;
a string that no IP parser could read (letters beyond hex, spaces, empty) is null. Anything in
between (integer or hex IPv4 forms like "10.1" or "0x0a000001", zone ids, an IPv4-mapped IPv6
address given to the IPv4 function, an IPv4 address whose IPv6 mapping matters) raises
`AmbiguousIp`: Kusto's parser for them is undocumented, and the engine refuses rather than guesses.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["AmbiguousIp", "ipv4_is_in_range", "ipv6_is_in_range"]

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_V4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_CANONICAL_V4_RANGE = re.compile(rf"({_OCTET}(?:\.{_OCTET}){{3}})(?:/([0-9]|[12][0-9]|3[0-2]))?")
# Characters some IP syntax (decimal, hex, dotted, colon, zone, prefix) could use; anything else
# makes a string unparseable by any address parser.
_IP_ALPHABET = re.compile(r"[0-9A-Fa-fXx.:/%\[\]]+")
_V4_SPACES = (ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("::ffff:0:0/96"))


class AmbiguousIp(ValueError):
    """The Kusto answer for this address or range is not known exactly."""


def _unparseable(text: str) -> bool:
    return not text or _IP_ALPHABET.fullmatch(text) is None


def _v4_address(text: str) -> ipaddress.IPv4Address | None:
    if _CANONICAL_V4.fullmatch(text):
        return ipaddress.IPv4Address(text)
    if ":" in text and "." not in text:
        return None  # an IPv6 form is never an IPv4 address
    # [U] Kusto documents null for a string it cannot convert; siemc assumes it converts only the
    # canonical dotted quad (no leading zeros, no trailing text), the form CloudTrail writes.
    return None


def _v4_range(text: str) -> ipaddress.IPv4Network:
    match = _CANONICAL_V4_RANGE.fullmatch(text)
    if match is None:
        raise AmbiguousIp(f"IPv4 range {text!r} is not a canonical address/prefix")
    return ipaddress.IPv4Network(text, strict=False)


def ipv4_is_in_range(address: str | None, ip_range: str | None) -> bool | None:
    """Kusto `ipv4_is_in_range(Ipv4Address, Ipv4Range)`."""
    if address is None or ip_range is None:
        return None
    network = _v4_range(ip_range)
    parsed = _v4_address(address)
    return None if parsed is None else parsed in network


def _v6_range(text: str) -> ipaddress.IPv6Network:
    if "%" in text or "." in text:
        raise AmbiguousIp(f"IPv6 range {text!r} is not modelled (zone id or IPv4 form)")
    try:
        return ipaddress.IPv6Network(text, strict=False)
    except ValueError:
        raise AmbiguousIp(f"IPv6 range {text!r} is not a canonical address/prefix") from None


def ipv6_is_in_range(address: str | None, ip_range: str | None) -> bool | None:
    """Kusto `ipv6_is_in_range(Ipv6Address, Ipv6Range)`."""
    if address is None or ip_range is None:
        return None
    network = _v6_range(ip_range)
    if _CANONICAL_V4.fullmatch(address):
        # Kusto accepts IPv4 here; where it maps it in IPv6 space is undocumented, which only
        # matters for ranges that overlap the IPv4-compatible or IPv4-mapped blocks.
        if any(network.overlaps(space) for space in _V4_SPACES):
            raise AmbiguousIp(f"IPv4 address {address!r} against IPv6 range {ip_range!r}")
        return False
    if "%" in address or "/" in address:
        # A zone id or a prefix on the address: Kusto's parsing of those is undocumented.
        if _unparseable(re.split(r"[%/]", address, maxsplit=1)[0]):
            return None
        raise AmbiguousIp(f"IPv6 address {address!r} with a zone id or prefix")
    try:
        return ipaddress.IPv6Address(address) in network
    except ValueError:
        pass
    # [U] as for IPv4: a string ipaddress does not read as an IPv6 address converts to null
    return None
