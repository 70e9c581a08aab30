"""Hot read-only queries whose SQL the ORM builds once per process.

Building a queryset's SQL can cost more CPU than the database spends on it: the inbox's two queries
took about 2.8 ms to build and read through the ORM against 0.7 ms to send the same SQL and read the
rows. `FixedQuery` keeps the queryset, and with it the rules it is made of, where it is written. It
builds it once per database and shape with marker arguments, notes which SQL parameters the markers
became, and from then on sends that SQL with each call's arguments in their place, converting the
columns as the ORM does.

Only for querysets whose SQL keeps its shape whatever the arguments are (ids and times compared with
`=`, `<=`, …): an argument that changes the SQL itself (None, a list for `__in`, a slice) must be
part of the `shape` instead, which compiles once per distinct shape.

The writes on the same paths get the same treatment: `FixedUpdate` is a queryset's `update()` built
once, and `insert_row` is `save(force_insert=True)` with its INSERT built once per model.
"""

import contextlib
import datetime as dt
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import signals
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql import UpdateQuery
from psycopg.adapt import Loader
from psycopg.pq import Format

# Values no real argument takes, one per kind; a FixedQuery finds them among the compiled parameters.
MARKER_ID = -7_340_032_001
MARKER_TIME = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
MARKER_TEXT = "~fixed-query-marker~"
# More text arguments in one query each need a marker of their own.
MARKER_TEXT_2 = "~fixed-query-marker-2~"
MARKER_TEXT_3 = "~fixed-query-marker-3~"
MARKER_TEXT_4 = "~fixed-query-marker-4~"


class FixedQuery:
    """`build(*args, **shape)` returns a queryset; `markers` stand for its arguments.

    `FixedQuery(build, MARKER_ID, MARKER_TIME).dicts(customer_id, now, limit=50)` returns what
    `list(build(customer_id, now, limit=50))` would for a values() queryset; `.instances(...)` and
    `.first(...)` return model instances (with what select_related() and annotate() ask for) for a model
    queryset.
    """

    def __init__(self, build, *markers):
        if len(set(markers)) != len(markers):
            raise ValueError("each argument needs a marker of its own")
        self.build = build
        self.markers = markers
        self._compiled = {}

    def rows(self, *args, **shape):
        """The column names, and the rows as lists with their columns converted."""
        compiled, rows = self._run(args, shape)
        return compiled.names, rows

    def _run(self, args, shape):
        if len(args) != len(self.markers):
            raise TypeError(f"expected {len(self.markers)} arguments, got {len(args)}")
        key = tuple(sorted(shape.items()))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.build(*self.markers, **shape), self.markers)
        return compiled, compiled.run(args)

    def dicts(self, *args, **shape):
        names, rows = self.rows(*args, **shape)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def instances(self, *args, **shape):
        compiled, rows = self._run(args, shape)
        return compiled.instances(rows)

    def first(self, *args, **shape):
        """The first instance, or None; `build` should slice `[:1]` so the database stops there."""
        found = self.instances(*args, **shape)
        return found[0] if found else None

    def pairs(self, *args, **shape):
        """Two-column rows as a dict (first column → second)."""
        _names, rows = self.rows(*args, **shape)
        return {row[0]: row[1] for row in rows}


def _slots(connection, params, markers):
    """(position, argument index) of every SQL parameter that is one of the markers."""
    slots = []
    for position, value in enumerate(params):
        for index, marker in enumerate(markers):
            if value == marker or value == _as_sent(connection, marker):
                slots.append((position, index))
    missing = set(range(len(markers))) - {index for _position, index in slots}
    if missing:
        raise ValueError(f"markers {sorted(missing)} did not become SQL parameters: pass them as `shape`")
    return slots


def _with_arguments(connection, params, slots, args):
    params = list(params)
    for position, index in slots:
        params[position] = _as_sent(connection, args[index])
    return params


class _Compiled:
    def __init__(self, queryset, markers):
        alias = router.db_for_read(queryset.model)
        query = queryset.query
        compiler = query.get_compiler(alias)  # bound to this thread's connection: only its SQL is kept
        self.sql, params = compiler.as_sql()
        connection = connections[alias]
        self.params = list(params)
        self.slots = _slots(connection, self.params, markers)
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.names = list(query.selected) if query.selected else [*query.values_select, *query.annotation_select]
        self.alias = alias
        self.model = None
        if queryset._iterable_class is ModelIterable:  # what ModelIterable works out per query, worked out once
            if queryset._known_related_objects:
                raise ValueError("only plain model querysets (select_related and annotate allowed) can be fixed")
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.model_columns = slice(fields[0], fields[-1] + 1)
            self.init_list = [column[0].target.attname for column in select[self.model_columns]]
            self.populators = get_related_populators(klass_info, select, alias)
            self.annotations = list(compiler.annotation_col_map.items())

    def run(self, args):
        connection = connections[self.alias]
        params = _with_arguments(connection, self.params, self.slots, args)
        with bound_cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:  # as the ORM converts, with this thread's connection
            converters = list(self.converters.items())
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
        return rows

    def instances(self, rows):
        if self.model is None:
            raise TypeError("instances() needs a model queryset, not values()")
        found = []
        for row in rows:
            instance = self.model.from_db(self.alias, self.init_list, row[self.model_columns])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found


