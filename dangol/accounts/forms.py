from django import forms
from django.utils.translation import gettext_lazy as _

from dangol.lib.phones import normalize_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("휴대폰 번호"),
        max_length=20,
        error_messages={"required": _("휴대폰 번호를 입력해 주세요.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("인증번호 6자리"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "invalid": _("인증번호 6자리 숫자를 입력해 주세요."),
            "required": _("인증번호 6자리 숫자를 입력해 주세요."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()
