"""An index that ends in the primary key, stored without it on SQLite."""

from django.db import models

ROWID_KEYS = ("AutoField", "BigAutoField", "SmallAutoField")


class ListIndex(models.Index):
    """An index for a filtered list read in (…, date, id) order: the last
    field is the model's primary key, so a page is a range scan of the
    index with no sort.

    SQLite ends every index entry with the rowid, and an integer primary key
    is the rowid: naming it again stores it twice, makes every entry bigger
    and every rebuild after a big import slower, and the planner reads the
    order off the index just the same without it (EXPLAIN QUERY PLAN shows
    no temporary B-tree). There the key is left out of the SQL; PostgreSQL
    gets the index as declared.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if self._rowid_tail(model, schema_editor.connection):
            trimmed = models.Index(fields=self.fields[:-1], name=self.name, db_tablespace=self.db_tablespace)
            return trimmed.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def _rowid_tail(self, model, connection):
        pk = model._meta.pk
        return (connection.vendor == "sqlite" and len(self.fields) > 1 and self.fields[-1] in ("pk", pk.name)
                and pk.get_internal_type() in ROWID_KEYS and not (self.condition or self.include or self.opclasses))
