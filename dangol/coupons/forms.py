import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangol.messaging.models import MAX_BODY

from .models import MAX_WON, Campaign, CouponKind, Method, SigningKey, seoul_today

MAX_PAPER = 300
MAX_QUANTITY = 1_000_000


def _number(attrs=None):
    return forms.NumberInput(attrs={"inputmode": "numeric", **(attrs or {})})


class CampaignForm(forms.ModelForm):
    validity = forms.ChoiceField(
        label=_("언제까지 쓸 수 있나요?"),
        choices=[("days", _("받은 날부터 며칠 동안")), ("dates", _("날짜로 정하기"))],
        widget=forms.RadioSelect,
        initial="days",
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "kind",
            "amount_off",
            "percent_off",
            "gift",
            "min_purchase",
            "validity",
            "valid_days",
            "valid_from",
            "valid_until",
            "method",
            "quantity",
            "per_customer_limit",
            "win_rate",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "method": forms.RadioSelect,
            "amount_off": _number({"placeholder": "1000"}),
            "percent_off": _number({"placeholder": "10"}),
            "min_purchase": _number(),
            "valid_days": _number({"placeholder": "30"}),
            "quantity": _number(),
            "per_customer_limit": _number(),
            "win_rate": _number({"placeholder": "20"}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "title": _("비워 두면 혜택이 이름이 됩니다. 예: 1,000원 할인"),
            "quantity": _("비워 두면 수량 제한이 없습니다. 추첨이면 당첨자 수, 종이 쿠폰이면 인쇄할 장수입니다."),
            "per_customer_limit": _("손님 한 분(휴대폰 번호 하나)이 받을 수 있는 장수"),
            "min_purchase": _("0이면 조건 없이 씁니다."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [c for c in Method.choices if c[0] != Method.REWARD]
        self.fields["per_customer_limit"].initial = 1
        self.fields["min_purchase"].required = False
        self.fields["per_customer_limit"].required = False
        self.fields["valid_days"].initial = 30
        for name in ("amount_off", "percent_off", "min_purchase", "valid_days", "quantity", "win_rate"):
            self.fields[name].error_messages["invalid"] = _("숫자만 적어 주세요.")

    def clean(self):
        data = super().clean()
        self._clean_benefit(data)
        self._clean_validity(data)
        self._clean_method(data)
        return data

    def _clean_benefit(self, data):
        kind = data.get("kind")
        if kind == CouponKind.AMOUNT:
            amount = data.get("amount_off")
            if amount is None or not 1 <= amount <= MAX_WON:
                self.add_error("amount_off", _("할인 금액을 원 단위로 적어 주세요. (1원 이상)"))
        if kind == CouponKind.PERCENT:
            percent = data.get("percent_off")
            if percent is None or not 1 <= percent <= 90:
                self.add_error("percent_off", _("할인율은 1%에서 90% 사이로 정해 주세요."))
        if kind == CouponKind.GIFT and not (data.get("gift") or "").strip():
            self.add_error("gift", _("어떤 사은품을 주는지 적어 주세요. 예: 대파 한 단"))
        if kind != CouponKind.AMOUNT:
            data["amount_off"] = None
        if kind != CouponKind.PERCENT:
            data["percent_off"] = None
        if kind != CouponKind.GIFT:
            data["gift"] = ""
        minimum = data.get("min_purchase") or 0
        if not 0 <= minimum <= MAX_WON:
            self.add_error("min_purchase", _("최소 구매 금액은 0원에서 1억 원 사이로 적어 주세요."))
        data["min_purchase"] = minimum

    def _clean_validity(self, data):
        if data.get("validity") == "dates":
            data["valid_days"] = None
            start, end = data.get("valid_from"), data.get("valid_until")
            if end is None:
                self.add_error("valid_until", _("마지막으로 쓸 수 있는 날을 골라 주세요."))
            elif end < seoul_today():
                self.add_error("valid_until", _("마감일이 이미 지났습니다. 오늘이나 그 뒤의 날을 골라 주세요."))
            elif start and start > end:
                self.add_error("valid_from", _("시작일은 마감일보다 앞이어야 합니다."))
            elif end > seoul_today() + dt.timedelta(days=730):
                self.add_error("valid_until", _("마감일은 2년 안으로 정해 주세요."))
        else:
            data["valid_from"] = data["valid_until"] = None
            days = data.get("valid_days")
            if days is None or not 1 <= days <= 365:
                self.add_error("valid_days", _("며칠 동안 쓸 수 있는지 1일에서 365일 사이로 적어 주세요."))

    def _clean_method(self, data):
        method = data.get("method")
        quantity = data.get("quantity")
        if quantity is not None and quantity < 1:
            self.add_error("quantity", _("수량은 1장 이상이어야 합니다. 제한이 없으면 비워 두세요."))
        elif quantity is not None and quantity > MAX_QUANTITY:
            self.add_error("quantity", _("수량은 100만 장까지 정할 수 있습니다. 제한이 없으면 비워 두세요."))
        limit = data.get("per_customer_limit") or 1
        if not 1 <= limit <= 10:
            self.add_error("per_customer_limit", _("한 사람당 1장에서 10장 사이로 정해 주세요."))
        data["per_customer_limit"] = limit
        if method == Method.LOTTERY:
            rate = data.get("win_rate")
            if rate is None or not 1 <= rate <= 99:
                self.add_error("win_rate", _("당첨 확률은 1%에서 99% 사이로 정해 주세요."))
            data["per_customer_limit"] = 1  # one draw per person
        else:
            data["win_rate"] = None
        if method == Method.PAPER:
            data["per_customer_limit"] = 1
            if quantity is None or not 1 <= quantity <= MAX_PAPER:
                self.add_error("quantity", _("인쇄할 종이 쿠폰 장수를 1장에서 300장 사이로 적어 주세요."))

    def save_for(self, *, store, by):
        """Create the campaign; a paper campaign prints its whole sheet of codes at once."""
        with transaction.atomic():
            campaign = self.save(commit=False)
            campaign.store, campaign.created_by = store, by
            campaign.save()
            SigningKey.objects.active_for(store.pk)
            if campaign.method == Method.PAPER:
                campaign.print_paper()
        return campaign


def _amount_field():
    return forms.IntegerField(
        label=_("구매 금액 (선택, 원)"),
        required=False,
        min_value=0,
        max_value=MAX_WON,
        widget=_number(),
        error_messages={
            "invalid": _("구매 금액은 숫자만 적어 주세요."),
            "min_value": _("구매 금액은 0원 이상이어야 합니다."),
            "max_value": _("구매 금액이 너무 큽니다."),
        },
    )


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("쿠폰 번호"),
        max_length=400,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "big-input"}
        ),
        error_messages={"required": _("쿠폰 번호를 입력해 주세요.")},
    )
    amount = _amount_field()


