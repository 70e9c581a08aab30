"""The channel's periodic jobs (run by core's scheduler)."""

from dangol.lib.periodic import periodic

from .services import consent_reminders_send


@periodic
def consent_reminders(*, now):
    return consent_reminders_send(now=now)
