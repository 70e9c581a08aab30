"""The reach page's chart: per hour, who got a message in the inbox, by push and by SMS, and who read it."""

import re

import time_machine

from dangol.delivery.models import ChannelChoice, MessageCredit
from dangol.delivery.services import deliveries_send_due
from dangol.messaging.services import message_send

ROW = re.compile(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="(\w+)">(\d+)<svg[^>]*><rect width="(\d+)"')


def _chart(page):
    """{hour label: {series: (count, bar width)}} as the page's table shows them."""
    chart = page.split('class="table reach-chart"', 1)[1].split("</table>", 1)[0]
    return {
        label: {name: (int(n), int(width)) for name, n, width in CELL.findall(cells)}
        for label, cells in ROW.findall(chart)
    }


def test_the_chart_shows_each_hour_delivered_by_channel_and_read(
    signed_in, store, merchant, customer, stranger, other_merchant, market, follow, browser, push_service
):
    browser("phone").subscribe(customer)
    inbox_only = other_merchant
    for person in (customer, stranger, inbox_only):
        follow(person, store)
    ChannelChoice.objects.create(customer=stranger, store=store, channel="sms")
    ChannelChoice.objects.create(customer=inbox_only, store=store, channel="inbox")
    MessageCredit.top_up(market=market, amount=1000)
    with time_machine.travel("2026-11-26 12:10 +0900", tick=False):
        message = message_send(store=store, author=merchant, kind="info", body="오늘 사과 세일")
        message.deliver()
        deliveries_send_due()
    with time_machine.travel("2026-11-26 13:30 +0900", tick=False):
        signed_in(customer).get(f"/inbox/{message.public_id}/")
    with time_machine.travel("2026-11-26 15:05 +0900", tick=False):
        signed_in(stranger).get(f"/inbox/{message.public_id}/")
        signed_in(inbox_only).get(f"/inbox/{message.public_id}/")
        page = signed_in(merchant).get(f"/m/{store.public_id}/messages/{message.public_id}/reach/").content.decode()

    assert _chart(page) == {
        "11/26 12시": {"inbox": (3, 100), "push": (1, 33), "sms": (1, 33), "read": (0, 0)},
        "11/26 13시": {"inbox": (0, 0), "push": (0, 0), "sms": (0, 0), "read": (1, 33)},
        "11/26 14시": {"inbox": (0, 0), "push": (0, 0), "sms": (0, 0), "read": (0, 0)},
        "11/26 15시": {"inbox": (0, 0), "push": (0, 0), "sms": (0, 0), "read": (2, 67)},
    }
    assert '<th scope="col">푸시</th>' in page and "<caption>" in page and 'aria-hidden="true"' in page
    assert "<script" not in page.split('class="table reach-chart"', 1)[1].split("</table>", 1)[0]


def test_an_ad_held_overnight_shows_the_quiet_night_and_arrives_at_eight(
    signed_in, store, merchant, customer, follow, browser, push_service
):
    browser("phone").subscribe(customer)
    follow(customer, store, ads=True, night=False)
    with time_machine.travel("2026-11-26 22:00 +0900", tick=False):
        message = message_send(store=store, author=merchant, kind="ad", body="밤 떨이")
        message.deliver()
        deliveries_send_due()
        url = f"/m/{store.public_id}/messages/{message.public_id}/reach/"
        assert "시간별 도달과 읽음" not in signed_in(merchant).get(url).content.decode()  # nothing happened yet
    with time_machine.travel("2026-11-27 08:00 +0900", tick=False):
        deliveries_send_due()
    with time_machine.travel("2026-11-27 09:00 +0900", tick=False):
        signed_in(customer).get(f"/inbox/{message.public_id}/")
        chart = _chart(signed_in(merchant).get(url).content.decode())
    assert list(chart)[:2] == ["11/26 22시", "11/26 23시"] and len(chart) == 12
    quiet = {"inbox": (0, 0), "push": (0, 0), "sms": (0, 0), "read": (0, 0)}
    assert all(chart[f"11/27 {h}시"] == quiet for h in range(8))
    assert chart["11/27 8시"] == {"inbox": (1, 100), "push": (1, 100), "sms": (0, 0), "read": (0, 0)}
    assert chart["11/27 9시"]["read"] == (1, 100)


def test_the_chart_stops_after_two_days(signed_in, store, merchant, customer, follow):
    follow(customer, store)
    with time_machine.travel("2026-11-26 12:00 +0900", tick=False):
        message = message_send(store=store, author=merchant, kind="info", body="오늘 쉽니다")
        message.deliver()
    with time_machine.travel("2026-11-30 12:00 +0900", tick=False):
        signed_in(customer).get(f"/inbox/{message.public_id}/")
        page = signed_in(merchant).get(f"/m/{store.public_id}/messages/{message.public_id}/reach/").content.decode()
    chart = _chart(page)
    assert len(chart) == 48 and list(chart)[-1] == "11/28 11시"
    assert "처음 48시간만 보여 줍니다." in page
