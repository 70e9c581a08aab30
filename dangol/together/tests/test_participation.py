import pytest
import time_machine
from django.urls import reverse

from dangol.accounts.models import User
from dangol.ledger.models import Entry
from dangol.together.models import AlreadyDone, Participation, Refused, Rules, Sponsor

from .conftest import neighbour


def test_cheering_makes_the_sponsor_give_its_fixed_amount(signed_in, box, sponsor, stranger):
    page = signed_in(stranger).post(
        reverse("together:participate", args=[box.public_id]), {"action": "cheer"}, follow=True
    )
    assert "든든은행에서 100원을 대신 기부했습니다" in page.content.decode()
    box.refresh_from_db()
    assert (box.participation_total, box.direct_total) == (100, 0)
    entry = Entry.objects.get(book=box.book)
    assert (entry.kind, entry.amount, entry.memo) == ("participation", 100, "참여 기부 · 응원")


def test_once_per_person_per_action_per_box(signed_in, box, sponsor, stranger):
    box.participate(user=stranger, action="cheer")
    with pytest.raises(AlreadyDone, match="이미 응원했습니다"):
        box.participate(user=stranger, action="cheer")
    box.participate(user=stranger, action="share")
    phone = stranger.phone
    stranger.delete()
    with pytest.raises(AlreadyDone):
        box.participate(user=User.objects.create_user(phone), action="share")
    sponsor.refresh_from_db()
    assert sponsor.participation_given == 200
    assert Participation.objects.count() == 2


def test_the_sponsor_stops_at_its_cap(box, sponsor):
    for n in range(12):
        box.participate(user=neighbour(n), action="cheer")
    sponsor.refresh_from_db()
    box.refresh_from_db()
    assert sponsor.participation_given == sponsor.participation_cap == 1000
    assert box.participation_total == 1000
    assert Participation.objects.filter(amount=0).count() == 2  # still counted as cheers, no gift


def test_a_second_sponsor_takes_over(box, sponsor):
    Sponsor.objects.create(box=box, name="시장금고", participation_amount=50, participation_cap=100)
    for n in range(13):
        box.participate(user=neighbour(n), action="share")
    box.refresh_from_db()
    assert box.participation_total == 1100


def test_the_first_comment_counts_as_participation(box, sponsor, stranger):
    box.post_comment(user=stranger, body="꼭 다시 일어서세요")
    box.post_comment(user=stranger, body="한 번 더 응원합니다")
    box.refresh_from_db()
    assert box.participation_total == 100
    assert Participation.objects.get().action == "comment"


def test_no_participation_gifts_after_the_box_closes(box, sponsor, stranger):
    with time_machine.travel(box.ends_at, tick=False):
        with pytest.raises(Refused, match="모금이 끝났습니다"):
            box.participate(user=stranger, action="cheer")
        box.post_comment(user=stranger, body="늦었지만 응원해요")
    box.refresh_from_db()
    assert box.participation_total == 0


def test_participating_needs_sign_in_and_a_known_action(client, signed_in, box, sponsor, stranger):
    url = reverse("together:participate", args=[box.public_id])
    assert client.post(url, {"action": "cheer"})["Location"].startswith("/accounts/sign-in/")
    page = signed_in(stranger).post(url, {"action": "comment"}, follow=True).content.decode()
    assert "응원 또는 공유만" in page
    assert not Participation.objects.exists()


def test_comments_are_rate_limited(signed_in, box, stranger):
    rules = Rules.current()
    rules.comments_per_hour = 2
    rules.save()
    client = signed_in(stranger)
    url = reverse("together:comment", args=[box.public_id])
    client.post(url, {"body": "하나"})
    client.post(url, {"body": "둘"})
    page = client.post(url, {"body": "셋"}, follow=True).content.decode()
    assert "댓글을 너무 자주 남겼습니다" in page
    assert box.comments.count() == 2


def test_an_empty_or_long_comment_is_refused(signed_in, box, stranger):
    client = signed_in(stranger)
    url = reverse("together:comment", args=[box.public_id])
    assert "필수 항목" in client.post(url, {"body": " "}, follow=True).content.decode()
    assert "500" in client.post(url, {"body": "가" * 501}, follow=True).content.decode()
    assert not box.comments.exists()


def test_the_api_participates_once(signed_in, box, sponsor, stranger, client):
    url = f"/api/v1/together/boxes/{box.public_id}/participations"
    assert client.post(url, {"action": "cheer"}, content_type="application/json").status_code == 401
    api = signed_in(stranger)
    response = api.post(url, {"action": "cheer"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"action": "cheer", "amount": 100, "sponsor": "든든은행"}
    assert api.post(url, {"action": "cheer"}, content_type="application/json").status_code == 409
    dance = api.post(url, {"action": "dance"}, content_type="application/json")
    assert dance.status_code == 422  # the schema lists the two actions
    assert box.participations.count() == 1
