import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
application = get_wsgi_application()

from dangol.core.checks import unsafe_settings  # noqa: E402 (needs the apps loaded above)

if problems := unsafe_settings():
    raise ImproperlyConfigured("Dangol refuses to start:\n" + "\n".join(f"- {p.msg} ({p.hint})" for p in problems))
