"""Hold a bulk load's secondary indexes and foreign keys, and put them back after it (PostgreSQL).

A table loaded with its indexes in place updates every index for every row, and every foreign key
fires a trigger per row that looks the parent up. Building each index once, after the rows are in,
sorts the column once; adding each foreign key back checks the whole table in one join. At 40,000
people this took the database's CPU for the load from 53 s to 13 s (docs/performance.md, "Load
speed"; docs/adr/0014-national-load-holds-indexes.md).

What is held:
- indexes that are neither the primary key, nor unique, nor behind a constraint: a unique index
  keeps refusing a duplicate during the load, and a constraint's index goes with its constraint;
- every foreign key from a loaded table.
Check constraints, NOT NULL, primary keys and unique rules stay: they cost little and refuse a bad
row at once.

Each definition is saved in `demo.HeldDefinition` in the same transaction that drops it, so a load
that stops leaves them there, and `restore` (which the next run, `--resume`, calls at its end) puts
them back, deleting each row as its index or key is made again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import DatabaseError, connection, models, transaction

from liaison.demo.models import HeldDefinition

_INDEXES = """
    SELECT i.relname, t.relname, pg_get_indexdef(i.oid)
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE x.indrelid = ANY(%s::regclass[])
      AND NOT x.indisprimary AND NOT x.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    ORDER BY t.relname, i.relname
"""
_FOREIGN_KEYS = """
    SELECT c.conname, t.relname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
    ORDER BY t.relname, c.conname
"""


def held() -> int:
    """How many definitions a stopped load holds (SQLite never holds any)."""
    return HeldDefinition.objects.count()


def hold(tables: Sequence[type[models.Model]]) -> int:
    """Drop the tables' secondary indexes and foreign keys, keeping their definitions. Returns how many
    were dropped. Definitions already held (a stopped load) stay held. SQLite: nothing is dropped."""
    if connection.vendor != "postgresql":
        return 0
    names = [m._meta.db_table for m in tables]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside a caller's transaction (a test) earlier rows may have checks still waiting for the
        # commit, and PostgreSQL alters no table with such checks pending: run them now.
        connection.check_constraints()
        found: list[HeldDefinition] = []
        for kind, query in (
            (HeldDefinition.Kind.INDEX, _INDEXES),
            (HeldDefinition.Kind.FOREIGN_KEY, _FOREIGN_KEYS),
        ):
            cursor.execute(query, [names])
            found += [
                HeldDefinition(name=n, table=t, kind=kind, definition=d) for n, t, d in cursor.fetchall()
            ]
        for h in found:
            if h.kind == HeldDefinition.Kind.INDEX:
                cursor.execute(f"DROP INDEX {quote(h.name)}")
            else:
                cursor.execute(f"ALTER TABLE {quote(h.table)} DROP CONSTRAINT {quote(h.name)}")
        HeldDefinition.objects.bulk_create(found)
    return len(found)


class NotRestored(RuntimeError):
    """Some held definitions could not be made again; they stay held (the rest were made)."""


# What a held definition may be: what the catalog gave, never anything else run from the table.
_SHAPES = {HeldDefinition.Kind.INDEX: "CREATE INDEX ", HeldDefinition.Kind.FOREIGN_KEY: "FOREIGN KEY ("}


def restore(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Make every held index, then every held foreign key (which checks each row has its parent),
    one at a time, each in its own transaction with its held row's deletion. Returns how many.

    One that fails (a row whose parent is missing, say) stays held and the rest are still made;
    NotRestored then names each with PostgreSQL's reason."""
    if connection.vendor != "postgresql":
        return 0
    quote = connection.ops.quote_name
    # Indexes first ("index" sorts after "foreign key"): a foreign key's check reads only the parent's
    # primary key, so the order is for the reader of the progress line, who sees the long part first.
    todo = list(HeldDefinition.objects.order_by("-kind", "pk"))
    failed: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")  # sorts in memory: an index at a time
        try:
            for done, h in enumerate(todo, start=1):
                if not h.definition.startswith(_SHAPES[HeldDefinition.Kind(h.kind)]):
                    failed.append(f"{h}: not a definition the load held ({h.definition[:60]!r})")
                    continue
                try:
                    with transaction.atomic():
                        if h.kind == HeldDefinition.Kind.INDEX:
                            cursor.execute(h.definition)
                        else:
                            cursor.execute(
                                f"ALTER TABLE {quote(h.table)} ADD CONSTRAINT {quote(h.name)} {h.definition}"
                            )
                        h.delete()
                except DatabaseError as exc:
                    reason = " ".join(line.strip() for line in str(exc).strip().splitlines())
                    failed.append(f"{h}: {reason}")
                if progress:
                    progress("making the indexes and foreign keys again", done, len(todo))
        finally:
            cursor.execute("RESET maintenance_work_mem")
    if failed:
        raise NotRestored(
            f"Every row is loaded, but {len(failed)} of {len(todo)} indexes and foreign keys could not be "
            "made again and are still held:\n  " + "\n  ".join(failed) + "\nMend the rows named, then run "
            "the same liaison seed --scale national command with --resume to make them."
        )
    return len(todo)
