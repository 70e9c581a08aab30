"""The edge: input no rule downstream could store is refused here, once, for pages and API alike."""

import functools
import json
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.exceptions import RequestDataTooBig
from django.core.signals import setting_changed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from dangol.lib.text import text_problem, text_problems


def _refuse(request, status, message, errors=None):
    if request.path.startswith("/api/"):
        body = {"detail": message}
        if errors:
            body = {"detail": [{"loc": loc, "msg": msg, "type": "text"} for loc, msg in errors], "errors": {}}
            for loc, msg in errors:
                body["errors"].setdefault(".".join(str(part) for part in loc[1:]), []).append(msg)
        return JsonResponse(body, status=status)
    return render(request, "core/refused.html", {"message": message}, status=status)


class InputGuardMiddleware:
    """Too-large bodies get 413; NUL and broken characters in the address, query or JSON get 400/422."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request):
        content_type = request.content_type or ""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, _("요청의 길이 표시(Content-Length)가 잘못되었습니다."))
        limit = settings.MAX_UPLOAD_BYTES if content_type == "multipart/form-data" else settings.MAX_BODY_BYTES
        if length > limit:
            return _refuse(request, 413, too_big_message(limit))
        if text_problem(request.path):
            return _refuse(request, 400, _("주소에 쓸 수 없는 문자가 들어 있습니다."))
        bad = [
            (("query", key), problem)
            for key, value in request.GET.items()
            for problem in [text_problem(key + value)]
            if problem
        ]
        if bad:
            return _refuse(request, 400, bad[0][1], bad)
        if content_type == "application/json" and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return self.json_refusal(request, limit)
        return None

    def json_refusal(self, request, limit):
        try:
            data = json.loads(request.body or b"null")
        except RequestDataTooBig:
            return _refuse(request, 413, too_big_message(limit))
        except ValueError:
            return None  # the API answers malformed JSON itself
        bad = [(("body", *path), problem) for path, problem in text_problems(data)]
        if bad:
            return _refuse(request, 422, bad[0][1], bad)
        return None


def too_big_message(limit):
    return _("요청이 너무 큽니다. %(mb)s MB까지 보낼 수 있습니다.") % {"mb": round(limit / 1024 / 1024, 1)}


def mark_session_renewed(sender, request, user, **kwargs):
    """At sign-in the session is new: count its life from now (connected to user_logged_in)."""
    request.session["renewed_at"] = int(time.time())


class SlidingSessionMiddleware:
    """Keep a phone signed in while it is used: renew the session once half its life has passed.

    Renewing on every request would write the session row each time; this writes at most twice a month.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.get("_auth_user_id"):
            return response
        now = int(time.time())
        if now - session.get("renewed_at", 0) > settings.SESSION_COOKIE_AGE / 2:
            session["renewed_at"] = now  # a change: the session is saved with a fresh expiry and cookie
        return response


class PermissionsPolicyMiddleware:
    """What the browser may let our pages use (camera for QR scanning, nothing else)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# What a response may carry that asks django-csp for a policy of its own (csp.decorators).
_OWN_POLICY = frozenset(f"_csp_{part}{ro}" for part in ("config", "update", "replace", "exempt") for ro in ("", "_ro"))


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once per process instead of on every response.

    A response that asks for a policy of its own (csp_update, csp_replace, csp_exempt), a page that used
    its nonce, and DEBUG (whose error pages go without a policy) are left to django-csp as they were.
    """

    def process_response(self, request, response):
        if settings.DEBUG or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if not _OWN_POLICY.isdisjoint(vars(response)):  # the decorators set them on the response itself
            return super().process_response(request, response)
        for header, policy, excluded in _site_policies():
            if policy and header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_policies():
    """(header, policy, excluded path prefixes) for the enforced policy and the report-only one."""
    return tuple(
        (
            header,
            build_policy(report_only=report_only),
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, setting, report_only in (
            (HEADER, "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        )
    )


def _policy_setting_changed(setting, **_kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()


setting_changed.connect(_policy_setting_changed, dispatch_uid="core.middleware.site_policies")


class ChosenLanguageMiddleware:
    """Korean unless the person chose another language (the language cookie set by /i18n/setlang/).

    The browser's Accept-Language is not a choice: a phone set to English would otherwise get Django's
    English field errors in the middle of Korean pages. So the answer varies with the cookie, not with
    Accept-Language (Django's LocaleMiddleware, which this replaces, said the opposite), and there are
    no language prefixes in addresses to redirect to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(chosen if chosen in _supported_languages() else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))  # with or without the cookie, it chose the language
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@functools.cache
def _supported_languages():
    return frozenset(code for code, _name in settings.LANGUAGES)


def _language_setting_changed(setting, **_kwargs):
    if setting == "LANGUAGES":
        _supported_languages.cache_clear()


setting_changed.connect(_language_setting_changed, dispatch_uid="core.middleware.languages")


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages, with their storage made only when a request adds or shows one.

    Django makes it for every request (a cookie store and a session store behind a fallback), and the
    API's answers never use it.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
