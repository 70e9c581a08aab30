import functools

from django.conf import settings
from django.utils.translation import gettext as _
from python_ipware import IpWare

from .models import PhoneCode, code_lifetime, duration_text
from .sms import send_sms


def sign_in_code_send(*, phone, address):
    """Issue a one-time code for `phone` and text it. Raises SignInRefused."""
    _record, code = PhoneCode.issue(phone=phone, address=address)
    text = _("[단골] 인증번호 {code}. {ttl} 안에 입력해 주세요. 누구에게도 알려주지 마세요.")
    send_sms(phone, text.format(code=code, ttl=duration_text(code_lifetime())))


def client_address(request):
    """The client's address as our own proxies saw it; None when there is no valid one.

    Without TRUSTED_PROXIES no header is believed: the address is the connection's. With them
    (the proxies a request passes, outermost first: IPs or CIDR ranges), X-Forwarded-For is read
    only when the connection comes from the last of them, and only the hop that our outermost proxy
    appended counts; whatever the client wrote to the left of it, valid or not, never does.
    """
    remote = _address("REMOTE_ADDR", request.META.get("REMOTE_ADDR"), strict=True)
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").strip()
    if not (remote and proxies and forwarded):
        return remote
    # The connection's own address closes the chain, so the proxy list must match it too.
    client = _address("HTTP_X_FORWARDED_FOR", f"{forwarded}, {remote}", strict=False, proxies=proxies)
    return client or remote


@functools.lru_cache(maxsize=16)
def _resolver(header, proxies=()):
    """python-ipware's resolver for one header (and the trusted proxies), made once per process: making
    one compiles its proxy matchers, which cost more than reading an address."""
    return IpWare(precedence=(header,), proxy_list=list(proxies))


@functools.lru_cache(maxsize=4096)
def _address(header, value, *, strict, proxies=()):
    """The address python-ipware finds in `value`, read as `header`, as text; None when there is none.

    It is shown that header alone, not the request's whole META, which it would otherwise fold into a
    case-insensitive copy on every call. The same text always gives the same address, and behind our
    proxy REMOTE_ADDR is always the proxy's, so the answers are kept (a phone's requests repeat theirs).
    """
    ip, _trusted = _resolver(header, proxies).get_client_ip({header: value}, strict)
    return None if ip is None else str(ip)
