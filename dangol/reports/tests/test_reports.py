import pytest
from django.urls import reverse

from dangol.accounts.models import User
from dangol.channels.models import Store
from dangol.lib.refusals import AlreadyDone
from dangol.messaging.models import InboxItem
from dangol.reports.models import Moderation, Report, Target
from dangol.reports.services import report_file

from .conftest import neighbour

API = "/api/v1"


def report_page(store):
    return reverse("reports:store", args=[store.public_id])


def test_a_neighbour_reports_a_store_once(signed_in, store, stranger):
    client = signed_in(stranger)
    page = client.post(report_page(store), {"reason": "scam", "detail": "가짜 할인"}, follow=True).content.decode()
    assert "신고했습니다" in page
    page = client.post(report_page(store), {"reason": "spam"}).content.decode()
    assert "이미 신고했습니다" in page
    target = Target.objects.get(store=store)
    assert target.report_count == 1
    assert [(r.reason, r.detail, r.reporter) for r in target.reports.all()] == [("scam", "가짜 할인", stranger)]


def test_one_person_is_one_report_even_with_a_new_account(store, stranger):
    report_file(reported=store, by=stranger, reason="spam")
    phone = stranger.phone
    stranger.delete()
    again = User.objects.create_user(phone)  # the same verified phone, a new account
    with pytest.raises(AlreadyDone):
        report_file(reported=store, by=again, reason="abuse")
    assert Report.objects.count() == 1 and Target.objects.get(store=store).report_count == 1


def test_a_report_needs_a_known_reason_and_writes_nothing_without_one(signed_in, store, stranger):
    response = signed_in(stranger).post(report_page(store), {"reason": "bogus"})
    assert "올바르게 선택해 주세요" in response.content.decode()
    assert not Target.objects.exists() and not Report.objects.exists()
    with pytest.raises(Exception, match="신고 사유를 골라"):
        report_file(reported=store, by=stranger, reason="bogus")
    assert not Target.objects.exists()


def test_a_long_detail_is_refused_not_cut(store, stranger):
    with pytest.raises(Exception, match="500"):
        report_file(reported=store, by=stranger, reason="other", detail="가" * 501)
    assert not Report.objects.exists()


def test_a_merchant_cannot_report_their_own_store_or_its_messages(signed_in, store, merchant, message):
    response = signed_in(merchant).post(report_page(store), {"reason": "spam"})
    assert "신고할 수 없습니다" in response.content.decode()
    with pytest.raises(Exception, match="신고할 수 없습니다"):
        report_file(reported=message, by=merchant, reason="spam")
    assert not Target.objects.exists() and not Report.objects.exists()


def test_reports_hide_a_store_until_a_moderator_decides(client, signed_in, store, merchant, low_limit, moderator):
    for n in range(low_limit - 1):
        report_file(reported=store, by=neighbour(n), reason="scam")
    assert "햇살과일" in client.get(store.get_absolute_url()).content.decode()
    report_file(reported=store, by=neighbour(9), reason="scam")
    target = Target.objects.get(store=store)
    assert (target.moderation, target.withheld, target.report_count) == (Moderation.HIDDEN, True, 3)
    assert [r.hid_target for r in target.reports.all()] == [False, False, True]

    page = client.get(store.get_absolute_url()).content.decode()
    assert "운영진이 확인하는 중인 가게입니다" in page
    assert "햇살과일" not in page and "02-123-4567" not in page and "단골 되기" not in page

    owner = signed_in(merchant)
    page = owner.get(store.get_absolute_url()).content.decode()
    assert "햇살과일" in page and "손님에게는 가게 정보가 가려져 보입니다" in page
    assert owner.get(reverse("channels:dashboard", args=[store.public_id])).status_code == 200

    staff = signed_in(moderator)
    assert "햇살과일" in staff.get(reverse("reports:moderation")).content.decode()
    staff.post(reverse("reports:moderation"), {"id": target.public_id, "decision": "keep"})
    target.refresh_from_db()
    assert (target.moderation, target.withheld, target.moderated_by) == (Moderation.KEPT, False, moderator)
    client.logout()
    assert "햇살과일" in client.get(store.get_absolute_url()).content.decode()
    for n in range(10, 14):  # once kept, reports no longer hide it
        report_file(reported=store, by=neighbour(n), reason="spam")
    target.refresh_from_db()
    assert (target.moderation, target.report_count) == (Moderation.KEPT, 7)


def test_a_removed_store_page_says_so_and_followers_can_still_leave(
    client, signed_in, store, customer, follows, low_limit, moderator
):
    for n in range(low_limit):
        report_file(reported=store, by=neighbour(20 + n), reason="illegal")
    target = Target.objects.get(store=store)
    target.moderate(by=moderator, keep=False)
    page = client.get(store.get_absolute_url()).content.decode()
    assert "운영진이 내린 가게 페이지입니다" in page and "햇살과일" not in page
    page = signed_in(customer).get(store.get_absolute_url()).content.decode()
    assert "단골 해제" in page and "동의 관리" in page
    with pytest.raises(AlreadyDone, match="이미 처리된"):
        target.moderate(by=moderator, keep=True)


