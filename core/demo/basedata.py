"""Basic data (lookup lists) and numbering rules every company starts with."""

from core.basedata import ensure_default_lookups
from core.numbering import ensure_default_rules

ORDER = 0


def seed(ctx) -> None:
    lookups = ensure_default_lookups()
    rules = ensure_default_rules()
    ctx.log(f"basic data: {lookups} list entries, {rules} numbering rules")
