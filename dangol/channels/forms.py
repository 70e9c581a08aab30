from django import forms
from django.utils.translation import gettext_lazy as _

from dangol.lib.images import clean_image
from dangol.lib.phones import display_phone, normalize_any_phone

from .models import Store


class FollowForm(forms.Form):
    collection = forms.BooleanField(
        label=_("[필수] 개인정보(휴대폰 번호) 수집·이용에 동의합니다."),
        error_messages={"required": _("단골이 되려면 휴대폰 번호 수집·이용에 동의해야 합니다.")},
    )
    ads = forms.BooleanField(label=_("[선택] 할인·행사 같은 광고성 정보를 받겠습니다."), required=False)
    night = forms.BooleanField(label=_("[선택] 밤 9시~아침 8시에도 광고성 정보를 받겠습니다."), required=False)
    share_phone = forms.BooleanField(
        label=_("[선택] 사장님께 제 전체 번호를 보여 줍니다. (안 고르면 010-****-5678처럼 가려집니다)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("night") and not data.get("ads"):
            self.add_error("night", _("야간 광고 수신은 광고성 정보 수신에 동의해야 선택할 수 있습니다."))
        return data


class StoreProfileForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["name", "category", "stall_number", "description", "opening_hours", "phone", "photo"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = display_phone(self.instance.phone)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return normalize_any_phone(raw) if raw else ""

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return clean_image(photo)
        return photo
