"""Benchmarks: `make bench` runs them all, `make bench-NAME` one of them.

Each `bench/bench_NAME.py` has a `main()` that sets up its own database,
measures, prints a report and returns 0 when its targets are met. Speed is
measured here, never in timed unit tests.
"""
