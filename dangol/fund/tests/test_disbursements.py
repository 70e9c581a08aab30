import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangol.fund.models import Disbursement
from dangol.fund.services import disbursement_record
from dangol.ledger.models import Entry
from dangol.ledger.services import ledger_verify

from .conftest import EOK


def test_a_disbursement_is_written_to_the_public_ledger(program, paid_on, staff):
    paid = disbursement_record(
        program=program, amount=3 * EOK, paid_on=paid_on, recipient=" 햇살골목시장 상인회 ", memo="QR 인쇄", by=staff
    )

    entry = paid.ledger_entry
    assert (entry.book, entry.kind, entry.amount) == ("fund", "disbursement", -3 * EOK)
    assert entry.memo == "디지털 전환 · 단골 채널 보급 · 햇살골목시장 상인회"
    assert entry.reference == f"disbursement:{paid.public_id}"
    assert paid.recipient == "햇살골목시장 상인회"
    assert program.disbursed() == 3 * EOK
    assert ledger_verify().ok


def test_it_spends_a_years_commitment_up_to_the_last_won(program, paid_on):
    disbursement_record(program=program, amount=6 * EOK, paid_on=paid_on, recipient="상인회")
    disbursement_record(program=program, amount=4 * EOK, paid_on=paid_on, recipient="상인회")

    with pytest.raises(ValidationError) as refused:
        disbursement_record(program=program, amount=1, paid_on=paid_on, recipient="상인회")

    assert refused.value.message_dict == {"amount": ["디지털 전환 분야의 2026년 약정에서 남은 돈은 0원입니다."]}
    assert Disbursement.objects.count() == 2
    assert Entry.objects.count() == 2


def test_what_is_left_counts_every_program_in_the_area_but_only_that_year(program, digital, paid_on):
    other = digital.programs.create(name="상인 디지털 교육")
    disbursement_record(program=other, amount=7 * EOK, paid_on=paid_on, recipient="교육센터")
    disbursement_record(program=program, amount=10 * EOK, paid_on=dt.date(2025, 5, 1), recipient="상인회")

    with pytest.raises(ValidationError, match="남은 돈은 3억 원입니다"):
        disbursement_record(program=program, amount=4 * EOK, paid_on=paid_on, recipient="상인회")
    disbursement_record(program=program, amount=3 * EOK, paid_on=paid_on, recipient="상인회")


BAD = [
    ({"amount": 0}, "amount", "집행액은 1원 이상의 정수(원)로 입력해 주세요."),
    ({"amount": -5}, "amount", "집행액은 1원 이상의 정수(원)로 입력해 주세요."),
    ({"amount": "100000"}, "amount", "집행액은 1원 이상의 정수(원)로 입력해 주세요."),
    ({"amount": 1.5}, "amount", "집행액은 1원 이상의 정수(원)로 입력해 주세요."),
    ({"amount": True}, "amount", "집행액은 1원 이상의 정수(원)로 입력해 주세요."),
    ({"paid_on": None}, "paid_on", "집행일을 입력해 주세요."),
    ({"paid_on": dt.date(2024, 12, 31)}, "paid_on", "집행일은 기금 기간(2025년~2027년) 안이어야 합니다."),
    ({"paid_on": dt.date(2028, 1, 1)}, "paid_on", "집행일은 기금 기간(2025년~2027년) 안이어야 합니다."),
    ({"paid_on": dt.date(2026, 11, 27)}, "paid_on", "아직 오지 않은 날짜입니다. 실제로 집행한 날을 입력해 주세요."),
    ({"recipient": "  "}, "recipient", "받은 곳(기관·단체 이름)을 입력해 주세요."),
    ({"recipient": "가" * 81}, "recipient", "받은 곳은 80자까지 쓸 수 있습니다."),
    ({"memo": "가" * 121}, "memo", "내용은 120자까지 쓸 수 있습니다."),
    ({"amount": 11 * EOK}, "amount", "디지털 전환 분야의 2026년 약정에서 남은 돈은 10억 원입니다."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(program, paid_on, change, field, message):
    given = {"amount": EOK, "paid_on": paid_on, "recipient": "상인회", "memo": ""} | change

    with pytest.raises(ValidationError) as refused:
        disbursement_record(program=program, **given)

    assert refused.value.message_dict[field] == [message]
    assert Disbursement.objects.count() == 0
    assert Entry.objects.count() == 0


def test_a_year_without_a_commitment_is_refused(program, digital, paid_on):
    digital.commitments.filter(year=2026).delete()

    with pytest.raises(ValidationError) as refused:
        disbursement_record(program=program, amount=1, paid_on=paid_on, recipient="상인회")

    assert refused.value.message_dict == {"paid_on": ["디지털 전환 분야에는 2026년 약정이 없습니다."]}
    assert Entry.objects.count() == 0


def test_staff_record_a_disbursement_in_the_admin_and_it_reaches_the_ledger(signed_in, superuser, program):
    client = signed_in(superuser)
    response = client.post(
        reverse("admin:fund_disbursement_add"),
        {
            "program": program.pk,
            "amount": str(2 * EOK),
            "paid_on": "2026-04-01",
            "recipient": "햇살골목시장 상인회",
            "memo": "교육",
        },
    )

    assert response.status_code == 302
    paid = Disbursement.objects.get()
    assert paid.created_by == superuser
    assert paid.ledger_entry.amount == -2 * EOK
    listing = client.get(reverse("admin:fund_disbursement_changelist")).content.decode()
    assert "햇살골목시장 상인회" in listing


def test_the_admin_shows_what_is_wrong_and_writes_nothing(signed_in, superuser, program):
    response = signed_in(superuser).post(
        reverse("admin:fund_disbursement_add"),
        {"program": program.pk, "amount": str(11 * EOK), "paid_on": "2026-04-01", "recipient": "상인회"},
    )

    assert response.status_code == 200
    assert "디지털 전환 분야의 2026년 약정에서 남은 돈은 10억 원입니다." in response.content.decode()
    assert Disbursement.objects.count() == 0
    assert Entry.objects.count() == 0


def test_disbursements_cannot_be_changed_or_deleted_in_the_admin(signed_in, superuser, program, paid_on):
    paid = disbursement_record(program=program, amount=EOK, paid_on=paid_on, recipient="상인회")
    client = signed_in(superuser)

    client.post(reverse("admin:fund_disbursement_change", args=[paid.pk]), {"amount": "1", "recipient": "x"})
    deleting = client.post(reverse("admin:fund_disbursement_delete", args=[paid.pk]), {"post": "yes"})

    assert deleting.status_code == 403
    paid.refresh_from_db()
    assert (paid.amount, paid.recipient) == (EOK, "상인회")


ADMIN_PAGES = ["fund_fund", "fund_area", "fund_program", "fund_disbursement"]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_fund_admin_pages_are_for_staff_only(client, signed_in, customer, model, fund):
    url = reverse(f"admin:{model}_changelist")

    assert client.get(url).status_code == 302
    assert signed_in(customer).get(url).status_code == 302
    assert reverse("accounts:sign_in") in signed_in(customer).get(url, follow=True).redirect_chain[-1][0]


def test_staff_without_permissions_cannot_add_a_disbursement(signed_in, staff, program):
    response = signed_in(staff).post(
        reverse("admin:fund_disbursement_add"),
        {"program": program.pk, "amount": str(EOK), "paid_on": "2026-04-01", "recipient": "상인회"},
    )

    assert response.status_code == 403
    assert Disbursement.objects.count() == 0