def test_reports_hide_a_message_from_every_inbox(signed_in, store, customer, follows, message, low_limit, moderator):
    client = signed_in(customer)
    item_url = reverse("messaging:inbox_item", args=[message.public_id])
    assert "오늘만 반값 사과" in client.get(reverse("messaging:inbox")).content.decode()
    assert client.get(f"{API}/inbox").json()["unread_by_store"][store.public_id] == 1
    client.post(reverse("reports:message", args=[message.public_id]), {"reason": "scam"})
    for reporter in follows[1:]:
        report_file(reported=message, by=reporter, reason="scam")
    assert Target.objects.get(message=message).moderation == Moderation.HIDDEN

    assert "오늘만 반값 사과" not in client.get(reverse("messaging:inbox")).content.decode()
    assert client.get(item_url).status_code == 404
    inbox = client.get(f"{API}/inbox").json()
    assert message.public_id not in [i["id"] for i in inbox["items"]]
    assert inbox["unread_by_store"].get(store.public_id, 0) == 0  # the unread ad counted before
    assert InboxItem.objects.filter(customer=customer, message=message, read_at__isnull=True).exists()
    assert client.post(f"{API}/inbox/{message.public_id}/read").status_code == 404

    client.logout()
    staff = signed_in(moderator)
    assert "오늘만 반값 사과" in staff.get(reverse("reports:moderation")).content.decode()
    staff.post(reverse("reports:moderation"), {"id": Target.objects.get(message=message).public_id, "decision": "keep"})
    client = signed_in(customer)
    assert client.get(item_url).status_code == 200


def test_the_inbox_takes_no_more_queries_with_reported_messages(
    signed_in, store, merchant, customer, follows, message, low_limit, django_assert_max_num_queries
):
    for reporter in follows[1:]:
        report_file(reported=message, by=reporter, reason="spam")
    client = signed_in(customer)
    with django_assert_max_num_queries(6):
        client.get(reverse("messaging:inbox"))
    with django_assert_max_num_queries(6):
        assert client.get(f"{API}/inbox").status_code == 200


def test_reporting_through_the_api(client, signed_in, store, customer, stranger, follows, message):
    url = f"{API}/stores/{store.public_id}/reports"
    assert client.post(url, {"reason": "spam"}, content_type="application/json").status_code == 401
    api = signed_in(stranger)
    assert api.post(url, {"reason": "spam", "detail": "도배"}, content_type="application/json").status_code == 201
    answer = api.post(url, {"reason": "spam"}, content_type="application/json")
    assert answer.status_code == 409 and "이미 신고했습니다" in answer.json()["detail"]
    answer = api.post(url, {"reason": "bogus"}, content_type="application/json")
    assert answer.status_code == 400 and "reason" in answer.json()["errors"]
    api = signed_in(customer)
    message_url = f"{API}/inbox/{message.public_id}/reports"
    assert api.post(message_url, {"reason": "scam"}, content_type="application/json").status_code == 201
    assert Target.objects.get(message=message).report_count == 1
    assert Target.objects.get(store=store).report_count == 1


def test_the_page_and_the_api_refuse_in_the_same_words(signed_in, store, merchant):
    client = signed_in(merchant)
    page = client.post(report_page(store), {"reason": "spam"}).content.decode()
    api = client.post(f"{API}/stores/{store.public_id}/reports", {"reason": "spam"}, content_type="application/json")
    assert api.status_code == 400
    assert api.json()["detail"] in page


def test_moderating_through_the_api(signed_in, store, low_limit, permitted_moderator):
    for n in range(low_limit):
        report_file(reported=store, by=neighbour(40 + n), reason="abuse", detail=f"신고 {n}")
    api = signed_in(permitted_moderator)
    queue = api.get(f"{API}/moderation/reports").json()
    assert [(t["kind"], t["store_name"], t["report_count"]) for t in queue] == [("store", "햇살과일", 3)]
    assert [r["detail"] for r in queue[0]["reports"]] == ["신고 0", "신고 1", "신고 2"]
    url = f"{API}/moderation/reports/{queue[0]['id']}"
    answer = api.post(url, {"decision": "remove"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["moderation"] == "removed"
    assert api.post(url, {"decision": "keep"}, content_type="application/json").status_code == 409
    assert api.post(url, {"decision": "maybe"}, content_type="application/json").status_code in (400, 422)
    assert api.get(f"{API}/moderation/reports").json() == []
    assert Store.objects.withheld().filter(pk=store.pk).exists()


def test_the_merchant_sees_that_a_sent_message_was_hidden(signed_in, store, merchant, follows, message, low_limit):
    url = reverse("messaging:sent", args=[store.public_id, message.public_id])
    client = signed_in(merchant)
    assert "가렸습니다" not in client.get(url).content.decode()
    for reporter in follows[:low_limit]:
        report_file(reported=message, by=reporter, reason="spam")
    assert "이웃의 신고가 쌓여 이 메시지를" in client.get(url).content.decode()
