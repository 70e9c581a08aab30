from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def payment_provider_is_real(app_configs, **kwargs):
    """`manage.py check --deploy`: the built-in test provider takes no money, so it must not face the public."""
    provider = getattr(settings, "PAYMENTS_PROVIDER", "test")
    if provider == "test":
        return [
            Warning(
                "PAYMENTS_PROVIDER is 'test': anyone can 'pay' on the built-in test checkout.",
                hint="Set PAYMENTS_PROVIDER = 'toss' with TOSS_CLIENT_KEY and TOSS_SECRET_KEY.",
                id="payments.W001",
            )
        ]
    if provider == "toss" and not (
        getattr(settings, "TOSS_SECRET_KEY", "") and getattr(settings, "TOSS_CLIENT_KEY", "")
    ):
        return [
            Error("PAYMENTS_PROVIDER is 'toss' but TOSS_SECRET_KEY or TOSS_CLIENT_KEY is empty.", id="payments.E001")
        ]
    return []
