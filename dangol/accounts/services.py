from django.utils.translation import gettext as _

from .models import PhoneCode, code_lifetime, duration_text
from .sms import send_sms


def sign_in_code_send(*, phone, address):
    """Issue a one-time code for `phone` and text it. Raises SignInRefused."""
    _record, code = PhoneCode.issue(phone=phone, address=address)
    text = _("[단골] 인증번호 {code}. {ttl} 안에 입력해 주세요. 누구에게도 알려주지 마세요.")
    send_sms(phone, text.format(code=code, ttl=duration_text(code_lifetime())))


def client_address(request):
    # Behind the reverse proxy the first hop of X-Forwarded-For is the client;
    # the proxy must overwrite, not append to, what the client sent.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None
