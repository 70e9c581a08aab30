"""The chain under real concurrency, on PostgreSQL: threads, each with its own connection."""

import pytest

from dangol.ledger.models import Entry, Head
from dangol.ledger.services import ledger_verify
from dangol.lib.testing import run_together

pytestmark = pytest.mark.postgres

THREADS = 20
APPENDS_PER_THREAD = 25


def _append_many(i):
    return [
        Entry.append(book=f"together/box{i % 4}", kind="donation", amount=1_000 + i, reference=f"donation:{i}-{n}").seq
        for n in range(APPENDS_PER_THREAD)
    ]


def test_five_hundred_simultaneous_appends_make_one_gap_free_chain(postgres):
    assert not Head.objects.exists()  # the first appends race to create the head as well

    results = run_together(THREADS, _append_many)

    assert [r for r in results if isinstance(r, Exception)] == []
    total = THREADS * APPENDS_PER_THREAD
    assert sorted(seq for seqs in results for seq in seqs) == list(range(1, total + 1))
    assert Entry.objects.count() == total
    assert Head.objects.get().seq == total
    result = ledger_verify()
    assert (result.ok, result.checked) == (True, total)


def test_verifying_while_others_append_sees_a_consistent_ledger(postgres):
    Entry.append(book="fund", kind="disbursement", amount=-1, memo="첫 기록")

    def work(i):
        if i % 2:
            return _append_many(i)
        return [ledger_verify() for _ in range(5)]

    results = run_together(8, work)

    assert [r for r in results if isinstance(r, Exception)] == []
    verifications = [v for r in results[0::2] for v in r]
    assert all(v.ok for v in verifications), [v.message for v in verifications if not v.ok]
    assert ledger_verify().checked == 1 + 4 * APPENDS_PER_THREAD
