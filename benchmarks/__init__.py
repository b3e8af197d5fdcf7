"""Benchmarks: scripts that print tables; never part of the test suite (`python -m benchmarks`)."""
