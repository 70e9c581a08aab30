"""Payments racing for the same commitment, on PostgreSQL with real threads."""

import pytest
from django.core.exceptions import ValidationError

from dangol.fund.models import Disbursement, Program
from dangol.fund.services import disbursement_record
from dangol.ledger.models import Entry
from dangol.ledger.services import ledger_verify
from dangol.lib.testing import run_together

from .conftest import EOK

pytestmark = pytest.mark.postgres


def test_ten_simultaneous_payments_never_spend_more_than_the_commitment(postgres, program, paid_on):
    def pay(i):
        # 4억 each against 10억 committed for 2026: only two fit.
        return disbursement_record(
            program=Program.objects.get(pk=program.pk), amount=4 * EOK, paid_on=paid_on, recipient=f"상인회 {i}"
        )

    results = run_together(10, pay)

    assert sum(isinstance(r, Disbursement) for r in results) == 2
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 8
    assert all("남은 돈은 2억 원입니다." in r.message_dict["amount"][0] for r in refusals)
    assert Entry.objects.filter(book="fund").count() == 2
    assert ledger_verify().ok
