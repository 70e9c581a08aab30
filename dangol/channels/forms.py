from django import forms
from django.utils.translation import gettext_lazy as _

from dangol.lib.phones import display_phone

from .models import Store


class FollowForm(forms.Form):
    # The rules (collection is required, night needs ads) are follow_start's, shown on these fields.
    collection = forms.BooleanField(label=_("[필수] 개인정보(휴대폰 번호) 수집·이용에 동의합니다."), required=False)
    ads = forms.BooleanField(label=_("[선택] 할인·행사 같은 광고성 정보를 받겠습니다."), required=False)
    night = forms.BooleanField(label=_("[선택] 밤 9시~아침 8시에도 광고성 정보를 받겠습니다."), required=False)
    share_phone = forms.BooleanField(
        label=_("[선택] 사장님께 제 전체 번호를 보여 줍니다. (안 고르면 010-****-5678처럼 가려집니다)"),
        required=False,
    )


class StoreProfileForm(forms.ModelForm):
    """The profile page's and the API's door to a store's profile; `Store.clean` holds the rules."""

    class Meta:
        model = Store
        fields = ["name", "category", "stall_number", "description", "opening_hours", "phone", "photo"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = display_phone(self.instance.phone)
