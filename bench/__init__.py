"""Benchmarks. Each prints `BENCH <name> <value> <unit>` lines; comparisons are ratios from the same run."""
