"""How the demo data set's rows go in: model instances with bulk_create (when their ids are read back)
or plain rows (attname -> value) with executemany, faster, for rows nothing reads back by id; and the
base of the makers that insert records around the episodes (liaison.demo.staying, .partnership)."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models, router
from django.db.models.base import ModelState

from liaison.core.models import Role, User
from liaison.demo.staff import Roster
from liaison.episodes.models import Episode

Row = dict[str, Any]  # column attname -> value, for `insert_rows`
# (what is being done, rows done, rows in all) -> None
Progress = Callable[[str, int, int], None]
BATCH = 1000

# Field types whose Python values the database adapter needs converted (times and JSON); the rest
# (text, numbers, booleans, foreign key ids) go as they are.
_PREPARED = (models.DateTimeField, models.DateField, models.TimeField, models.JSONField, models.DecimalField)


def insert_objects(
    label: str,
    model: type[models.Model],
    objs: Sequence[Any],
    progress: Progress | None,
    *,
    plain: bool = False,
) -> None:
    """bulk_create (which sets the ids); or, for rows nothing reads back by id, `plain`: insert_rows."""
    if plain:
        insert_rows(model, [plain_row(o) for o in objs], label=label, progress=progress)
        return
    for i in range(0, len(objs), BATCH):
        model._default_manager.bulk_create(objs[i : i + BATCH])
        if progress:
            progress(f"inserting {label}", min(i + BATCH, len(objs)), len(objs))


def insert_rows(
    model: type[models.Model], rows: Sequence[Row], *, label: str = "", progress: Progress | None = None
) -> None:
    """INSERT plain rows (attname -> value) with executemany: several times faster than bulk_create,
    which builds and inspects a model instance per row. Missing columns get the field's default; an
    auto-increment id is left to the database. For rows nothing reads back by id."""
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    defaults = {f.attname: f.get_default() for f in fields}
    prepared = [isinstance(f, _PREPARED) for f in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model's metadata, quoted; values are parameters.
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = []
            for row in rows[start : start + BATCH]:
                values = []
                for f, prep in zip(fields, prepared, strict=True):
                    value = row[f.attname] if f.attname in row else defaults[f.attname]
                    values.append(f.get_db_prep_save(value, connection) if prep else value)
                params.append(values)
            cursor.executemany(sql, params)
            if progress:
                progress(f"inserting {label}", min(start + BATCH, len(rows)), len(rows))


M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Column:
    name: str
    attname: str
    target: str | None  # a foreign key: the attribute its related object keeps the key in
    one_to_one: models.OneToOneField[Any, Any] | None
    default: Callable[[], Any]  # what Field.get_default calls


@functools.cache
def _shape(model: type[models.Model]) -> tuple[_Column, ...]:
    """The model's columns, worked out once: names, foreign keys' targets and default makers."""
    columns = []
    for f in model._meta.concrete_fields:
        relation = isinstance(f, models.ForeignKey)
        columns.append(
            _Column(
                name=f.name,
                attname=f.attname,
                target=f.target_field.attname if isinstance(f, models.ForeignKey) else None,
                one_to_one=f if isinstance(f, models.OneToOneField) else None,
                default=f.get_default if relation else f._get_default,  # type: ignore[attr-defined]
            )
        )
    return tuple(columns)


def instance(model: type[M], **values: Any) -> M:
    """`model(**values)` for the generators' millions of rows, several times faster: the same field
    values, defaults and cached related objects as Model.__init__ gives (tests/demo/test_rows.py
    compares them), without its per-field descriptor calls. Takes field names (a related object, as
    for a foreign key) or attnames (`person_id`); nothing else."""
    obj = model.__new__(model)
    state = ModelState()
    obj._state = state
    data = obj.__dict__
    used = 0
    for c in _shape(model):
        name = c.name
        if name in values:
            used += 1
            value = values[name]
            if c.target is not None:
                data[c.attname] = None if value is None else getattr(value, c.target)
                state.fields_cache[name] = value
                if value is not None:
                    if c.one_to_one is not None:  # the way back too
                        back: Any = c.one_to_one.remote_field
                        back.set_cached_value(value, obj)
                    # As the related descriptor does: both on the one database.
                    if state.db is None:
                        state.db = router.db_for_write(model, instance=value)
                    if value._state.db is None:
                        value._state.db = router.db_for_write(type(value), instance=obj)
            else:
                data[name] = value
        elif c.attname in values:
            used += 1
            data[c.attname] = values[c.attname]
        else:
            data[c.attname] = c.default()
    if used != len(values):
        unknown = set(values) - {n for c in _shape(model) for n in (c.name, c.attname)}
        if unknown:
            raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        twice = [f"{c.name} and {c.attname}" for c in _shape(model) if {c.name, c.attname} <= values.keys()]
        raise TypeError(f"{model.__name__}: one field given twice, as {', '.join(twice)}")
    return obj


def sync_keys(objs: Sequence[models.Model]) -> None:
    """Copy each cached related object's id, set after the row was built (the loaders number rows
    themselves), into its empty foreign key column, as bulk_create does before it inserts."""
    if not objs:
        return
    keys = [c for c in _shape(type(objs[0])) if c.target is not None]
    for obj in objs:
        data = obj.__dict__
        cache = obj._state.fields_cache
        for c in keys:
            if data[c.attname] is None:
                related = cache.get(c.name)
                if related is not None:
                    data[c.attname] = getattr(related, c.target)  # type: ignore[arg-type]


def plain_row(obj: models.Model) -> Row:
    """Every concrete column but an auto-increment id. A foreign key set to an instance that was saved
    after it was assigned (bulk_create gives ids later) takes that instance's id, as save() would."""
    row: Row = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField):
            continue
        value = getattr(obj, f.attname)
        if value is None and f.is_relation:
            related = f.get_cached_value(obj, None)  # type: ignore[attr-defined]
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{obj._meta.label}.{f.name} points at an unsaved row")
                value = related.pk
        row[f.attname] = value
    return row


class RecordMaker:
    """What the makers of records around the inserted episodes share: a seeded random stream per part
    (``{stream}:{part}:{seed}``), the teams' staff, and inserts counted by label in `rows`."""

    stream = ""

    def __init__(self, *, seed: int, now: dt.datetime, roster: Roster) -> None:
        self.seed = seed
        self.now = now
        self.roster = roster
        self.teams = {rt.team.pk: rt for rt in roster.teams}
        self.rows: dict[str, int] = {}

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.stream}:{part}:{self.seed}")

    def _staff(self, team_id: int, *roles: str) -> list[User]:
        rt = self.teams[team_id]
        return [u for role in roles for u in rt.staff.get(role, [])]

    def _clinician(self, rng: random.Random, episode: Episode) -> User:
        if episode.allocated_worker is not None:
            return episode.allocated_worker
        return rng.choice(self._staff(episode.team_id, Role.PRACTITIONER, Role.TEAM_LEAD))

    def _insert(
        self,
        label: str,
        model: type[models.Model],
        objs: Sequence[Any],
        progress: Progress | None,
        *,
        plain: bool = False,
    ) -> None:
        self.rows[label] = len(objs)
        insert_objects(label, model, objs, progress, plain=plain)
