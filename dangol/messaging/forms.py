import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangol.lib.images import clean_image
from dangol.lib.seoul import SEOUL

from .models import MAX_BODY, MessageKind


class MessageForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("메시지 종류"),
        choices=[(MessageKind.INFO, _("정보 (휴무, 공지 등)")), (MessageKind.AD, _("광고 (할인, 상품 소개 등)"))],
        widget=forms.RadioSelect,
        initial=MessageKind.INFO,
    )
    body = forms.CharField(
        label=_("내용"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": _("내용은 1,000자까지 쓸 수 있습니다. (지금 %(show_value)d자)")},
    )
    image = forms.FileField(label=_("사진 (선택)"), required=False)
    button1_label = forms.CharField(label=_("링크 버튼 1 이름"), max_length=20, required=False)
    button1_url = forms.URLField(label=_("링크 버튼 1 주소"), required=False, assume_scheme="https")
    button2_label = forms.CharField(label=_("링크 버튼 2 이름"), max_length=20, required=False)
    button2_url = forms.URLField(label=_("링크 버튼 2 주소"), required=False, assume_scheme="https")
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

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        return clean_image(upload) if upload else None

    def clean(self):
        data = super().clean()
        buttons = []
        for n in (1, 2):
            label, url = data.get(f"button{n}_label"), data.get(f"button{n}_url")
            if label and url:
                if not url.startswith("https://"):
                    self.add_error(f"button{n}_url", _("https:// 로 시작하는 주소만 넣을 수 있습니다."))
                buttons.append({"label": label, "url": url})
            elif label or url:
                self.add_error(f"button{n}_label", _("버튼 이름과 주소를 모두 써 주세요."))
        data["buttons"] = buttons
        if data.get("when") == "later":
            send_at = data.get("send_at")
            if send_at is None:
                self.add_error("send_at", _("예약할 시각을 골라 주세요."))
            else:
                send_at = send_at.replace(tzinfo=SEOUL) if timezone.is_naive(send_at) else send_at
                if send_at <= timezone.now():
                    self.add_error("send_at", _("지금보다 뒤의 시각을 골라 주세요."))
                elif send_at > timezone.now() + dt.timedelta(days=60):
                    self.add_error("send_at", _("예약은 60일 안으로만 할 수 있습니다."))
                data["send_at"] = send_at
        else:
            data["send_at"] = None
        return data

    def apply_errors(self, error):
        """Show a ValidationError from message_send on this form's fields."""
        if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
            raise error
        for field, errors in error.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)