def bound_cursor(connection):
    """Where a statement whose text never changes runs (these fixed ones, the session's read): on PostgreSQL a
    cursor the server binds, so psycopg prepares the statement after a few runs (`lib.postgresql`'s
    `bound_cursor`); Django's own cursor elsewhere."""
    bound = getattr(connection, "bound_cursor", None)
    return bound() if bound else connection.cursor()


def _as_sent(connection, value):
    """A value as the ORM hands it to the database driver (SQLite takes times as text)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class FixedUpdate:
    """A queryset's `update(**values)`, its SQL built once per database: `.run(*args)` returns the row count.

    `FixedUpdate(lambda pk, now: Coupon.objects.filter(pk=pk, expires_at__gt=now), {"redeemed_at": MARKER_TIME},
    MARKER_ID, MARKER_TIME).run(coupon.pk, now)` counts the rows `build(pk, now).update(redeemed_at=now)`
    would. A marker may stand in the values too. The same limits as FixedQuery hold: arguments must not
    change the SQL's shape, and an update that writes to a parent model's table is refused.
    """

    def __init__(self, build, values, *markers):
        if len(set(markers)) != len(markers):
            raise ValueError("each argument needs a marker of its own")
        self.build = build
        self.values = values
        self.markers = markers
        self._model = None
        self._compiled = {}

    def run(self, *args):
        alias, sql, params = self.statement(args)
        with bound_cursor(connections[alias]) as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def statement(self, args):
        """(database alias, SQL, parameters) of the update with these arguments."""
        if len(args) != len(self.markers):
            raise TypeError(f"expected {len(self.markers)} arguments, got {len(args)}")
        if self._model is None:
            self._model = self.build(*self.markers).model
        alias = router.db_for_write(self._model)
        connection = connections[alias]
        compiled = self._compiled.get(alias)
        if compiled is None:
            query = self.build(*self.markers).query.chain(UpdateQuery)
            query.add_update_values(self.values)
            if query.related_updates:
                raise ValueError("an update of a parent model's table can't be fixed")
            query.annotations = {}
            sql, params = query.get_compiler(alias).as_sql()
            compiled = self._compiled[alias] = (sql, list(params), _slots(connection, params, self.markers))
        sql, params, slots = compiled
        return alias, sql, _with_arguments(connection, params, slots, args)


_INSERTS = {}


def insert_row(instance, using=None):
    """Insert a new `instance` as `instance.save(force_insert=True)` would, with its INSERT built once per model.

    Values are prepared as the ORM prepares them (`pre_save`, `get_db_prep_save`), and the columns the
    database fills (the id) are set on the instance. Model signals are not sent, so a model that has
    receivers for pre_save or post_save, or a value that is an expression, goes through save().
    Call it inside the transaction the write belongs to.
    """
    model = type(instance)
    alias = using or router.db_for_write(model, instance=instance)
    connection = connections[alias]
    plan = _insert_plan(model, connection)
    values = _prepared(plan, instance, connection) if _insertable(instance) else None
    if values is None:
        instance.save(force_insert=True, using=alias)
        return instance
    with bound_cursor(connection) as cursor:
        cursor.execute(plan.sql, values)
        row = cursor.fetchone() if plan.returned else None
    _inserted(plan, instance, row, alias)
    return instance


class Refused(Exception):
    """insert_row_after's `gate` took nothing: neither the update nor the insert happened."""


