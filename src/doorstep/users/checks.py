"""`doorstep check` refuses a two-factor requirement it cannot read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from doorstep.users.selectors import TWO_FACTOR_REQUIREMENTS


@register()
def two_factor_requirement_is_known(**kwargs: Any) -> list[CheckMessage]:
    value = settings.DOORSTEP_STAFF_REQUIRE_MFA
    if value in TWO_FACTOR_REQUIREMENTS:
        return []
    return [
        Error(
            f"DOORSTEP_STAFF_REQUIRE_MFA is {value!r}.",
            hint="Use one of: " + ", ".join(TWO_FACTOR_REQUIREMENTS) + ".",
            id="doorstep.users.E001",
        )
    ]
