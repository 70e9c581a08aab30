from django.core.exceptions import ValidationError
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """For records written once and kept for good (consent, ledger): no bulk change or delete."""

    def update(self, **kwargs):
        raise ValidationError(f"{self.model.__name__} records are append-only.")

    def delete(self):
        raise ValidationError(f"{self.model.__name__} records are append-only.")


class Heartbeat(models.Model):
    """Last time a background process proved it was alive (see /healthz)."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
