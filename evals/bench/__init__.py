"""Benchmarks: each writes evals/reports/bench/<name>.json and prints the change since the last
committed run, so a reviewer can compare numbers across commits on the same machine."""
