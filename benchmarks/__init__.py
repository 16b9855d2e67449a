"""Benchmarks: run with ``make bench`` (``python -m benchmarks.<name>``); never part of the test suite."""
