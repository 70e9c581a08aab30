from django.contrib.auth import authenticate, login, logout
from ninja import Router, Schema, Status

from dangol.lib.api import errors, session_auth
from dangol.lib.phones import normalize_phone

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


@router.post("/code", response={202: dict, **errors(429)})
def send_code(request, payload: PhoneIn):
    """Text a one-time sign-in code to the phone."""
    sign_in_code_send(phone=normalize_phone(payload.phone), address=client_address(request))
    return Status(202, {"detail": "sent"})


@router.post("/verify", response={200: MeOut, **errors(403)})
def verify(request, payload: VerifyIn):
    """Check the code and start a session (cookie). 403: the account was deactivated."""
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
