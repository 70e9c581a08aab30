import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.channels.models import Follow
from dangol.lib.ids import new_public_id
from dangol.lib.images import clean_image
from dangol.lib.seoul import SEOUL, is_night, night_ends_after, to_seoul
from dangol.lib.text import BLANK_MESSAGE, too_long, visible

from .signals import message_delivered

MAX_BODY = 1000
MAX_BUTTONS = 2
MAX_BUTTON_LABEL = 20
MAX_BUTTON_URL = 2000
SCHEDULE_WITHIN_DAYS = 60
# A time picked "now" may reach the server a little later; so much in the past still means now.
SEND_AT_GRACE = dt.timedelta(minutes=1)
OPT_OUT_SALT = "dangol.messaging.opt-out"


class MessageKind(models.TextChoices):
    INFO = "info", _("정보")
    AD = "ad", _("광고")
    NOTICE = "notice", _("알림")  # to one customer: consent confirmations, reminders


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("예약됨")
    SENT = "sent", _("보냄")
    CANCELED = "canceled", _("취소됨")


class MessageQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(status=Status.SCHEDULED, send_at__lte=now)


class Message(models.Model):
    """What a store sends to its regulars (or a notice to one of them).

    Header and footer are frozen when the message is written, so an ad always
    shows the store's name and contact as they were when it was sent.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("종류"), max_length=10, choices=MessageKind.choices, default=MessageKind.INFO)
    header = models.CharField(max_length=100, blank=True)
    body = models.TextField(pgettext_lazy("message body", "내용"), max_length=MAX_BODY)
    footer = models.CharField(max_length=300, blank=True)
    image = models.ImageField(_("사진"), upload_to="messages/%Y/%m/", blank=True)
    buttons = models.JSONField(_("링크 버튼"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_at = models.DateTimeField(_("보낼 시각"), default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("메시지")
        verbose_name_plural = pgettext_lazy("plural", "메시지")
        ordering = ["-send_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self):
        return self.body[:40]

    @classmethod
    def draft(cls, *, store, author, kind, body, image=None, buttons=(), send_at=None, now=None):
        """An unsaved message from what a merchant wrote, checked against every rule for messages.

        Raises ValidationError naming each field at fault (buttons as `buttons.0.url`); the page
        and the API both come through here, so both refuse the same things in the same words.
        """
        now = now or timezone.now()
        errors = {}
        if kind not in (MessageKind.INFO, MessageKind.AD):
            errors["kind"] = [gettext("정보 또는 광고 중에서 골라 주세요.")]
        body = visible(body or "")
        if not body:
            errors["body"] = [str(BLANK_MESSAGE)]
        elif len(body) > MAX_BODY:
            errors["body"] = [
                gettext("내용은 {max:,}자까지 쓸 수 있습니다. (지금 {n:,}자)").format(max=MAX_BODY, n=len(body))
            ]
        buttons = _checked_buttons(buttons, errors)
        send_at = _checked_send_at(send_at, now, errors)
        if image:
            try:
                image = clean_image(image)
            except ValidationError as error:
                errors["image"] = error.messages
        if errors:
            raise ValidationError(errors)
        return cls(
            store=store,
            kind=kind,
            body=body,
            image=image or "",
            buttons=buttons,
            send_at=send_at or now,
            created_by=author,
        )

    @property
    def send_at_seoul(self):
        """When it goes out, in Seoul time; None for a moment no calendar can show (old data)."""
        try:
            return to_seoul(self.send_at)
        except OverflowError:
            return None

    @property
    def is_ad(self):
        return self.kind == MessageKind.AD

    def label_as_ad(self):
        """정보통신망법 §50④: "(광고)" and the sender first; contact (and opt-out) last.

        The law's labels are Korean whatever language the merchant reads: they go to every regular."""
        self.header = f"(광고) {self.store.name}"
        with translation.override(settings.LANGUAGE_CODE):
            self.footer = gettext("보낸 곳: {contact}").format(contact=self.store.contact_line)

    def recipients(self):
        follows = Follow.objects.filter(store_id=self.store_id)
        return follows.ad_recipients() if self.is_ad else follows.active()

    def deliver(self, *, now=None):
        """Put the message in each recipient's inbox, once, however often called.

        One INSERT ... SELECT from the follows, not a Python object per recipient. Customers
        without night consent see a night-time ad at 08:00 Seoul. Apps above (push, SMS) write
        their own rows in the same transaction through `signals.message_delivered`.
        """
        now = now or timezone.now()
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=self.pk)
            if message.status != Status.SCHEDULED or message.send_at > now:
                return 0
            moment = max(message.send_at, now)
            held_until = night_ends_after(moment) if message.is_ad and is_night(moment) else None
            count = _insert_inbox_items(message, moment=moment, held_until=held_until)
            message.status, message.sent_at, message.recipient_count = Status.SENT, moment, count
            message.save(update_fields=["status", "sent_at", "recipient_count"])
            message_delivered.send(sender=Message, message=message)
        self.refresh_from_db()
        return count

    def cancel(self):
        return Message.objects.filter(pk=self.pk, status=Status.SCHEDULED).update(status=Status.CANCELED) == 1


