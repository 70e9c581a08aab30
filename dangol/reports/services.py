from django.db import transaction

from .models import Target


def report_file(*, reported, by, reason, detail=""):
    """Report a store or a message. Nothing is written when the report is refused, not even the
    target row its first report makes."""
    with transaction.atomic():
        return Target.of(reported).report(by=by, reason=reason, detail=detail)
