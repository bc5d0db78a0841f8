"""Quotes on contact records (sales.demo_quotes)."""

from sales.demo_quotes import ORDER, seed  # noqa: F401
