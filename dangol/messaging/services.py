from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MAX_BODY, InboxItem, Message, MessageKind, Status


def message_send(*, store, author, kind, body, image=None, buttons=(), send_at=None):
    """Write a store's message and queue it; ads get their legal header and footer.

    Raises ValidationError (nothing written) for bad input or nobody to send to.
    """
    from .tasks import deliver_message

    now = timezone.now()
    send_at = send_at or now
    errors = {}
    if kind not in (MessageKind.INFO, MessageKind.AD):
        errors["kind"] = _("정보 또는 광고 중에서 골라 주세요.")
    body = (body or "").strip()
    if not body:
        errors["body"] = _("내용을 입력해 주세요.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("내용은 {max}자까지 쓸 수 있습니다. (지금 {n}자)").format(max=MAX_BODY, n=len(body))
    if len(buttons) > 2:
        errors["buttons"] = _("링크 버튼은 2개까지 넣을 수 있습니다.")
    for button in buttons:
        if not str(button.get("url", "")).startswith("https://"):
            errors["buttons"] = _("링크는 https:// 로 시작하는 주소만 넣을 수 있습니다.")
    if send_at < now - timezone.timedelta(minutes=1):
        errors["send_at"] = _("보낼 시각이 이미 지났습니다.")
    if errors:
        raise ValidationError(errors)
    message = Message(store=store, kind=kind, body=body, buttons=list(buttons), send_at=send_at, created_by=author)
    if not message.recipients().exists():
        raise ValidationError(
            {"kind": _("받을 단골이 없습니다. 광고는 광고 수신에 동의한 단골에게만 갑니다.")}
            if kind == MessageKind.AD
            else {"body": _("아직 단골이 없어 보낼 수 없습니다.")}
        )
    if kind == MessageKind.AD:
        message.label_as_ad()
    with transaction.atomic():
        if image:
            message.image.save(image.name, image, save=False)
        message.save()
        if send_at <= now:
            transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def notice_send(*, customer, store, text):
    """A notice to one customer (consent confirmations, reminders), shown at once."""
    now = timezone.now()
    message = Message.objects.create(
        store=store, kind=MessageKind.NOTICE, body=text, status=Status.SENT, send_at=now, sent_at=now, recipient_count=1
    )
    InboxItem.objects.create(message=message, customer=customer, visible_at=now)
    return message


def messages_deliver_due(*, now=None):
    """Queue every scheduled message whose time has come (run by the scheduler)."""
    from .tasks import deliver_message

    due = list(Message.objects.due(now=now or timezone.now()).values_list("pk", flat=True))
    for pk in due:
        deliver_message.enqueue(pk)
    return len(due)
