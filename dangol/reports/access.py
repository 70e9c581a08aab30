"""Who may report what, and who moderates: one answer for the pages and the API.

Any signed-in person may report a store (its public page is open to all); a message only by someone
who has it in their inbox. Moderators are staff or holders of the `reports.moderate` permission.
Anyone else gets 404, so ids can't be probed.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from dangol.channels.access import public_store
from dangol.messaging.models import InboxItem, MessageKind

from .models import Target


def reportable_store(user, public_id):
    if not user.is_authenticated:
        raise Http404
    return public_store(public_id)


def reportable_message(user, message_id):
    """A store's message (not a notice) in this person's inbox; hidden ones are already gone from it."""
    if not user.is_authenticated:
        raise Http404
    items = InboxItem.objects.for_customer(user).exclude(message__kind=MessageKind.NOTICE)
    return get_object_or_404(items, message__public_id=message_id).message


def is_moderator(user):
    return user.is_authenticated and user.is_active and (user.is_staff or user.has_perm("reports.moderate"))


def require_moderator(user):
    if not is_moderator(user):
        raise Http404


def moderated_target(user, public_id):
    """A reported target, for a moderator deciding on it."""
    require_moderator(user)
    return get_object_or_404(Target.objects.select_related("store", "message__store"), public_id=public_id)
