"""Together's periodic jobs (run by core's scheduler)."""

from dangol.lib.periodic import periodic

from .services import together_close_due


@periodic
def close_due(*, now):
    return together_close_due(now=now)
