from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.static import serve

from dangol.api import api
from dangol.core import views as core_views

admin.site.site_header = _("단골 운영")
admin.site.site_title = _("단골 운영")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
    path("text-size/", core_views.set_text_size, name="set_text_size"),
    # Staff sign in like everyone else: phone and one-time code.
    path("admin/login/", RedirectView.as_view(url="/accounts/sign-in/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("dangol.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dangol.channels.urls")),
    path("", include("dangol.messaging.urls")),
    path("", include("dangol.markets.urls")),
    path("", include("dangol.coupons.urls")),
    path("", include("dangol.stamps.urls")),
    path("", include("dangol.together.urls")),
    path("", include("dangol.fund.urls")),
    path("", include("dangol.ledger.urls")),
    path("", include("dangol.payments.urls")),
    path("", include("dangol.delivery.urls")),
    path("", include("dangol.program.urls")),
    path("", include("dangol.printing.urls")),
    path("", include("dangol.reports.urls")),
    # Uploaded photos; a production install serves MEDIA_ROOT from the reverse proxy instead.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler500 = "dangol.core.views.server_error"
