"""Leads in every state, a routing team and a web form (marketing.demo)."""

from marketing.demo import ORDER, seed  # noqa: F401
