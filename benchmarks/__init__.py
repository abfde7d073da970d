"""Benchmarks that score the engine; `make bench-history` runs the history one."""
