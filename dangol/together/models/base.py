from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import format_lazy
from django.utils.translation import gettext, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.refusals import AlreadyDone, Refused
from dangol.lib.text import optional_text, required_text, visible

MAX_REPORT_DETAIL = 500


def phone_key(phone):
    """A keyed hash of a verified phone number: one person, even across re-created accounts,
    without keeping the number next to what they agreed to or reported."""
    secret = getattr(settings, "TOGETHER_PHONE_KEY", "") or settings.SECRET_KEY
    return salted_hmac("dangol.together.phone", phone, secret=secret, algorithm="sha256").hexdigest()


def collect_text(errors, value, *, field, max_length, label, blank=None, required=True):
    """The visible text of one input (lib's `required_text`/`optional_text`), or None with what is
    wrong added to `errors`, so a form's every field is checked at once. `blank`: a kinder message."""
    if required and blank and not visible(value or ""):
        errors[field] = [blank]
        return None
    check = required_text if required else optional_text
    try:
        return check(value, field=field, max_length=max_length, label=label)
    except ValidationError as error:
        errors.update(error.message_dict)
        return None


def won(amount, sign=""):
    """12345 → "12,345원" in the language in use; `sign` "+" shows the sign of money in and out."""
    return gettext("{amount}원").format(amount=format(amount, f"{sign},"))


def as_recorded(text, **params):
    """Lazy text (with `params` put in) as it is written into a record everyone reads later (the
    public ledger, a comment's author): in the site's language, whichever the writer chose."""
    with override(settings.LANGUAGE_CODE):
        return str(format_lazy(text, **params) if params else text)


def person_label(user):
    """How a neighbour appears in public: their chosen name, never their number (kept on records)."""
    return (user.name or "").strip() or as_recorded(_("이웃"))


class Rules(models.Model):
    """Site-wide rules for Together, edited by staff in the admin (one row).

    A model rather than settings so an operator (a city, a nonprofit) can change
    them without a deploy. A proposal copies the threshold and window when it is
    made, so changing them never moves the goalposts of a proposal in flight.
    """

    agreement_threshold = models.PositiveIntegerField(
        _("심사에 필요한 동의 수"), default=500, validators=[MinValueValidator(1)]
    )
    agreement_window_days = models.PositiveSmallIntegerField(
        _("동의를 모으는 기간(일)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    agreements_per_hour = models.PositiveSmallIntegerField(_("한 사람의 시간당 동의 수 한도"), default=30)
    comments_per_hour = models.PositiveSmallIntegerField(_("한 사람의 시간당 댓글 수 한도"), default=10)
    reports_to_hide = models.PositiveSmallIntegerField(
        _("자동으로 가릴 신고 수"), default=5, validators=[MinValueValidator(1)]
    )
    usage_report_days = models.PositiveSmallIntegerField(
        _("전달 후 모금후기 제출 기한(일)"), default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("같이 운영 규칙")
        verbose_name_plural = pgettext_lazy("plural", "같이 운영 규칙")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_rules_row")]

    def __str__(self):
        return gettext("같이 운영 규칙")

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        try:
            return cls.objects.get(pk=1)
        except cls.DoesNotExist:
            try:
                with transaction.atomic():
                    return cls.objects.create(pk=1)
            except IntegrityError:
                return cls.objects.get(pk=1)


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("보임")
    HIDDEN = "hidden", _("신고 누적으로 가림 (운영진 확인 중)")
    KEPT = "kept", _("운영진 확인: 유지")
    REMOVED = "removed", _("운영진 확인: 삭제")


# What neighbours see: never reported enough to hide, or kept by a moderator.
PUBLIC = (Moderation.VISIBLE, Moderation.KEPT)


class ReportableQuerySet(models.QuerySet):
    def public(self):
        return self.filter(moderation__in=PUBLIC)

    def awaiting_moderation(self):
        """Hidden by reports until a moderator keeps or removes it."""
        return self.filter(moderation=Moderation.HIDDEN)


class Reportable(models.Model):
    """Anything neighbours can report: hidden after N reports until a moderator decides."""

    moderation = models.CharField(_("공개 상태"), max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE)
    report_count = models.PositiveIntegerField(_("신고 수"), default=0)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.moderation in PUBLIC

    def report(self, *, by, reason, detail=""):
        """One report per person per item; the report that reaches the limit hides the item, once."""
        from .moderation import Report, ReportReason

        if reason not in ReportReason.values:
            raise Refused(gettext("신고 사유를 골라 주세요."), field="reason")
        detail = optional_text(detail, field="detail", max_length=MAX_REPORT_DETAIL, label=gettext("자세한 내용"))
        target = {self._meta.model_name: self}
        with transaction.atomic():
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        reporter=by, reporter_key=phone_key(by.phone), reason=reason, detail=detail, **target
                    )
            except IntegrityError:
                raise AlreadyDone(gettext("이미 신고했습니다. 운영진이 확인하겠습니다.")) from None
            model = type(self)
            model.objects.filter(pk=self.pk).update(report_count=F("report_count") + 1)
            limit = Rules.current().reports_to_hide
            model.objects.filter(pk=self.pk, moderation=Moderation.VISIBLE, report_count__gte=limit).update(
                moderation=Moderation.HIDDEN
            )
        self.refresh_from_db(fields=["report_count", "moderation"])
        return report

    def moderate(self, *, by, keep, now=None):
        """A moderator's decision on a hidden item: keep it (reports no longer hide it) or remove it."""
        decision = Moderation.KEPT if keep else Moderation.REMOVED
        changed = (
            type(self)
            .objects.filter(pk=self.pk, moderation=Moderation.HIDDEN)
            .update(moderation=decision, moderated_by=by, moderated_at=now or timezone.now())
        )
        if not changed:
            raise Refused(gettext("이미 처리된 신고입니다."))
        self.refresh_from_db(fields=["moderation", "moderated_by", "moderated_at"])
