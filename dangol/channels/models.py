import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.ids import new_public_id
from dangol.lib.images import clean_image
from dangol.lib.models import AppendOnlyQuerySet
from dangol.lib.phones import display_phone, normalize_any_phone
from dangol.lib.refusals import AlreadyDone, Refused
from dangol.lib.text import optional_text, required_text


class Category(models.TextChoices):
    FRUIT = "fruit", _("과일")
    VEGETABLE = "vegetable", _("채소")
    FISH = "fish", _("생선")
    RICE_CAKE = "rice_cake", _("떡")
    SIDE_DISH = "side_dish", _("반찬")
    MEAT = "meat", _("정육")
    DRIED_SEAFOOD = "dried_seafood", _("건어물")
    SNACK = "snack", _("분식")
    GRAIN = "grain", _("곡물·잡곡")
    KIMCHI = "kimchi", _("김치·젓갈")
    BAKERY = "bakery", _("빵·과자")
    CLOTHING = "clothing", _("의류")
    HOUSEWARE = "houseware", _("생활용품")
    OTHER = "other", _("기타")


class StoreQuerySet(models.QuerySet):
    def with_follower_count(self):
        return self.annotate(follower_count=Count("follows", filter=Q(follows__ended_at__isnull=True)))

    def owned_by(self, user):
        return self.filter(owners=user)

    def withheld(self):
        """Stores hidden by reports (until a moderator decides) or removed by a moderator.

        The state is the `reports` app's row (`reports.Target.withheld`); read through its relation
        so this app never imports the one above it."""
        return self.filter(report_target__withheld=True)

    def shown(self):
        """Stores anyone may find: not hidden by reports nor removed by a moderator."""
        return self.exclude(report_target__withheld=True)


class Store(models.Model):
    """A stall in a market, and its channel that regulars follow."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    market = models.ForeignKey("markets.Market", on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("가게 이름"), max_length=60)
    category = models.CharField(_("품목"), max_length=20, choices=Category.choices, default=Category.OTHER)
    stall_number = models.CharField(_("점포 번호"), max_length=20, blank=True)
    description = models.TextField(_("파는 물건"), max_length=1000, blank=True)
    opening_hours = models.CharField(_("영업시간"), max_length=100, blank=True)
    phone = models.CharField(_("가게 전화"), max_length=20, blank=True)
    photo = models.ImageField(_("사진"), upload_to="stores/", blank=True)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="stores", blank=True, verbose_name=_("상인"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("가게")
        verbose_name_plural = pgettext_lazy("plural", "가게")
        ordering = ["market", "stall_number", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("channels:store", args=[self.public_id])

    def is_owner(self, user):
        return user.is_authenticated and self.owners.filter(pk=user.pk).exists()

    def clean(self):
        """The profile's rules, for every door that validates a store (the profile page and API, the admin):
        a name people can see, texts within their lengths, a valid phone, a re-encoded photo."""
        errors = {}

        def checked(field, check, **limits):
            try:
                setattr(self, field, check(getattr(self, field), field=field, **limits))
            except ValidationError as error:
                errors.update(error.message_dict)

        for field, check in [
            ("name", required_text),
            ("stall_number", optional_text),
            ("description", optional_text),
            ("opening_hours", optional_text),
        ]:
            model_field = self._meta.get_field(field)
            checked(field, check, max_length=model_field.max_length, label=model_field.verbose_name)
        if self.phone.strip():
            try:
                self.phone = normalize_any_phone(self.phone)
            except ValidationError as error:
                errors["phone"] = error.messages
        else:
            self.phone = ""
        if self.photo and not self.photo._committed:  # a new upload, not the stored file
            try:
                self.photo = clean_image(self.photo.file)
            except ValidationError as error:
                errors["photo"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def contact_line(self):
        """Who sent an ad, as the law asks: name, place and a number to call."""
        parts = [self.name, f"{self.market.name} {self.stall_number}".strip()]
        if self.phone:
            parts.append(gettext("☎ {phone}").format(phone=display_phone(self.phone)))
        return " · ".join(parts)


class ConsentKind(models.TextChoices):
    COLLECTION = "collection", _("개인정보(휴대폰 번호) 수집·이용")
    ADS = "ads", _("광고성 정보 수신")
    NIGHT = "night", _("야간(21시~08시) 광고성 정보 수신")


class ConsentAction(models.TextChoices):
    GIVEN = "given", pgettext_lazy("consent", "동의")
    REFUSED = "refused", pgettext_lazy("consent", "거부")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent", "철회")


class ConsentVia(models.TextChoices):
    WEB = "web", _("웹")
    API = "api", "API"
    OPT_OUT_LINK = "opt_out_link", _("광고 메시지의 수신거부 링크")
    UNFOLLOW = "unfollow", _("단골 해제")
    STALL = "stall", _("가게에서 (상인이 번호를 적고 손님이 문자 코드를 확인)")


REMINDER_EVERY = dt.timedelta(days=730)


class AlreadyFollowing(AlreadyDone):
    def __init__(self, message=None, **kwargs):
        super().__init__(message or gettext("이미 이 가게의 단골입니다."), **kwargs)


class StoreWithheld(Refused):
    """The store is hidden by reports or removed by a moderator."""

    def __init__(self, message, **kwargs):
        super().__init__(message, status=409, **kwargs)


class ConsentRefused(Refused):
    """A consent change the rules don't allow."""


