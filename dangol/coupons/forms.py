from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dangol.messaging.models import MAX_BODY

from .models import MAX_KEY_NAME, MAX_PRESENTED, MAX_TITLE, MAX_WON, Campaign, CouponKind, Method

# What a campaign is made of; `Campaign.clean` holds every rule about them.
TERMS = [
    "title",
    "kind",
    "amount_off",
    "percent_off",
    "gift",
    "min_purchase",
    "valid_days",
    "valid_from",
    "valid_until",
    "method",
    "quantity",
    "per_customer_limit",
    "win_rate",
]


def _number(attrs=None):
    return forms.NumberInput(attrs={"inputmode": "numeric", **(attrs or {})})


def _label(name):
    return Campaign._meta.get_field(name).verbose_name


def _int(name, *, placeholder=None, help_text="", initial=None):
    return forms.IntegerField(
        label=_label(name),
        required=False,
        initial=initial,
        help_text=help_text,
        widget=_number({"placeholder": placeholder} if placeholder else None),
        error_messages={"invalid": _("숫자만 적어 주세요.")},
    )


def _date(name):
    return forms.DateField(label=_label(name), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CampaignForm(forms.Form):
    """Reads a new campaign's terms from the page; `Campaign.create_for` decides whether they are allowed."""

    kind = forms.ChoiceField(
        label=_label("kind"), choices=CouponKind.choices, initial=CouponKind.AMOUNT, widget=forms.RadioSelect
    )
    amount_off = _int("amount_off", placeholder="1000")
    percent_off = _int("percent_off", placeholder="10")
    gift = forms.CharField(label=_label("gift"), required=False, widget=forms.TextInput(attrs={"maxlength": MAX_TITLE}))
    min_purchase = _int("min_purchase", help_text=_("0이면 조건 없이 씁니다."))
    validity = forms.ChoiceField(
        label=_("언제까지 쓸 수 있나요?"),
        choices=[("days", _("받은 날부터 며칠 동안")), ("dates", _("날짜로 정하기"))],
        widget=forms.RadioSelect,
        initial="days",
    )
    valid_days = _int("valid_days", placeholder="30", initial=30)
    valid_from = _date("valid_from")
    valid_until = _date("valid_until")
    method = forms.ChoiceField(
        label=_label("method"),
        choices=[c for c in Method.choices if c[0] != Method.REWARD],
        initial=Method.FIRST_COME,
        widget=forms.RadioSelect,
    )
    quantity = _int(
        "quantity",
        help_text=_("비워 두면 수량 제한이 없습니다. 추첨이면 당첨자 수, 종이 쿠폰이면 인쇄할 장수입니다."),
    )
    win_rate = _int("win_rate", placeholder="20")
    per_customer_limit = _int(
        "per_customer_limit", initial=1, help_text=_("손님 한 분(휴대폰 번호 하나)이 받을 수 있는 장수")
    )
    title = forms.CharField(
        label=_label("title"),
        required=False,
        help_text=_("비워 두면 혜택이 이름이 됩니다. 예: 1,000원 할인"),
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE}),
    )

    def clean(self):
        data = super().clean()
        # The radio says which of the two ways to set the validity counts; the other is dropped.
        if data.get("validity") == "dates":
            data["valid_days"] = None
            if data.get("valid_until") is None and "valid_until" not in self.errors:
                self.add_error("valid_until", _("마지막으로 쓸 수 있는 날을 골라 주세요."))
        else:
            data["valid_from"] = data["valid_until"] = None
        return data

    def terms(self):
        return {name: self.cleaned_data.get(name) for name in TERMS}