def _insert_inbox_items(message, *, moment, held_until):
    """INSERT INTO inbox ... SELECT from the recipients' follows; returns how many were written."""
    visible_at = Value(moment, output_field=models.DateTimeField())
    if held_until:
        held = Value(held_until, output_field=models.DateTimeField())
        visible_at = Case(When(night_consent=False, then=held), default=visible_at)
    rows = message.recipients().annotate(
        _message=Value(message.pk, output_field=models.BigIntegerField()), _visible_at=visible_at
    )
    select, params = rows.values_list("_message", "customer_id", "_visible_at").query.sql_with_params()
    table = connection.ops.quote_name(InboxItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (message_id, customer_id, visible_at) {select} ON CONFLICT DO NOTHING", params
        )
        return cursor.rowcount


def _checked_buttons(buttons, errors):
    """Link buttons as [{"label", "url"}], each an https address; problems go into `errors`."""
    if not isinstance(buttons, list | tuple):
        errors["buttons"] = [gettext("링크 버튼 목록이 올바르지 않습니다.")]
        return []
    if len(buttons) > MAX_BUTTONS:
        errors["buttons"] = [gettext("링크 버튼은 {n}개까지 넣을 수 있습니다.").format(n=MAX_BUTTONS)]
        return []
    checked = []
    for index, button in enumerate(buttons):
        button = button if isinstance(button, dict) else {}
        label, url = visible(str(button.get("label") or "")), visible(str(button.get("url") or ""))
        field = f"buttons.{index}"
        if not label or not url:
            errors[f"{field}.label" if not label else f"{field}.url"] = [gettext("버튼 이름과 주소를 모두 써 주세요.")]
            continue
        if len(label) > MAX_BUTTON_LABEL:
            errors[f"{field}.label"] = [str(too_long(MAX_BUTTON_LABEL, gettext("버튼 이름")))]
        if len(url) > MAX_BUTTON_URL:
            errors[f"{field}.url"] = [str(too_long(MAX_BUTTON_URL, gettext("링크 주소")))]
        elif not _is_https_url(url):
            errors[f"{field}.url"] = [gettext("https:// 로 시작하는 올바른 주소만 넣을 수 있습니다.")]
        checked.append({"label": label, "url": url})
    return checked


def _is_https_url(url):
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        return False
    return True


def _checked_send_at(send_at, now, errors):
    """A scheduled time from now (give or take the grace) up to SCHEDULE_WITHIN_DAYS ahead, or None for now."""
    if send_at is None:
        return None
    if timezone.is_naive(send_at):
        send_at = send_at.replace(tzinfo=SEOUL)  # a time without a zone is a market's time
    if send_at < now - SEND_AT_GRACE:
        errors["send_at"] = [gettext("지금보다 뒤의 시각을 골라 주세요.")]
    elif send_at > now + dt.timedelta(days=SCHEDULE_WITHIN_DAYS):
        errors["send_at"] = [gettext("예약은 {days}일 안으로만 할 수 있습니다.").format(days=SCHEDULE_WITHIN_DAYS)]
    return send_at


def opt_out_token(follow):
    """The free opt-out link's token: it names the follow and the moment of the ad consent the ad is
    sent under, so it works only while that consent stands (not after a withdrawal and a new consent)."""
    return signing.dumps([follow.public_id, _consent_stamp(follow.ads_consent_at)], salt=OPT_OUT_SALT, compress=True)


