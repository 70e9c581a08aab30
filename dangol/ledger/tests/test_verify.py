import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from dangol.ledger.models import GENESIS, Entry, Head
from dangol.ledger.services import ledger_verify

ROW = ["seq", "book", "kind", "amount", "memo", "reference", "created_at", "prev_hash", "hash"]


def test_an_untouched_chain_verifies(chain):
    result = ledger_verify()

    assert result.ok
    assert result.checked == 6
    assert result.head_seq == 6
    assert result.head_hash == chain[-1].hash
    assert result.broken_seq is None


def test_an_empty_ledger_verifies(db):
    result = ledger_verify()

    assert result.ok
    assert result.checked == 0
    assert result.head_hash == GENESIS


def test_each_entry_carries_the_hash_of_the_one_before(chain):
    assert chain[0].prev_hash == GENESIS
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5, 6]


def test_the_orm_refuses_to_change_or_delete_entries(chain):
    entry = Entry.objects.get(seq=2)
    with pytest.raises(ValidationError):
        Entry.objects.filter(seq=2).update(amount=1)
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        entry.save()
    assert Entry.objects.get(seq=2).amount == 30_000


@pytest.mark.parametrize("book", ["", "together/", "together/box 1", "../fund", "fund.csv", "x" * 61])
def test_a_book_name_that_cannot_be_a_public_url_is_refused(db, book):
    with pytest.raises(ValidationError, match="book names"):
        Entry.append(book=book, kind="donation", amount=1)

    assert not Entry.objects.exists()


def test_it_detects_a_changed_amount(chain, raw_sql):
    raw_sql("UPDATE ledger_entry SET amount = %s WHERE seq = %s", [3_000, 2])

    result = ledger_verify()

    assert not result.ok
    assert (result.broken_seq, result.problem) == (2, "hash")
    assert "#2" in result.message
    assert result.checked == 1


def test_it_detects_a_changed_memo(chain, raw_sql):
    raw_sql("UPDATE ledger_entry SET memo = %s WHERE seq = %s", ["지출 없음", 6])

    result = ledger_verify()

    assert (result.ok, result.broken_seq, result.problem) == (False, 6, "hash")


def test_it_detects_a_row_changed_with_a_recomputed_hash(chain, raw_sql):
    forged = Entry.objects.get(seq=3)
    forged.amount = -50_000
    forged.hash = forged.compute_hash()
    raw_sql("UPDATE ledger_entry SET amount = %s, hash = %s WHERE seq = %s", [forged.amount, forged.hash, 3])

    result = ledger_verify()

    # #3 now holds together on its own, but #4 still points at the real #3.
    assert (result.ok, result.broken_seq, result.problem) == (False, 4, "link")


def test_it_detects_a_deleted_row(chain, raw_sql):
    raw_sql("DELETE FROM ledger_entry WHERE seq = %s", [4])

    result = ledger_verify()

    assert (result.ok, result.broken_seq, result.problem) == (False, 4, "missing")
    assert "#4" in result.message


def test_it_detects_the_last_row_deleted(chain, raw_sql):
    raw_sql("DELETE FROM ledger_entry WHERE seq = %s", [6])

    result = ledger_verify()

    assert (result.ok, result.broken_seq, result.problem) == (False, 6, "head")


def test_it_detects_reordered_rows(chain, raw_sql):
    raw_sql("UPDATE ledger_entry SET seq = 1000 WHERE seq = 3")
    raw_sql("UPDATE ledger_entry SET seq = 3 WHERE seq = 4")
    raw_sql("UPDATE ledger_entry SET seq = 4 WHERE seq = 1000")

    result = ledger_verify()

    assert (result.ok, result.broken_seq, result.problem) == (False, 3, "link")


def test_it_detects_a_fork(chain, raw_sql):
    """A second #4 that follows #3 properly and has a proper hash, but #5 was written after the first."""
    sibling = Entry(
        seq=4,
        book="together/box1",
        kind="refund",
        amount=-30_000,
        memo="기부 취소",
        reference="donation:a2",
        created_at=chain[3].created_at,
        prev_hash=chain[2].hash,
    )
    sibling.hash = sibling.compute_hash()
    raw_sql("DELETE FROM ledger_entry WHERE seq = 4")
    raw_sql(
        "INSERT INTO ledger_entry (seq, book, kind, amount, memo, reference, created_at, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [getattr(sibling, name) for name in ROW],
    )

    result = ledger_verify()

    assert (result.ok, result.broken_seq, result.problem) == (False, 5, "link")


def test_a_rewritten_tail_is_caught_by_a_published_anchor(chain, raw_sql):
    published = (6, chain[-1].hash)
    # Rewrite #6 and the head consistently: the chain holds on its own...
    forged = Entry.objects.get(seq=6)
    forged.amount = -3_100
    forged.hash = forged.compute_hash()
    raw_sql("UPDATE ledger_entry SET amount = %s, hash = %s WHERE seq = 6", [forged.amount, forged.hash])
    Head.objects.filter(pk=1).update(hash=forged.hash)
    assert ledger_verify().ok

    result = ledger_verify(anchors=[published])

    assert (result.ok, result.broken_seq, result.problem) == (False, 6, "anchor")


def test_the_command_reports_an_intact_ledger(chain, capsys):
    call_command("verify_ledger")

    out = capsys.readouterr().out
    assert "Ledger OK: 6 entries" in out
    assert chain[-1].hash in out


def test_the_command_fails_at_the_first_broken_entry(chain, raw_sql):
    raw_sql("UPDATE ledger_entry SET amount = amount + 1 WHERE seq IN (2, 5)")

    with pytest.raises(CommandError, match=r"BROKEN at entry #2 \(hash\)") as failure:
        call_command("verify_ledger")

    assert failure.value.returncode == 1


def test_the_command_checks_anchors(chain):
    call_command("verify_ledger", anchor=[f"3:{chain[2].hash}"])

    with pytest.raises(CommandError, match="anchor"):
        call_command("verify_ledger", anchor=[f"3:{chain[3].hash}"])
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_ledger", anchor=["3:abc"])
    with pytest.raises(CommandError, match="#9"):
        call_command("verify_ledger", anchor=[f"9:{chain[3].hash}"])


def test_the_command_exits_with_status_1_from_the_shell(chain, raw_sql):
    raw_sql("DELETE FROM ledger_entry WHERE seq = 2")

    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "verify_ledger"])

    assert exit_.value.code == 1
