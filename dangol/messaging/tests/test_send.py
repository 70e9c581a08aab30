import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from dangol.channels.models import Follow
from dangol.messaging.models import InboxItem, Message, MessageKind, Status
from dangol.messaging.services import message_send

SEOUL_EVENING = "2026-11-26 22:30 +0900"


@pytest.fixture
def regulars(store, customer, stranger, other_merchant):
    """customer: ads + night; stranger: ads, no night; other_merchant: no ads."""
    Follow.start(customer=customer, store=store, ads=True, night=True, via="web")
    Follow.start(customer=stranger, store=store, ads=True, night=False, via="web")
    Follow.start(customer=other_merchant, store=store, ads=False, night=False, via="web")
    return {"night": customer, "day": stranger, "no_ads": other_merchant}


@pytest.fixture
def _compose(django_capture_on_commit_callbacks):
    """Post the compose form; the delivery task queued on commit runs, as the worker would."""

    def compose(client, store, **data):
        fields = {"kind": "info", "body": "내일은 쉽니다.", "when": "now", **data}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("messaging:compose", args=[store.public_id]), fields)

    return compose


def _inbox(user):
    return InboxItem.objects.visible().filter(customer=user, message__kind__in=[MessageKind.INFO, MessageKind.AD])


def test_an_information_message_reaches_every_follower(signed_in, merchant, store, regulars, _compose):
    response = _compose(signed_in(merchant), store)
    assert response.status_code == 302
    message = Message.objects.get(kind=MessageKind.INFO)
    assert message.status == Status.SENT and message.recipient_count == 3
    assert all(_inbox(user).count() == 1 for user in regulars.values())
    assert message.header == "" and message.footer == ""


def test_an_ad_begins_with_the_label_and_store_name_and_carries_contact_and_opt_out(
    signed_in, merchant, store, regulars, _compose
):
    _compose(signed_in(merchant), store, kind="ad", body="고등어 한 손 5천원!")
    message = Message.objects.get(kind=MessageKind.AD)
    assert message.header == "(광고) 햇살과일"
    assert "02-123-4567" in message.footer and "시험시장" in message.footer
    page = signed_in(regulars["day"]).get(reverse("messaging:inbox_item", args=[message.public_id])).content.decode()
    assert page.index("(광고) 햇살과일") < page.index("고등어 한 손 5천원!")
    assert "무료 수신거부" in page and "/o/" in page


