"""Every report and moderation URL and API operation, tried by the wrong person."""

import pytest
import time_machine
from django.urls import reverse

from dangol.channels.models import Follow
from dangol.messaging.services import message_send, notice_send
from dangol.reports.access import is_moderator
from dangol.reports.models import Moderation, Report, Target
from dangol.reports.services import report_file

from .conftest import neighbour

API = "/api/v1"


@pytest.fixture
def hidden(store, low_limit):
    for n in range(low_limit):
        report_file(reported=store, by=neighbour(60 + n), reason="spam")
    return Target.objects.get(store=store)


def test_reporting_needs_sign_in(client, store, message):
    for url in (reverse("reports:store", args=[store.public_id]), reverse("reports:message", args=[message.public_id])):
        response = client.post(url, {"reason": "spam"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    for url in (f"{API}/stores/{store.public_id}/reports", f"{API}/inbox/{message.public_id}/reports"):
        assert client.post(url, {"reason": "spam"}, content_type="application/json").status_code == 401
    assert not Report.objects.exists()


def test_only_a_recipient_reports_a_message(signed_in, store, message, stranger, other_merchant):
    for wrong in (stranger, other_merchant):
        client = signed_in(wrong)
        assert client.get(reverse("reports:message", args=[message.public_id])).status_code == 404
        assert client.post(reverse("reports:message", args=[message.public_id]), {"reason": "spam"}).status_code == 404
        answer = client.post(
            f"{API}/inbox/{message.public_id}/reports", {"reason": "spam"}, content_type="application/json"
        )
        assert answer.status_code == 404
    assert not Report.objects.exists()


def test_notices_and_unknown_ids_cannot_be_reported(signed_in, customer, store, follows):
    notice = notice_send(customer=customer, store=store, text="동의 내역이 바뀌었습니다")
    client = signed_in(customer)
    for message_id in (notice.public_id, "nope"):
        assert client.post(reverse("reports:message", args=[message_id]), {"reason": "spam"}).status_code == 404
        answer = client.post(f"{API}/inbox/{message_id}/reports", {"reason": "spam"}, content_type="application/json")
        assert answer.status_code == 404
    assert client.post(reverse("reports:store", args=["nope"]), {"reason": "spam"}).status_code == 404
    assert (
        client.post(f"{API}/stores/nope/reports", {"reason": "spam"}, content_type="application/json").status_code
        == 404
    )
    assert not Report.objects.exists()


def test_a_message_not_yet_shown_cannot_be_reported(signed_in, store, merchant, customer, follows):
    """An ad held for the morning isn't in the inbox yet, so it can't be reported yet."""
    Follow.objects.filter(customer=customer).update(night_consent=False)
    with time_machine.travel("2026-11-26 22:00 +0900", tick=False):
        ad = message_send(store=store, author=merchant, kind="ad", body="야간 특가")
        ad.deliver()
        client = signed_in(customer)
        assert client.post(reverse("reports:message", args=[ad.public_id]), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_only_moderators_see_and_decide_the_queue(
    client, signed_in, hidden, merchant, customer, stranger, market_admin
):
    page = reverse("reports:moderation")
    api_queue, api_decide = f"{API}/moderation/reports", f"{API}/moderation/reports/{hidden.public_id}"
    assert client.get(page)["Location"].startswith("/accounts/sign-in/")
    assert client.get(api_queue).status_code == 401
    assert client.post(api_decide, {"decision": "keep"}, content_type="application/json").status_code == 401
    for wrong in (merchant, customer, stranger, market_admin):
        user = signed_in(wrong)
        assert user.get(page).status_code == 404
        assert user.post(page, {"id": hidden.public_id, "decision": "keep"}).status_code == 404
        assert user.get(api_queue).status_code == 404
        assert user.post(api_decide, {"decision": "keep"}, content_type="application/json").status_code == 404
    hidden.refresh_from_db()
    assert (hidden.moderation, hidden.moderated_by) == (Moderation.HIDDEN, None)


def test_a_deactivated_staff_member_does_not_moderate(signed_in, hidden, moderator):
    assert is_moderator(moderator)
    moderator.is_active = False
    moderator.save()
    assert not is_moderator(moderator)


def test_a_moderator_by_permission_decides(signed_in, hidden, permitted_moderator):
    client = signed_in(permitted_moderator)
    assert "햇살과일" in client.get(reverse("reports:moderation")).content.decode()
    client.post(reverse("reports:moderation"), {"id": hidden.public_id, "decision": "remove"})
    hidden.refresh_from_db()
    assert (hidden.moderation, hidden.moderated_by) == (Moderation.REMOVED, permitted_moderator)


def test_a_moderator_deciding_an_unknown_id_gets_404(signed_in, moderator, db):
    client = signed_in(moderator)
    assert client.post(reverse("reports:moderation"), {"id": "nope", "decision": "keep"}).status_code == 404
    answer = client.post(f"{API}/moderation/reports/nope", {"decision": "keep"}, content_type="application/json")
    assert answer.status_code == 404


def test_the_hidden_store_page_is_hidden_from_other_merchants_too(signed_in, store, hidden, other_merchant):
    page = signed_in(other_merchant).get(store.get_absolute_url()).content.decode()
    assert "운영진이 확인하는 중인 가게입니다" in page and "햇살과일" not in page
