"""Code the tests and the benchmarks share: generators of synthetic scenarios."""