def test_an_ad_written_in_english_still_carries_the_korean_labels_the_law_asks_for(
    signed_in, merchant, store, regulars, _compose
):
    client = signed_in(merchant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _compose(client, store, kind="ad", body="Mackerel 5,000 won!")
    message = Message.objects.get(kind=MessageKind.AD)
    assert message.header == "(광고) 햇살과일"
    assert message.footer.startswith("보낸 곳: 햇살과일") and "☎ 02-123-4567" in message.footer


def test_the_server_labels_an_ad_even_if_the_page_did_not(signed_in, merchant, store, regulars):
    client = signed_in(merchant)
    response = client.post(
        reverse("api:send", args=[store.public_id]),
        {"kind": "ad", "body": "할인합니다"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Message.objects.get(kind=MessageKind.AD).header == "(광고) 햇살과일"


def test_an_ad_reaches_only_followers_who_consented_to_ads(signed_in, merchant, store, regulars, _compose):
    _compose(signed_in(merchant), store, kind="ad", body="사과 한 봉지 5천원")
    assert _inbox(regulars["night"]).count() == 1
    assert _inbox(regulars["day"]).count() == 1
    assert not InboxItem.objects.filter(customer=regulars["no_ads"], message__kind=MessageKind.AD).exists()
    assert Message.objects.get(kind=MessageKind.AD).recipient_count == 2


def test_it_holds_ads_until_eight_for_customers_without_night_consent(signed_in, merchant, store, regulars, _compose):
    with time_machine.travel(SEOUL_EVENING, tick=False):
        _compose(signed_in(merchant), store, kind="ad", body="내일 아침 특가")
        assert _inbox(regulars["night"]).count() == 1
        assert _inbox(regulars["day"]).count() == 0
        held = InboxItem.objects.get(customer=regulars["day"], message__kind=MessageKind.AD)
        assert held.visible_at == dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    with time_machine.travel("2026-11-27 07:59 +0900", tick=False):
        assert _inbox(regulars["day"]).count() == 0
        assert regulars["day"] and signed_in(regulars["day"]).get(reverse("messaging:inbox")).status_code == 200
    with time_machine.travel("2026-11-27 08:00 +0900", tick=False):
        assert _inbox(regulars["day"]).count() == 1


def test_an_ad_sent_after_midnight_is_held_until_eight_the_same_morning(signed_in, merchant, store, regulars, _compose):
    with time_machine.travel("2026-11-27 01:10 +0900", tick=False):
        _compose(signed_in(merchant), store, kind="ad", body="새벽 경매 물건")
    held = InboxItem.objects.get(customer=regulars["day"], message__kind=MessageKind.AD)
    assert held.visible_at == dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def test_information_is_not_held_at_night(signed_in, merchant, store, regulars, _compose):
    with time_machine.travel(SEOUL_EVENING, tick=False):
        _compose(signed_in(merchant), store, body="내일 휴무입니다")
        assert _inbox(regulars["day"]).count() == 1


def test_withdrawing_ad_consent_at_night_cancels_the_held_ad(signed_in, merchant, store, regulars, _compose):
    with time_machine.travel(SEOUL_EVENING, tick=False):
        _compose(signed_in(merchant), store, kind="ad", body="내일 아침 특가")
        signed_in(regulars["day"]).post(
            reverse("channels:consent", args=[store.public_id]), {"kind": "ads", "given": "0"}
        )
    with time_machine.travel("2026-11-27 09:00 +0900", tick=False):
        assert _inbox(regulars["day"]).count() == 0


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"body": "가" * 1001}, "1,000자까지"),
        ({"body": ""}, "보이는 글자를 입력해 주세요"),
        ({"body": "\u200b\u3164 \u200b"}, "보이는 글자를 입력해 주세요"),
        ({"button1_url": "example.com/x"}, "이름과 주소를 모두"),
        ({"button1_label": "가" * 21, "button1_url": "https://example.com"}, "20자까지"),
        ({"button2_label": "지도", "button2_url": "https://"}, "올바른 주소만"),
        ({"kind": "spam"}, "올바르게 선택"),
        ({"button1_label": "주문", "button1_url": "http://example.com/x"}, "https://"),
        ({"button1_label": "주문"}, "이름과 주소를 모두"),
        ({"when": "later"}, "예약할 시각"),
        ({"when": "later", "send_at": "2020-01-01T10:00"}, "지금보다 뒤의 시각"),
        ({"when": "later", "send_at": "2099-01-01T10:00"}, "60일 안으로만"),
    ],
)
def test_bad_messages_are_explained_and_nothing_is_sent(signed_in, merchant, store, regulars, data, error, _compose):
    response = _compose(signed_in(merchant), store, **data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exclude(kind=MessageKind.NOTICE).exists()


def test_a_message_of_exactly_1000_characters_is_fine(signed_in, merchant, store, regulars, _compose):
    assert _compose(signed_in(merchant), store, body="가" * 1000).status_code == 302


def test_a_message_to_nobody_is_refused(signed_in, merchant, store, customer, _compose):
    response = _compose(signed_in(merchant), store)
    assert "아직 단골이 없어" in response.content.decode()
    Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    response = _compose(signed_in(merchant), store, kind="ad")
    assert "광고 수신에 동의한 단골" in response.content.decode()
    assert not Message.objects.exclude(kind=MessageKind.NOTICE).exists()


def _upload(kind, name, **extra):
    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), (10, 120, 40))
    image.save(out, kind, **extra)
    out.name = name
    out.seek(0)
    return out


