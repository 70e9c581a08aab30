import base64
import datetime as dt
import json
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.lib.ids import new_public_id
from dangol.lib.phones import mask_phone
from dangol.lib.refusals import Refused

# Retries: 1, 2, 4, 8 ... minutes, at most an hour apart, at most MAX_ATTEMPTS tries in all.
MAX_ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)
# A row claimed by a worker that died is claimable again after this long.
LEASE = dt.timedelta(minutes=5)


class Channel(models.TextChoices):
    # The inbox's own record is messaging's InboxItem (visible_at, read_at); rows here are the
    # channels that need a queue. INBOX is the customer's "inbox only" choice.
    INBOX = "inbox", gettext_lazy("앱 알림함만")
    PUSH = "push", gettext_lazy("푸시 알림")
    SMS = "sms", gettext_lazy("문자")


class State(models.TextChoices):
    QUEUED = "queued", gettext_lazy("대기")
    SENT = "sent", gettext_lazy("보냄")
    FAILED = "failed", gettext_lazy("실패")
    GONE = "gone", gettext_lazy("받을 곳 없음")


class DeliveryQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(state=State.QUEUED, next_attempt_at__lte=now).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        )

    def claim(self, *, channel, now, limit, lease=LEASE, fields=None):
        """Claim up to `limit` due rows for one worker; returns them with their claim token, as model
        instances or, given `fields`, as named tuples of just those (far cheaper for a big batch).

        The claim is a conditional UPDATE (the row must still be due and unclaimed), so two workers
        never hold the same row; on PostgreSQL the candidates are picked with SKIP LOCKED so workers
        do not wait on each other.
        """
        token = secrets.token_hex(8)
        with transaction.atomic():
            candidates = self.due(now=now).filter(channel=channel).order_by("next_attempt_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            ids = list(candidates.values_list("pk", flat=True)[:limit])
            if ids:
                self.due(now=now).filter(pk__in=ids).update(
                    claim=token, claimed_until=now + lease, attempts=F("attempts") + 1
                )
        rows = self.filter(pk__in=ids, claim=token)
        return list(rows.values_list(*fields, named=True) if fields else rows), token

    def finish_many(self, outcomes, token, *, now):
        """Record how the attempts under `token` ended, {pk: (state, error, answer, next_attempt_at)}, as
        `Delivery.finish` and `retry_later` do one by one, in one statement; each row only where `token`
        still holds its claim. A row given a next attempt stays queued. Returns how many were recorded."""
        if not outcomes:
            return 0
        table = Delivery._meta.db_table
        when = Delivery._meta.get_field("next_attempt_at")
        postgres = connection.vendor == "postgresql"
        answer = "CAST(v.column4 AS jsonb)" if postgres else "v.column4"
        next_at = "CAST(v.column5 AS timestamptz)" if postgres else "v.column5"
        params = []
        for pk, (state, error, record, next_attempt_at) in outcomes.items():
            at = None if next_attempt_at is None else when.get_db_prep_value(next_attempt_at, connection)
            params += [pk, state, error[:300], json.dumps(record), at]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(outcomes))
        with connection.cursor() as cursor:
            cursor.execute(  # the table name is our model's, every value a parameter
                f"UPDATE {table} SET state = v.column2, claim = '', claimed_until = NULL, "  # noqa: S608
                f"last_error = v.column3, answer = {answer}, "
                f"next_attempt_at = COALESCE({next_at}, {table}.next_attempt_at), "
                f"sent_at = CASE WHEN v.column2 = %s THEN %s ELSE {table}.sent_at END "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1 AND {table}.claim = %s",
                [State.SENT, when.get_db_prep_value(now, connection), *params, token],
            )
            return cursor.rowcount


