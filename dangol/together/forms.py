import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangol.lib.images import clean_image
from dangol.lib.seoul import SEOUL
from dangol.payments.models import MAX_REFUND_REASON

from .models import MAX_DONATION, MIN_DONATION, Category, Criterion, ReportReason
from .models.base import MAX_REPORT_DETAIL
from .models.boxes import MAX_COMMENT, MAX_MESSAGE
from .models.proposals import (
    MAX_BENEFICIARY,
    MAX_GOAL,
    MAX_IMAGES,
    MAX_NOTE,
    MAX_PERIOD_DAYS,
    MAX_STORY,
    MAX_TITLE,
    MIN_GOAL,
)
from .models.settlement import MAX_EXPENSE_DESCRIPTION, MAX_PAYOUT_NOTE, MAX_PLAN

# Forms translate what people post; the model methods they feed hold the rules and limits.


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_IMAGES:
            raise ValidationError(_("사진은 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_IMAGES})
        return [clean_image(super(MultipleImageField, self).clean(f, initial)) for f in files]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("제목"), max_length=MAX_TITLE)
    story = forms.CharField(
        label=_("사연"),
        max_length=MAX_STORY,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("어떤 일이 있었는지, 모금액을 어디에 어떻게 쓸지 구체적으로 적어 주세요."),
    )
    beneficiary = forms.CharField(
        label=_("수혜 단체"), max_length=MAX_BENEFICIARY, help_text=_("모금액을 받아 쓰는 단체")
    )
    goal = forms.IntegerField(
        label=_("목표 금액(원)"),
        min_value=MIN_GOAL,
        max_value=MAX_GOAL,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    period_days = forms.IntegerField(
        label=_("모금 기간(일)"),
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        initial=30,
        help_text=format_lazy(_("모금함이 열린 날부터 {n}일까지 고를 수 있습니다."), n=MAX_PERIOD_DAYS),
    )
    category = forms.ChoiceField(label=_("분야"), choices=Category.choices)
    images = MultipleImageField(
        label=_("사진 (5장까지, 선택)"), required=False, widget=MultipleImageInput(attrs={"accept": "image/*"})
    )


def _note(criterion):
    return forms.CharField(
        label=criterion.label,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": format_lazy(_("{label}에 대한 심사 의견을 적어 주세요."), label=criterion.label)},
    )


class ApproveForm(forms.Form):
    public_interest = _note(Criterion.PUBLIC_INTEREST)
    credibility = _note(Criterion.CREDIBILITY)
    capability = _note(Criterion.CAPABILITY)
    specificity = _note(Criterion.SPECIFICITY)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("반려 사유"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("제안한 분께 그대로 보입니다."),
        error_messages={"required": _("반려 사유를 적어 주세요.")},
    )


class DonationForm(forms.Form):
    amount = forms.IntegerField(
        label=_("기부 금액(원)"),
        min_value=MIN_DONATION,
        max_value=MAX_DONATION,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000}),
        error_messages={
            "min_value": _("기부 금액은 1,000원부터입니다."),
            "max_value": _("기부 금액은 10,000,000원까지입니다."),
            "invalid": _("금액을 숫자로 적어 주세요."),
        },
    )
    anonymous = forms.BooleanField(label=_("이름을 밝히지 않고 익명으로 기부합니다."), required=False)
    message = forms.CharField(
        label=_("응원 한마디 (선택)"), max_length=MAX_MESSAGE, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("댓글"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("신고 사유"), choices=ReportReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("자세한 내용 (선택)"),
        max_length=MAX_REPORT_DETAIL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(forms.Form):
    last_day = forms.DateField(
        label=_("새 마감일 (이 날까지 기부를 받습니다)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("last_day"):
            # The box takes gifts through the whole last day, Seoul time.
            data["until"] = dt.datetime.combine(data["last_day"] + dt.timedelta(days=1), dt.time(0), tzinfo=SEOUL)
        return data


class PlanForm(forms.Form):
    body = forms.CharField(
        label=_("집행 계획"),
        max_length=MAX_PLAN,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("실제로 모인 금액에 맞춰, 무엇에 얼마를 쓸지 적어 주세요."),
    )


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[("approve", pgettext_lazy("decision", "승인")), ("return", pgettext_lazy("decision", "보완 요청"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("심사 의견"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PayoutForm(forms.Form):
    note = forms.CharField(label=_("이체 기록 (내부용, 공개되지 않음)"), max_length=MAX_PAYOUT_NOTE, required=False)


class ExpenseForm(forms.Form):
    description = forms.CharField(
        label=_("어디에 썼나요"), max_length=MAX_EXPENSE_DESCRIPTION, help_text=_("공개 장부에 그대로 실립니다.")
    )
    amount = forms.IntegerField(
        label=_("금액(원)"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    receipt = forms.FileField(label=_("영수증 사진"))

    def clean_receipt(self):
        return clean_image(self.cleaned_data["receipt"])


class UsageReportForm(forms.Form):
    body = forms.CharField(label=_("모금후기"), max_length=MAX_PLAN, widget=forms.Textarea(attrs={"rows": 8}))


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=_("환불 금액(원)"), min_value=1)
    reason = forms.CharField(label=_("환불 사유"), max_length=MAX_REFUND_REASON)
