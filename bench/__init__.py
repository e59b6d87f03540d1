"""Benchmarks: each figure measured side by side with its floor or ceiling (see README.md)."""
