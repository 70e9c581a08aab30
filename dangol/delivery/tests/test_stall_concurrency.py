"""Following at the stall under concurrency (PostgreSQL, real threads)."""

import re

import pytest

from dangol.accounts import sms
from dangol.accounts.models import User
from dangol.channels.models import ConsentEvent, Follow
from dangol.delivery.models import ChannelChoice, StallSignup
from dangol.delivery.stall import stall_signup_confirm, stall_signup_start
from dangol.lib.refusals import Refused
from dangol.lib.testing import run_together

pytestmark = pytest.mark.postgres


def test_one_code_read_back_twice_at_once_makes_one_regular(postgres, store, merchant):
    stall_signup_start(store=store, merchant=merchant, phone="010-5555-7777", ads=True, night=False, address=None)
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    signup_id = StallSignup.objects.get().pk

    results = run_together(
        4,
        lambda i: stall_signup_confirm(signup=StallSignup.objects.select_related("store").get(pk=signup_id), code=code),
    )

    assert sum(isinstance(r, Follow) for r in results) == 1
    assert all(isinstance(r, Refused) for r in results if not isinstance(r, Follow)), results
    customer = User.objects.get(phone="+821055557777")
    assert Follow.objects.filter(customer=customer, store=store).count() == 1
    assert ConsentEvent.objects.filter(customer=customer, via="stall").count() == 3
    assert ChannelChoice.objects.filter(customer=customer, store=store, channel="sms").count() == 1