def insert_row_after(update, args, instance, *, gate=None):
    """`update.run(*args)`, then `insert_row(instance)` only if the update changed a row; both or neither.

    True when both happened, False when the update matched no row (nothing written). An insert that
    breaks a rule of its table (IntegrityError) undoes the update. On PostgreSQL this is one statement,
    `WITH changed AS (UPDATE … RETURNING 1) INSERT … SELECT … FROM changed`, with no transaction of its
    own outside one (a savepoint inside one); elsewhere the two statements run in a transaction.

    `gate`, (SQL, parameters) of a write that returns a row when it lets the rest go (an allowance
    taken), comes first and in the same statement: when it returns none, nothing is written and
    `Refused` is raised. It stays written when the update then matches no row (False), and is undone
    with the rest when the insert breaks a rule.
    """
    alias, update_sql, update_params = update.statement(args)
    connection = connections[alias]
    plan = _insert_plan(type(instance), connection)
    values = _prepared(plan, instance, connection) if _insertable(instance) else None
    if connection.vendor != "postgresql" or values is None:
        with transaction.atomic(using=alias):
            with bound_cursor(connection) as cursor:
                if gate is not None:
                    cursor.execute(*gate)
                    if cursor.fetchone() is None:
                        raise Refused
                cursor.execute(update_sql, update_params)
                if cursor.rowcount == 0:
                    return False
            insert_row(instance, using=alias)
            return True
    # The parameters are bound by the client (Django's default for psycopg), so each one takes its column's type.
    insert = f"{plan.into} SELECT {plan.placeholders} FROM changed"  # noqa: S608 - our own columns
    if gate is None:
        # Without a column to return (no auto id), a row still says whether the insert happened.
        sql = f"WITH changed AS ({update_sql} RETURNING 1) {insert} {plan.returning or 'RETURNING 1'}"
        params = [*update_params, *values]
    else:
        # The update's WHERE (it has one: a fixed update names its rows) also waits for the gate's row; one
        # row answers whether the gate let it through and what the insert returned.
        if " WHERE " not in update_sql:
            raise ValueError("a gated update must name its rows")
        quote = connection.ops.quote_name
        returned = [f"(SELECT {quote(field.column)} FROM inserted)" for field in plan.returned]  # noqa: S608
        sql = (
            f"WITH gate AS ({gate[0]}), changed AS ({update_sql} AND EXISTS (SELECT 1 FROM gate) RETURNING 1),"  # noqa: S608
            f" inserted AS ({insert} {plan.returning or 'RETURNING 1'})"
            f" SELECT EXISTS (SELECT 1 FROM gate), EXISTS (SELECT 1 FROM inserted), {', '.join(returned) or 'NULL'}"
        )
        params = [*gate[1], *update_params, *values]
    savepoint = transaction.atomic(using=alias) if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if gate is not None:
        passed, done, *row = row
        if not passed:
            raise Refused
        if not done:
            return False
    if row is None:
        return False
    _inserted(plan, instance, row, alias)
    return True


def _insertable(instance):
    """Whether insert_row writes `instance` itself (not through save())."""
    model = type(instance)
    meta = model._meta
    return not (
        meta.parents
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or (meta.auto_field is not None and getattr(instance, meta.auto_field.attname) is not None)
    )


class _InsertPlan(NamedTuple):
    into: str  # INSERT INTO table (columns)
    placeholders: str
    returning: str  # the RETURNING clause, or ""
    fields: list
    returned: list  # the fields the database fills in
    sql: str  # the whole INSERT, as insert_row sends it


def _insert_plan(model, connection):
    key = (model, connection.alias)
    plan = _INSERTS.get(key)
    if plan is not None:
        return plan
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field and not field.generated]
    if any(field.has_db_default() for field in fields):
        raise ValueError(f"{model.__name__}: fields with a database default can't be inserted by insert_row")
    quote = connection.ops.quote_name
    returned = list(meta.db_returning_fields) if connection.features.can_return_columns_from_insert else []
    if not returned and meta.auto_field is not None:
        raise ValueError(f"{model.__name__}: this database can't return the new id")
    into = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
    placeholders = ", ".join(["%s"] * len(fields))
    returning = connection.ops.return_insert_columns(returned)[0] if returned else ""
    plan = _INSERTS[key] = _InsertPlan(
        into=into,
        placeholders=placeholders,
        returning=returning,
        fields=fields,
        returned=returned,
        sql=f"{into} VALUES ({placeholders}) {returning}".rstrip(),
    )
    return plan


def _prepared(plan, instance, connection):
    """The instance's values as the ORM sends them, or None when one is an expression (left to save())."""
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in plan.fields]
    return None if any(hasattr(value, "resolve_expression") for value in values) else values


def _inserted(plan, instance, row, alias):
    for field, value in zip(plan.returned, row or (), strict=False):
        setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = alias


# Reading times -----------------------------------------------------------------------------------


def read_times_in_c(sender, connection, **kwargs):
    """On a new PostgreSQL connection whose session is in UTC, read timestamptz with psycopg's own loader.

    Django registers a Python subclass of psycopg's loader that replaces each value's tzinfo with the
    connection's; on a UTC session psycopg's C loader already returns the same value, UTC-aware, at a ninth
    of the CPU (86,401 values: 0.39 s against 0.04 s). The inbox reads 50 times per answer. Connected to
    `connection_created` by lib's AppConfig; a session in another time zone keeps Django's loader.
    """
    if connection.vendor != "postgresql" or not settings.USE_TZ or connection.timezone != dt.UTC:
        return
    native = connection.connection
    if native.info.parameter_status("TimeZone") != "UTC":
        return
    native.adapters.register_loader("timestamptz", _UtcTimestampLoader)


# psycopg's own timestamptz loader: its C one with psycopg[binary] (or [c]).
_PSYCOPG_TIMESTAMP = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)


class _UtcTimestampLoader(Loader):
    # What Django's create_cursor compares with the connection's time zone: equal, it adds no loader per cursor.
    timezone = dt.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.load = _PSYCOPG_TIMESTAMP(oid, context).load  # the C method itself: no Python call per value

    def load(self, data):  # psycopg asks for the method; each instance replaces it with the C loader's
        raise NotImplementedError
