import sys

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from dangol.markets.models import Market

from .health import health

# SQLSTATE 25006: a standby that is being promoted still refuses writes for a moment.
READ_ONLY_TRANSACTION = "25006"


def database_unavailable(error):
    """Does `error` mean "the database can't take this right now" (down, restarting, failing over)?"""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    cause = getattr(error, "__cause__", None)
    return isinstance(error, InternalError) and getattr(cause, "sqlstate", None) == READ_ONLY_TRANSACTION


def home(request):
    """Where signing in lands: a merchant at their store, everyone else at their inbox."""
    if request.user.is_authenticated:
        if request.user.stores.exists():
            return redirect("channels:merchant_home")
        return redirect("messaging:inbox")
    return render(request, "home.html", {"markets": Market.objects.all()[:20]})


def healthz(request):
    """200 when the database, a worker, the scheduler and the queue all work; 503 with the reasons otherwise."""
    ok, report = health()
    response = JsonResponse(report, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    if not ok:
        response["Retry-After"] = "10"
    return response


def server_error(request):
    """The 500 handler: a database that is down or restarting is a 503 'try again soon', not a crash."""
    error = sys.exc_info()[1]
    unavailable = database_unavailable(error)
    status = 503 if unavailable else 500
    message = (
        _("잠시 후 다시 시도해 주세요. 서버가 데이터베이스에 다시 연결하는 중입니다.")
        if unavailable
        else _("서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.")
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        # No base template: it would ask the database for the menu.
        response = HttpResponse(render_to_string("core/unavailable.html", {"message": message}), status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response


def set_text_size(request):
    """Large text for old eyes, remembered on this phone for a year."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.method == "POST":
        response.set_cookie(
            "large_text", "1" if request.POST.get("large") == "1" else "0", max_age=365 * 86400, samesite="Lax"
        )
    return response
