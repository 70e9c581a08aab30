"""Delivery's periodic job (run by core's scheduler): send the push and SMS rows that are due."""

from dangol.lib.periodic import periodic

from .services import deliveries_send_due


@periodic
def due_deliveries(*, now):
    return deliveries_send_due(now=now)
