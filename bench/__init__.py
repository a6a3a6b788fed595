"""Benchmarks: `make bench` runs every module's `main`; they print figures, they do not gate."""
