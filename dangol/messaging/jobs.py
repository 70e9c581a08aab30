"""Messaging's periodic jobs (run by core's scheduler)."""

from dangol.lib.periodic import periodic

from .services import messages_deliver_due


@periodic
def scheduled_messages(*, now):
    return messages_deliver_due(now=now)
