from django.db import transaction
from django.utils.translation import gettext as _

from dangol.lib.seoul import to_seoul
from dangol.messaging.models import withdraw_held_ads
from dangol.messaging.services import notice_send

from .models import ConsentAction, ConsentKind, ConsentRefused, Follow
from .signals import follow_started


def _confirm(follow, events):
    """Tell the customer what changed (정보통신망법 §50⑧ asks for it): one notice per change, one
    line long, already read, since the person is looking at the change as it happens; it stays in
    the inbox as the record without raising the unread count."""
    if not events:
        return
    when = to_seoul(events[0].created_at).strftime(_("%Y년 %m월 %d일 %H:%M"))
    changes = ", ".join(f"{ConsentKind(e.kind).label} {ConsentAction(e.action).label}" for e in events)
    text = _("[{store}] {when} 동의 기록: {changes}").format(store=follow.store.name, when=when, changes=changes)
    message = notice_send(customer=follow.customer, store=follow.store, text=text)
    message.inbox_items.filter(read_at__isnull=True).update(read_at=message.sent_at)


def follow_start(*, customer, store, collection, ads, night, via, share_phone=False):
    """Follow, its consent records, the confirmation and what other apps give a new regular
    (a welcome coupon): all written, or none. Nobody becomes a regular without letting the
    store keep their number (`collection`). `follow.welcome_gifts` names what the receivers of
    `follow_started` gave, for the page to announce."""
    if not collection:
        raise ConsentRefused(_("단골이 되려면 휴대폰 번호 수집·이용에 동의해야 합니다."), field="collection")
    with transaction.atomic():
        follow, events = Follow.start(
            customer=customer, store=store, ads=ads, night=night, via=via, share_phone=share_phone
        )
        _confirm(follow, events)
        answers = follow_started.send(sender=Follow, follow=follow)
    follow.welcome_gifts = [str(gift) for _receiver, gifts in answers for gift in gifts or ()]
    return follow


def consent_change(*, follow, kind, given, via):
    with transaction.atomic():
        events = follow.set_consent(kind=kind, given=given, via=via)
        if not follow.ads_consent:
            withdraw_held_ads(customer=follow.customer, store=follow.store)
        _confirm(follow, events)
    return events


def follow_end(*, follow, via):
    with transaction.atomic():
        events = follow.end(via=via)
        withdraw_held_ads(customer=follow.customer, store=follow.store)
        _confirm(follow, events)
    return events


def consent_reminders_send(*, now, limit=1000):
    """Remind customers every two years whom they let send ads, and since when."""
    sent = 0
    for follow in Follow.objects.due_for_consent_reminder(now=now).select_related("store", "customer")[:limit]:
        # Claim the reminder first, so two schedulers never remind twice.
        claimed = Follow.objects.filter(pk=follow.pk, ads_reminded_at=follow.ads_reminded_at).update(
            ads_reminded_at=now
        )
        if not claimed:
            continue
        since = to_seoul(follow.ads_consent_at).strftime(_("%Y년 %m월 %d일"))
        text = _(
            "[{store}] 광고성 정보 수신 동의 안내\n"
            "{since}에 {store}의 할인·행사 소식(광고성 정보)을 받겠다고 동의하셨습니다. "
            "법에 따라 2년마다 알려드립니다. 계속 받으시려면 아무것도 하지 않으셔도 됩니다. "
            "그만 받으시려면 가게 페이지의 '동의 관리'에서 무료로 거부할 수 있습니다."
        ).format(store=follow.store.name, since=since)
        notice_send(customer=follow.customer, store=follow.store, text=text)
        sent += 1
    return sent
