from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from dangol.lib.api import errors, session_auth
from dangol.lib.phones import normalize_phone

from .models import SignInRefused
from .services import client_address, sign_in_code_send

router = Router(tags=["auth"])


class PhoneIn(Schema):
    phone: str


class VerifyIn(Schema):
    phone: str
    code: str


class MeOut(Schema):
    id: str
    phone: str
    name: str
    store_ids: list[str]


def _me(user):
    return {
        "id": user.public_id,
        "phone": user.phone_display,
        "name": user.name,
        "store_ids": list(user.stores.values_list("public_id", flat=True)),
    }


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def _our_origins(request):
    return {
        _origin(f"{request.scheme}://{request.get_host()}"),
        _origin(settings.SITE_URL),
        *(_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS),
    } - {None}


def _cross_site_refusal(request):
    """Why a sign-in request may have been sent by another site's page, or None.

    A browser can send text/plain or a form cross-site without asking; JSON needs our permission
    (CORS), which we never give. A browser also names the page a POST comes from (Origin, else
    Referer), and it must be ours. A request naming no page comes from an app, not a visitor's browser.
    """
    if request.content_type != "application/json":
        return SignInRefused(_("요청 본문은 JSON(application/json)이어야 합니다."), status=415)
    origin = request.headers.get("Origin")
    referer = request.headers.get("Referer")
    if origin is None and referer is None:
        return None
    if _origin(origin if origin is not None else referer) in _our_origins(request):
        return None
    return SignInRefused(
        _("다른 사이트에서 보낸 로그인 요청은 받지 않습니다. 단골 화면에서 다시 시도해 주세요."), status=403
    )


def from_our_site(run):
    """Refuse, before the body is read, a sign-in request another site could have made a browser send."""

    @wraps(run)
    def guarded(request, *args, **kwargs):
        refusal = _cross_site_refusal(request)
        if refusal is not None:
            return JsonResponse(refusal.as_json(), status=refusal.status)
        return run(request, *args, **kwargs)

    return guarded


@router.post("/code", response={202: dict, **errors(403, 415, 429)})
@decorate_view(from_our_site)
def send_code(request, payload: PhoneIn):
    """Text a one-time sign-in code to the phone. JSON only; a browser's request must come from our own pages."""
    sign_in_code_send(phone=normalize_phone(payload.phone), address=client_address(request))
    return Status(202, {"detail": "sent"})


@router.post("/verify", response={200: MeOut, **errors(403, 415, 429)})
@decorate_view(from_our_site)
def verify(request, payload: VerifyIn):
    """Check the code and start a session (cookie). 403: the account was deactivated, or the request came from
    another site. 429: too many wrong codes today; the phone is locked until midnight."""
    user = authenticate(request, phone=normalize_phone(payload.phone), code=payload.code)
    login(request, user)
    return _me(user)


@router.post("/sign-out", auth=session_auth, response={204: None})
def sign_out(request):
    logout(request)
    return Status(204, None)


@router.get("/me", auth=session_auth, response=MeOut)
def me(request):
    return _me(request.auth)
