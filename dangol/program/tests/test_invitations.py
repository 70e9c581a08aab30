"""A market association or operator opens a store and invites its merchant with a one-time sign-in."""

import datetime as dt
import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from dangol.accounts import sms
from dangol.accounts.models import User
from dangol.channels.models import Store
from dangol.program.models import Invitation


def _link(text):
    return re.search(r"https?://\S+", text).group(0).replace("http://testserver", "")


def test_the_market_association_opens_a_store_and_texts_its_merchant(
    signed_in, market, market_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(market_admin).post(
            reverse("program:store_new", args=[market.public_id]),
            {"name": "골목떡집", "category": "rice_cake", "stall_number": "다-07", "merchant_phone": "010-8888-0001"},
        )

    store = Store.objects.get(name="골목떡집")
    assert response.status_code == 302
    assert store.market == market
    assert not store.owners.exists()
    assert [m["to"] for m in sms.outbox] == ["+821088880001"]
    assert "골목떡집 사장님" in sms.outbox[0]["text"]


def test_a_bad_store_or_phone_writes_nothing(signed_in, market, market_admin):
    client = signed_in(market_admin)
    url = reverse("program:store_new", args=[market.public_id])

    blank = client.post(url, {"name": "\u3164", "category": "fruit"})
    bad_phone = client.post(url, {"name": "과일집", "category": "fruit", "merchant_phone": "02-123-4567"})

    assert "보이는 글자를 입력해 주세요." in blank.content.decode()
    assert "문자를 받을 수 있는 휴대폰 번호를 입력해 주세요." in bad_phone.content.decode()
    assert not Store.objects.filter(market=market).exists()
    assert sms.outbox == []


def test_other_people_cannot_open_stores_in_a_market(signed_in, market, merchant, tutor):
    for user in (merchant, tutor):
        response = signed_in(user).post(
            reverse("program:store_new", args=[market.public_id]), {"name": "몰래가게", "category": "fruit"}
        )
        assert response.status_code == 404
    assert not Store.objects.exists()


def test_the_texted_link_makes_that_phone_the_merchant_once(
    client, signed_in, market_admin, store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(market_admin).post(reverse("program:invite", args=[store.public_id]), {"phone": "010-8888-0002"})
    link = _link(sms.outbox[-1]["text"])
    client.logout()

    assert client.get(link)["Location"].startswith(reverse("accounts:sign_in"))

    wrong = User.objects.create_user("+821088880003")
    signed_in(wrong).post(link)
    assert not store.owners.filter(pk=wrong.pk).exists()

    invited = User.objects.create_user("+821088880002")
    response = signed_in(invited).post(link)
    assert response["Location"] == reverse("channels:dashboard", args=[store.public_id])
    assert store.owners.filter(pk=invited.pk).exists()

    again = signed_in(invited).post(reverse("api:invitation_accept", args=[link.rstrip("/").split("/")[-1]]))
    assert again.status_code == 409
    assert again.json()["detail"] == "이미 사용한 초대입니다. 새 초대를 받아 주세요."


def test_a_printed_invitation_works_for_whoever_holds_it_until_it_expires(signed_in, store, stranger, customer):
    _invitation, token = Invitation.issue(store=store, by=None)

    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        late = signed_in(stranger).post(reverse("api:invitation_accept", args=[token]))
    assert late.status_code == 409
    assert not store.owners.filter(pk=stranger.pk).exists()

    _invitation2, token2 = Invitation.issue(store=store, by=None)
    ok = signed_in(customer).post(reverse("api:invitation_accept", args=[token2]))
    assert ok.json() == {"store": store.public_id, "name": "햇살과일"}
    assert store.owners.filter(pk=customer.pk).exists()


def test_an_unknown_invitation_is_404(signed_in, customer):
    assert signed_in(customer).get(reverse("program:join", args=["nope"])).status_code == 404
    assert signed_in(customer).post(reverse("api:invitation_accept", args=["nope"])).status_code == 404


def test_only_the_hash_of_the_token_is_kept(store):
    invitation, token = Invitation.issue(store=store, by=None)

    assert token not in invitation.digest
    assert Invitation.find(token) == invitation
