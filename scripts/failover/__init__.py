"""Helpers for scripts/failover_test.py: a settings module that accepts a multi-host DATABASE_URL and
the seed/verify script it runs inside Django."""
