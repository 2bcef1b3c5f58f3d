"""A migration step that refuses to add a unique constraint over duplicates.

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
