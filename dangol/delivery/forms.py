from django import forms
from django.utils.translation import gettext_lazy as _

YES_NO = [("yes", _("받음")), ("no", _("받지 않음"))]


class StallSignupForm(forms.Form):
    """The merchant's door to `stall_signup_start`: the rules (a mobile number, night only with ads,
    not already a regular) are checked there and shown on these fields."""

    phone = forms.CharField(
        label=_("손님 휴대폰 번호"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "010-1234-5678"}),
    )
    ads = forms.ChoiceField(label=_("광고 문자 (할인·행사 소식)"), choices=YES_NO, widget=forms.RadioSelect)
    night = forms.ChoiceField(
        label=_("밤 광고 문자 (21시~08시)"), choices=YES_NO, widget=forms.RadioSelect, initial="no"
    )


class StallCodeForm(forms.Form):
    code = forms.CharField(
        label=_("손님이 불러 준 확인번호"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
