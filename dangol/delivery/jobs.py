"""Delivery's periodic jobs (run by core's scheduler): send the push and SMS rows that are due."""

from django.conf import settings

from dangol.lib.periodic import periodic

from .services import deliveries_send_due, sms_reports_check


@periodic
def due_deliveries(*, now):
    # Passes follow each other for up to DELIVERY_TICK_SECONDS, so a broadcast is not held to one
    # batch per tick, and the scheduler's other jobs still run every tick.
    return deliveries_send_due(now=now, seconds=getattr(settings, "DELIVERY_TICK_SECONDS", 10))


@periodic
def sms_reports(*, now):
    # At most SMS_REPORT_BATCH texts are asked about per tick; the rest wait for the next.
    return sms_reports_check(now=now)
