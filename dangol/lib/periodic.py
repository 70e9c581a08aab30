"""Periodic jobs: each app lists its own in `<app>/jobs.py` with `@periodic`; core's scheduler runs them.

A job takes `now` and returns what it did (a count or a dict) for the log. Jobs must be safe when
several schedulers run at once: they claim rows by conditional update before acting.
"""

from django.utils.module_loading import autodiscover_modules

_jobs = {}


def periodic(func):
    """Register `func(*, now)` to run on every scheduler tick."""
    _jobs[f"{func.__module__}.{func.__name__}"] = func
    return func


def periodic_jobs():
    """Every registered job by name, after importing each installed app's `jobs` module."""
    autodiscover_modules("jobs")
    return dict(_jobs)
