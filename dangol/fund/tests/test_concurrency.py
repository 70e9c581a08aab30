"""Payments racing for the same commitment, on PostgreSQL with real threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangol.fund.models import Disbursement, Program
from dangol.fund.services import disbursement_record
from dangol.ledger.models import Entry
from dangol.ledger.services import ledger_verify

from .conftest import EOK

pytestmark = pytest.mark.postgres


def test_ten_simultaneous_payments_never_spend_more_than_the_commitment(postgres, program, paid_on):
    barrier = threading.Barrier(10)

    def pay(i):
        try:
            barrier.wait()
            # 4억 each against 10억 committed for 2026: only two fit.
            return disbursement_record(
                program=Program.objects.get(pk=program.pk), amount=4 * EOK, paid_on=paid_on, recipient=f"상인회 {i}"
            )
        except ValidationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(pay, range(10)))

    assert sum(isinstance(r, Disbursement) for r in results) == 2
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(refusals) == 8
    assert all("남은 돈은 2억 원입니다." in r.message_dict["amount"][0] for r in refusals)
    assert Entry.objects.filter(book="fund").count() == 2
    assert ledger_verify().ok
