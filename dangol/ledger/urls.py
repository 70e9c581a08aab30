from django.urls import path, register_converter

from . import views
from .models import BOOK_PATTERN


class BookConverter:
    """Book names like "fund" or "together/k3m9x2p7qa": slash-separated, no dots."""

    regex = BOOK_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(BookConverter, "book")

app_name = "ledger"
urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.csv", views.export, name="export"),
    path("ledger/<book:book>/", views.ledger, name="book"),
    path("ledger/<book:book>/export.csv", views.export, name="book_export"),
]
