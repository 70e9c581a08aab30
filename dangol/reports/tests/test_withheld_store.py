"""A store hidden by reports takes no new regulars and is not listed or served by the API to strangers;
its merchants, its regulars' follows and the moderators keep what they had."""

import pytest
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow
from dangol.reports.models import Target
from dangol.reports.services import report_file

from .conftest import neighbour

API = "/api/v1"


@pytest.fixture
def hidden(store, low_limit):
    for n in range(low_limit):
        report_file(reported=store, by=neighbour(80 + n), reason="spam")
    target = Target.objects.get(store=store)
    assert target.withheld
    return target


def test_nobody_can_start_following_a_hidden_store_by_page_or_api(signed_in, store, hidden, customer):
    client = signed_in(customer)
    page = client.post(
        reverse("channels:follow", args=[store.public_id]), {"collection": "on", "ads": "on"}, follow=True
    )
    assert "운영진이 확인하는 중인 가게라 지금은 단골이 될 수 없습니다." in page.content.decode()
    answer = client.post(
        f"{API}/stores/{store.public_id}/follow", {"collection": True}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == "운영진이 확인하는 중인 가게라 지금은 단골이 될 수 없습니다."
    assert not Follow.objects.filter(customer=customer).exists()
    assert not ConsentEvent.objects.filter(customer=customer).exists()


def test_those_already_regulars_stay_regulars(signed_in, store, customer, low_limit):
    Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    for n in range(low_limit):
        report_file(reported=store, by=neighbour(90 + n), reason="spam")
    assert Follow.objects.active().filter(customer=customer, store=store).exists()


def test_the_market_directory_lists_a_hidden_store_again_once_a_moderator_keeps_it(
    client, store, other_store, hidden, market
):
    page = client.get(market.get_absolute_url()).content.decode()
    assert other_store.name in page and store.name not in page
    Target.objects.filter(pk=hidden.pk).update(withheld=False, moderation="kept")
    assert store.name in client.get(market.get_absolute_url()).content.decode()


def test_the_store_api_hides_a_hidden_store_from_all_but_its_merchants_and_moderators(
    client, signed_in, store, hidden, merchant, other_merchant, customer, moderator
):
    url = f"{API}/stores/{store.public_id}"
    assert client.get(url).status_code == 404
    for person in (customer, other_merchant):
        assert signed_in(person).get(url).status_code == 404
    for person in (merchant, moderator):
        response = signed_in(person).get(url)
        assert response.status_code == 200 and response.json()["name"] == store.name
