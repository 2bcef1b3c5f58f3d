"""Migration steps for unique natural keys: refusing duplicates, numbering repeats.

Adding a unique constraint to a table that already holds two rows with the
same key fails with the database's own error, naming neither the rows nor
what to do. Deleting one of them silently would lose a record somebody
typed. So the step before the constraint counts the duplicates and stops the
migration with a message listing a few of them; an administrator merges or
corrects them and runs the migration again.
"""

from django.db.models import Count


def refuse_duplicates(app_label, model_name, fields, exclude=None, what=""):
    """Return a RunPython function failing when rows share `fields`.

    `exclude` (a dict of lookups) leaves out rows the constraint does not
    cover, such as those with an empty optional column."""

    def check(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        rows = model.objects.using(schema_editor.connection.alias)
        if exclude:
            rows = rows.exclude(**exclude)
        groups = list(rows.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).order_by(*fields)[:20])
        if not groups:
            return
        shown = "\n".join("  " + ", ".join(f"{f}={g[f]!r}" for f in fields) + f"  ({g['n']} rows)" for g in groups)
        raise RuntimeError(
            f"Cannot add the unique natural key of {what or model_name}: these keys are stored more than once "
            f"(up to 20 shown):\n{shown}\nMerge or correct the duplicates, then run the migration again. "
            f"Nothing was changed.")

    return check


def number_repeats(app_label, model_name, fields, blank, column="repeat_no"):
    """Return a RunPython function giving the rows whose `blank` field is
    empty their place among rows equal in `fields` (1, 2, … in id order).

    The step before a unique constraint over `fields` + the place, limited
    to rows without the optional number (see pairings.owned.RepeatNumbered):
    stored rows that are identical become the 1st, 2nd, … of their group,
    exactly as a ledger import numbers the identical rows of a file. One
    UPDATE with a window function (SQLite ≥ 3.33 and PostgreSQL)."""

    def number(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        q = schema_editor.connection.ops.quote_name
        table, pk = q(model._meta.db_table), q(model._meta.pk.column)
        groups = ", ".join(q(model._meta.get_field(f).column) for f in fields)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {q(column)} = ranked.n FROM ("
                f"SELECT {pk} AS row_id, ROW_NUMBER() OVER (PARTITION BY {groups} ORDER BY {pk}) AS n "
                f"FROM {table} WHERE {q(model._meta.get_field(blank).column)} = '') AS ranked "
                f"WHERE {table}.{pk} = ranked.row_id")

    return number
