from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import MAX_BODY, MAX_BUTTON_LABEL, MAX_BUTTON_URL, MAX_BUTTONS, MessageKind

BUTTON_SLOTS = range(1, MAX_BUTTONS + 1)


class MessageForm(forms.Form):
    """The compose page's fields, translated into `message_send`'s arguments.

    The rules (length, buttons, schedule, picture) are `Message.draft`'s; its errors come back
    onto these fields through `apply_errors`. The browser limits below only save a round trip.
    """

    kind = forms.ChoiceField(
        label=_("메시지 종류"),
        choices=[(MessageKind.INFO, _("정보 (휴무, 공지 등)")), (MessageKind.AD, _("광고 (할인, 상품 소개 등)"))],
        widget=forms.RadioSelect,
        initial=MessageKind.INFO,
    )
    body = forms.CharField(
        label=pgettext_lazy("message body", "내용"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_BODY}),
    )
    image = forms.FileField(label=_("사진 (선택)"), required=False)
    button1_label = forms.CharField(
        label=_("링크 버튼 1 이름"), required=False, widget=forms.TextInput(attrs={"maxlength": MAX_BUTTON_LABEL})
    )
    button1_url = forms.CharField(
        label=_("링크 버튼 1 주소"),
        required=False,
        widget=forms.URLInput(attrs={"maxlength": MAX_BUTTON_URL, "placeholder": "https://"}),
    )
    button2_label = forms.CharField(
        label=_("링크 버튼 2 이름"), required=False, widget=forms.TextInput(attrs={"maxlength": MAX_BUTTON_LABEL})
    )
    button2_url = forms.CharField(
        label=_("링크 버튼 2 주소"),
        required=False,
        widget=forms.URLInput(attrs={"maxlength": MAX_BUTTON_URL, "placeholder": "https://"}),
    )
    when = forms.ChoiceField(
        label=_("언제 보낼까요?"),
        choices=[("now", _("지금 보내기")), ("later", _("예약해서 보내기"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    send_at = forms.DateTimeField(
        label=_("보낼 시각"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self):
        data = super().clean()
        # Each button the merchant started to fill, and which pair of fields it came from.
        self.button_slots, buttons = [], []
        for n in BUTTON_SLOTS:
            label, url = data.get(f"button{n}_label", ""), data.get(f"button{n}_url", "")
            if label or url:
                if url and "://" not in url:
                    url = f"https://{url}"  # people type "example.com"
                self.button_slots.append(n)
                buttons.append({"label": label, "url": url})
        data["buttons"] = buttons
        if data.get("when") == "later":
            if data.get("send_at") is None:
                self.add_error("send_at", _("예약할 시각을 골라 주세요."))
        else:
            data["send_at"] = None
        return data

    def apply_errors(self, error):
        """Show a ValidationError from message_send on this form's fields."""
        if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
            raise error
        for field, errors in error.message_dict.items():
            self.add_error(self._field_for(field), errors)

    def _field_for(self, field):
        if field.startswith("buttons."):
            _buttons, index, part = field.split(".")
            return f"button{self.button_slots[int(index)]}_{part}"
        return field if field in self.fields else None
