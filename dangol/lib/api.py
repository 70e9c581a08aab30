"""What every API router shares: session sign-in that answers 401, and the error body's schema."""

from django.conf import settings
from django.utils.translation import gettext
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf


class SessionAuth(APIKeyCookie):
    """The web session. No session → 401 (missing credentials); a session without the CSRF token → 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, gettext("CSRF 토큰이 없거나 맞지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요."))
        return request.user


session_auth = SessionAuth()


class ErrorOut(Schema):
    """Every error: `detail` says what went wrong in words; `errors` names the inputs at fault."""

    detail: str | list[dict]
    errors: dict[str, list[str]] | None = None


def errors(*statuses):
    """Response entries for the refusals an operation can answer with: `response={200: X, **errors(400, 409)}`."""
    return dict.fromkeys(statuses, ErrorOut)
