"""How much of a rate limit one client has used in one window, exact under any concurrency."""

import datetime as dt

from django.conf import settings
from django.db import connection, models
from django.utils.crypto import salted_hmac

CLAIMS_PER_ADDRESS_PER_HOUR = 30  # mobile carriers put many phones behind one address
CLAIM_WINDOW = dt.timedelta(hours=1)


def claims_per_address_per_hour():
    return getattr(settings, "COUPON_CLAIMS_PER_ADDRESS_PER_HOUR", CLAIMS_PER_ADDRESS_PER_HOUR)


def address_key(address):
    """A keyed hash of a client address: the limit works without keeping the address."""
    return salted_hmac("dangol.coupons.address", address, algorithm="sha256").hexdigest()


class Allowance(models.Model):
    """`used` of a limit by `key` in the window starting at `window_start`.

    The conditional update on `used` is the limit: racing requests queue on the row, and the
    update that would pass the limit matches nothing. Taken inside the caller's transaction,
    so a request refused for another reason gives its share back.
    """

    CLAIM = "claim"

    what = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "사용 한도"
        verbose_name_plural = "사용 한도"
        constraints = [models.UniqueConstraint(fields=["what", "key", "window_start"], name="coupons_one_allowance")]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self):
        return f"{self.what} {self.window_start:%Y-%m-%d %H:%M} {self.used}"

    @classmethod
    def take(cls, *, what, key, window_start, limit, count=1):
        """Use `count` of `limit`; False (and nothing used) when that would pass it."""
        if count > limit:
            return False
        # One statement (PostgreSQL and SQLite alike): the first use makes the row, a later one adds to
        # it only while the limit allows; racing requests queue on the row as with an UPDATE.
        table = connection.ops.quote_name(cls._meta.db_table)
        sql = (
            f"INSERT INTO {table} (what, key, window_start, used) VALUES (%s, %s, %s, %s)"  # noqa: S608 - our table
            f" ON CONFLICT (what, key, window_start) DO UPDATE SET used = {table}.used + excluded.used"
            f" WHERE {table}.used <= %s RETURNING id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [what, key, connection.ops.adapt_datetimefield_value(window_start), count, limit - count]
            )
            return cursor.fetchone() is not None
