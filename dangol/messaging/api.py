import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from dangol.channels.access import managed_store
from dangol.lib.api import session_auth
from dangol.lib.sql import MARKER_ID, MARKER_TIME, FixedQuery

from .models import (
    MAX_BODY,
    MAX_BUTTON_LABEL,
    MAX_BUTTON_URL,
    MAX_BUTTONS,
    SCHEDULE_WITHIN_DAYS,
    InboxItem,
    MessageKind,
)
from .services import message_send

router = Router(tags=["messages"])


# The limits in these descriptions are checked by Message.draft, for the page and the API alike.
class ButtonIn(Schema):
    label: str = Field(description=f"버튼 이름, {MAX_BUTTON_LABEL}자까지")
    url: str = Field(description=f"https:// 주소, {MAX_BUTTON_URL}자까지")


class MessageIn(Schema):
    kind: MessageKind = Field(description="info(정보) 또는 ad(광고); notice는 가게가 보낼 수 없습니다")
    body: str = Field(description=f"{MAX_BODY}자까지")
    buttons: list[ButtonIn] = Field([], description=f"링크 버튼 {MAX_BUTTONS}개까지")
    send_at: dt.datetime | None = Field(
        None, description=f"비우면 지금 보냅니다. 예약은 {SCHEDULE_WITHIN_DAYS}일 안으로. 시간대가 없으면 서울 시각"
    )


class MessageOut(Schema):
    id: str = Field(alias="public_id")
    kind: str
    header: str
    body: str
    footer: str
    buttons: list[dict]
    status: str
    send_at: dt.datetime
    recipient_count: int


# Plain pydantic models: the inbox answers with dicts, and ninja's Schema would read each field of each
# item through its Django attribute wrapper (most of this endpoint's CPU).
class InboxItemOut(BaseModel):
    id: str
    store_id: str
    store_name: str
    kind: str
    header: str
    body: str
    footer: str
    buttons: list[dict]
    received_at: dt.datetime
    read: bool


class InboxOut(BaseModel):
    unread: int
    unread_by_store: dict[str, int]
    items: list[InboxItemOut]


# The columns the answer shows, read as plain values: no Message, Store or Market objects to build.
_ITEM_COLUMNS = {
    "id": "message__public_id",
    "store_id": "message__store__public_id",
    "store_name": "message__store__name",
    "kind": "message__kind",
    "header": "message__header",
    "body": "message__body",
    "footer": "message__footer",
    "buttons": "message__buttons",
    "received_at": "visible_at",
    "read": "read",  # whether it was read, worked out by the database: one time fewer to read back per item
}


def inbox_items(customer_id, now, limit):
    """The newest `limit` items visible to the customer at `now`, as the inbox answer's columns."""
    return (
        InboxItem.objects.for_customer(customer_id, now=now)
        .select_related(None)
        .annotate(read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .values(*_ITEM_COLUMNS.values())[:limit]
    )


def _item(row):
    return {name: row[column] for name, column in _ITEM_COLUMNS.items()}


@router.post("/stores/{public_id}/messages", auth=session_auth, response={201: MessageOut})
def send(request, public_id: str, payload: MessageIn):
    store = managed_store(request.auth, public_id)
    message = message_send(
        store=store,
        author=request.auth,
        kind=payload.kind,
        body=payload.body,
        buttons=[b.model_dump() for b in payload.buttons],
        send_at=payload.send_at,
    )
    message.refresh_from_db()
    return Status(201, message)


# Every phone asks for its inbox: its two queries are built by the ORM once per process (lib.sql).
_INBOX_ITEMS = FixedQuery(inbox_items, MARKER_ID, MARKER_TIME)
_UNREAD = FixedQuery(
    lambda customer_id, now: InboxItem.objects.unread_counts(customer_id, now=now), MARKER_ID, MARKER_TIME
)


@router.get("/inbox", auth=session_auth, response=InboxOut)
def inbox(request, limit: int = Query(50, ge=1, le=200)):
    now = timezone.now()
    items = _INBOX_ITEMS.dicts(request.auth.pk, now, limit=limit)
    unread = _UNREAD.pairs(request.auth.pk, now)
    return {
        "unread": sum(unread.values()),
        "unread_by_store": unread,
        "items": [_item(i) for i in items],
    }


@router.post("/inbox/{message_id}/read", auth=session_auth, response={204: None})
def mark_read(request, message_id: str):
    get_object_or_404(InboxItem.objects.for_customer(request.auth), message__public_id=message_id).mark_read()
    return Status(204, None)
