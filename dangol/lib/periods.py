"""Periods for counting: [since, before), either end open."""

from django.db.models import Q


def within(field, since=None, before=None):
    """A Q that keeps rows whose `field` falls in [since, before); an end that is None is open."""
    bounds = {f"{field}__gte": since, f"{field}__lt": before}
    return Q(**{lookup: moment for lookup, moment in bounds.items() if moment is not None})
