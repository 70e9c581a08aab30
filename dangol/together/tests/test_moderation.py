import pytest
from django.urls import reverse

from dangol.together.models import AlreadyDone, Comment, Moderation, Proposal, Refused, Report, Rules

from .conftest import neighbour


@pytest.fixture
def low_limit(db):
    rules = Rules.current()
    rules.reports_to_hide = 3
    rules.save()
    return rules


def test_a_neighbour_reports_a_proposal_once(signed_in, proposal, stranger):
    url = reverse("together:proposal_report", args=[proposal.public_id])
    client = signed_in(stranger)
    page = client.post(url, {"reason": "false", "detail": "없는 단체입니다"}, follow=True).content.decode()
    assert "신고했습니다" in page
    page = client.post(url, {"reason": "spam"}, follow=True).content.decode()
    assert "이미 신고했습니다" in page
    proposal.refresh_from_db()
    assert proposal.report_count == 1
    assert Report.objects.get().detail == "없는 단체입니다"


def test_a_report_needs_a_reason(signed_in, proposal, stranger):
    response = signed_in(stranger).post(reverse("together:proposal_report", args=[proposal.public_id]), {"reason": "x"})
    assert "올바르게 선택해 주세요" in response.content.decode()
    assert not Report.objects.exists()


def test_reports_hide_a_proposal_until_a_moderator_decides(client, signed_in, proposal, low_limit, moderator):
    for n in range(3):
        proposal.report(by=neighbour(n), reason="false")
    proposal.refresh_from_db()
    assert proposal.moderation == Moderation.HIDDEN
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "운영진이 확인하는 중입니다" in page
    assert proposal.story not in page
    assert proposal.title not in page
    assert client.get(f"/api/v1/together/proposals/{proposal.public_id}").json()["title"] == ""
    assert proposal.title not in client.get(reverse("together:index")).content.decode()
    assert proposal.story in signed_in(proposal.proposer).get(proposal.get_absolute_url()).content.decode()
    client.logout()
    staff = signed_in(moderator)
    assert proposal.title in staff.get(reverse("together:moderation")).content.decode()
    staff.post(reverse("together:moderation"), {"kind": "proposal", "id": proposal.public_id, "decision": "keep"})
    proposal.refresh_from_db()
    assert (proposal.moderation, proposal.moderated_by) == (Moderation.KEPT, moderator)
    proposal.report(by=neighbour(9), reason="spam")  # once kept, reports no longer hide it
    proposal.refresh_from_db()
    assert proposal.moderation == Moderation.KEPT


def test_a_removed_proposal_is_gone_for_the_public(client, proposal, low_limit, moderator):
    for n in range(3):
        proposal.report(by=neighbour(n), reason="abuse")
    proposal.moderate(by=moderator, keep=False)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/together/proposals/{proposal.public_id}").status_code == 404
    with pytest.raises(Refused, match="이미 처리된"):
        proposal.moderate(by=moderator, keep=True)


def test_reported_comments_hide_and_can_be_removed(client, signed_in, box, low_limit, moderator, stranger):
    comment = box.post_comment(user=stranger, body="광고 링크 http://spam")
    for n in range(3):
        client.logout()
        signed_in(neighbour(n)).post(reverse("together:comment_report", args=[comment.public_id]), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN
    client.logout()
    assert "광고 링크" not in client.get(box.get_absolute_url()).content.decode()
    signed_in(moderator).post(
        reverse("together:moderation"), {"kind": "comment", "id": comment.public_id, "decision": "remove"}
    )
    assert Comment.objects.get().moderation == Moderation.REMOVED


def test_a_hidden_box_takes_no_gifts(box, stranger):
    Proposal.objects.filter(pk=box.proposal_id).update(moderation=Moderation.HIDDEN)
    box.refresh_from_db()
    with pytest.raises(Refused, match="운영진이 확인하는 모금함"):
        box.participate(user=stranger, action="cheer")
    from dangol.together.services import donation_start

    with pytest.raises(Refused):
        donation_start(box=box, donor=stranger, amount=10000)


def test_only_staff_moderate(client, signed_in, proposal, stranger, reviewer):
    url = reverse("together:moderation")
    assert client.get(url)["Location"].startswith("/accounts/sign-in/")
    for user in (stranger, reviewer):
        assert signed_in(user).get(url).status_code == 404
        response = signed_in(user).post(url, {"kind": "proposal", "id": proposal.public_id, "decision": "remove"})
        assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.moderation == Moderation.VISIBLE


def test_reporting_needs_sign_in(client, proposal):
    response = client.post(reverse("together:proposal_report", args=[proposal.public_id]), {"reason": "spam"})
    assert response["Location"].startswith("/accounts/sign-in/")
    with pytest.raises(AlreadyDone):
        reporter = neighbour(1)
        proposal.report(by=reporter, reason="spam")
        proposal.report(by=reporter, reason="spam")
