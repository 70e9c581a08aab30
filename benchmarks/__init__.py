"""Benchmarks: `make bench` runs every module here that defines `run()` and prints one table.

Each benchmark returns rows of dicts; a row should carry a reference measured in
the same run (for example the same work as raw SQL on the same database).
"""
