"""What a customer meets around following: leaving asks once, consent receipts stay quiet, the
welcome coupon is announced."""

from django.contrib.messages import get_messages
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow
from dangol.coupons.models import Campaign, Coupon
from dangol.messaging.models import InboxItem, MessageKind


def _follow(client, store, **fields):
    data = {"collection": "on", **{k: "on" for k, v in fields.items() if v}}
    return client.post(reverse("channels:follow", args=[store.public_id]), data, follow=True)


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_store_page_asks_before_unfollowing(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store)
    url = reverse("channels:unfollow", args=[store.public_id])

    store_page = client.get(store.get_absolute_url()).content.decode()
    assert f'href="{url}"' in store_page
    assert f'action="{url}"' not in store_page  # no one-tap form on the store page
    question = client.get(url)
    assert question.status_code == 200
    page = question.content.decode()
    assert "햇살과일 단골을 해제할까요?" in page
    assert "네, 단골을 해제합니다" in page and "아니요, 그대로 둡니다" in page
    assert Follow.objects.get().is_active  # asking wrote nothing
    assert not ConsentEvent.objects.filter(action="withdrawn").exists()

    response = client.post(url, follow=True)
    assert "단골을 해제했습니다" in response.content.decode()
    assert not Follow.objects.get().is_active


def test_the_unfollow_question_is_only_for_a_regular(signed_in, client, customer, stranger, store):
    url = reverse("channels:unfollow", args=[store.public_id])
    assert client.get(url)["Location"].startswith(reverse("accounts:sign_in"))
    _follow(signed_in(customer), store)

    other = signed_in(stranger)
    assert other.get(url)["Location"] == store.get_absolute_url()
    assert other.post(url)["Location"] == store.get_absolute_url()
    assert Follow.objects.get().is_active
    assert signed_in(customer).get(reverse("channels:unfollow", args=["nosuchstore"])).status_code == 404


def test_each_consent_change_leaves_one_quiet_line_in_the_inbox(signed_in, customer, store):
    client = signed_in(customer)
    _follow(client, store, ads=True)
    client.post(reverse("channels:consent", args=[store.public_id]), {"kind": "night", "given": "1"})
    client.post(reverse("channels:unfollow", args=[store.public_id]))

    receipts = InboxItem.objects.filter(customer=customer, message__kind=MessageKind.NOTICE).order_by("id")
    bodies = [item.message.body for item in receipts]
    assert len(bodies) == 3  # one per change: follow, night consent, unfollow
    assert all("\n" not in body for body in bodies)
    assert bodies[0].startswith("[햇살과일] ")
    assert (
        "개인정보(휴대폰 번호) 수집·이용 동의, 광고성 정보 수신 동의, 야간(21시~08시) 광고성 정보 수신 거부"
        in bodies[0]
    )
    assert bodies[1].endswith("동의 기록: 야간(21시~08시) 광고성 정보 수신 동의")
    assert "수집·이용 철회" in bodies[2] and "광고성 정보 수신 철회" in bodies[2]
    assert all(item.read_at is not None for item in receipts)  # the person just saw it happen
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert 'class="unread"' not in inbox
    assert "동의 기록" in inbox


def test_the_two_yearly_reminder_is_not_quiet(customer, store):
    from dangol.channels.services import consent_reminders_send, follow_start

    follow = follow_start(customer=customer, store=store, collection=True, ads=True, night=False, via="web")
    Follow.objects.filter(pk=follow.pk).update(ads_consent_at=follow.ads_consent_at.replace(year=2020))
    assert consent_reminders_send(now=follow.ads_consent_at) == 1
    reminder = InboxItem.objects.get(customer=customer, message__body__contains="2년마다")
    assert reminder.read_at is None


def test_following_announces_the_welcome_coupon(signed_in, customer, merchant, store):
    Campaign.create_for(store=store, by=merchant, kind="amount", amount_off=2000, method="welcome", valid_days=30)

    response = _follow(signed_in(customer), store)

    assert Coupon.objects.filter(customer=customer).count() == 1
    assert "환영 쿠폰 '2,000원 할인'을 쿠폰함에 넣어 드렸습니다." in _flashes(response)


def test_following_without_a_welcome_coupon_announces_none(signed_in, customer, store):
    response = _follow(signed_in(customer), store)

    assert _flashes(response) == ["햇살과일의 단골이 되었습니다!"]
