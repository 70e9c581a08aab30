"""Each store's onboarding checklist and award figures, read from what really happened.

No step can be ticked by hand: a step is on when the store's own rows say so (a follow, a sent
message, a standing redemption, a stamp, a poster download). Figures for many stores take one
grouped query per source, whatever the number of stores.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangol.channels.models import Follow
from dangol.coupons.models import Redemption
from dangol.messaging.models import Message, MessageKind, Status
from dangol.stamps.models import Stamp

from .models import PrintKind, PrintRecord

REGULARS_GOAL = 10
STEPS = [
    ("profile", _("가게 정보 채우기")),
    ("poster", _("QR 포스터 인쇄")),
    ("regulars", _("단골 10명")),  # REGULARS_GOAL
    ("message", _("첫 메시지 보내기")),
    ("redemption", _("첫 쿠폰 사용")),
    ("stamp", _("첫 스탬프")),
]
PROFILE_FIELDS = ("description", "opening_hours", "phone", "photo")


def still_days():
    return dt.timedelta(days=getattr(settings, "PROGRAM_STILL_DAYS", 14))


def silent_days():
    return dt.timedelta(days=getattr(settings, "PROGRAM_SILENT_DAYS", 30))


@dataclass
class StoreProgress:
    store: object
    steps: dict = field(default_factory=dict)
    regulars: int = 0
    messages: int = 0
    redemptions: int = 0
    stamps: int = 0
    last_moved: dt.datetime | None = None
    last_sent: dt.datetime | None = None
    now: dt.datetime | None = None

    @property
    def checklist(self):
        """[(key, label, done)] in the order a merchant meets them."""
        return [(key, str(label), self.steps[key]) for key, label in STEPS]

    @property
    def done(self):
        return sum(self.steps.values())

    @property
    def complete(self):
        return self.done == len(STEPS)

    @property
    def still(self):
        """Not finished and nothing happened at the store for PROGRAM_STILL_DAYS."""
        return not self.complete and self.last_moved < self.now - still_days()

    @property
    def stopped_sending(self):
        """Sent news once, then nothing for PROGRAM_SILENT_DAYS."""
        return self.last_sent is not None and self.last_sent < self.now - silent_days()


def _grouped(queryset, moment, *, since, before):
    """{store_id: (all-time count, count in the period, first, last)} for rows dated by `moment`."""
    in_period = Q()
    if since is not None:
        in_period &= Q(**{f"{moment}__gte": since})
    if before is not None:
        in_period &= Q(**{f"{moment}__lt": before})
    rows = queryset.values("store_id").annotate(
        total=Count("id"), period=Count("id", filter=in_period), first=Min(moment), last=Max(moment)
    )
    return {row["store_id"]: row for row in rows.order_by()}


def progress_for(stores, *, since=None, before=None, now=None):
    """A StoreProgress for each of `stores` (a queryset); award figures count within [since, before)."""
    now = now or timezone.now()
    stores = list(stores)
    ids = [store.pk for store in stores]
    window = {"since": since, "before": before}
    follows = _grouped(Follow.objects.active().filter(store_id__in=ids), "started_at", **window)
    news = Message.objects.filter(store_id__in=ids, status=Status.SENT, kind__in=[MessageKind.INFO, MessageKind.AD])
    messages = _grouped(news, "sent_at", **window)
    redemptions = _grouped(Redemption.objects.filter(store_id__in=ids, undone_at__isnull=True), "created_at", **window)
    stamps = _grouped(Stamp.objects.filter(store_id__in=ids), "created_at", **window)
    posters = _grouped(PrintRecord.objects.filter(store_id__in=ids, kind=PrintKind.POSTER), "created_at", **window)
    result = []
    for store in stores:
        rows = {
            "follows": follows.get(store.pk),
            "messages": messages.get(store.pk),
            "redemptions": redemptions.get(store.pk),
            "stamps": stamps.get(store.pk),
            "posters": posters.get(store.pk),
        }
        regulars = rows["follows"]["total"] if rows["follows"] else 0
        moments = [store.created_at] + [row["last"] for row in rows.values() if row]
        result.append(
            StoreProgress(
                store=store,
                steps={
                    "profile": all(getattr(store, name) for name in PROFILE_FIELDS),
                    "poster": rows["posters"] is not None,
                    "regulars": regulars >= REGULARS_GOAL,
                    "message": rows["messages"] is not None,
                    "redemption": rows["redemptions"] is not None,
                    "stamp": rows["stamps"] is not None,
                },
                regulars=regulars,
                messages=rows["messages"]["period"] if rows["messages"] else 0,
                redemptions=rows["redemptions"]["period"] if rows["redemptions"] else 0,
                stamps=rows["stamps"]["period"] if rows["stamps"] else 0,
                last_moved=max(moments),
                last_sent=rows["messages"]["last"] if rows["messages"] else None,
                now=now,
            )
        )
    return result


def step_counts(progress):
    """[(label, how many stores reached it)] over a list of StoreProgress."""
    return [(str(label), sum(1 for p in progress if p.steps[key])) for key, label in STEPS]