NIGHT_NEEDS_ADS = _("야간 광고 수신은 광고성 정보 수신에 동의해야 선택할 수 있습니다.")


class FollowQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def ad_recipients(self):
        return self.active().filter(ads_consent=True)

    def for_merchant_list(self):
        """Current regulars, newest first, as the store's list shows them (see `Follow.phone_for_store`)."""
        return self.active().select_related("customer").order_by("-started_at")

    def due_for_consent_reminder(self, *, now):
        """Ad consents given or last re-confirmed two years ago (정보통신망법 시행령 §62의3)."""
        cutoff = now - REMINDER_EVERY
        return self.ad_recipients().filter(
            Q(ads_reminded_at__isnull=True, ads_consent_at__lte=cutoff) | Q(ads_reminded_at__lte=cutoff)
        )


class Follow(models.Model):
    """A customer is a regular (단골) of a store.

    The consent flags are the current state; ConsentEvent is the record of how
    they got there. Both change in the same transaction.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="follows")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ads_consent = models.BooleanField(default=False)
    night_consent = models.BooleanField(default=False)
    # When ad consent was last given or re-confirmed: the two-year reminder counts from here.
    ads_consent_at = models.DateTimeField(null=True, blank=True)
    ads_reminded_at = models.DateTimeField(null=True, blank=True)
    share_phone = models.BooleanField(_("번호 공개"), default=False)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("단골")
        verbose_name_plural = pgettext_lazy("plural", "단골")
        constraints = [
            models.UniqueConstraint(fields=["customer", "store"], name="one_follow_per_customer_store"),
            models.CheckConstraint(
                condition=Q(night_consent=False) | Q(ads_consent=True), name="night_consent_needs_ads"
            ),
        ]
        indexes = [models.Index(fields=["store", "ended_at"])]

    def __str__(self):
        return f"{self.customer} → {self.store}"

    @property
    def is_active(self):
        return self.ended_at is None

    @property
    def phone_for_store(self):
        """What the store sees of the number: all of it only if the customer chose to share it."""
        return self.customer.phone_display if self.share_phone else self.customer.masked_phone

    @classmethod
    def start(cls, *, customer, store, ads, night, via, share_phone=False):
        """Follow `store` with phone-collection consent and the chosen ad consents.

        A store hidden by reports (or removed by a moderator) takes no new regulars; those it has stay."""
        if night and not ads:
            raise ConsentRefused(NIGHT_NEEDS_ADS, field="night")
        if Store.objects.filter(pk=store.pk).withheld().exists():
            raise StoreWithheld(_("운영진이 확인하는 중인 가게라 지금은 단골이 될 수 없습니다."))
        now = timezone.now()
        with transaction.atomic():
            follow = cls.objects.select_for_update().filter(customer=customer, store=store).first()
            if follow is not None and follow.is_active:
                raise AlreadyFollowing
            if follow is None:
                try:
                    with transaction.atomic():
                        follow = cls.objects.create(customer=customer, store=store, started_at=now)
                except IntegrityError:
                    raise AlreadyFollowing from None
            follow.started_at = now
            follow.ended_at = None
            follow.ads_consent = ads
            follow.night_consent = night
            follow.ads_consent_at = now if ads else None
            follow.ads_reminded_at = None
            follow.share_phone = share_phone
            follow.save()
            events = [(ConsentKind.COLLECTION, ConsentAction.GIVEN)]
            events.append((ConsentKind.ADS, ConsentAction.GIVEN if ads else ConsentAction.REFUSED))
            events.append((ConsentKind.NIGHT, ConsentAction.GIVEN if night else ConsentAction.REFUSED))
            return follow, follow._record(events, via=via, at=now)

    def set_consent(self, *, kind, given, via):
        """Give or withdraw ad or night consent; returns the events written.

        Withdrawing ads also withdraws night consent, which means nothing alone.
        Nothing is written when the state does not change.
        """
        if kind == ConsentKind.COLLECTION:
            raise ConsentRefused(gettext("이 동의는 단골 해제로만 철회할 수 있습니다."), field="kind")
        if kind not in (ConsentKind.ADS, ConsentKind.NIGHT):
            raise ConsentRefused(gettext("바꿀 동의를 골라 주세요."), field="kind")
        now = timezone.now()
        with transaction.atomic():
            current = Follow.objects.select_for_update().get(pk=self.pk)
            if not current.is_active:
                raise ConsentRefused(gettext("단골이 아닌 가게입니다."))
            events = []
            if kind == ConsentKind.ADS:
                if given and not current.ads_consent:
                    current.ads_consent, current.ads_consent_at, current.ads_reminded_at = True, now, None
                    events.append((ConsentKind.ADS, ConsentAction.GIVEN))
                elif not given and current.ads_consent:
                    current.ads_consent = False
                    events.append((ConsentKind.ADS, ConsentAction.WITHDRAWN))
                    if current.night_consent:
                        current.night_consent = False
                        events.append((ConsentKind.NIGHT, ConsentAction.WITHDRAWN))
            else:
                if given and not current.ads_consent:
                    raise ConsentRefused(NIGHT_NEEDS_ADS, field="night")
                if given != current.night_consent:
                    current.night_consent = given
                    events.append((ConsentKind.NIGHT, ConsentAction.GIVEN if given else ConsentAction.WITHDRAWN))
            if events:
                current.save(update_fields=["ads_consent", "night_consent", "ads_consent_at", "ads_reminded_at"])
            self.refresh_from_db()
            return current._record(events, via=via, at=now)

    def end(self, *, via):
        """Unfollow: every consent for this store is withdrawn."""
        now = timezone.now()
        with transaction.atomic():
            current = Follow.objects.select_for_update().get(pk=self.pk)
            if not current.is_active:
                return []
            events = [(ConsentKind.COLLECTION, ConsentAction.WITHDRAWN)]
            if current.ads_consent:
                events.append((ConsentKind.ADS, ConsentAction.WITHDRAWN))
            if current.night_consent:
                events.append((ConsentKind.NIGHT, ConsentAction.WITHDRAWN))
            current.ended_at = now
            current.ads_consent = current.night_consent = current.share_phone = False
            current.save(update_fields=["ended_at", "ads_consent", "night_consent", "share_phone"])
            self.refresh_from_db()
            return current._record(events, via=via, at=now)

    def _record(self, events, *, via, at):
        return ConsentEvent.objects.bulk_create(
            ConsentEvent(
                customer_id=self.customer_id,
                store_id=self.store_id,
                kind=kind,
                action=action,
                via=via,
                created_at=at,
            )
            for kind, action in events
        )


class ConsentEvent(models.Model):
    """One consent given, refused or withdrawn. Never changed, never deleted."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_events")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="consent_events")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    action = models.CharField(max_length=20, choices=ConsentAction.choices)
    via = models.CharField(max_length=20, choices=ConsentVia.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("동의 기록")
        verbose_name_plural = pgettext_lazy("plural", "동의 기록")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Consent records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Consent records are append-only.")
