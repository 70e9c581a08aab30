from django.core.exceptions import ValidationError
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """For records written once and kept for good (consent, ledger): no bulk change or delete."""

    def update(self, **kwargs):
        raise ValidationError(f"{self.model.__name__} records are append-only.")

    def delete(self):
        raise ValidationError(f"{self.model.__name__} records are append-only.")
