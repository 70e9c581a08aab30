from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.phones import normalize_phone

from .models import CODE_DIGITS


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
    # What a code must look like is User.objects.signing_in's rule, the same for the page and the API.
    code = forms.CharField(
        label=format_lazy(_("인증번호 {n}자리"), n=CODE_DIGITS),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": str(CODE_DIGITS)}
        ),
    )
