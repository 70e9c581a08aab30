import csv

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dangol.lib.seoul import to_seoul

from .models import Entry
from .services import entries_with_checks, ledger_status

PER_PAGE = 50
BOOKS_SHOWN = 200
# Excel runs a cell starting with one of these as a formula; memos are public text anyone can influence.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ledger(request, book=None):
    """The whole public ledger, or one book of it, newest first."""
    entries = Entry.objects.all() if book is None else Entry.objects.filter(book=book)
    page = Paginator(entries.order_by("-seq"), PER_PAGE).get_page(request.GET.get("page"))
    totals = entries.aggregate(
        count=Count("pk"),
        money_in=Sum("amount", filter=Q(amount__gt=0), default=0),
        money_out=Sum("amount", filter=Q(amount__lt=0), default=0),
    )
    context = {
        "book": book,
        "page": page,
        "entries": entries_with_checks(page.object_list),
        "totals": totals,
        "status": ledger_status(),
        "books": None if book else Entry.objects.book_totals()[:BOOKS_SHOWN],
    }
    return render(request, "ledger/ledger.html", context)


def export(request, book=None):
    """CSV for Excel in Korea (UTF-8 with BOM), with every field the hashes cover."""
    entries = Entry.objects.order_by("seq")
    if book is not None:
        entries = entries.filter(book=book)
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    name = book.replace("/", "-") if book else "all"
    response["Content-Disposition"] = f'attachment; filename="dangol-ledger-{name}.csv"'
    return response


class _Line:
    def write(self, value):
        return value


def _csv_lines(entries):
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(
        [
            _("번호"),
            _("시각(서울)"),
            _("장부"),
            _("종류"),
            _("종류 코드"),
            _("금액(원)"),
            _("내용"),
            _("참조"),
            _("기록 시각(UTC, 해시 계산용)"),
            _("앞 기록 해시"),
            _("해시"),
        ]
    )
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.seq,
                to_seoul(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(entry.book),
                entry.kind_label,
                _cell(entry.kind),
                entry.amount,
                _cell(entry.memo),
                _cell(entry.reference),
                entry.created_at.isoformat(timespec="microseconds"),
                entry.prev_hash,
                entry.hash,
            ]
        )


def _cell(text):
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
