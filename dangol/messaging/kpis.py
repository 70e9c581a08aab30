"""Messaging figures that other apps (the fund's KPIs) may read: plain numbers, counted live.

Each takes a market (a Market or its id; None for every market) and a period [since, before) of aware
datetimes, either end open when None.
"""

from django.db.models import Q

from .models import Message, MessageKind, Status


def _within(field, since, before):
    bounds = {f"{field}__gte": since, f"{field}__lt": before}
    return Q(**{lookup: moment for lookup, moment in bounds.items() if moment is not None})


def messages_sent(*, market=None, since=None, before=None):
    """News (information and ads) that stores sent to their regulars in the period.

    A notice to one customer is not a store's news; a scheduled or cancelled message was not sent.
    """
    messages = Message.objects.filter(
        _within("sent_at", since, before), status=Status.SENT, kind__in=[MessageKind.INFO, MessageKind.AD]
    )
    if market is not None:
        messages = messages.filter(store__market=market)
    return messages.count()
