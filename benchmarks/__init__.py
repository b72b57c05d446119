"""Benchmarks (``make bench``); never run in CI."""
