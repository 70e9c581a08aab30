"""Writing the delivery rows when a message goes out, and the worker that sends them."""

import datetime as dt
import json
import logging
import time

import requests
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dangol.accounts.sms import sms_backend
from dangol.messaging.models import InboxItem, MessageKind
from dangol.messaging.services import notice_send

from .models import (
    Channel,
    ChannelChoice,
    CreditShortfall,
    Delivery,
    MessageCredit,
    PushSubscription,
    State,
    retry_wait,
)
from .push import push_send_many

logger = logging.getLogger("dangol.delivery")

BATCH = 500  # rows per claim: fewer, larger batches keep more pushes in flight at once
PUSH_ROW = ("pk", "message_id", "customer_id", "attempts", "answer")  # all a push row needs of its Delivery
REPORT_FIRST_WAIT = dt.timedelta(minutes=1)  # a handset usually has a text within a minute
REPORT_NEXT_WAIT = dt.timedelta(minutes=10)
REPORT_GIVE_UP = dt.timedelta(days=3)  # carriers stop trying a handset after about three days
NO_CREDIT = gettext_noop("문자 충전금이 모자라 보내지 못했습니다.")


def deliveries_write(sender, *, message, **kwargs):
    """Queue push and SMS for a message just put in the inboxes, in one INSERT ... SELECT per channel.

    Each row is due when the inbox item becomes visible, so the night hold holds for every channel.
    Push goes to customers with a subscribed browser who did not choose SMS or inbox only; SMS to
    those who chose it.
    """
    inbox, choice = InboxItem._meta.db_table, ChannelChoice._meta.db_table
    subscriptions = PushSubscription._meta.db_table
    # Each SELECT starts from the few who can get the channel (subscribed browsers, SMS choosers),
    # not from every inbox item of a broadcast.
    push_from = (
        f"(SELECT DISTINCT customer_id FROM {subscriptions}) who "  # noqa: S608
        f"LEFT JOIN {choice} c ON c.customer_id = who.customer_id AND c.store_id = %s"
    )
    sms_from = f"{choice} who"
    written = 0
    with connection.cursor() as cursor:
        for channel, source, source_values, condition, condition_values in [
            (Channel.PUSH, push_from, [message.store_id], "COALESCE(c.channel, %s) = %s", [Channel.PUSH] * 2),
            (Channel.SMS, sms_from, [], "who.store_id = %s AND who.channel = %s", [message.store_id, Channel.SMS]),
        ]:
            cursor.execute(  # table names from our models, every value a parameter
                f"""INSERT INTO {Delivery._meta.db_table}
                    (message_id, customer_id, channel, state, attempts, next_attempt_at, claim, charged,
                     last_error, answer)
                SELECT i.message_id, i.customer_id, %s, %s, 0, i.visible_at, '', 0, '', '{{}}'
                FROM {source} JOIN {inbox} i ON i.customer_id = who.customer_id AND i.message_id = %s
                WHERE {condition}
                ON CONFLICT DO NOTHING""",  # noqa: S608
                [channel, State.QUEUED, *source_values, message.pk, *condition_values],
            )
            written += cursor.rowcount
    return written


def deliveries_send_due(*, now=None, limit=BATCH, seconds=0):
    """Worker passes: claim up to `limit` due push and SMS rows, send them, record each outcome; pass
    again while rows keep coming and `seconds` have not run out (0: one pass)."""
    started = time.monotonic()
    done = {"push": 0, "sms": 0}
    while True:
        at = now or timezone.now()
        pushes, token = Delivery.objects.claim(channel=Channel.PUSH, now=at, limit=limit, fields=PUSH_ROW)
        done["push"] += push_deliver(pushes, token, now=at)
        texts, token = Delivery.objects.claim(channel=Channel.SMS, now=at, limit=limit)
        done["sms"] += sms_deliver(_with_messages(texts, customers=True), token, now=at)
        if not (pushes or texts) or time.monotonic() - started >= seconds:
            return done


