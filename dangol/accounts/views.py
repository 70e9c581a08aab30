from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.lib.phones import display_phone
from dangol.lib.refusals import refusals_shown

from .forms import CodeForm, PhoneForm
from .models import CODE_DIGITS, code_lifetime, duration_text
from .services import client_address, sign_in_code_send

SESSION_PHONE = "sign_in_phone"
SESSION_NEXT = "sign_in_next"


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def sign_in(request):
    form = PhoneForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        with refusals_shown(request, form=form) as shown:
            sign_in_code_send(phone=phone, address=client_address(request))
        if shown.ok:
            request.session[SESSION_PHONE] = phone
            request.session[SESSION_NEXT] = next_url
            return redirect("accounts:sign_in_code")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url or ""})


def sign_in_code(request):
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect("accounts:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            user = authenticate(request, phone=phone, code=form.cleaned_data["code"])
        if shown.ok:
            next_url = request.session.get(SESSION_NEXT)
            login(request, user)
            return redirect(next_url or "home")
    context = {
        "form": form,
        "phone": display_phone(phone),
        "lifetime": duration_text(code_lifetime()),
        "attempts": settings.SIGN_IN_MAX_ATTEMPTS,
        "digits": CODE_DIGITS,
    }
    return render(request, "accounts/sign_in_code.html", context)


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("로그아웃했습니다."))
    return redirect("home")
