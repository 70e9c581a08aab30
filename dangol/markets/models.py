from django.conf import settings
from django.db import models
from django.urls import reverse

from dangol.lib.ids import new_public_id


class Market(models.Model):
    """A traditional market; its association (상인회) admins manage its page."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    name = models.CharField("시장 이름", max_length=80)
    address = models.CharField("주소", max_length=200, blank=True)
    description = models.TextField("소개", max_length=2000, blank=True)
    opening_hours = models.CharField("영업시간", max_length=100, blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_markets", verbose_name="상인회 관리자"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "시장"
        verbose_name_plural = "시장"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("markets:detail", args=[self.public_id])

    def is_admin(self, user):
        return user.is_authenticated and (user.is_staff or self.admins.filter(pk=user.pk).exists())
