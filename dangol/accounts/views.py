from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.lib.phones import display_phone

from .forms import CodeForm, PhoneForm
from .models import SignInRefused
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
        try:
            sign_in_code_send(phone=phone, address=client_address(request))
        except SignInRefused as refusal:
            form.add_error("phone", str(refusal))
        else:
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
        try:
            user = authenticate(request, phone=phone, code=form.cleaned_data["code"])
        except SignInRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            if user is None:
                form.add_error("code", _("사용할 수 없는 계정입니다."))
            else:
                next_url = request.session.get(SESSION_NEXT)
                login(request, user)
                return redirect(next_url or "home")
    context = {"form": form, "phone": display_phone(phone)}
    return render(request, "accounts/sign_in_code.html", context)


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("로그아웃했습니다."))
    return redirect("home")
