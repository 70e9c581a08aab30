import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from dangol.accounts.models import User
from dangol.ledger.models import Entry
from dangol.ledger.views import PER_PAGE


def test_the_public_ledger_shows_every_entry_with_seoul_time_and_a_verified_mark(client, chain):
    page = client.get(reverse("ledger:ledger")).content.decode()

    assert "✓ 검증됨" in page
    assert "기록 6건의 연결과 내용을 모두 확인했습니다." in page
    assert "#6" in page and "#1" in page
    assert "+30,000원" in page and "-5,000,000원" in page
    assert "김** 님 기부" in page
    assert "기금 집행" in page and "참여 기부" in page
    assert chain[-1].hash[:12] in page
    assert f'#6 <code class="full-hash">{chain[-1].hash}</code>' in page  # the head, whole, to write down
    assert page.count("✓ 확인") == 6
    assert page.index("#6") < page.index("#1")  # newest first
    assert reverse("ledger:book", args=["together/box1"]) in page


def test_times_are_shown_in_seoul(client, db):
    with time_machine.travel("2026-11-26 23:30:00+00:00", tick=False):
        Entry.append(book="fund", kind="disbursement", amount=-1_000, memo="야간 기록")

    page = client.get(reverse("ledger:ledger")).content.decode()

    assert "2026-11-27 08:30" in page


def test_a_book_page_shows_only_that_book_and_its_totals(client, chain):
    page = client.get(reverse("ledger:book", args=["together/box1"])).content.decode()

    assert "together/box1 장부" in page
    assert "디지털 전환" not in page
    assert "시장 상인회에 지급" in page
    assert "40,100원" in page  # in: 10,000 + 30,000 + 100
    assert "-40,100원" in page  # out: refund 10,000 + payout 30,100
    assert page.count("✓ 확인") == 5


def test_an_unknown_book_is_an_empty_page_not_an_error(client, chain):
    response = client.get(reverse("ledger:book", args=["together/nothing"]))

    assert response.status_code == 200
    assert "아직 기록이 없습니다." in response.content.decode()


def test_a_tampered_ledger_says_so_on_the_page(client, chain, raw_sql):
    raw_sql("UPDATE ledger_entry SET amount = 300000 WHERE seq = 2")

    page = client.get(reverse("ledger:ledger")).content.decode()

    assert "✗ 검증 실패" in page
    assert "기록 #2의 내용이 해시와 맞지 않습니다." in page
    assert page.count("✗ 불일치") == 1
    assert page.count("✓ 확인") == 5


def test_the_ledger_is_paginated(client, db):
    for n in range(PER_PAGE + 5):
        Entry.append(book="fund", kind="disbursement", amount=-(n + 1), memo=f"집행 {n + 1}번")

    first = client.get(reverse("ledger:ledger")).content.decode()
    second = client.get(reverse("ledger:ledger"), {"page": 2}).content.decode()

    assert "집행 55번" in first and "집행 6번<" in first and "집행 5번<" not in first
    assert "집행 5번<" in second and "집행 1번<" in second and "집행 55번" not in second
    assert "2 / 2쪽" in second


def test_the_ledger_page_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    for n in range(30):
        Entry.append(book=f"together/box{n % 3}", kind="donation", amount=1_000, memo="기부")
    client.get(reverse("ledger:ledger"))  # verification cached, as it is for most visitors

    # session-less page: head, count, rows, rows before, totals, books
    with django_assert_num_queries(6):
        assert client.get(reverse("ledger:ledger")).status_code == 200


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_of_the_whole_ledger_opens_in_excel(client, chain):
    response = client.get(reverse("ledger:export"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="dangol-ledger-all.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:6] == ["번호", "시각(서울)", "장부", "종류", "종류 코드", "금액(원)"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert rows[3][2:8] == ["fund", "기금 집행", "disbursement", "-5000000", "디지털 전환 · 교육", "d:1"]
    assert rows[6][-1] == chain[-1].hash
    assert rows[6][-2] == chain[-2].hash


def test_csv_rows_carry_everything_needed_to_recompute_the_hash(client, chain):
    rows = _csv(client.get(reverse("ledger:export")))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))

    entry = Entry(
        seq=int(first["번호"]),
        book=first["장부"],
        kind=first["종류 코드"],
        amount=int(first["금액(원)"]),
        memo=first["내용"],
        reference=first["참조"],
        created_at=dt.datetime.fromisoformat(first["기록 시각(UTC, 해시 계산용)"]),
        prev_hash=first["앞 기록 해시"],
    )
    assert len(header) == 11
    assert entry.compute_hash() == first["해시"]


