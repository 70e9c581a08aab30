"""Every sign-in limit holds exactly when requests race, proven on PostgreSQL with real threads."""

import re

import pytest

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, PhoneThrottle, SignInRefused, User
from dangol.accounts.services import sign_in_code_send
from dangol.lib.testing import run_together

pytestmark = pytest.mark.postgres

PHONE = "+821055551234"


def _split(results):
    refusals = [r for r in results if isinstance(r, SignInRefused)]
    others = [r for r in results if not isinstance(r, SignInRefused)]
    return others, refusals


def test_thirty_racing_code_requests_for_one_phone_send_exactly_five_texts(postgres, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 5
    results = run_together(30, lambda i: sign_in_code_send(phone=PHONE, address=f"203.0.113.{i}"))
    sent, refusals = _split(results)
    assert sent == [None] * 5, sent
    assert len(refusals) == 25 and {r.status for r in refusals} == {429}
    assert PhoneCode.objects.filter(phone=PHONE).count() == 5
    assert len(sms.outbox) == 5


def test_thirty_racing_code_requests_from_one_address_stop_exactly_at_its_limit(postgres, settings):
    settings.SIGN_IN_CODES_PER_ADDRESS = 20
    results = run_together(30, lambda i: sign_in_code_send(phone=f"+82105555{i:04d}", address="203.0.113.5"))
    sent, refusals = _split(results)
    assert len(sent) == 20 and len(refusals) == 10, sent
    assert all("요청이 너무 많습니다" in str(r) for r in refusals)
    assert PhoneCode.objects.filter(requested_from="203.0.113.5").count() == 20
    assert len(sms.outbox) == 20


def test_thirty_racing_code_requests_stop_exactly_at_the_daily_cap(postgres, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 30
    settings.SIGN_IN_CODES_PER_DAY = 10
    results = run_together(30, lambda i: sign_in_code_send(phone=PHONE, address=f"203.0.113.{i}"))
    sent, refusals = _split(results)
    assert len(sent) == 10 and len(refusals) == 20, sent
    assert PhoneCode.objects.count() == 10 and len(sms.outbox) == 10


def _live_code():
    sign_in_code_send(phone=PHONE, address=None)
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    return "000000" if code != "000000" else "111111"


def test_thirty_racing_wrong_codes_count_exactly_the_allowed_attempts(postgres, settings):
    settings.SIGN_IN_MAX_ATTEMPTS = 5
    wrong = _live_code()
    results = run_together(30, lambda i: User.objects.signing_in(phone=PHONE, code=wrong))
    _others, refusals = _split(results)
    assert len(refusals) == 30
    assert PhoneCode.objects.get().attempts == 5
    assert PhoneThrottle.objects.get(phone=PHONE).wrong_codes == 5
    assert not User.objects.exists()


def test_thirty_racing_wrong_codes_lock_the_phone_at_exactly_the_daily_limit_and_text_its_owner_once(
    postgres, settings
):
    settings.SIGN_IN_WRONG_CODES_PER_DAY = 3
    wrong = _live_code()
    results = run_together(30, lambda i: User.objects.signing_in(phone=PHONE, code=wrong))
    _others, refusals = _split(results)
    assert len(refusals) == 30
    assert sum(r.status == 429 for r in refusals) == 28  # the third wrong code locks; later ones find it locked
    assert PhoneCode.objects.get().attempts == 3
    throttle = PhoneThrottle.objects.get(phone=PHONE)
    assert throttle.wrong_codes == 3 and throttle.locked_until is not None
    notices = [m for m in sms.outbox if "로그인을 막았습니다" in m["text"]]
    assert len(notices) == 1 and notices[0]["to"] == PHONE
