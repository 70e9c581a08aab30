import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from dangol.channels.models import ConsentEvent, ConsentRefused, Follow
from dangol.messaging.models import InboxItem, MessageKind


def _follow(client, store, collection=True, **fields):
    data = {k: "on" for k, v in {"collection": collection, **fields}.items() if v}
    return client.post(reverse("channels:follow", args=[store.public_id]), data)


def _events(customer, store):
    return list(ConsentEvent.objects.filter(customer=customer, store=store).values_list("kind", "action", "via"))


def test_following_needs_a_signed_in_customer(client, store):
    response = client.get(reverse("channels:follow", args=[store.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_the_consent_screen_shows_purpose_items_retention_and_the_right_to_refuse(signed_in, customer, store):
    page = signed_in(customer).get(reverse("channels:follow", args=[store.public_id])).content.decode()
    for words in ["목적", "항목", "보관 기간", "거부할 권리", "광고성 정보 수신 동의 (선택)", "밤 9시~아침 8시"]:
        assert words in page


def test_it_refuses_to_follow_without_phone_collection_consent(signed_in, customer, store):
    response = _follow(signed_in(customer), store, collection=False, ads=True)
    assert response.status_code == 200
    assert "수집·이용에 동의해야" in response.content.decode()
    assert not Follow.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_following_records_each_consent_separately(signed_in, customer, store):
    _follow(signed_in(customer), store, ads=True)
    follow = Follow.objects.get()
    assert follow.ads_consent and not follow.night_consent
    assert sorted(_events(customer, store)) == [
        ("ads", "given", "web"),
        ("collection", "given", "web"),
        ("night", "refused", "web"),
    ]


def test_night_consent_alone_is_refused_and_nothing_is_written(signed_in, customer, store):
    response = _follow(signed_in(customer), store, night=True)
    assert "광고성 정보 수신에 동의해야" in response.content.decode()
    assert not Follow.objects.exists()


def test_the_customer_gets_a_confirmation_of_the_consents(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store, ads=True, night=True)
    notice = InboxItem.objects.get(customer=customer).message
    assert notice.kind == MessageKind.NOTICE
    assert "광고성 정보 수신 동의" in notice.body
    assert "야간(21시~08시) 광고성 정보 수신 동의" in notice.body
    assert "휴대폰 번호" in notice.body
    assert escape(notice.body) in client.get(reverse("messaging:inbox_item", args=[notice.public_id])).content.decode()


def test_following_twice_says_so_and_writes_nothing(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store)
    before = ConsentEvent.objects.count()
    response = _follow(client, store, ads=True)
    assert response.status_code == 302
    assert ConsentEvent.objects.count() == before
    assert Follow.objects.get().ads_consent is False
    page = client.get(reverse("channels:follow", args=[store.public_id]), follow=True).content.decode()
    assert "이미 이 가게의 단골입니다" in page


def test_withdrawing_ads_also_withdraws_night_and_is_recorded(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store, ads=True, night=True)
    client.post(reverse("channels:consent", args=[store.public_id]), {"kind": "ads", "given": "0"})
    follow = Follow.objects.get()
    assert not follow.ads_consent and not follow.night_consent
    assert ("ads", "withdrawn", "web") in _events(customer, store)
    assert ("night", "withdrawn", "web") in _events(customer, store)
    assert InboxItem.objects.filter(customer=customer, message__kind=MessageKind.NOTICE).count() == 2


def test_giving_the_same_consent_again_writes_nothing(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store, ads=True)
    before = ConsentEvent.objects.count()
    client.post(reverse("channels:consent", args=[store.public_id]), {"kind": "ads", "given": "1"})
    assert ConsentEvent.objects.count() == before


def test_phone_collection_consent_is_withdrawn_only_by_unfollowing(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store)
    response = client.post(
        reverse("channels:consent", args=[store.public_id]), {"kind": "collection", "given": "0"}, follow=True
    )
    assert "이 동의는 단골 해제로만 철회할 수 있습니다" in response.content.decode()  # as the API says
    assert Follow.objects.get().is_active


def test_unfollowing_takes_one_tap_and_withdraws_everything(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store, ads=True, night=True)
    client.post(reverse("channels:unfollow", args=[store.public_id]))
    follow = Follow.objects.get()
    assert not follow.is_active and not follow.ads_consent and not follow.night_consent
    withdrawn = {kind for kind, action, via in _events(customer, store) if action == "withdrawn"}
    assert withdrawn == {"collection", "ads", "night"}


def test_a_customer_can_follow_again_after_unfollowing(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store)
    client.post(reverse("channels:unfollow", args=[store.public_id]))
    _follow(client, store, ads=True)
    follow = Follow.objects.get()
    assert follow.is_active and follow.ads_consent
    assert _events(customer, store).count(("collection", "given", "web")) == 2


def test_consent_records_cannot_be_changed_or_deleted(signed_in, customer, store):
    _follow(signed_in(customer), store)
    event = ConsentEvent.objects.first()
    event.action = "refused"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        ConsentEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        ConsentEvent.objects.update(action="refused")


def test_the_model_refuses_night_consent_without_ads(customer, store):
    with pytest.raises(ConsentRefused):
        Follow.start(customer=customer, store=store, ads=False, night=True, via="web")
    assert not Follow.objects.exists()


def test_my_stores_lists_only_active_follows(signed_in, customer, store, other_store):
    client = signed_in(customer)
    _follow(client, store)
    _follow(client, other_store)
    client.post(reverse("channels:unfollow", args=[other_store.public_id]))
    page = client.get(reverse("channels:my_stores")).content.decode()
    page = page[page.index("<h1>") :]
    assert store.name in page
    assert other_store.name not in page


def test_ad_consent_is_recalled_to_the_customer_every_two_years(customer, store, other_store):
    from django.core.management import call_command

    with time_machine.travel("2024-11-20 10:00 +0900", tick=False):
        Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
        Follow.start(customer=customer, store=other_store, ads=False, night=False, via="web")
    notices = InboxItem.objects.filter(customer=customer, message__body__contains="2년마다")
    with time_machine.travel("2026-11-19 10:00 +0900", tick=False):
        call_command("scheduler", "--once")
        assert not notices.exists()
    with time_machine.travel("2026-11-20 10:01 +0900", tick=False):
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")
    assert notices.count() == 1
    assert "2024년 11월 20일" in notices.get().message.body
    assert notices.get().message.store == store
    with time_machine.travel("2028-11-20 10:02 +0900", tick=False):
        call_command("scheduler", "--once")
    assert notices.count() == 2