def _consent_stamp(moment):
    return moment.isoformat() if moment else ""


class OptOutState(models.TextChoices):
    OPEN = "open", _("거부할 수 있음")
    DONE = "done", _("이미 거부함")
    STALE = "stale", _("예전 동의의 링크")


class OptOutLink:
    """What a signed opt-out link points at: a follow and the ad consent it was sent under."""

    def __init__(self, follow, consent_stamp):
        self.follow = follow
        self.consent_stamp = consent_stamp
        self.withdrawn_now = False  # set when this request's tap withdrew the consent

    @classmethod
    def from_token(cls, token, *, lock=False):
        """The link a token signs, or None for a bad, tampered or old-format token."""
        try:
            payload = signing.loads(token, salt=OPT_OUT_SALT)
        except signing.BadSignature:
            return None
        if not (isinstance(payload, list) and len(payload) == 2 and all(isinstance(p, str) for p in payload)):
            return None  # an unbound link from before links named their consent
        follows = Follow.objects.select_related("store", "customer")
        if lock:
            follows = follows.select_for_update(of=("self",))
        follow = follows.filter(public_id=payload[0]).first()
        return cls(follow, payload[1]) if follow is not None else None

    @property
    def state(self):
        """OPEN while the consent it was sent under stands; DONE once that consent is withdrawn
        (by this link or otherwise); STALE when the customer has consented again since."""
        follow = self.follow
        if _consent_stamp(follow.ads_consent_at) != self.consent_stamp:
            return OptOutState.STALE
        if follow.is_active and follow.ads_consent:
            return OptOutState.OPEN
        return OptOutState.DONE


def follow_for_opt_out_token(token):
    """The Follow a free opt-out link points at, or None for a bad link."""
    link = OptOutLink.from_token(token)
    return link.follow if link else None


class InboxQuerySet(models.QuerySet):
    def visible(self, *, now=None):
        return self.filter(visible_at__lte=now or timezone.now())

    def not_withheld(self):
        """Without messages hidden by reports or removed by a moderator (`reports.Target.withheld`,
        a row of the app above this one): a LEFT JOIN in the same query, no extra query."""
        return self.exclude(message__report_target__withheld=True)

    def for_customer(self, customer, *, now=None):
        return (
            self.visible(now=now)
            .not_withheld()
            .filter(customer=customer)
            .select_related("message__store__market")
            .order_by("-visible_at", "-id")
        )

    def unread_by_store(self, customer, *, now=None):
        return dict(self.unread_counts(customer, now=now))

    def unread_counts(self, customer, *, now=None):
        """(store public id, unread items) for `customer`: one row per store with unread items."""
        return (
            self.visible(now=now)
            .not_withheld()
            .filter(customer=customer, read_at__isnull=True)
            .values_list("message__store__public_id")
            .annotate(n=Count("id"))
        )


class InboxItem(models.Model):
    """One message in one customer's inbox: the source of truth for delivery."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="inbox_items")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    visible_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = InboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("받은 메시지")
        verbose_name_plural = pgettext_lazy("plural", "받은 메시지")
        constraints = [models.UniqueConstraint(fields=["message", "customer"], name="one_item_per_recipient")]
        indexes = [
            models.Index(fields=["customer", "visible_at"]),
            # Unread counts read only the unread items: their cost doesn't grow with a customer's history.
            models.Index(
                fields=["customer", "visible_at"], condition=Q(read_at__isnull=True), name="messaging_inbox_unread"
            ),
        ]

    def __str__(self):
        return f"{self.customer} ← {self.message}"

    def get_absolute_url(self):
        return reverse("messaging:inbox_item", args=[self.message.public_id])

    def mark_read(self):
        if self.read_at is None:
            self.read_at = timezone.now()
            InboxItem.objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=self.read_at)


def withdraw_held_ads(*, customer, store):
    """Ads still held for the morning are not delivered once consent is withdrawn."""
    held = InboxItem.objects.filter(
        customer=customer, message__store=store, message__kind=MessageKind.AD, visible_at__gt=timezone.now()
    )
    return held.delete()[0]
