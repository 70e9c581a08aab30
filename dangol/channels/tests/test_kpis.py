import datetime as dt

import time_machine

from dangol.accounts.models import User
from dangol.channels.kpis import followers_gained, stores_opened
from dangol.channels.models import ConsentVia, Follow, Store
from dangol.lib.seoul import SEOUL
from dangol.markets.models import Market

# 20 November 2026 in Seoul runs from 19 November 15:00 to 20 November 15:00 in UTC.
DAY_STARTS = dt.datetime(2026, 11, 20, tzinfo=SEOUL)
NEXT_DAY = dt.datetime(2026, 11, 21, tzinfo=SEOUL)
SECOND = dt.timedelta(seconds=1)
AROUND_THE_DAY = (DAY_STARTS - SECOND, DAY_STARTS, NEXT_DAY - SECOND, NEXT_DAY)


def _follow(customer, store):
    return Follow.start(customer=customer, store=store, ads=False, night=False, via=ConsentVia.WEB)[0]


def test_stores_opened_counts_the_seoul_day_from_its_first_moment_up_to_the_next(market):
    for number, moment in enumerate(AROUND_THE_DAY):
        with time_machine.travel(moment, tick=False):
            Store.objects.create(market=market, name=f"가게{number}")

    assert stores_opened(market=market, since=DAY_STARTS, before=NEXT_DAY) == 2
    assert stores_opened(market=market, since=DAY_STARTS) == 3
    assert stores_opened(market=market, before=NEXT_DAY) == 3
    assert stores_opened(market=market) == 4


def test_stores_opened_counts_only_the_given_market(market, store, other_store):
    elsewhere = Market.objects.create(name="다른시장")
    Store.objects.create(market=elsewhere, name="다른가게")

    assert stores_opened(market=market) == 2
    assert stores_opened(market=market.pk) == 2
    assert stores_opened(market=elsewhere) == 1
    assert stores_opened() == 3


def test_followers_gained_leaves_out_follows_that_ended(store, other_store, customer, stranger):
    _follow(customer, store)
    _follow(stranger, store)
    _follow(customer, other_store).end(via=ConsentVia.WEB)

    assert followers_gained() == 2


def test_a_customer_who_follows_again_counts_once_from_the_new_start(store, customer):
    with time_machine.travel(DAY_STARTS - SECOND, tick=False):
        _follow(customer, store).end(via=ConsentVia.WEB)
    with time_machine.travel(DAY_STARTS, tick=False):
        _follow(customer, store)

    assert followers_gained(since=DAY_STARTS, before=NEXT_DAY) == 1
    assert followers_gained(before=DAY_STARTS) == 0


def test_followers_gained_counts_only_the_given_market(market, store, customer):
    shop = Store.objects.create(market=Market.objects.create(name="다른시장"), name="다른가게")
    _follow(customer, store)
    _follow(customer, shop)

    assert followers_gained(market=market) == 1
    assert followers_gained(market=shop.market_id) == 1
    assert followers_gained() == 2


def test_followers_gained_counts_the_seoul_day_from_its_first_moment_up_to_the_next(market, store):
    for number, moment in enumerate(AROUND_THE_DAY):
        with time_machine.travel(moment, tick=False):
            _follow(User.objects.create_user(f"+82107777000{number}"), store)

    assert followers_gained(market=market, since=DAY_STARTS, before=NEXT_DAY) == 2
    assert followers_gained(market=market, since=DAY_STARTS) == 3
    assert followers_gained(market=market, before=NEXT_DAY) == 3