# The new-coupon page asks one small thing at a time: what kind, how much, how it is handed out.
# Each step posts every earlier answer back as hidden fields, so nothing is lost going forward or
# back, and the last step makes the campaign through `Campaign.create_for` like any other door.
STEPS = {
    "kind": ["kind"],
    "value": ["amount_off", "percent_off", "gift", "min_purchase"],
    "hand_out": [
        "method",
        "validity",
        "valid_days",
        "valid_from",
        "valid_until",
        "quantity",
        "win_rate",
        "per_customer_limit",
        "title",
    ],
}
STEP_NAMES = list(STEPS)
AMOUNT_PRESETS = [1000, 2000, 3000, 5000]
PERCENT_PRESETS = [5, 10, 20]


def step_of(field):
    return next((step for step, fields in STEPS.items() if field in fields), STEP_NAMES[0])


class CampaignSteps:
    """Which step of the new-coupon form to show, from what was posted.

    A POST without `step` carries every field at once (older pages, tests, scripts) and is the last step.
    A preset button (`amount_preset`, `percent_preset`) fills the value and moves on in one tap.
    """

    def __init__(self, data=None, *, for_message=False):
        self.for_message = for_message
        initial = {"method": Method.MESSAGE} if for_message else None
        if data is not None:
            data = data.copy()
            for preset, field in (("amount_preset", "amount_off"), ("percent_preset", "percent_off")):
                if data.get(preset):
                    data[field] = data[preset]
            if for_message:
                data["method"] = Method.MESSAGE
        self.form = CampaignForm(data, initial=initial)
        self.posted_step = data.get("step") if data is not None else None
        if self.posted_step not in (None, *STEP_NAMES):
            self.posted_step = STEP_NAMES[-1]
        self.going_back = data is not None and data.get("go") == "back"
        self.step = STEP_NAMES[0]
        self.show_errors = False

    @property
    def finishing(self):
        """True when this POST should make the campaign (the last step, or everything at once)."""
        return self.form.is_bound and not self.going_back and self.posted_step in (None, STEP_NAMES[-1])

    def advance(self, *, check):
        """Pick the step to show. `check(terms)` raises ValidationError with the model's rules."""
        if not self.form.is_bound:
            return
        index = STEP_NAMES.index(self.posted_step or STEP_NAMES[-1])
        if self.going_back:
            self.step = STEP_NAMES[max(index - 1, 0)]
            return
        answered = {f for step in STEP_NAMES[: index + 1] for f in STEPS[step]}
        self.form.is_valid()
        errors = {**self.errors(check), **self.form.errors}
        wrong = [f for f in errors if f in answered]
        if wrong:
            self.step = min((step_of(f) for f in wrong), key=STEP_NAMES.index)
            self.show_errors = True
            for field in wrong:
                if field not in self.form.errors:
                    self.form.add_error(field, errors[field])
        else:
            self.step = STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]

    def errors(self, check):
        try:
            check(self.form.terms())
        except ValidationError as error:
            return error.message_dict
        return {}

    def show(self, step):
        """After `Campaign.create_for` refused: the first step with a field at fault."""
        self.step = step
        self.show_errors = True

    @property
    def shown(self):
        return [self.form[name] for name in STEPS[self.step]]

    @property
    def carried(self):
        """The other steps' answers, as hidden fields."""
        return [self.form[name] for step in STEP_NAMES if step != self.step for name in STEPS[step]]

    @property
    def number(self):
        return STEP_NAMES.index(self.step) + 1


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
        max_length=MAX_PRESENTED,
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
        label=_("새 가게 확인 번호 4자리"),
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
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("어느 계산대인가요?"),
        max_length=MAX_KEY_NAME,
        widget=forms.TextInput(attrs={"placeholder": _("예: 가게 앞 계산대")}),
        error_messages={"required": _("계산대 이름을 적어 주세요.")},
    )


class CouponMessageForm(forms.Form):
    body = forms.CharField(
        label=_("메시지 내용"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("내용을 입력해 주세요."),
            "max_length": format_lazy(_("내용은 {n:,}자까지 쓸 수 있습니다."), n=MAX_BODY),
        },
    )
