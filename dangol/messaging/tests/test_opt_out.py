"""The free opt-out link (정보통신망법 §50): a tap shows one button, the button withdraws, once,
for the ad consent the link was sent under; no sign-in."""

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow
from dangol.channels.services import consent_change
from dangol.messaging.models import OPT_OUT_SALT, InboxItem, Message, MessageKind, opt_out_token


@pytest.fixture
def follow(customer, store):
    with time_machine.travel("2026-03-02 10:00 +0900", tick=False):
        return Follow.start(customer=customer, store=store, ads=True, night=True, via="web")[0]


def url_for(follow):
    return reverse("messaging:opt_out", args=[opt_out_token(follow)])


def written(customer):
    """Everything an opt-out writes: consent records and notices."""
    return (
        ConsentEvent.objects.filter(customer=customer).count(),
        InboxItem.objects.filter(customer=customer).count(),
    )


def test_opening_the_link_shows_one_button_and_changes_nothing(client, customer, follow):
    before = written(customer)
    response = client.get(url_for(follow))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('type="submit"') == 1 and "수신 거부" in page
    assert "수신거부 완료" not in page
    follow.refresh_from_db()
    assert follow.ads_consent and follow.night_consent
    assert written(customer) == before


def test_a_link_preview_bot_asking_head_or_get_opts_nobody_out(customer, follow):
    bot = Client(HTTP_USER_AGENT="facebookexternalhit/1.1")
    before = written(customer)
    for _ in range(3):
        assert bot.head(url_for(follow)).status_code == 200
        assert bot.get(url_for(follow)).status_code == 200
    follow.refresh_from_db()
    assert follow.ads_consent
    assert written(customer) == before


def test_the_button_withdraws_without_sign_in_with_its_record_and_confirmation(customer, store, follow):
    client = Client(enforce_csrf_checks=True)  # no cookie at all, as from a messenger's browser
    response = client.post(url_for(follow))
    page = response.content.decode()
    assert response.status_code == 200
    assert "수신거부 완료" in page and "확인 알림을 보냈습니다" in page
    follow.refresh_from_db()
    assert (follow.ads_consent, follow.night_consent, follow.is_active) == (False, False, True)
    events = {(e.kind, e.action, e.via) for e in ConsentEvent.objects.filter(customer=customer, store=store)}
    assert {("ads", "withdrawn", "opt_out_link"), ("night", "withdrawn", "opt_out_link")} <= events
    notice = Message.objects.get(kind=MessageKind.NOTICE, inbox_items__customer=customer, body__contains="철회")
    assert "광고성 정보 수신 철회" in notice.body


def test_the_page_keeps_the_token_out_of_referers_and_caches(client, follow):
    response = client.get(url_for(follow))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_a_used_link_says_it_is_done_and_writes_nothing_more(client, customer, follow):
    url = url_for(follow)
    client.post(url)
    after_first = written(customer)
    for response in (client.get(url), client.post(url)):
        page = response.content.decode()
        assert "수신거부 완료" in page and "이미 끝났습니다" in page
        assert 'type="submit"' not in page
    assert written(customer) == after_first


def test_a_link_from_before_a_new_consent_does_not_withdraw_the_new_one(client, customer, store, follow):
    old_url = url_for(follow)
    client.post(old_url)
    with time_machine.travel("2026-05-01 10:00 +0900", tick=False):
        consent_change(follow=follow, kind="ads", given=True, via="web")
    follow.refresh_from_db()
    before = written(customer)
    for response in (client.get(old_url), client.post(old_url)):
        page = response.content.decode()
        assert "지난 동의의 링크입니다" in page
        assert 'type="submit"' not in page
    follow.refresh_from_db()
    assert follow.ads_consent
    assert written(customer) == before
    assert "수신거부 완료" in client.post(url_for(follow)).content.decode()  # the new link works
    follow.refresh_from_db()
    assert not follow.ads_consent


def test_a_link_unused_before_a_new_consent_is_stale_too(client, customer, store, follow):
    """Withdrawn another way (the consent page), consented again: the first ad's link is dead."""
    old_url = url_for(follow)
    consent_change(follow=follow, kind="ads", given=False, via="web")
    with time_machine.travel("2026-05-01 10:00 +0900", tick=False):
        consent_change(follow=follow, kind="ads", given=True, via="web")
    assert "지난 동의의 링크입니다" in client.post(old_url).content.decode()
    follow.refresh_from_db()
    assert follow.ads_consent


def test_a_link_after_unfollowing_and_following_again_is_stale(client, customer, store, follow):
    old_url = url_for(follow)
    follow.end(via="unfollow")
    with time_machine.travel("2026-06-01 10:00 +0900", tick=False):
        Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    assert "지난 동의의 링크입니다" in client.post(old_url).content.decode()
    assert Follow.objects.get(pk=follow.pk).ads_consent


@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        "cut-short",
        "other-salt",
        "unbound-old-format",
    ],
)
def test_a_tampered_or_unbound_token_is_refused_and_changes_nothing(client, customer, follow, token):
    good = opt_out_token(follow)
    token = {
        "tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "cut-short": good[: len(good) // 2],
        "other-salt": signing.dumps([follow.public_id, follow.ads_consent_at.isoformat()], salt="another"),
        "unbound-old-format": signing.dumps(follow.public_id, salt=OPT_OUT_SALT, compress=True),
    }[token]
    before = written(customer)
    for response in (client.get(f"/o/{token}/"), client.post(f"/o/{token}/")):
        assert response.status_code == 404
        assert "링크가 올바르지 않습니다" in response.content.decode()
    follow.refresh_from_db()
    assert follow.ads_consent
    assert written(customer) == before


def test_a_forged_link_for_someone_elses_follow_needs_the_secret(client, customer, follow, stranger, store):
    theirs = Follow.start(customer=stranger, store=store, ads=True, night=False, via="web")[0]
    forged = signing.dumps([theirs.public_id, theirs.ads_consent_at.isoformat()], salt=OPT_OUT_SALT, key="x" * 50)
    assert client.post(f"/o/{forged}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.ads_consent


def test_other_methods_are_not_allowed(client, follow):
    assert client.put(url_for(follow)).status_code == 405
    assert client.delete(url_for(follow)).status_code == 405
    follow.refresh_from_db()
    assert follow.ads_consent
