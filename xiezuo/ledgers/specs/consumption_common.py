"""Lookups of the consumption ledgers: reference data usable by the pairing
(registered on it or on an ancestor pairing)."""

from xiezuo.consumption.models import Buyer, Channel, Product, Supplier

from ..columns import Choice, Lookup, clean_text


def buyers(ctx):
    return ctx.scope.usable(Buyer.objects.all(), ctx.pairing)


def suppliers(ctx):
    return ctx.scope.usable(Supplier.objects.all(), ctx.pairing)


def channels(ctx):
    return Channel.usable_by(ctx.pairing).filter(active=True)


class ProductLookup(Lookup):
    """A product by name, or "供应商/产品" when two suppliers sell one name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=lambda ctx: ctx.scope.usable(Product.objects.all(), ctx.pairing), what="产品",
                         **kwargs)

    def prepare(self, ctx):
        rows = list(self.queryset(ctx).values("pk", "name", "supplier_id", "supplier__organisation__name"))
        names = {}
        for row in rows:
            names.setdefault(row["name"], set()).add(row["pk"])
        self.ambiguous = {name for name, pks in names.items() if len(pks) > 1}
        self._map, self._labels, self._exact, self.supplier_of = {}, {}, {}, {}
        for row in rows:
            full = f"{row['supplier__organisation__name']}/{row['name']}"
            keys = [full] if row["name"] in self.ambiguous else [full, row["name"]]
            for key in keys:
                self._exact[key] = row["pk"]
                self._map[Choice._key(key)] = row["pk"]
            self._labels[row["pk"]] = full if row["name"] in self.ambiguous else row["name"]
            self.supplier_of[row["pk"]] = row["supplier_id"]

    def parse(self, value, unit=None):
        name = clean_text(value)
        if name in self.ambiguous:
            raise ValueError(f"有多个供应商的产品名为“{name}”，请写成“供应商名称/{name}”")
        return super().parse(value, unit)
