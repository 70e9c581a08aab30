"""Every program and printing URL and API operation, tried by the right person and by each wrong one."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from dangol.accounts import sms
from dangol.lib.seoul import seoul_today
from dangol.program.models import Invitation, PrintRecord, Visit


@pytest.fixture
def cast(
    cohort, store, other_store, market, merchant, other_merchant, operator, tutor, other_tutor, stranger, customer
):
    # The tutor has one store; the other tutor has nothing in this cohort.
    cohort.assign_tutor(tutor=tutor, market=market, store=store)
    return cohort


def _urls(cohort, store, market):
    c, s, m = cohort.public_id, store.public_id, market.public_id
    return [
        ("get", reverse("program:cohort", args=[c])),
        ("get", reverse("program:cohort_csv", args=[c])),
        ("get", reverse("program:market", args=[c, m])),
        ("get", reverse("program:store", args=[c, s])),
        ("get", reverse("program:visit_new", args=[c, s])),
        ("get", reverse("program:invite", args=[s])),
        ("get", reverse("printing:market", args=[m])),
        ("get", reverse("printing:market_posters", args=[m, "a5"])),
        ("post", reverse("printing:invitation", args=[s])),
        ("get", reverse("api:cohort_store_list", args=[c])),
        ("get", reverse("api:cohort_store_detail", args=[c, s])),
        ("post", reverse("api:visit_log", args=[c, s])),
        ("post", reverse("api:invitation_send", args=[s])),
    ]


def _call(client, method, url):
    if method == "get":
        return client.get(url)
    body = {"visited_on": str(seoul_today()), "taught": "메시지 보내기", "phone": "010-7777-0001"}
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("who", ["merchant", "other_merchant", "other_tutor", "stranger", "customer"])
def test_people_outside_the_program_find_nothing(client, signed_in, cast, store, market, request, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    for method, url in _urls(cast, store, market):
        response = _call(client, method, url)
        assert response.status_code == 404, (who, url, response.status_code)
    assert not Visit.objects.exists()
    assert not Invitation.objects.exists()
    assert not PrintRecord.objects.exists()
    assert sms.outbox == []


def test_a_tutor_sees_only_the_assigned_store(signed_in, cast, store, other_store, market, tutor):
    client = signed_in(tutor)
    c = cast.public_id

    assert client.get(reverse("program:store", args=[c, store.public_id])).status_code == 200
    assert client.get(reverse("program:store", args=[c, other_store.public_id])).status_code == 404
    assert client.get(reverse("api:cohort_store_detail", args=[c, other_store.public_id])).status_code == 404
    assert client.get(reverse("printing:poster", args=[other_store.public_id, "a4"])).status_code == 404
    assert client.get(reverse("printing:market", args=[market.public_id])).status_code == 404  # not the whole market
    listed = client.get(reverse("api:cohort_store_list", args=[c])).json()
    assert [row["name"] for row in listed] == ["햇살과일"]
    page = client.get(reverse("program:cohort", args=[c])).content.decode()
    assert "햇살과일" in page
    assert "바다수산" not in page


def test_a_tutor_logs_a_visit_only_where_assigned(signed_in, cast, store, other_store, tutor):
    client = signed_in(tutor)
    c = cast.public_id
    body = {"visited_on": str(seoul_today()), "taught": "쿠폰 만들기", "next_step": "스탬프 카드"}

    ok = client.post(reverse("api:visit_log", args=[c, store.public_id]), body, content_type="application/json")
    hidden = client.post(
        reverse("api:visit_log", args=[c, other_store.public_id]), body, content_type="application/json"
    )

    assert ok.status_code == 201
    assert hidden.status_code == 404
    assert list(Visit.objects.values_list("store__name", "taught")) == [("햇살과일", "쿠폰 만들기")]


def test_a_visit_from_the_phone_page_shows_on_the_store(signed_in, cast, store, tutor, operator):
    url = reverse("program:visit_new", args=[cast.public_id, store.public_id])
    response = signed_in(tutor).post(
        url, {"visited_on": str(seoul_today()), "taught": "QR 포스터 붙이기", "next_step": ""}
    )
    assert response.status_code == 302

    page = signed_in(operator).get(reverse("program:store", args=[cast.public_id, store.public_id])).content.decode()
    assert "QR 포스터 붙이기" in page


def test_a_visit_in_the_future_or_without_words_is_refused(signed_in, cast, store, tutor):
    url = reverse("api:visit_log", args=[cast.public_id, store.public_id])
    tomorrow = str(seoul_today() + dt.timedelta(days=1))

    response = signed_in(tutor).post(
        url, {"visited_on": tomorrow, "taught": "\u200b "}, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"visited_on", "taught"}
    assert not Visit.objects.exists()


def test_the_operator_sees_the_whole_cohort_and_exports_it(signed_in, cast, store, other_store, operator):
    client = signed_in(operator)

    listed = client.get(reverse("api:cohort_store_list", args=[cast.public_id])).json()
    csv = client.get(reverse("program:cohort_csv", args=[cast.public_id])).content.decode("utf-8-sig")

    assert sorted(row["name"] for row in listed) == ["바다수산", "햇살과일"]
    assert "햇살과일" in csv
    assert "바다수산" in csv
    assert csv.splitlines()[0].startswith("시장,가게,점포 번호,단골,메시지,쿠폰 사용,스탬프")


def test_a_merchant_reads_only_their_own_checklist(signed_in, store, other_store, merchant):
    client = signed_in(merchant)

    assert client.get(reverse("api:own_checklist", args=[store.public_id])).status_code == 200
    assert client.get(reverse("api:own_checklist", args=[other_store.public_id])).status_code == 404
    assert client.get(reverse("program:checklist", args=[other_store.public_id])).status_code == 404
    assert client.get(reverse("printing:guide", args=[other_store.public_id])).status_code == 404
    assert client.get(reverse("printing:poster", args=[other_store.public_id, "a4"])).status_code == 404
    assert not PrintRecord.objects.exists()


def test_another_merchant_cannot_print_a_stores_paper_coupons(signed_in, store, merchant, other_merchant):
    from dangol.coupons.models import Campaign

    campaign = Campaign.create_for(
        store=store, by=merchant, kind="gift", gift="떡", method="paper", quantity=2, valid_days=7
    )

    response = signed_in(other_merchant).get(
        reverse("printing:coupon_sheet", args=[store.public_id, campaign.public_id])
    )

    assert response.status_code == 404


def test_only_operators_change_a_cohort(signed_in, cast, tutor, other_store):
    from dangol.markets.models import Market

    market = Market.objects.create(name="새시장")
    client = signed_in(tutor)

    add = client.post(reverse("program:cohort_add_market", args=[cast.public_id]), {"market": market.public_id})
    assign = client.post(reverse("program:cohort_assign", args=[cast.public_id]), {"phone": "010-5555-0001"})

    assert add.status_code == 404
    assert assign.status_code == 404
    assert not cast.markets.filter(pk=market.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in_or_get_401(client, cast, store):
    assert client.get(reverse("program:cohort", args=[cast.public_id])).status_code == 302
    assert client.get(reverse("api:cohort_list")).status_code == 401


def test_the_program_link_shows_for_people_in_a_program_only(client, merchant, market, market_admin):
    client.force_login(market_admin, backend="dangol.accounts.backends.PhoneCodeBackend")
    assert "/program/" in client.get("/my/stores/").content.decode()
    client.force_login(merchant, backend="dangol.accounts.backends.PhoneCodeBackend")
    assert "/program/" not in client.get("/my/stores/").content.decode()
