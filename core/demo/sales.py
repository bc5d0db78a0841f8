"""A year of opportunities, contact records and projects (sales.demo)."""

from sales.demo import ORDER, seed  # noqa: F401
