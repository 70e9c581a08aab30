import datetime as dt

import time_machine
from django.urls import reverse

from dangol.together.models import BoxStatus, Donation, DonationStatus, Fundraiser
from dangol.together.services import donation_start, together_close_due

from .conftest import give, neighbour


def test_the_box_shows_progress_and_totals_apart(client, box, sponsor, matcher):
    give(box, neighbour(1), 100000)
    give(box, neighbour(2), 50000, anonymous=True)
    cheerful = neighbour(3)
    box.participate(user=cheerful, action="cheer")
    box.participate(user=cheerful, action="share")
    page = client.get(box.get_absolute_url()).content.decode()
    assert "165,200원" in page  # 150,000 direct + 15,000 matching + 200 participation
    assert "16% 달성" in page
    assert 'style="width: 16%"' in page
    assert "150,000원" in page and "15,000원" in page and "200원" in page
    assert "2명" in page  # donors
    assert "1명 참여" in page
    assert "응원하기 (1)" in page
    assert "든든은행" in page and "함께재단" in page


def test_the_box_page_runs_a_fixed_number_of_queries(client, box, sponsor, django_assert_num_queries):
    for n in range(3):
        give(box, neighbour(n), 10000, message=f"응원 {n}")
    with django_assert_num_queries(11):
        client.get(box.get_absolute_url())
    for n in range(3, 8):
        give(box, neighbour(n), 10000, message=f"응원 {n}")
    with django_assert_num_queries(11):
        client.get(box.get_absolute_url())


def test_the_box_closes_at_its_end_date(client, box):
    with time_machine.travel(box.ends_at - dt.timedelta(seconds=1), tick=False):
        assert "기부하기" in client.get(box.get_absolute_url()).content.decode()
        assert together_close_due()["boxes_closed"] == 0
    with time_machine.travel(box.ends_at, tick=False):
        page = client.get(box.get_absolute_url()).content.decode()
        assert "모금 종료" in page
        assert reverse("together:donate", args=[box.public_id]) not in page
        assert together_close_due()["boxes_closed"] == 1
    box.refresh_from_db()
    assert (box.status, box.closed_at) == (BoxStatus.CLOSED, box.ends_at)


def test_the_goal_cannot_be_changed_while_open(admin_client, box):
    from dangol.together.admin import FundraiserAdmin

    assert "goal" in FundraiserAdmin.readonly_fields
    admin_client.post(reverse("admin:together_fundraiser_change", args=[box.pk]), {"goal": "1"})
    box.refresh_from_db()
    assert box.goal == 1_000_000


def test_unpaid_donations_are_given_up_after_an_hour(box):
    with time_machine.travel("2026-03-02 10:00 +0900", tick=False):
        donation = donation_start(box=box, donor=neighbour(1), amount=10000)
    with time_machine.travel("2026-03-02 10:59 +0900", tick=False):
        assert together_close_due()["donations_expired"] == 0
    with time_machine.travel("2026-03-02 11:01 +0900", tick=False):
        assert together_close_due()["donations_expired"] == 1
    donation.refresh_from_db()
    assert donation.status == DonationStatus.CANCELED
    assert donation.payment.status == "failed"


def test_an_unknown_box_is_404(client, db):
    assert client.get(reverse("together:box", args=["nothing"])).status_code == 404
    assert client.get("/api/v1/together/boxes/nothing").status_code == 404


def test_boxes_use_random_public_ids(box):
    assert box.public_id != str(box.pk)
    assert len(box.public_id) == 10
    assert Fundraiser.objects.get(public_id=box.public_id) == box
    assert Donation.objects.count() == 0


def test_the_box_links_to_its_page_in_the_public_ledger(client, box):
    page = client.get(box.get_absolute_url()).content.decode()
    assert f'href="/ledger/together/{box.public_id}/"' in page


def test_staff_open_every_together_and_payments_admin_page(admin_client, box, sponsor):
    give(box, neighbour(1), 10000)
    for model in (
        "together/rules",
        "together/proposal",
        "together/agreement",
        "together/fundraiser",
        "together/sponsor",
        "together/donation",
        "together/participation",
        "together/comment",
        "together/report",
        "together/payoutplan",
        "together/payout",
        "together/usagereport",
        "payments/payment",
    ):
        assert admin_client.get(f"/admin/{model}/").status_code == 200, model
    assert admin_client.get(f"/admin/together/fundraiser/{box.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/together/proposal/{box.proposal.pk}/change/").status_code == 200