def _with_messages(rows, *, customers=False):
    """Give claimed rows their message (with store and market), fetched once per message rather than
    joined into every row, and for SMS their customer."""
    from django.contrib.auth import get_user_model

    from dangol.messaging.models import Message

    messages = Message.objects.select_related("store__market").in_bulk({row.message_id for row in rows})
    users = get_user_model().objects.in_bulk({row.customer_id for row in rows}) if customers else {}
    for row in rows:
        row.message = messages[row.message_id]
        if customers:
            row.customer = users[row.customer_id]
    return rows


def _still_held(rows, token):
    """The rows this worker's claim still holds, its lease unexpired: a worker that stalled past its
    lease leaves its rows to the worker that claimed them since, and sends nothing."""
    held = set(
        Delivery.objects.filter(
            pk__in=[row.pk for row in rows], claim=token, claimed_until__gt=timezone.now()
        ).values_list("pk", flat=True)
    )
    return [row for row in rows if row.pk in held]


def _withdrawn(rows):
    """Rows whose inbox item is gone (a held ad after consent was withdrawn): they must not go out."""
    pairs = set(
        InboxItem.objects.filter(
            message_id__in={r.message_id for r in rows}, customer_id__in={r.customer_id for r in rows}
        ).values_list("message_id", "customer_id")
    )
    return {row.pk for row in rows if (row.message_id, row.customer_id) not in pairs}


def _push_payloads(message_ids):
    from dangol.messaging.models import Message

    messages = Message.objects.select_related("store").in_bulk(message_ids)
    return {pk: push_payload(message) for pk, message in messages.items()}


def push_payload(message):
    title = message.header or message.store.name
    body = message.body if len(message.body) <= 200 else message.body[:199] + "…"
    url = reverse("messaging:inbox_item", args=[message.public_id])
    return json.dumps({"title": title, "body": body, "url": url, "tag": message.public_id}, ensure_ascii=False).encode()


def push_deliver(rows, token, *, now):
    """Send each claimed push row to every browser of its customer not yet reached, all at once, then
    record every row's outcome under the claim in one statement (a row whose claim moved on is not
    recorded); returns how many were sent. A row needs pk, message_id, customer_id, attempts, answer."""
    rows = _still_held(rows, token)
    if not rows:
        return 0
    withdrawn = _withdrawn(rows)
    payloads = _push_payloads({row.message_id for row in rows})
    browsers = {}
    subscriptions = PushSubscription.objects.filter(customer_id__in={row.customer_id for row in rows})
    for pk, customer_id, endpoint, p256dh, auth in subscriptions.values_list(
        "pk", "customer_id", "endpoint", "p256dh", "auth"
    ):
        info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
        browsers.setdefault(customer_id, []).append((pk, info))
    pending, pushes = {}, []
    for row in rows:
        if row.pk not in withdrawn:
            reached = row.answer.get("reached", ())
            pending[row.pk] = [(pk, info) for pk, info in browsers.get(row.customer_id, ()) if pk not in reached]
            pushes.extend((info, payloads[row.message_id]) for _pk, info in pending[row.pk])
    answers = iter(push_send_many(pushes))

    outcomes, gone = {}, []
    for row in rows:
        if row.pk in withdrawn:
            outcomes[row.pk] = (State.FAILED, _("받는 분이 수신을 거부했습니다."), row.answer, None)
        else:
            outcomes[row.pk] = _push_outcome(row, [(pk, next(answers)) for pk, _info in pending[row.pk]], gone, now=now)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    sent = {pk: outcome for pk, outcome in outcomes.items() if outcome[0] == State.SENT}
    Delivery.objects.finish_many({pk: o for pk, o in outcomes.items() if pk not in sent}, token, now=now)
    return Delivery.objects.finish_many(sent, token, now=now)


