"""Reports on stores and messages: once per person, N reports hide the store or message until a
moderator keeps or removes it (the same rules as Together's proposals and comments).

Lower apps never import this one: they read the `report_target` relation (`withheld`) in their own
queries (`Store.objects.withheld()`, `InboxItem.objects.for_customer()`).
"""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.ids import new_public_id
from dangol.lib.refusals import AlreadyDone, Refused
from dangol.lib.text import optional_text

MAX_DETAIL = 500
DEFAULT_REPORTS_TO_HIDE = 5


def reports_to_hide():
    """How many people's reports hide a store or message until a moderator decides."""
    return max(1, int(getattr(settings, "REPORTS_TO_HIDE", DEFAULT_REPORTS_TO_HIDE)))


def reporter_key(phone):
    """A keyed hash of the verified phone number: one report per person, even across re-created
    accounts, without keeping the number next to what they reported."""
    secret = getattr(settings, "REPORTS_PHONE_KEY", "") or settings.SECRET_KEY
    return salted_hmac("dangol.reports.phone", phone, secret=secret, algorithm="sha256").hexdigest()


class ReportRefused(Refused):
    """A report or a moderation decision the rules don't allow."""


class Reason(models.TextChoices):
    SPAM = "spam", _("스팸·도배")
    SCAM = "scam", _("사기·거짓 정보")
    ABUSE = "abuse", _("욕설·비방·혐오")
    ILLEGAL = "illegal", _("불법 상품·영업")
    PRIVACY = "privacy", _("개인정보 노출")
    OTHER = "other", _("기타")


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("보임")
    HIDDEN = "hidden", _("신고 누적으로 가림 (운영진 확인 중)")
    KEPT = "kept", _("운영진 확인: 유지")
    REMOVED = "removed", _("운영진 확인: 삭제")


WITHHELD = (Moderation.HIDDEN, Moderation.REMOVED)


class TargetQuerySet(models.QuerySet):
    def awaiting_moderation(self):
        """Hidden by reports until a moderator keeps or removes it, oldest first."""
        return self.filter(moderation=Moderation.HIDDEN).order_by("hidden_at", "pk")

    def for_queue(self):
        return self.select_related("store__market", "message__store").prefetch_related("reports")


class Target(models.Model):
    """A reported store or message: how many people reported it and what moderators decided."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.OneToOneField(
        "channels.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="report_target"
    )
    message = models.OneToOneField(
        "messaging.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="report_target"
    )
    moderation = models.CharField(_("공개 상태"), max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE)
    # Hidden or removed: the one flag the store page and the inboxes filter on.
    withheld = models.BooleanField(_("가림"), default=False)
    report_count = models.PositiveIntegerField(_("신고 수"), default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("신고 대상")
        verbose_name_plural = pgettext_lazy("plural", "신고 대상")
        permissions = [("moderate", "신고된 가게·메시지를 처리할 수 있음")]
        constraints = [
            models.CheckConstraint(
                condition=Q(store__isnull=False, message__isnull=True) | Q(store__isnull=True, message__isnull=False),
                name="report_target_is_a_store_or_a_message",
            ),
            models.CheckConstraint(
                condition=Q(withheld=True, moderation__in=WITHHELD)
                | Q(withheld=False, moderation__in=("visible", "kept")),
                name="report_target_withheld_follows_moderation",
            ),
        ]

    def __str__(self):
        return str(self.store or self.message)

    @property
    def kind(self):
        return "store" if self.store_id else "message"

    @classmethod
    def of(cls, obj):
        """The target row for a store or a message, made on its first report (race-safe)."""
        field = "store" if obj._meta.model_name == "store" else "message"
        cls.objects.bulk_create([cls(**{field: obj})], ignore_conflicts=True)
        return cls.objects.get(**{field: obj})

    def report(self, *, by, reason, detail=""):
        """One report per person (phone) per target; the report that reaches the limit hides it, once.

        The target row is locked from the count to the decision, so the N-th of many simultaneous
        reports hides it and exactly that report is marked `hid_target`.
        """
        if reason not in Reason.values:
            raise ReportRefused(gettext("신고 사유를 골라 주세요."), field="reason")
        detail = optional_text(detail, field="detail", max_length=MAX_DETAIL, label=gettext("자세한 내용"))
        store = self.store or self.message.store
        if store.is_owner(by):
            raise ReportRefused(gettext("내 가게와 내 가게가 보낸 메시지는 신고할 수 없습니다."))
        limit = reports_to_hide()
        now = timezone.now()
        with transaction.atomic():
            target = Target.objects.select_for_update().get(pk=self.pk)
            hides = target.moderation == Moderation.VISIBLE and target.report_count + 1 >= limit
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        target=target,
                        reporter=by,
                        reporter_key=reporter_key(by.phone),
                        reason=reason,
                        detail=detail,
                        hid_target=hides,
                    )
            except IntegrityError:
                raise AlreadyDone(gettext("이미 신고했습니다. 운영진이 확인하겠습니다.")) from None
            target.report_count += 1
            if hides:
                target.moderation, target.withheld, target.hidden_at = Moderation.HIDDEN, True, now
            target.save(update_fields=["report_count", "moderation", "withheld", "hidden_at"])
        self.refresh_from_db()
        return report

    def moderate(self, *, by, keep):
        """A moderator's decision on a hidden target: keep it (reports no longer hide it) or remove it."""
        decision = Moderation.KEPT if keep else Moderation.REMOVED
        changed = Target.objects.filter(pk=self.pk, moderation=Moderation.HIDDEN).update(
            moderation=decision, withheld=not keep, moderated_by=by, moderated_at=timezone.now()
        )
        if not changed:
            raise AlreadyDone(gettext("이미 처리된 신고입니다."))
        self.refresh_from_db()


class Report(models.Model):
    """One person's report of a store or a message."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reporter_key = models.CharField(max_length=64)
    reason = models.CharField(_("신고 사유"), max_length=10, choices=Reason.choices)
    detail = models.CharField(_("자세한 내용"), max_length=MAX_DETAIL, blank=True)
    hid_target = models.BooleanField(_("이 신고로 가려짐"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("신고")
        verbose_name_plural = pgettext_lazy("plural", "신고")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target", "reporter_key"], name="one_report_per_person_per_target")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.target}"
