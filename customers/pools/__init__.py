"""The public customer pool (公海): who sees which pool (selectors), masking of pool rows (masking),
the rules that return customers to a pool and the daily job (rules), and the writes (services)."""