def test_csv_export_of_one_book(client, chain):
    response = client.get(reverse("ledger:book_export", args=["together/box1"]))

    assert 'filename="dangol-ledger-together-box1.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert [row[0] for row in rows[1:]] == ["1", "2", "4", "5", "6"]
    assert {row[2] for row in rows[1:]} == {"together/box1"}


def test_csv_cells_cannot_smuggle_a_formula_into_excel(client, db):
    Entry.append(book="fund", kind="expense", amount=-1, memo='=HYPERLINK("http://x","클릭")')

    rows = _csv(client.get(reverse("ledger:export")))

    assert rows[1][6] == '\'=HYPERLINK("http://x","클릭")'
    assert rows[1][5] == "-1"  # numbers stay numbers


def test_api_lists_a_books_entries_page_by_page(client, chain):
    response = client.get("/api/v1/ledger/entries", {"book": "together/box1", "per_page": 2, "page": 2})

    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["pages"], data["page"], data["per_page"]) == (5, 3, 2, 2)
    assert [item["seq"] for item in data["items"]] == [4, 5]
    assert data["items"][0] | {"created_at": None} == {
        "seq": 4,
        "book": "together/box1",
        "kind": "refund",
        "kind_label": "환불",
        "amount": -10_000,
        "memo": "기부 취소",
        "reference": "donation:a1",
        "created_at": None,
        "prev_hash": chain[2].hash,
        "hash": chain[3].hash,
    }


def test_api_refuses_a_page_past_the_end_and_bad_sizes(client, chain):
    past = client.get("/api/v1/ledger/entries", {"book": "together/box1", "page": 9})
    assert past.status_code == 404
    assert past.json()["detail"] == "9쪽은 없습니다. 마지막 쪽은 1쪽입니다."
    assert client.get("/api/v1/ledger/entries", {"per_page": 500}).status_code == 422
    assert client.get("/api/v1/ledger/entries", {"page": 0}).status_code == 422
    assert client.get("/api/v1/ledger/entries", {"page": "x"}).status_code == 422


def test_api_lists_books_with_totals(client, chain):
    data = client.get("/api/v1/ledger/books").json()

    assert data == [
        {"book": "fund", "entries": 1, "money_in": 0, "money_out": -5_000_000},
        {"book": "together/box1", "entries": 5, "money_in": 40_100, "money_out": -40_100},
    ]


def test_api_reports_verification(client, chain, raw_sql):
    good = client.get("/api/v1/ledger/verification").json()
    assert (good["ok"], good["checked"], good["head_seq"], good["head_hash"]) == (True, 6, 6, chain[-1].hash)

    raw_sql("DELETE FROM ledger_entry WHERE seq = 3")
    cache.clear()  # the published status is cached for a few minutes
    bad = client.get("/api/v1/ledger/verification").json()
    assert (bad["ok"], bad["broken_seq"], bad["problem"]) == (False, 3, "missing")


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("+821090000009", name="운영진")


def test_admin_shows_entries_but_cannot_add_change_or_delete(signed_in, staff, chain):
    client = signed_in(staff)
    listing = client.get(reverse("admin:ledger_entry_changelist"))
    entry = Entry.objects.get(seq=2)

    assert listing.status_code == 200
    assert "together/box1" in listing.content.decode()
    assert client.get(reverse("admin:ledger_entry_add")).status_code == 403
    assert client.post(reverse("admin:ledger_entry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:ledger_entry_change", args=[entry.pk]), {"amount": 1})
    assert Entry.objects.get(seq=2).amount == 30_000


def test_admin_is_closed_to_people_who_are_not_staff(signed_in, customer, chain):
    response = signed_in(customer).get(reverse("admin:ledger_entry_changelist"))

    assert response.status_code == 302
