import datetime as dt

from dangol.channels.models import Store
from dangol.lib.seoul import SEOUL
from dangol.markets.models import Market
from dangol.messaging.kpis import messages_sent
from dangol.messaging.models import Message, MessageKind, Status

# 20 November 2026 in Seoul runs from 19 November 15:00 to 20 November 15:00 in UTC.
DAY_STARTS = dt.datetime(2026, 11, 20, tzinfo=SEOUL)
NEXT_DAY = dt.datetime(2026, 11, 21, tzinfo=SEOUL)
SECOND = dt.timedelta(seconds=1)
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=SEOUL)


def _message(store, kind=MessageKind.INFO, status=Status.SENT, at=NOON):
    sent_at = at if status == Status.SENT else None
    return Message.objects.create(store=store, kind=kind, body="소식", status=status, send_at=at, sent_at=sent_at)


def test_messages_sent_counts_news_and_ads_that_went_out(store, other_store):
    _message(store, MessageKind.INFO)
    _message(store, MessageKind.AD)
    _message(other_store, MessageKind.INFO)
    _message(store, MessageKind.NOTICE)  # a notice to one customer is not a store's news
    _message(store, MessageKind.AD, status=Status.SCHEDULED)
    _message(store, MessageKind.INFO, status=Status.CANCELED)

    assert messages_sent() == 3


def test_a_cancelled_message_is_not_counted(store):
    message = _message(store, status=Status.SCHEDULED, at=NOON + dt.timedelta(days=1))
    message.cancel()

    assert Message.objects.get().status == Status.CANCELED
    assert messages_sent() == 0


def test_messages_sent_counts_only_the_given_market(market, store):
    shop = Store.objects.create(market=Market.objects.create(name="다른시장"), name="다른가게")
    _message(store)
    _message(shop)
    _message(shop, MessageKind.AD)

    assert messages_sent(market=market) == 1
    assert messages_sent(market=shop.market_id) == 2
    assert messages_sent() == 3


def test_messages_sent_counts_the_seoul_day_from_its_first_moment_up_to_the_next(market, store):
    for moment in (DAY_STARTS - SECOND, DAY_STARTS, NEXT_DAY - SECOND, NEXT_DAY):
        _message(store, at=moment)

    assert messages_sent(market=market, since=DAY_STARTS, before=NEXT_DAY) == 2
    assert messages_sent(market=market, since=DAY_STARTS) == 3
    assert messages_sent(market=market, before=NEXT_DAY) == 3
