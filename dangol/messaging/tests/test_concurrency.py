"""The opt-out link under real concurrency, on PostgreSQL (threads, each with its own connection)."""

import pytest
from django.test import Client
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow
from dangol.lib.testing import run_together
from dangol.messaging.models import Message, MessageKind, opt_out_token

pytestmark = pytest.mark.postgres


def test_many_taps_on_one_opt_out_link_withdraw_once(postgres, customer, store):
    follow, _ = Follow.start(customer=customer, store=store, ads=True, night=True, via="web")
    url = reverse("messaging:opt_out", args=[opt_out_token(follow)])
    pages = run_together(12, lambda i: Client().post(url).content.decode())
    assert sum("확인 알림을 보냈습니다" in page for page in pages) == 1
    assert all("수신거부 완료" in page for page in pages)
    assert ConsentEvent.objects.filter(kind="ads", action="withdrawn", via="opt_out_link").count() == 1
    assert Message.objects.filter(kind=MessageKind.NOTICE, body__contains="철회").count() == 1
