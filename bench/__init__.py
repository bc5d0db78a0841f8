"""Benchmarks (`make bench`): server time of hot pages next to the raw-SQL floor measured in the same run."""
