"""产品台账: products of the pairing's suppliers.

Natural key: 供应商 + 产品名称.

产地（县） is optional: the county the product comes from, by name, full
name (西宁市湟源县) or code; a blank cell, or a sheet without the column,
gives a new product the county its supplier is registered in, as the form
does. The origin county decides the 832 reserved share (docs/modules/rules.md).
"""

from django.utils.translation import gettext_noop

from xiezuo.consumption.models import Product, Supplier
from xiezuo.pairings.models import Region

from ..columns import Choice, Date, Lookup, Text
from ..spec import LedgerSpec, register
from .consumption_common import suppliers


def counties(ctx):
    return Region.objects.filter(level="county")


@register
class ProductsSpec(LedgerSpec):
    name = "products"
    title = gettext_noop("产品台账")
    sheet = "产品"
    model = Product
    key = ("supplier_id", "name")
    key_note = "供应商 + 产品名称"
    columns = [
        Lookup("supplier", "供应商", queryset=suppliers, keys=("organisation__name", "organisation__uscc"),
               label="organisation__name", what="供应商", synonyms=["生产企业", "供货单位"], required=True,
               example="湟源县示例合作社（示例）"),
        Text("name", "产品名称", synonyms=["产品", "商品名称", "品名"], required=True, max_length=100,
             example="湟源陈醋（示例）"),
        Choice("category", "产品类别", Product.CATEGORIES, synonyms=["类别", "品类"], required=True,
               example="调味品"),
        Text("unit", "计量单位", synonyms=["单位"], required=True, max_length=10, example="瓶"),
        Lookup("origin_region", "产地（县）", queryset=counties, keys=("name", "full_name", "code"), label="full_name",
               what="县级区划", synonyms=["产地", "原产地", "产地县", "产地县（区）"], example="西宁市湟源县"),
        Text("certificate_no", "消费帮扶产品认定编号", synonyms=["认定编号", "认定号"], max_length=60),
        Date("certified_until", "认定有效期至", synonyms=["有效期至", "认定有效期"]),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        # A product name is unique per supplier across pairings, and a
        # supplier may be registered on an ancestor for every sub-pairing:
        # names already taken by a product this import cannot update are
        # refused in words (never naming who registered it) instead of
        # failing on the database's constraint.
        usable = ctx.scope.usable(Product.objects.all(), ctx.pairing).values("pk")
        suppliers = self.column("supplier").queryset(ctx).values("pk")
        self._taken = set(Product.objects.filter(supplier__in=suppliers).exclude(pk__in=self.queryset(ctx).values("pk"))
                          .values_list("supplier_id", "name"))
        self._usable = set(Product.objects.filter(pk__in=usable).values_list("supplier_id", "name"))
        # Each supplier's county, the origin of a product given none.
        self._county = {}
        for supplier in Supplier.objects.filter(pk__in=suppliers).select_related("organisation__region"):
            county = supplier.organisation.region.county()
            self._county[supplier.pk] = county.pk if county else None

    def insert(self, ctx, inserter, rows):
        for row in rows:
            if not row.get("origin_region_id"):
                row["origin_region_id"] = self._county.get(row.get("supplier_id"))
        return super().insert(ctx, inserter, rows)

    def checker(self, ctx):
        check = super().checker(ctx)

        def taken(values, current=None):
            if current is None and (values.get("supplier_id"), values.get("name")) in self._taken:
                usable = (values.get("supplier_id"), values.get("name")) in self._usable
                return {"name": "上级结对已登记该供应商的同名产品，可直接使用，无需重复登记" if usable
                        else "该供应商的同名产品已由其他结对登记，请更换产品名称或联系县级协作办"}
            return check(values, current)

        return taken
