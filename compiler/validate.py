"""pySigma's SigmaHQ validators: findings are printed as warnings, never fatal."""

from __future__ import annotations

from functools import cache

from sigma.validation import SigmaValidator
from sigma.validators.core import validators

from compiler.loader import LoadedRule

# These download MITRE ATT&CK / D3FEND data at first use; siemc must work offline and in CI.
# The TLPv1/v2 variants contradict the generic TLP validator on every TLP tag.
LEFT_OUT = frozenset({"ATTACKTagValidator", "D3FENDTagValidator", "TLPv1TagValidator", "TLPv2TagValidator"})


@cache
def _validator() -> SigmaValidator:
    return SigmaValidator(v for _, v in sorted(validators.items()) if v.__name__ not in LEFT_OUT)


def warnings_for(rule: LoadedRule) -> list[str]:
    issues = _validator().validate_rule(rule.rule)
    return sorted({f"{rule.path}: warning: {type(i).__name__}: {i.description}" for i in issues})
