from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangol.channels.models import ConsentKind, ConsentVia

from .models import InboxItem, Message, MessageKind, OptOutLink, OptOutState, Status
from .signals import message_delivered


def message_send(*, store, author, kind, body, image=None, buttons=(), send_at=None):
    """Write a store's message and queue it; ads get their legal header and footer.

    Raises ValidationError (nothing written) for bad input (see `Message.draft`) or nobody to send to.
    """
    from .tasks import deliver_message

    now = timezone.now()
    message = Message.draft(
        store=store, author=author, kind=kind, body=body, image=image, buttons=buttons, send_at=send_at, now=now
    )
    if not message.recipients().exists():
        raise ValidationError(
            {"kind": _("받을 단골이 없습니다. 광고는 광고 수신에 동의한 단골에게만 갑니다.")}
            if kind == MessageKind.AD
            else {"body": _("아직 단골이 없어 보낼 수 없습니다.")}
        )
    if message.is_ad:
        message.label_as_ad()
    with transaction.atomic():
        message.save()
        if message.send_at <= now:
            transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def message_preview(*, store, author, kind, body, image=None, buttons=()):
    """The message as its regulars will see it (ad labels included), unsaved; raises ValidationError
    for the same things `message_send` refuses, so the preview warns before the real send."""
    message = Message.draft(store=store, author=author, kind=kind, body=body, image=image, buttons=buttons)
    if message.is_ad:
        message.label_as_ad()
    return message


def message_send_to_self(*, store, author, kind, body, image=None, buttons=(), note=""):
    """ "Send to me first": a copy of the message in its author's own inbox, before the real send.

    It is a notice to one person, so it is in no sent list, no count and no push or SMS; its header
    says it is a copy. `note` is a line added below (a coupon that will go with the real one).
    """
    message = message_preview(store=store, author=author, kind=kind, body=body, image=image, buttons=buttons)
    now = timezone.now()
    message.header = " · ".join(filter(None, [_("나에게 먼저 보낸 메시지"), message.header]))
    if note:
        message.body = f"{message.body}\n\n{note}"
    message.kind, message.status = MessageKind.NOTICE, Status.SENT
    message.send_at = message.sent_at = now
    message.recipient_count = 1
    with transaction.atomic():
        message.save()
        InboxItem.objects.create(message=message, customer=author, visible_at=now)
    return message


def notice_send(*, customer, store, text):
    """A notice to one customer (consent confirmations, reminders), shown at once."""
    now = timezone.now()
    message = Message.objects.create(
        store=store, kind=MessageKind.NOTICE, body=text, status=Status.SENT, send_at=now, sent_at=now, recipient_count=1
    )
    InboxItem.objects.create(message=message, customer=customer, visible_at=now)
    message_delivered.send(sender=Message, message=message)
    return message


def messages_deliver_due(*, now=None):
    """Deliver every scheduled message whose time has come (run by the scheduler).

    Each message is written once, set-based, under its row lock; push and SMS then go out from
    the delivery rows, so nothing is re-queued tick after tick.
    """
    now = now or timezone.now()
    due = list(Message.objects.due(now=now).order_by("send_at", "pk")[:100])
    return sum(message.deliver(now=now) for message in due)


def opt_out_withdraw(*, link_token):
    """The free opt-out link, used: withdraw the ad consent it was sent under, once.

    Returns the link (its `state` after the fact) or None for a bad link. The follow row stays
    locked from the check to the withdrawal, so two taps (or a tap racing a new consent) can't both
    act. The consent record and the confirmation notice come from `channels.services.consent_change`.
    """
    from dangol.channels.services import consent_change  # channels' services import this module

    with transaction.atomic():
        link = OptOutLink.from_token(link_token, lock=True)
        if link is None or link.state != OptOutState.OPEN:
            return link
        consent_change(follow=link.follow, kind=ConsentKind.ADS, given=False, via=ConsentVia.OPT_OUT_LINK)
        link.follow.refresh_from_db()
        link.withdrawn_now = True
        return link
