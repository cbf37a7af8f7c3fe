"""Benchmarks (`make bench`): each prints its figures and appends them to bench/RESULTS.md."""
