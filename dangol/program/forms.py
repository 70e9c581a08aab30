"""Forms translate what was typed; the rules are in the models and services they call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangol.channels.models import Category
from dangol.lib.seoul import seoul_today


class DateInput(forms.DateInput):
    input_type = "date"


class CohortForm(forms.Form):
    name = forms.CharField(label=_("기수 이름"), max_length=200)
    starts_on = forms.DateField(label=_("시작일"), widget=DateInput)
    ends_on = forms.DateField(label=_("종료일"), widget=DateInput)


class PhoneField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"})


class AddMarketForm(forms.Form):
    market = forms.CharField(label=_("시장"), widget=forms.Select)

    def __init__(self, *args, markets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].widget.choices = [(m.public_id, m.name) for m in markets]


class AssignTutorForm(forms.Form):
    phone = PhoneField(label=_("튜터 휴대폰 번호"), max_length=30)
    market = forms.CharField(label=_("맡을 시장"), widget=forms.Select)
    store = forms.CharField(label=_("맡을 가게 (비우면 시장 전체)"), required=False, widget=forms.Select)

    def __init__(self, *args, markets=(), stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].widget.choices = [(m.public_id, m.name) for m in markets]
        self.fields["store"].widget.choices = [("", _("시장 전체"))] + [
            (s.public_id, f"{s.market.name} · {s.name}") for s in stores
        ]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("방문일"), widget=DateInput)
    taught = forms.CharField(label=_("가르친 것"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(
        label=_("다음에 할 것"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = seoul_today()


class StoreOpenForm(forms.Form):
    name = forms.CharField(label=_("가게 이름"), max_length=200)
    category = forms.ChoiceField(label=_("품목"), choices=Category.choices)
    stall_number = forms.CharField(label=_("점포 번호"), max_length=100, required=False)
    phone = forms.CharField(label=_("가게 전화 (선택)"), max_length=30, required=False)
    merchant_phone = PhoneField(
        label=_("사장님 휴대폰 번호 (선택)"),
        max_length=30,
        required=False,
        help_text=_("적으면 로그인 주소를 문자로 보냅니다. 비우면 초대장을 인쇄해서 전해 드리세요."),
    )


class InviteForm(forms.Form):
    phone = PhoneField(label=_("사장님 휴대폰 번호"), max_length=30)
