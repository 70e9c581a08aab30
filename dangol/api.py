"""The JSON API at /api/v1: each app contributes its router."""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI

from dangol.accounts.api import router as accounts_router
from dangol.accounts.models import SignInRefused
from dangol.channels.api import router as channels_router
from dangol.channels.models import AlreadyFollowing, ConsentRefused
from dangol.coupons.api import router as coupons_router
from dangol.fund.api import router as fund_router
from dangol.ledger.api import router as ledger_router
from dangol.messaging.api import router as messaging_router
from dangol.stamps.api import router as stamps_router
from dangol.together.api import router as together_router

api = NinjaAPI(
    title="Dangol API",
    version="1",
    description="단골: 시장 가게와 단골 손님을 잇는 API. 웹은 세션 인증(CSRF 토큰 필요)을 씁니다.",
    urls_namespace="api",
)
api.add_router("/auth", accounts_router)
api.add_router("/", channels_router)
api.add_router("/", messaging_router)
api.add_router("/", coupons_router)
api.add_router("/", stamps_router)
api.add_router("/together", together_router)
api.add_router("/fund", fund_router)
api.add_router("/ledger", ledger_router)


def _field_errors(error):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


@api.exception_handler(ValidationError)
def validation_error(request, error):
    return api.create_response(request, {"detail": "invalid", "errors": _field_errors(error)}, status=400)


@api.exception_handler(AlreadyFollowing)
def already_following(request, error):
    return api.create_response(request, {"detail": str(error)}, status=409)


@api.exception_handler(ConsentRefused)
def consent_refused(request, error):
    return api.create_response(request, {"detail": str(error)}, status=400)


@api.exception_handler(SignInRefused)
def sign_in_refused(request, error):
    return api.create_response(request, {"detail": str(error)}, status=400)
