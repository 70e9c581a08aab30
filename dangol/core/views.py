import datetime as dt

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dangol.markets.models import Market

from .models import Heartbeat

WORKER_STALE_AFTER = dt.timedelta(minutes=2)


def home(request):
    if request.user.is_authenticated:
        return redirect("messaging:inbox")
    return render(request, "home.html", {"markets": Market.objects.all()[:20]})


def healthz(request):
    """Database reachable and a worker that ran a task in the last two minutes."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # the point is to report, not to crash
        database = {"ok": False, "error": error.__class__.__name__}
    worker = {"ok": False, "last_seen": None}
    if database["ok"]:
        beat = Heartbeat.objects.filter(name="worker").first()
        if beat is not None:
            worker = {
                "ok": timezone.now() - beat.seen_at < WORKER_STALE_AFTER,
                "last_seen": beat.seen_at.isoformat(),
            }
    ok = database["ok"] and worker["ok"]
    return JsonResponse({"status": "ok" if ok else "degraded", "database": database, "worker": worker})


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
