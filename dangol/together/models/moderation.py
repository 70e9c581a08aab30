from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportReason(models.TextChoices):
    SPAM = "spam", _("스팸·광고")
    FALSE = "false", _("거짓 사연")
    ABUSE = "abuse", _("욕설·비방")
    PRIVACY = "privacy", _("개인정보 노출")
    OTHER = "other", _("기타")


class Report(models.Model):
    """A neighbour's report of a proposal or a comment; one per person (phone) per item."""

    proposal = models.ForeignKey(
        "together.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        "together.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reporter_key = models.CharField(max_length=64)
    reason = models.CharField(_("신고 사유"), max_length=10, choices=ReportReason.choices)
    detail = models.CharField(_("자세한 내용"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("신고")
        verbose_name_plural = pgettext_lazy("plural", "신고")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, comment__isnull=True)
                | Q(proposal__isnull=True, comment__isnull=False),
                name="report_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["proposal", "reporter_key"], condition=Q(proposal__isnull=False), name="one_report_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], condition=Q(comment__isnull=False), name="one_report_per_comment"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.proposal or self.comment}"