def retry_wait(attempts, wait=None):
    """How long a row tried `attempts` times waits for its next try: the push service's `wait` (its
    Retry-After) or 1, 2, 4 ... minutes up to an hour; None once MAX_ATTEMPTS are used up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return wait if wait is not None else min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


class Delivery(models.Model):
    """One message to one customer over one channel: the queue of push and SMS work."""

    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.CharField(max_length=16, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    charged = models.PositiveIntegerField(gettext_lazy("문자 비용(원)"), default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    # What the provider answered: push subscriptions already reached, the SMS provider's message id
    # and its delivery report.
    answer = models.JSONField(default=dict, blank=True)
    # A sent SMS whose handset delivery is not yet known: when to ask the provider next.
    report_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("발송 기록")
        verbose_name_plural = pgettext_lazy("plural", "발송 기록")
        constraints = [
            models.UniqueConstraint(fields=["message", "customer", "channel"], name="one_delivery_per_channel")
        ]
        indexes = [models.Index(fields=["state", "channel", "next_attempt_at"])]

    def __str__(self):
        return f"{self.message_id} → {self.customer_id} ({self.channel}: {self.state})"

    def finish(self, token, *, state, now, error="", answer=None, report_due_at=None):
        """Record how the attempt under `token` ended; False if the claim was lost meanwhile."""
        fields = {"state": state, "claim": "", "claimed_until": None, "last_error": error[:300]}
        if report_due_at is not None:
            fields["report_due_at"] = report_due_at
        if state == State.SENT:
            fields["sent_at"] = now
        if answer is not None:
            fields["answer"] = answer
        return Delivery.objects.filter(pk=self.pk, claim=token).update(**fields) == 1

    def retry_later(self, token, *, now, error, wait=None, answer=None):
        """Back off (doubling from FIRST_RETRY, or the server's Retry-After) or fail for good after MAX_ATTEMPTS."""
        wait = retry_wait(self.attempts, wait)
        if wait is None:
            return self.finish(token, state=State.FAILED, now=now, error=error, answer=answer)
        fields = {"claim": "", "claimed_until": None, "last_error": error[:300], "next_attempt_at": now + wait}
        if answer is not None:
            fields["answer"] = answer
        return Delivery.objects.filter(pk=self.pk, claim=token).update(**fields) == 1


class CreditShortfall(models.Model):
    """A message whose SMS could not all go for lack of the market's credit: one row per message,
    so its merchants are told once, and the message's reach page shows how many missed out."""

    message = models.OneToOneField("messaging.Message", on_delete=models.CASCADE, related_name="credit_shortfall")
    market = models.ForeignKey("markets.Market", on_delete=models.CASCADE, related_name="+")
    unsent = models.PositiveIntegerField(gettext_lazy("못 보낸 문자"), default=0)
    missing = models.PositiveIntegerField(gettext_lazy("모자란 금액(원)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("문자 충전금 부족")
        verbose_name_plural = pgettext_lazy("plural", "문자 충전금 부족")

    def __str__(self):
        return _("{message}: {n}통").format(message=self.message_id, n=self.unsent)

    @classmethod
    def record(cls, *, message, unsent, missing):
        """Add `unsent` SMS to the message's shortfall; True only for the call that made the row, so
        the merchants are told once however many workers run into it."""
        shortfall, created = cls.objects.get_or_create(message=message, defaults={"market_id": message.store.market_id})
        cls.objects.filter(pk=shortfall.pk).update(unsent=F("unsent") + unsent, missing=F("missing") + missing)
        return created


class ChannelChoice(models.Model):
    """How a customer wants one store's messages: push (the default when a browser is subscribed), SMS or the
    inbox only. Every message is in the inbox whatever the choice."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(gettext_lazy("받는 방법"), max_length=10, choices=Channel.choices, default=Channel.PUSH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("받는 방법")
        verbose_name_plural = pgettext_lazy("plural", "받는 방법")
        constraints = [models.UniqueConstraint(fields=["customer", "store"], name="one_channel_choice")]

    def __str__(self):
        return f"{self.customer_id} @ {self.store_id}: {self.channel}"

    @classmethod
    def choose(cls, *, customer, store, channel):
        """Only a regular of the store chooses how its messages reach them (404 for anyone else)."""
        from dangol.channels.access import active_follow

        if channel not in Channel.values:
            raise Refused(_("푸시, 문자, 앱 알림함 중에서 골라 주세요."), field="channel")
        if active_follow(customer, store) is None:
            raise Http404
        choice, _created = cls.objects.update_or_create(customer=customer, store=store, defaults={"channel": channel})
        return choice


class PushSubscription(models.Model):
    """One browser's Web Push subscription (RFC 8030): where to post and the keys to encrypt for (RFC 8291)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("푸시 구독")
        verbose_name_plural = pgettext_lazy("plural", "푸시 구독")

    def __str__(self):
        return f"{self.customer_id}: {self.endpoint[:60]}"

    def info(self):
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class VapidKey(models.Model):
    """The server's VAPID key pair (RFC 8292), made on first use and kept."""

    private_pem = models.TextField()
    public_key = models.CharField(max_length=100)  # uncompressed P-256 point, base64url: applicationServerKey
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("VAPID 키")
        verbose_name_plural = pgettext_lazy("plural", "VAPID 키")

    def __str__(self):
        return self.public_key[:16]


class MessageCredit(models.Model):
    """A market's prepaid credit for SMS, in won. An SMS goes only while credit remains."""

    market = models.OneToOneField("markets.Market", on_delete=models.CASCADE, related_name="message_credit")
    balance = models.PositiveIntegerField(gettext_lazy("잔액(원)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("문자 충전금")
        verbose_name_plural = pgettext_lazy("plural", "문자 충전금")

    def __str__(self):
        return _("{market}: {won}원").format(market=self.market, won=f"{self.balance:,}")

    @classmethod
    def draw(cls, *, market_id, amount):
        """Take `amount` won if that much remains; True when taken. One conditional UPDATE, so
        concurrent senders never overdraw."""
        return (
            cls.objects.filter(market_id=market_id, balance__gte=amount).update(
                balance=F("balance") - amount, updated_at=timezone.now()
            )
            == 1
        )

    @classmethod
    def top_up(cls, *, market, amount):
        credit, _created = cls.objects.get_or_create(market=market)
        cls.objects.filter(pk=credit.pk).update(balance=F("balance") + amount)
        credit.refresh_from_db()
        return credit


class StallSignup(models.Model):
    """A customer following by SMS alone, begun at the stall: the merchant typed their number and the
    choices they said aloud; the customer confirms by reading back the code texted to them. The
    choices are bound to this phone and this store until the code expires."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(gettext_lazy("휴대폰 번호"), max_length=20)
    ads = models.BooleanField(gettext_lazy("광고 문자"), default=False)
    night = models.BooleanField(gettext_lazy("밤 광고 문자"), default=False)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("가게에서 문자로 단골 등록")
        verbose_name_plural = pgettext_lazy("plural", "가게에서 문자로 단골 등록")
        indexes = [models.Index(fields=["store", "phone"])]

    def __str__(self):
        return f"{self.store_id}: {mask_phone(self.phone)}"

    def is_open(self, *, now):
        return self.confirmed_at is None and self.expires_at > now


class PushRefused(Refused):
    """A push subscription the rules don't allow."""


def subscription_save(*, customer, endpoint, p256dh, auth):
    """Keep a browser's subscription for `customer` (the same browser again replaces its keys).

    Checks the endpoint is an https URL of a known push service (http only on 127.0.0.1 for the local
    test push service) and the keys have the sizes RFC 8291 gives them: a 65-byte P-256 point and a
    16-byte secret.
    """
    endpoint = (endpoint or "").strip()
    parts = urlsplit(endpoint)
    local = (
        parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost")
        and getattr(settings, "PUSH_ALLOW_LOCAL_HTTP", settings.DEBUG)
    )
    if len(endpoint) > 1000 or not parts.netloc or not (parts.scheme == "https" or local):
        raise PushRefused(_("푸시 주소가 올바르지 않습니다."), field="endpoint")
    if not local and not _known_push_service(parts.hostname or ""):
        raise PushRefused(_("이 브라우저의 알림 서비스는 받지 않습니다."), field="endpoint")
    if len(_unb64(p256dh)) != 65:
        raise PushRefused(_("브라우저 키가 올바르지 않습니다."), field="keys.p256dh")
    if len(_unb64(auth)) != 16:
        raise PushRefused(_("브라우저 키가 올바르지 않습니다."), field="keys.auth")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"customer": customer, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def _known_push_service(host):
    """A host of the push services settings.PUSH_SERVICE_HOSTS names (a host, or ".suffix" for its
    subdomains): the worker posts to these only, never to an address a visitor picks."""
    host = host.lower().rstrip(".")
    return any(
        host.endswith(known) if known.startswith(".") else host == known
        for known in getattr(settings, "PUSH_SERVICE_HOSTS", [])
    )


def _unb64(value):
    try:
        return base64.urlsafe_b64decode((value or "") + "=" * (-len(value or "") % 4))
    except (ValueError, TypeError):
        return b""
