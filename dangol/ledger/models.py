import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangol.lib.models import AppendOnlyQuerySet

GENESIS = "0" * 64
HASH_PREFIX = 12
# A book's name is part of its public URL (/ledger/together/<box id>/): slash-separated words, no dots.
BOOK_PATTERN = r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*"

# Kinds the apps write; an unknown kind is shown as written.
KIND_LABELS = {
    "donation": _("기부"),
    "refund": _("환불"),
    "participation": _("참여 기부"),
    "matching": _("매칭 기부"),
    "payout": _("지급"),
    "expense": _("지출"),
    "disbursement": _("기금 집행"),
}


class EntryQuerySet(AppendOnlyQuerySet):
    def book_totals(self):
        """One row per book: entries, money in, money out (out is negative)."""
        return (
            self.order_by()
            .values("book")
            .annotate(
                entries=models.Count("pk"),
                money_in=models.Sum("amount", filter=models.Q(amount__gt=0), default=0),
                money_out=models.Sum("amount", filter=models.Q(amount__lt=0), default=0),
            )
            .order_by("book")
        )


class Head(models.Model):
    """The one row every append locks, so the chain has no forks or gaps."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self):
        return f"head #{self.seq}"


class Entry(models.Model):
    """One public line of money in or out. Each entry's hash covers the one before."""

    seq = models.PositiveBigIntegerField(unique=True)
    book = models.CharField(max_length=60, db_index=True, help_text='e.g. "together/<box id>", "fund"')
    kind = models.CharField(max_length=30)
    amount = models.BigIntegerField(help_text="won; positive in, negative out")
    memo = models.CharField(max_length=200, blank=True, help_text="public text, never a name or number")
    reference = models.CharField(max_length=80, blank=True, help_text='e.g. "donation:<public id>"')
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("장부 기록")
        verbose_name_plural = _("장부 기록")
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.book} {self.kind} {self.amount:+,}"

    def save(self, *args, **kwargs):
        raise ValidationError("Use Entry.append(); ledger entries are append-only.")

    def delete(self, *args, **kwargs):
        raise ValidationError("Ledger entries are append-only.")

    @property
    def kind_label(self):
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def hash_prefix(self):
        return self.hash[:HASH_PREFIX]

    def compute_hash(self):
        body = {
            "seq": self.seq,
            "book": self.book,
            "kind": self.kind,
            "amount": self.amount,
            "memo": self.memo,
            "reference": self.reference,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def append(cls, *, book, kind, amount, memo="", reference=""):
        """Add an entry at the end of the chain (inside the caller's transaction, if any)."""
        if not re.fullmatch(BOOK_PATTERN, book or "") or len(book) > cls._meta.get_field("book").max_length:
            raise ValidationError(f"Ledger book names are words joined by slashes, like together/<id>; not {book!r}.")
        with transaction.atomic():
            head, _created = Head.objects.select_for_update().get_or_create(pk=1)
            entry = cls(
                seq=head.seq + 1,
                book=book,
                kind=kind,
                amount=int(amount),
                memo=memo,
                reference=reference,
                created_at=timezone.now(),
                prev_hash=head.hash,
            )
            entry.hash = entry.compute_hash()
            models.Model.save(entry, force_insert=True)
            Head.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
        return entry
