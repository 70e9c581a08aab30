from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dangol.coupons.models import MAX_TITLE, CouponKind

from .models import MAX_GOAL, ExpiryFrom, LimitMode


def _number(**attrs):
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


def _int(label, *, required=False, initial=None, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        initial=initial,
        help_text=help_text,
        widget=_number(),
        error_messages={"invalid": _("숫자만 적어 주세요."), "required": _("숫자를 적어 주세요.")},
    )


class StampProgramForm(forms.Form):
    goal = _int(
        _("도장 몇 개를 모으면 보상을 줄까요?"),
        required=True,
        initial=10,
        help_text=format_lazy(_("1개에서 {n}개 사이"), n=MAX_GOAL),
    )
    reward_kind = forms.ChoiceField(
        label=_("다 모으면 주는 쿠폰"), choices=CouponKind.choices, widget=forms.RadioSelect, initial=CouponKind.GIFT
    )
    reward_amount = _int(_("할인 금액(원)"))
    reward_percent = _int(_("할인율(%)"))
    reward_gift = forms.CharField(
        label=_("사은품"), required=False, widget=forms.TextInput(attrs={"maxlength": MAX_TITLE})
    )
    reward_days = _int(_("보상 쿠폰은 받은 날부터 며칠 동안 쓸 수 있나요?"), required=True, initial=30)
    mid_at = _int(_("중간 보상: 도장 몇 개째에 (선택)"))
    mid_kind = forms.ChoiceField(
        label=_("중간 보상 쿠폰"),
        choices=CouponKind.choices,
        widget=forms.RadioSelect,
        initial=CouponKind.AMOUNT,
        required=False,
    )
    mid_amount = _int(_("할인 금액(원)"))
    mid_percent = _int(_("할인율(%)"))
    mid_gift = forms.CharField(
        label=_("사은품"), required=False, widget=forms.TextInput(attrs={"maxlength": MAX_TITLE})
    )
    expires_after_days = _int(_("카드 유효 기간(일, 선택)"), help_text=_("비워 두면 기간 없이 모읍니다."))
    expires_from = forms.ChoiceField(
        label=_("유효 기간을 세는 날"), choices=ExpiryFrom.choices, widget=forms.RadioSelect, initial=ExpiryFrom.LAST
    )
    limit_mode = forms.ChoiceField(
        label=_("도장은 얼마나 자주 줄 수 있나요?"),
        choices=LimitMode.choices,
        widget=forms.RadioSelect,
        initial=LimitMode.DAILY,
    )
    limit_hours = _int(_("몇 시간에 한 번"))

    def clean(self):
        """Gathers each reward's inputs into the coupon terms; `stamp_program_start` checks every limit."""
        data = super().clean()
        data["reward"] = self._benefit("reward", data)
        data["milestone"] = self._benefit("mid", data) if data.get("mid_at") is not None else None
        if data.get("limit_mode") != LimitMode.HOURS:
            data["limit_hours"] = None
        return data

    def _benefit(self, prefix, data):
        kind = data.get(f"{prefix}_kind")
        return {
            "kind": kind,
            "amount_off": data.get(f"{prefix}_amount") if kind == CouponKind.AMOUNT else None,
            "percent_off": data.get(f"{prefix}_percent") if kind == CouponKind.PERCENT else None,
            "gift": (data.get(f"{prefix}_gift") or "") if kind == CouponKind.GIFT else "",
        }


class MemberStampForm(forms.Form):
    token = forms.CharField(max_length=200, error_messages={"required": _("손님 QR을 찍어 주세요.")})
