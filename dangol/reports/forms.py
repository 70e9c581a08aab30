from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_DETAIL, Reason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("신고 사유"), choices=Reason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("자세한 내용 (선택)"), max_length=MAX_DETAIL, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