def test_a_photo_is_re_encoded_without_its_metadata(signed_in, merchant, store, regulars, _compose):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {2: (37.0, 30.0, 0.0)}  # GPS latitude
    _compose(signed_in(merchant), store, image=_upload("JPEG", "p.jpg", exif=exif.tobytes()))
    message = Message.objects.get(kind=MessageKind.INFO)
    with Image.open(message.image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert stored.size == (64, 48)


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (lambda: _upload("GIF", "p.gif"), "JPEG, PNG, WebP"),
        (lambda: _upload("BMP", "p.jpg"), "JPEG, PNG, WebP"),
        (lambda: io.BytesIO(b"not an image at all"), "읽을 수 없습니다"),
    ],
)
def test_pictures_that_are_not_jpeg_png_or_webp_are_refused(
    signed_in, merchant, store, regulars, upload, error, _compose
):
    file = upload()
    file.name = getattr(file, "name", "x.jpg")
    response = _compose(signed_in(merchant), store, image=file)
    assert error in response.content.decode()
    assert not Message.objects.exclude(kind=MessageKind.NOTICE).exists()


def test_a_picture_too_large_is_refused(store, regulars):
    from dangol.lib.images import clean_image

    big = _upload("PNG", "p.png")
    big.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError, match="너무 큽니다"):
        clean_image(big)


def test_a_scheduled_message_waits_and_the_scheduler_sends_it(signed_in, merchant, store, regulars, _compose):
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        _compose(signed_in(merchant), store, when="later", send_at="2026-11-26T15:00")
        message = Message.objects.get(kind=MessageKind.INFO)
        assert message.status == Status.SCHEDULED
        call_command("scheduler", "--once")
        assert not InboxItem.objects.filter(message=message).exists()
    with time_machine.travel("2026-11-26 15:00:30 +0900", tick=False):
        call_command("scheduler", "--once")
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert InboxItem.objects.filter(message=message).count() == 3


def test_a_scheduled_message_can_be_cancelled_before_it_goes(signed_in, merchant, store, regulars, _compose):
    client = signed_in(merchant)
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        _compose(client, store, when="later", send_at="2026-11-26T15:00")
        message = Message.objects.get(kind=MessageKind.INFO)
        client.post(reverse("messaging:sent", args=[store.public_id, message.public_id]), {"action": "cancel"})
    with time_machine.travel("2026-11-26 16:00 +0900", tick=False):
        call_command("scheduler", "--once")
    message.refresh_from_db()
    assert message.status == Status.CANCELED
    assert not InboxItem.objects.filter(message=message).exists()


def test_delivering_twice_puts_a_message_in_each_inbox_once(store, regulars, merchant):
    message = message_send(store=store, author=merchant, kind=MessageKind.INFO, body="안내")
    assert message.deliver() == 3
    assert message.deliver() == 0
    Message.objects.filter(pk=message.pk).update(status=Status.SCHEDULED)
    message.deliver()
    assert InboxItem.objects.filter(message=message).count() == 3


def test_link_buttons_are_shown_to_the_customer(signed_in, merchant, store, regulars, _compose):
    _compose(signed_in(merchant), store, button1_label="주문하기", button1_url="https://example.com/order")
    message = Message.objects.get(kind=MessageKind.INFO)
    assert message.buttons == [{"label": "주문하기", "url": "https://example.com/order"}]
    page = signed_in(regulars["day"]).get(reverse("messaging:inbox_item", args=[message.public_id])).content.decode()
    assert 'href="https://example.com/order"' in page


def test_templates_prefill_the_message(signed_in, merchant, store):
    page = signed_in(merchant).get(reverse("messaging:compose", args=[store.public_id]) + "?template=closing_sale")
    assert "오늘 마감 할인합니다" in page.content.decode()