def _push_outcome(row, answers, gone, *, now):
    """(state, error, answer, next attempt) for one row from its browsers' answers [(subscription, PushAnswer)];
    subscriptions that answered 404/410 are added to `gone`."""
    reached = set(row.answer.get("reached", ()))
    waits, errors = [], []
    for subscription, answer in answers:
        if answer.delivered:
            reached.add(subscription)
        elif answer.gone:
            gone.append(subscription)
        else:
            errors.append(answer.error)
            waits.append(answer.retry_after if answer.worth_retrying else "never")
    record = {"reached": sorted(reached)}
    if not answers and not reached:
        return State.GONE, _("구독한 브라우저가 없습니다."), record, None
    if errors and "never" not in waits:
        given = [w for w in waits if w is not None]
        wait = retry_wait(row.attempts, dt.timedelta(seconds=max(given)) if given else None)
        if wait is not None:
            return State.QUEUED, "; ".join(errors), record, now + wait
    if errors:
        return State.FAILED, "; ".join(errors), record, None
    if reached:
        return State.SENT, "", record, None
    return State.GONE, _("구독이 끝난 브라우저입니다."), record, None


# SMS ---------------------------------------------------------------------------------------------

SMS_BYTES = 90  # a short text (SMS) holds 90 bytes in EUC-KR; longer goes as LMS


def sms_prices():
    return getattr(settings, "SMS_PRICE_WON", 20), getattr(settings, "LMS_PRICE_WON", 50)


def sms_text(message):
    """The text as it goes by SMS. An ad carries (광고), the sender and the free 080 opt-out number
    (정보통신망법 §50④, 시행령 §61)."""
    if message.kind == MessageKind.AD:
        opt_out = getattr(settings, "SMS_OPT_OUT_NUMBER", "")
        lines = [f"(광고) {message.store.name}", message.body, message.footer]
        if opt_out:
            lines.append(_("무료거부 {number}").format(number=opt_out))
        return "\n".join(line for line in lines if line)
    prefix = f"[{message.store.name}]"
    # Notices such as consent records already begin with the store's name.
    return message.body if message.body.startswith(prefix) else f"{prefix} {message.body}"


def sms_cost(text):
    short, long = sms_prices()
    return short if len(text.encode("euc-kr", errors="replace")) <= SMS_BYTES else long


def sms_preview(*, store, kind, body):
    """What an SMS of this message would cost before it is sent: who gets one, each price, the total,
    and the market's credit."""
    from dangol.channels.models import Follow
    from dangol.messaging.models import Message

    follows = Follow.objects.filter(store=store)
    follows = follows.ad_recipients() if kind == MessageKind.AD else follows.active()
    customers = follows.values("customer_id")
    count = ChannelChoice.objects.filter(store=store, channel=Channel.SMS, customer_id__in=customers).count()
    message = Message(store=store, kind=kind, body=body or "")
    if message.is_ad:
        message.label_as_ad()
    each = sms_cost(sms_text(message))
    credit = MessageCredit.objects.filter(market_id=store.market_id).values_list("balance", flat=True).first() or 0
    return {"count": count, "each": each, "total": count * each, "credit": credit, "enough": credit >= count * each}


