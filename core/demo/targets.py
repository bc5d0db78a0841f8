"""Sales targets for the year with monthly splits (targets.demo)."""

from targets.demo import ORDER, seed  # noqa: F401
