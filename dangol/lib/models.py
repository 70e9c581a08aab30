from django.core.exceptions import ValidationError
from django.db import connection, models

from dangol.lib.sql import bound_cursor


class AppendOnlyQuerySet(models.QuerySet):
    """For records written once and kept for good (consent, ledger): no bulk change or delete."""

    def update(self, **kwargs):
        raise ValidationError(f"{self.model.__name__} records are append-only.")

    def delete(self):
        raise ValidationError(f"{self.model.__name__} records are append-only.")


class Allowance(models.Model):
    """`used` of a rate limit by `key` in the window starting at `window_start`, exact under any concurrency.

    One statement decides: the first use makes the row, a later one adds to it only while the limit
    allows (INSERT ... ON CONFLICT DO UPDATE ... WHERE, on PostgreSQL and SQLite alike), so racing
    requests queue on the row. Taken inside the caller's transaction, a request refused for another
    reason gives its share back. Each app keeps its own table (a concrete subclass).
    """

    what = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.what} {self.window_start:%Y-%m-%d %H:%M} {self.used}"

    @classmethod
    def take_in_window(cls, *, what, key, window_start, limit, count=1):
        """Use `count` of `limit`; False (and nothing used) when that would pass it."""
        statement = cls.taking(what=what, key=key, window_start=window_start, limit=limit, count=count)
        if statement is None:
            return False
        with bound_cursor(connection) as cursor:
            cursor.execute(*statement)
            return cursor.fetchone() is not None

    @classmethod
    def taking(cls, *, what, key, window_start, limit, count=1):
        """(SQL, parameters) of take_in_window's statement, which returns a row only when it took, or None when
        `count` is more than `limit` (nothing could be taken): for a caller that makes it part of its own
        statement (lib.sql.insert_row_after's `gate`)."""
        if count > limit:
            return None
        table = connection.ops.quote_name(cls._meta.db_table)
        sql = (
            f"INSERT INTO {table} (what, key, window_start, used) VALUES (%s, %s, %s, %s)"  # noqa: S608 - our table
            f" ON CONFLICT (what, key, window_start) DO UPDATE SET used = {table}.used + excluded.used"
            f" WHERE {table}.used <= %s RETURNING id"
        )
        return sql, [what, key, connection.ops.adapt_datetimefield_value(window_start), count, limit - count]

    @classmethod
    def give_back(cls, *, what, key, window_start, count=1):
        """Return `count` taken outside a transaction by a request that was then refused for another reason."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET used = used - %s"  # noqa: S608 - our table
                " WHERE what = %s AND key = %s AND window_start = %s AND used >= %s",
                [count, what, key, connection.ops.adapt_datetimefield_value(window_start), count],
            )
