"""Lookups of the consumption ledgers: reference data usable by the pairing
(registered on it or on an ancestor pairing)."""

import re

from xiezuo.consumption.models import Buyer, Channel, Product, Supplier
from xiezuo.pairings.models import Region

from ..columns import Bool, Choice, Lookup, Text, clean_text


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


class SupplierCounty(Text):
    """所属县: the western county a sale's product comes from, as offices'
    sales ledgers (消费帮扶台账) give it.

    Not stored: a sale's county is its supplier's, which the supplier's
    registered region already says. Our judgement (no official rule decides
    it): the column is checked against the county of the supplier (the
    product's when 供应商 is blank) and a differing one is refused with a
    message, because one of the two is then wrong and counting the sale for
    the wrong county is the error the column is there to catch. A county is
    accepted as written in the region register: its name (湟源县) or its
    full name (西宁市湟源县). Exported from the supplier.
    """

    def __init__(self, field="supplier_county", header="所属县", **kwargs):
        kwargs.setdefault("synonyms", ["所在县", "所属县区", "所属县（区）", "县区", "县（区）"])
        super().__init__(field, header, source="supplier_id", max_length=50,
                         help="选填；须与供应商（或产品的供应商）注册地所在县一致", **kwargs)
        self.names_of, self.county_of, self.supplier_names = {}, {}, {}

    def prepare(self, ctx):
        rows = list(suppliers(ctx).values_list("pk", "organisation__name", "organisation__region__path"))
        ids = {int(x) for *_, path in rows for x in path.strip("/").split("/") if x}
        counties = {r.pk: r for r in Region.objects.filter(pk__in=ids, level="county")}
        self.county_of, self.names_of, self.supplier_names = {}, {}, {}
        for pk, name, path in rows:
            self.supplier_names[pk] = name
            county = next((counties[int(x)] for x in path.strip("/").split("/") if x and int(x) in counties), None)
            if county is not None:
                self.county_of[pk] = county
                self.names_of[pk] = frozenset({county.name, county.full_name or county.name})

    def export(self, value):
        if isinstance(value, str):
            return value  # a county as written (an error message shows it)
        county = self.county_of.get(value)
        return county.name if county is not None else ""

    def mismatch(self, written, supplier_id):
        """Return the message refusing `written` for the supplier, or None."""
        if re.sub(r"\s+", "", written) in self.names_of.get(supplier_id, ()):
            return None
        county, supplier_name = self.county_of.get(supplier_id), self.supplier_names.get(supplier_id, "")
        if county is None:
            return f"供应商“{supplier_name}”的注册地不在某个县之内，无法核对所属县“{written}”"
        return f"所属县“{written}”与供应商“{supplier_name}”的注册地所在县“{county.name}”不一致"


class Via832(Bool):
    """是否832平台: whether the sale went through the 832 platform.

    Not stored: the channel says it (a channel of kind 832平台). Our
    judgement: when 销售渠道 is blank or absent, 是 stands for the shared
    832平台 channel; when both are given they must agree. A blank cell says
    nothing (not 否)."""

    def __init__(self, field="via_832", header="是否832平台", **kwargs):
        kwargs.setdefault("synonyms", ["是否通过832平台", "是否832平台采购", "是否通过832平台采购"])
        super().__init__(field, header, source="channel_id",
                         help="选填；未填销售渠道时，“是”记为832平台渠道，“否”记为“其他”渠道", **kwargs)
        self.is_832 = {}

    def empty(self):
        return None

    def prepare(self, ctx):
        # Every channel a stored sale may name (an export), not only the active ones.
        self.is_832 = {pk: kind == Channel.P832 for pk, kind in Channel.usable_by(ctx.pairing).values_list("pk", "kind")}

    def export(self, value):
        if value is None:
            return ""
        if value.__class__ is bool:
            return "是" if value else "否"  # as written (an error message shows it)
        return "是" if self.is_832.get(value) else "否"  # a stored sale's channel
