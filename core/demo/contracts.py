"""Contracts for won opportunities, with plans, receivables and receipts (contracts.demo)."""

from contracts.demo import ORDER, seed  # noqa: F401
