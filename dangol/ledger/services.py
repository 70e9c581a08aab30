"""Checking the public ledger: anyone can recompute the chain, and so does this.

The chain holds when, read in seq order from 1, every entry
- has the next seq (no gap: nothing deleted),
- names the hash of the entry before it as prev_hash (GENESIS for #1: nothing reordered or forked),
- has the hash its own content gives (compute_hash(): nothing changed),
and the Head row points at the last entry (nothing cut off the end).

Someone able to rewrite every row after a change, and the Head, makes a new chain
that holds; hashes published earlier ("anchors": seq and hash someone wrote down
from the public page) catch that.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .models import GENESIS, Entry, Head

STATUS_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""  # "", "missing", "link", "hash", "head" or "anchor"
    message: str = ""
    verified_at: dt.datetime = field(default_factory=timezone.now)


def ledger_verify(*, anchors=()):
    """Recompute the whole chain; anchors are (seq, hash) pairs published earlier.

    Reads one consistent snapshot, so appends running meanwhile don't look like damage:
    PostgreSQL's REPEATABLE READ; on SQLite the transaction holds off writers until done.
    """
    # SET TRANSACTION must come first in a transaction; inside a caller's (or a test's) we just read.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(dict(anchors))


def _verify(anchors):
    head = Head.objects.filter(pk=1).first() or Head(seq=0, hash=GENESIS)
    expected_seq, prev_hash, checked = 1, GENESIS, 0

    def broken(seq, problem, message):
        return Verification(False, checked, head.seq, head.hash, seq, problem, message)

    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return broken(
                expected_seq,
                "missing",
                _("기록 #{seq}이(가) 없습니다. 지워졌거나 번호가 건너뛰었습니다.").format(seq=expected_seq),
            )
        if entry.prev_hash != prev_hash:
            return broken(
                entry.seq,
                "link",
                _(
                    "기록 #{seq}이(가) 가리키는 앞 기록의 해시가 #{prev} 기록과 다릅니다. 순서가 바뀌었거나 장부가 갈라졌습니다."
                ).format(seq=entry.seq, prev=entry.seq - 1),
            )
        if entry.compute_hash() != entry.hash:
            return broken(
                entry.seq,
                "hash",
                _("기록 #{seq}의 내용이 해시와 맞지 않습니다. 기록된 뒤에 바뀌었습니다.").format(seq=entry.seq),
            )
        if entry.seq in anchors and anchors[entry.seq] != entry.hash:
            return broken(
                entry.seq,
                "anchor",
                _("기록 #{seq}의 해시가 앞서 공개된 값과 다릅니다. 장부가 통째로 다시 쓰였습니다.").format(
                    seq=entry.seq
                ),
            )
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    last_seq = expected_seq - 1
    if head.seq != last_seq or head.hash != prev_hash:
        return broken(
            last_seq if head.seq == last_seq else min(head.seq, last_seq) + 1,
            "head",
            _("장부의 끝(#{head})과 마지막 기록(#{last})이 맞지 않습니다. 끝부분 기록이 지워졌을 수 있습니다.").format(
                head=head.seq, last=last_seq
            ),
        )
    missing_anchor = next((seq for seq in sorted(anchors) if seq > last_seq), None)
    if missing_anchor is not None:
        return broken(
            missing_anchor,
            "anchor",
            _("앞서 공개된 기록 #{seq}이(가) 장부에 없습니다.").format(seq=missing_anchor),
        )
    return Verification(
        True,
        checked,
        head.seq,
        head.hash,
        message=ngettext(
            "기록 {n}건의 연결과 내용을 모두 확인했습니다.", "기록 {n}건의 연결과 내용을 모두 확인했습니다.", checked
        ).format(n=f"{checked:,}"),
    )


def ledger_status():
    """The last verification of the current chain, at most STATUS_CACHE_SECONDS old.

    Public pages show this; a full check on every page view would cost a read of the whole ledger.
    """
    head = Head.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS)
    # The message is in the reader's language, so each language keeps its own copy.
    key = f"ledger:verification:{get_language()}:{head[0]}:{head[1]}"
    result = cache.get(key)
    if result is None:
        result = ledger_verify()
        cache.set(key, result, STATUS_CACHE_SECONDS)
    return result


def entries_with_checks(entries):
    """The entries (a page of them), each marked `intact`: its hash and its link to the one before hold."""
    entries = list(entries)
    before = dict(Entry.objects.filter(seq__in=[e.seq - 1 for e in entries if e.seq > 1]).values_list("seq", "hash"))
    before[0] = GENESIS
    for entry in entries:
        entry.intact = entry.hash == entry.compute_hash() and entry.prev_hash == before.get(entry.seq - 1)
    return entries
