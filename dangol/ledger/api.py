import datetime as dt

from django.core.paginator import EmptyPage, Paginator
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from .models import Entry
from .services import ledger_status

router = Router(tags=["ledger"])


class LedgerEntryOut(Schema):
    seq: int
    book: str
    kind: str
    kind_label: str
    amount: int = Field(description="원. 들어온 돈은 +, 나간 돈은 -")
    memo: str
    reference: str
    created_at: dt.datetime
    prev_hash: str
    hash: str


class EntryPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    items: list[LedgerEntryOut]


class Problem(Schema):
    detail: str


class BookOut(Schema):
    book: str
    entries: int
    money_in: int
    money_out: int


class VerificationOut(Schema):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None
    problem: str = Field(description='"" 또는 missing, link, hash, head, anchor')
    message: str
    verified_at: dt.datetime


@router.get("/entries", response={200: EntryPage, 404: Problem}, summary="장부 기록 (오래된 것부터, 쪽 단위)")
def entries(
    request,
    book: str | None = Query(None, description='장부 이름, 예: "fund", "together/<모금함 id>". 비우면 전체'),
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
):
    queryset = Entry.objects.order_by("seq")
    if book is not None:
        queryset = queryset.filter(book=book)
    paginator = Paginator(queryset, per_page)
    try:
        current = paginator.page(page)
    except EmptyPage:
        detail = _("{page}쪽은 없습니다. 마지막 쪽은 {last}쪽입니다.").format(page=page, last=paginator.num_pages)
        return Status(404, {"detail": detail})
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages,
        "per_page": per_page,
        "items": list(current.object_list),
    }


@router.get("/books", response=list[BookOut], summary="장부별 기록 수와 합계")
def books(request):
    return list(Entry.objects.book_totals())


@router.get("/verification", response=VerificationOut, summary="해시 연결 검증 결과 (최대 5분 전)")
def verification(request):
    return ledger_status()