def sms_deliver(rows, token, *, now):
    """Charge each claimed SMS row once against its market's credit (notices are free), then send them
    in one group."""
    rows = _still_held(rows, token)
    if not rows:
        return 0
    withdrawn = _withdrawn(rows)
    to_send, short = [], {}
    for row in rows:
        if row.pk in withdrawn:
            row.finish(token, state=State.FAILED, now=now, error=_("받는 분이 수신을 거부했습니다."))
            continue
        text = sms_text(row.message)
        cost = sms_cost(text)
        # A notice (a consent receipt, a reminder the law asks for) goes whatever the credit, like a
        # sign-in code: the market's credit pays for what its merchants choose to send.
        free = row.message.kind == MessageKind.NOTICE
        if not free and not row.charged and not _charge(row, token, cost=cost):
            if row.finish(token, state=State.FAILED, now=now, error=_(NO_CREDIT)):
                unsent, missing, _row = short.get(row.message_id, (0, 0, row))
                short[row.message_id] = (unsent + 1, missing + cost, row)
            continue
        to_send.append((row, text))
    for unsent, missing, row in short.values():
        credit_shortfall_record(row, unsent=unsent, missing=missing)
    if not to_send:
        return 0
    results = sms_backend().send_many([(row.customer.phone, text) for row, text in to_send])
    sent = 0
    for (row, _text), result in zip(to_send, results, strict=True):
        answer = {"message_id": result.message_id} if result.message_id else {}
        if result.ok:
            due = now + REPORT_FIRST_WAIT if result.message_id else None
            sent += row.finish(token, state=State.SENT, now=now, answer=answer, report_due_at=due)
        elif result.retry and row.attempts < _max_attempts():
            row.retry_later(token, now=now, error=result.error)
        else:
            _refund(row, token)
            row.finish(token, state=State.FAILED, now=now, error=result.error)
    return sent


def credit_shortfall_record(row, *, unsent, missing):
    """Count SMS of a message that found no credit; the first time for that message, tell the store's
    merchants in their inbox (not when the message is itself a notice to one of them)."""
    message = row.message
    if not CreditShortfall.record(message=message, unsent=unsent, missing=missing):
        return False
    owners = list(message.store.owners.all())
    if message.kind == MessageKind.NOTICE and any(owner.pk == row.customer_id for owner in owners):
        return False
    text = _(
        "문자 충전금이 모자라 「{excerpt}」 메시지가 일부 단골에게 문자로 가지 못했습니다. 알림함에는 들어갔습니다. "
        "시장 사무실에 충전을 요청해 주세요. 몇 명이 못 받았는지는 메시지의 도달 화면에서 볼 수 있습니다."
    ).format(excerpt=message.body if len(message.body) <= 20 else message.body[:19] + "…")
    for owner in owners:
        notice_send(customer=owner, store=message.store, text=text)
    return True


# SOLAPI's statuses (accounts.sms): 2000 accepted and 3000 with the carrier are still under way, 4000
# received by the handset; any other code is a failure. The console and test backends answer "delivered".
REPORT_DELIVERED = {"4000", "delivered"}
REPORT_PENDING = {"", "2000", "3000"}


