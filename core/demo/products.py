"""Products, units, price levels and grants (products.demo)."""

from products.demo import ORDER, seed  # noqa: F401