class PinForm(forms.Form):
    pin = forms.RegexField(
        label=_("가게 확인 번호 4자리"),
        regex=r"^\d{4}$",
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4, "class": "big-input"}
        ),
        error_messages={"invalid": _("숫자 4자리를 눌러 주세요."), "required": _("숫자 4자리를 눌러 주세요.")},
    )
    amount = _amount_field()


class SetPinForm(forms.Form):
    pin = forms.RegexField(
        label=_("새 확인 번호 4자리"),
        regex=r"^\d{4}$",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}),
        error_messages={"invalid": _("숫자 4자리로 정해 주세요."), "required": _("숫자 4자리로 정해 주세요.")},
    )
    pin_again = forms.CharField(
        label=_("한 번 더"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", _("두 번 적은 번호가 다릅니다."))
        if data.get("pin") and len(set(data["pin"])) == 1:
            self.add_error("pin", _("같은 숫자 네 개는 쓸 수 없습니다. 다른 번호로 정해 주세요."))
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("어디에 쓰는 키인가요?"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("예: 계산대 POS")}),
        error_messages={"required": _("키 이름을 적어 주세요.")},
    )


class CouponMessageForm(forms.Form):
    body = forms.CharField(
        label=_("메시지 내용"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("내용을 입력해 주세요."), "max_length": _("내용은 1,000자까지 쓸 수 있습니다.")},
    )

    def apply_errors(self, error):
        if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
            raise error
        for _field, errors in error.message_dict.items():
            self.add_error("body", errors)
