"""Messaging figures that other apps (the fund's KPIs) may read: plain numbers, counted live.

Each takes a market (a Market or its id; None for every market) and a period [since, before) of aware
datetimes, either end open when None.
"""

from dangol.lib.periods import within

from .models import Message, MessageKind, Status


def messages_sent(*, market=None, since=None, before=None):
    """News (information and ads) that stores sent to their regulars in the period.

    A notice to one customer is not a store's news; a scheduled or cancelled message was not sent.
    """
    messages = Message.objects.filter(
        within("sent_at", since, before), status=Status.SENT, kind__in=[MessageKind.INFO, MessageKind.AD]
    )
    if market is not None:
        messages = messages.filter(store__market=market)
    return messages.count()
