"""The message screen's preview and "send to me first"."""

import pytest
from django.urls import reverse

from dangol.channels.models import ConsentVia, Follow
from dangol.messaging.kpis import messages_sent
from dangol.messaging.models import InboxItem, Message


@pytest.fixture
def regular(customer, store):
    Follow.start(customer=customer, store=store, ads=True, night=True, via=ConsentVia.WEB)
    return customer


def _compose(store):
    return reverse("messaging:compose", args=[store.public_id])


def test_a_preview_shows_the_ad_as_regulars_see_it_and_writes_nothing(signed_in, merchant, store, regular):
    response = signed_in(merchant).post(
        _compose(store), {"action": "preview", "kind": "ad", "body": "사과 반값", "when": "now"}
    )
    page = response.content.decode()
    assert "미리 보기: 단골이 받는 모습" in page
    assert "(광고) 햇살과일" in page and "무료 수신거부" in page
    assert response.context["form"]["body"].value() == "사과 반값"
    assert not Message.objects.exists()


def test_a_preview_refuses_what_sending_would_refuse(signed_in, merchant, store, regular):
    response = signed_in(merchant).post(
        _compose(store), {"action": "preview", "kind": "info", "body": " ", "when": "now"}
    )
    assert response.context["preview"] is None
    assert response.context["form"].errors["body"]


def test_send_to_me_first_reaches_only_the_merchant_and_counts_nowhere(signed_in, merchant, store, regular):
    client = signed_in(merchant)
    response = client.post(_compose(store), {"action": "test", "kind": "ad", "body": "사과 반값", "when": "now"})
    assert "내 받은 메시지함에 먼저 보냈습니다." in response.content.decode()
    item = InboxItem.objects.get()
    assert item.customer == merchant
    assert item.message.header == "나에게 먼저 보낸 메시지 · (광고) 햇살과일"
    assert not InboxItem.objects.filter(customer=regular).exists()
    assert messages_sent() == 0
    assert "사과 반값" not in client.get(reverse("messaging:sent_list", args=[store.public_id])).content.decode()
    assert "나에게 먼저 보낸 메시지" in client.get(reverse("messaging:inbox")).content.decode()


def test_the_plain_send_button_still_sends(signed_in, merchant, store, regular):
    response = signed_in(merchant).post(
        _compose(store), {"action": "send", "kind": "info", "body": "내일 휴무", "when": "now"}
    )
    assert response.status_code == 302
    assert Message.objects.get().body == "내일 휴무"


@pytest.mark.parametrize("action", ["preview", "test", "send"])
def test_another_merchant_cannot_preview_or_send_for_the_store(signed_in, other_merchant, store, regular, action):
    response = signed_in(other_merchant).post(
        _compose(store), {"action": action, "kind": "info", "body": "x", "when": "now"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()
