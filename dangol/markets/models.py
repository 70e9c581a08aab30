from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangol.lib.ids import new_public_id
from dangol.lib.text import optional_text, required_text


class MarketQuerySet(models.QuerySet):
    def administered_by(self, user):
        """The markets `user` may manage: their association's, or every one for staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(admins=user)


class Market(models.Model):
    """A traditional market; its association (상인회) admins manage its page."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("시장 이름"), max_length=80)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    description = models.TextField(_("소개"), max_length=2000, blank=True)
    opening_hours = models.CharField(_("영업시간"), max_length=100, blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_markets", verbose_name=_("상인회 관리자")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarketQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("one", "시장")
        verbose_name_plural = pgettext_lazy("plural", "시장")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("markets:detail", args=[self.public_id])

    def clean(self):
        """Texts people can see, within their lengths, whichever page or admin validates the market."""
        errors = {}
        for field, check in [
            ("name", required_text),
            ("address", optional_text),
            ("description", optional_text),
            ("opening_hours", optional_text),
        ]:
            model_field = self._meta.get_field(field)
            try:
                limits = {"max_length": model_field.max_length, "label": model_field.verbose_name}
                setattr(self, field, check(getattr(self, field), field=field, **limits))
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
