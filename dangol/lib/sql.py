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
"""

import datetime as dt

from django.db import connections, router
from django.db.models.query import ModelIterable, get_related_populators

# Values no real argument takes, one per kind; a FixedQuery finds them among the compiled parameters.
MARKER_ID = -7_340_032_001
MARKER_TIME = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
MARKER_TEXT = "~fixed-query-marker~"


class FixedQuery:
    """`build(*args, **shape)` returns a queryset; `markers` stand for its arguments.

    `FixedQuery(build, MARKER_ID, MARKER_TIME).dicts(customer_id, now, limit=50)` returns what
    `list(build(customer_id, now, limit=50))` would for a values() queryset; `.instances(...)` and
    `.first(...)` return model instances (with what select_related() asks for) for a model queryset.
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


class _Compiled:
    def __init__(self, queryset, markers):
        alias = router.db_for_read(queryset.model)
        query = queryset.query
        compiler = query.get_compiler(alias)  # bound to this thread's connection: only its SQL is kept
        self.sql, params = compiler.as_sql()
        connection = connections[alias]
        self.params = list(params)
        self.slots = []
        for position, value in enumerate(self.params):
            for index, marker in enumerate(markers):
                if value == marker or value == _as_sent(connection, marker):
                    self.slots.append((position, index))
        missing = set(range(len(markers))) - {index for _position, index in self.slots}
        if missing:
            raise ValueError(f"markers {sorted(missing)} did not become SQL parameters: pass them as `shape`")
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.names = list(query.selected) if query.selected else [*query.values_select, *query.annotation_select]
        self.alias = alias
        self.model = None
        if queryset._iterable_class is ModelIterable:  # what ModelIterable works out per query, worked out once
            if queryset._known_related_objects or compiler.annotation_col_map:
                raise ValueError("only plain model querysets (select_related allowed) can be fixed")
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.model_columns = slice(fields[0], fields[-1] + 1)
            self.init_list = [column[0].target.attname for column in select[self.model_columns]]
            self.populators = get_related_populators(klass_info, select, alias)

    def run(self, args):
        params = list(self.params)
        connection = connections[self.alias]
        for position, index in self.slots:
            params[position] = _as_sent(connection, args[index])
        with connection.cursor() as cursor:
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
            found.append(instance)
        return found


def _as_sent(connection, value):
    """A value as the ORM hands it to the database driver (SQLite takes times as text)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
