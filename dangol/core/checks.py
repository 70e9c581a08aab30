"""Dangol refuses to run in production on settings that would hand attackers the keys.

Registered without the deploy tag, so every management command (migrate, the worker, the
scheduler) fails fast on them; `dangol.wsgi` runs the same check before serving.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_KEY_LENGTH = 50


def unsafe_settings():
    """The Errors that make this configuration unsafe to serve with DEBUG off."""
    if settings.DEBUG:
        return []
    problems = []
    key = settings.SECRET_KEY
    if key == settings.DEV_SECRET_KEY:
        problems.append(
            Error(
                "DANGOL_SECRET_KEY is not set: the public development key forges opt-out links and payments"
                " and unseals every store's coupon signing key.",
                hint="Set DANGOL_SECRET_KEY (or DANGOL_SECRET_KEY_FILE) to 50+ random characters.",
                id="dangol.E001",
            )
        )
    elif len(key) < MIN_KEY_LENGTH or len(set(key)) < 5:
        problems.append(
            Error(
                f"DANGOL_SECRET_KEY is too short or too simple (needs {MIN_KEY_LENGTH}+ varied characters).",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="dangol.E002",
            )
        )
    if settings.DEMO:
        return problems
    if settings.SMS_BACKEND.endswith(".ConsoleSMS"):
        problems.append(
            Error(
                "The console SMS adapter prints live sign-in codes to the log.",
                hint="Set DANGOL_SMS_BACKEND to a real provider, or DANGOL_DEMO=1 for a demonstration site.",
                id="dangol.E003",
            )
        )
    if settings.SMS_BACKEND.endswith(".SolapiSMS") and not (
        settings.SOLAPI_API_KEY and settings.SOLAPI_API_SECRET and settings.SMS_SENDER
    ):
        problems.append(
            Error(
                "SOLAPI is the SMS provider but its key, secret or sender number is missing.",
                hint="Set DANGOL_SOLAPI_API_KEY, DANGOL_SOLAPI_API_SECRET(_FILE) and DANGOL_SMS_SENDER.",
                id="dangol.E005",
            )
        )
    if settings.PAYMENTS_PROVIDER == "test":
        problems.append(
            Error(
                "The test payment provider lets anyone 'pay' without money.",
                hint="Set DANGOL_PAYMENTS_PROVIDER=toss with its keys, or DANGOL_DEMO=1 for a demonstration site.",
                id="dangol.E004",
            )
        )
    return problems


@register(Tags.security)
def production_settings_are_safe(app_configs, **kwargs):
    return unsafe_settings()
