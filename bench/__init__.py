"""Benchmarks (not timed tests): ``python -m bench`` runs every ``bench/bench_*.py``."""