def sms_reports_check(*, now=None, limit=None):
    """Ask the SMS provider what became of sent texts not yet confirmed, at most `limit` per call.

    Rows are claimed by moving their next check forward with a conditional UPDATE, so schedulers
    running side by side never ask twice. A text the provider reports failed is marked failed and
    its price goes back to the market's credit, once. After REPORT_GIVE_UP a text still under way is
    left as sent, with its last status.
    """
    now = now or timezone.now()
    limit = limit or getattr(settings, "SMS_REPORT_BATCH", 100)
    due = Delivery.objects.filter(channel=Channel.SMS, state=State.SENT, report_due_at__lte=now)
    ids = list(due.order_by("report_due_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return {"delivered": 0, "failed": 0, "pending": 0}
    claimed_until = now + REPORT_NEXT_WAIT
    token_ids = []
    for pk in ids:  # one conditional UPDATE per row: a row another scheduler just took is skipped
        if due.filter(pk=pk).update(report_due_at=claimed_until):
            token_ids.append(pk)
    rows = list(Delivery.objects.filter(pk__in=token_ids).select_related("message__store"))
    ids_by_provider = {row.answer.get("message_id"): row for row in rows if row.answer.get("message_id")}
    try:
        statuses = sms_backend().report(list(ids_by_provider))
    except (requests.RequestException, ValueError) as error:  # asked again at the rows' next check
        logger.warning("SMS delivery reports unavailable: %s", error)
        return {"delivered": 0, "failed": 0, "pending": len(rows)}
    done = {"delivered": 0, "failed": 0, "pending": 0}
    for provider_id, row in ids_by_provider.items():
        status = str(statuses.get(provider_id, ""))
        answer = {**row.answer, "report": status}
        mine = Delivery.objects.filter(pk=row.pk, state=State.SENT, report_due_at=claimed_until)
        if status in REPORT_DELIVERED:
            done["delivered"] += mine.update(answer=answer, report_due_at=None)
        elif status in REPORT_PENDING:
            late = row.sent_at is not None and now - row.sent_at >= REPORT_GIVE_UP
            done["pending"] += mine.update(answer=answer, report_due_at=None if late else claimed_until)
        else:
            done["failed"] += _sms_failed_on_report(row, mine, answer=answer, status=status)
    return done


def _sms_failed_on_report(row, mine, *, answer, status):
    """Mark a sent SMS failed after its report, and give its price back to the market, both or neither."""
    from django.db.models import F

    with transaction.atomic():
        changed = mine.update(
            state=State.FAILED,
            answer=answer,
            report_due_at=None,
            charged=0,
            last_error=_("통신사가 문자를 전하지 못했습니다 ({status}).").format(status=status)[:300],
        )
        if changed and row.charged:
            MessageCredit.objects.filter(market_id=row.message.store.market_id).update(
                balance=F("balance") + row.charged
            )
    return changed


def _max_attempts():
    from .models import MAX_ATTEMPTS

    return MAX_ATTEMPTS


def _charge(row, token, *, cost):
    """Draw one SMS's price from the market's credit and mark the row charged, together: a retry of
    the same row never pays again."""
    with transaction.atomic():
        if not MessageCredit.draw(market_id=row.message.store.market_id, amount=cost):
            return False
        if Delivery.objects.filter(pk=row.pk, claim=token, charged=0).update(charged=cost) != 1:
            transaction.set_rollback(True)
            return False
    row.charged = cost
    return True


def _refund(row, token):
    from django.db.models import F

    with transaction.atomic():
        if row.charged and Delivery.objects.filter(pk=row.pk, claim=token, charged=row.charged).update(charged=0):
            MessageCredit.objects.filter(market_id=row.message.store.market_id).update(
                balance=F("balance") + row.charged
            )


def message_reach(message):
    """What became of one message: recipients, in the inboxes, read, by channel, and ad opt-outs since,
    with what happened hour by hour for the chart (see `reach.reach_by_hour`)."""
    from django.db.models import Count

    from dangol.channels.models import ConsentAction, ConsentEvent, ConsentKind

    from .reach import reach_by_hour

    now = timezone.now()
    items = InboxItem.objects.filter(message=message)
    by_channel = {channel: dict.fromkeys(State.values, 0) for channel in (Channel.PUSH, Channel.SMS)}
    for channel, state, n in (
        Delivery.objects.filter(message=message).values_list("channel", "state").annotate(n=Count("id"))
    ):
        by_channel[channel][state] = n
    opted_out = 0
    if message.sent_at:
        opted_out = (
            ConsentEvent.objects.filter(
                store_id=message.store_id,
                kind=ConsentKind.ADS,
                action=ConsentAction.WITHDRAWN,
                created_at__gte=message.sent_at,
                customer_id__in=items.values("customer_id"),
            )
            .values("customer_id")
            .distinct()
            .count()
        )
    by_hour, by_hour_cut = reach_by_hour(message, now=now)
    return {
        "recipients": message.recipient_count,
        "in_inbox": items.filter(visible_at__lte=now).count(),
        "held": items.filter(visible_at__gt=now).count(),
        "read": items.filter(read_at__isnull=False).count(),
        "push": by_channel[Channel.PUSH],
        "sms": by_channel[Channel.SMS],
        "sms_cost": sum(
            Delivery.objects.filter(message=message, channel=Channel.SMS).values_list("charged", flat=True)
        ),
        "opted_out": opted_out,
        "sms_unsent_for_credit": CreditShortfall.objects.filter(message=message)
        .values_list("unsent", flat=True)
        .first()
        or 0,
        "by_hour": by_hour,
        "by_hour_cut": by_hour_cut,
    }
