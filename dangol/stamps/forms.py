from django import forms
from django.utils.translation import gettext_lazy as _

from dangol.coupons.models import MAX_WON, CouponKind

from .models import ExpiryFrom, LimitMode


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
    goal = _int(_("도장 몇 개를 모으면 보상을 줄까요?"), required=True, initial=10, help_text=_("1개에서 50개 사이"))
    reward_kind = forms.ChoiceField(
        label=_("다 모으면 주는 쿠폰"), choices=CouponKind.choices, widget=forms.RadioSelect, initial=CouponKind.GIFT
    )
    reward_amount = _int(_("할인 금액(원)"))
    reward_percent = _int(_("할인율(%)"))
    reward_gift = forms.CharField(label=_("사은품"), max_length=60, required=False)
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
    mid_gift = forms.CharField(label=_("사은품"), max_length=60, required=False)
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
        data = super().clean()
        goal = data.get("goal")
        if goal is not None and not 1 <= goal <= 50:
            self.add_error("goal", _("도장 수는 1개에서 50개 사이로 정해 주세요."))
        data["reward"] = self._benefit("reward", data)
        days = data.get("reward_days")
        if days is not None and not 1 <= days <= 365:
            self.add_error("reward_days", _("1일에서 365일 사이로 적어 주세요."))
        data["milestone"] = None
        if data.get("mid_at") is not None:
            if goal and not 1 <= data["mid_at"] < goal:
                self.add_error("mid_at", _("중간 보상은 1개부터 모을 도장 수보다 적게 정해 주세요."))
            data["milestone"] = self._benefit("mid", data)
        expiry = data.get("expires_after_days")
        if expiry is not None and not 1 <= expiry <= 730:
            self.add_error("expires_after_days", _("유효 기간은 1일에서 730일 사이로 적어 주세요."))
        if data.get("limit_mode") == LimitMode.HOURS:
            hours = data.get("limit_hours")
            if hours is None or not 1 <= hours <= 168:
                self.add_error("limit_hours", _("1시간에서 168시간 사이로 적어 주세요."))
        else:
            data["limit_hours"] = None
        return data

    def _benefit(self, prefix, data):
        kind = data.get(f"{prefix}_kind")
        amount, percent = data.get(f"{prefix}_amount"), data.get(f"{prefix}_percent")
        gift = (data.get(f"{prefix}_gift") or "").strip()
        if kind == CouponKind.AMOUNT and (amount is None or not 1 <= amount <= MAX_WON):
            self.add_error(f"{prefix}_amount", _("할인 금액을 원 단위로 적어 주세요. (1원 이상)"))
        elif kind == CouponKind.PERCENT and (percent is None or not 1 <= percent <= 90):
            self.add_error(f"{prefix}_percent", _("할인율은 1%에서 90% 사이로 정해 주세요."))
        elif kind == CouponKind.GIFT and not gift:
            self.add_error(f"{prefix}_gift", _("어떤 사은품을 주는지 적어 주세요. 예: 떡 한 팩"))
        elif kind not in CouponKind.values:
            self.add_error(f"{prefix}_kind", _("쿠폰 종류를 골라 주세요."))
        return {
            "kind": kind,
            "amount_off": amount if kind == CouponKind.AMOUNT else None,
            "percent_off": percent if kind == CouponKind.PERCENT else None,
            "gift": gift if kind == CouponKind.GIFT else "",
        }


class MemberStampForm(forms.Form):
    token = forms.CharField(max_length=200, error_messages={"required": _("손님 QR을 찍어 주세요.")})
