"""Consumption assistance (消费帮扶): suppliers, products, buyers, channels,
sales, and the totals maintained beside the sales.

A pairing may hold millions of sales. Figures and the first list page must not
scan them, so three small totals tables (`SaleTotal`, `BuyerTotal`,
`ProductTotal`) are kept up to date in the same transaction as every write of
a sale: `Sale.save`, `Sale.delete`, `SaleQuerySet.delete` and the bulk path
`services.bulk_create_sales` all go through `totals.Deltas`, which applies the
changes as atomic upserts (`amount_fen = amount_fen + delta`), so concurrent
writers cannot lose each other's updates. Totals are integer fen: exact on
both databases, where a SQLite DECIMAL column would sum in floating point.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy as _

from lib.indexes import ListIndex
from lib.money import CENT, money, yuan
from xiezuo.audit.tracking import tracked
from xiezuo.pairings.owned import PairingOwned, RepeatNumbered, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}

# Amount versus quantity × unit price, both rounded to the cent: one 分 of
# difference is that rounding, more is a typing error. (A percentage let a
# 0.5 % error through on every big row: 500 元 on a 100,000 元 purchase.)
AMOUNT_TOLERANCE_YUAN = CENT
QUANTITY_PLACES = Decimal("0.001")  # Sale.quantity's decimal places
# Beyond these a derived value would not fit its field (Sale.quantity
# max_digits 14, money 16, with their places): it is left empty instead.
QUANTITY_TOP, MONEY_TOP = Decimal("1e11"), Decimal("1e14")

SUPPLIER_KINDS = ("enterprise", "coop", "farm")


def lineage_ids(pairing):
    """Return the ids of the pairing and its ancestors (from the stored path).

    Reference data registered on a county pair (suppliers, buyers, products)
    is usable by its township and school pairs below it."""
    return [int(x) for x in pairing.path.strip("/").split("/") if x]


class ForPairingQuerySet(models.QuerySet):
    def available_to(self, pairing):
        """Rows registered on the pairing or on one of its ancestors."""
        return self.filter(pairing_id__in=lineage_ids(pairing))


class Channel(models.Model):
    """An editable code list of sales channels.

    Shared channels (no pairing) are seeded by a migration and edited only by
    administrators; a pairing adds its own named outlets such as
    六合湟源消费扶贫专馆 or 湟源臻品馆."""

    HALL, COUNTER, ZONE, P832, CANTEEN, UNION, FAIR, ECOMMERCE, OTHER = (
        "hall", "counter", "zone", "p832", "canteen", "union", "fair", "ecommerce", "other")
    KINDS = [
        (HALL, _("消费帮扶专馆")),
        (COUNTER, _("消费帮扶专柜")),
        (ZONE, _("消费帮扶专区")),
        (P832, _("832平台")),
        (CANTEEN, _("食堂采购")),
        (UNION, _("工会采购")),
        (FAIR, _("展销会")),
        (ECOMMERCE, _("电商平台")),
        (OTHER, _("其他")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("所属结对"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="consumption_channels",
                                help_text=_("留空为全国通用渠道"))
    code = models.CharField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("渠道类型"), max_length=12, choices=KINDS)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ForPairingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("销售渠道")
        verbose_name_plural = _("销售渠道")
        constraints = [
            models.UniqueConstraint(Coalesce("pairing", 0), "code", name="channel_unique_code",
                                    violation_error_message=_("已有相同代码的渠道")),
            models.UniqueConstraint(Coalesce("pairing", 0), "name", name="channel_unique_name",
                                    violation_error_message=_("已有同名渠道")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_832(self):
        return self.kind == self.P832

    def clean(self):
        if self.code and not self.code.replace("_", "").replace("-", "").isalnum():
            raise ValidationError({"code": _("代码只能包含字母、数字、下划线和连字符")})

    # The shared code list (also seeded by migration 0002, which keeps its own
    # frozen copy as migrations must).
    SHARED = [(HALL, "消费帮扶专馆", 10), (COUNTER, "消费帮扶专柜", 20), (ZONE, "消费帮扶专区", 30),
              (P832, "832平台", 40), (CANTEEN, "食堂采购", 50), (UNION, "工会采购", 60),
              (FAIR, "展销会", 70), (ECOMMERCE, "电商平台", 80), (OTHER, "其他", 90)]

    @classmethod
    def seed_shared(cls):
        """Create the shared channels that are missing (a flushed database has none)."""
        for code, name, order in cls.SHARED:
            cls.objects.get_or_create(pairing=None, code=code, defaults={"name": name, "kind": code, "order": order})

    @classmethod
    def usable_by(cls, pairing):
        return cls.objects.filter(Q(pairing__isnull=True) | Q(pairing_id__in=lineage_ids(pairing)))


class Supplier(PairingOwned):
    """A western producer (企业, 合作社, 家庭农场) registered for a pairing.

    The producer itself is an `Organisation` (name, kind, region, 统一社会信用代码);
    this profile says it takes part in this pairing's consumption assistance."""

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="consumption_suppliers")
    organisation = models.ForeignKey("pairings.Organisation", verbose_name=_("生产经营主体"),
                                     on_delete=models.PROTECT, related_name="consumption_suppliers")
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = ForPairingQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        constraints = [
            models.UniqueConstraint("pairing", "organisation", name="supplier_unique_org",
                                    violation_error_message=_("该单位已登记为本结对的供应商")),
        ]

    def __str__(self):
        return self.organisation.name

    def clean(self):
        if not (self.organisation_id and self.pairing_id):
            return
        org, west = self.organisation, self.pairing.west_region
        if org.kind not in SUPPLIER_KINDS:
            raise ValidationError({"organisation": _("供应商应为企业、合作社或家庭农场，“%(name)s”的单位类型为%(kind)s") % {"name": org.name, "kind": org.get_kind_display()}})
        # A product counts for the western county only when its producer is
        # registered there (DESIGN §6).
        if not org.region.is_within(west):
            raise ValidationError({"organisation": _("“%(name)s”的注册地%(region)s不在本结对西部地区%(west)s之内，不能登记为消费帮扶供应商") % {"name": org.name, "region": org.region, "west": west}})


class Product(PairingOwned):
    CATEGORIES = [
        ("grain", _("粮油")),
        ("meat", _("肉类")),
        ("condiment", _("调味品")),
        ("vegetable", _("蔬菜")),
        ("beans", _("豆类干货")),
        ("herb", _("中藏药材")),
        ("fruit", _("水果")),
        ("craft", _("手工艺品")),
        ("other", _("其他")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="consumption_products")
    supplier = models.ForeignKey(Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="products")
    # The county the product comes from decides whether it counts towards the
    # 832 reserved share (a product of any 832 脱贫县 does, docs/modules/rules.md).
    origin_region = models.ForeignKey("pairings.Region", verbose_name=_("产地（县）"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text=_("产品实际产自的县（区）；留空时取供应商注册地所在县"))
    name = models.CharField(_("产品名称"), max_length=100)
    category = models.CharField(_("产品类别"), max_length=12, choices=CATEGORIES)
    unit = models.CharField(_("计量单位"), max_length=10, help_text=_("如：斤、公斤、瓶、箱"))
    certificate_no = models.CharField(_("消费帮扶产品认定编号"), max_length=60, blank=True)
    certified_until = models.DateField(_("认定有效期至"), null=True, blank=True)

    objects = ForPairingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        constraints = [
            models.UniqueConstraint("supplier", "name", name="product_unique_name",
                                    violation_error_message=_("该供应商已有同名产品")),
        ]

    def __str__(self):
        return self.name

    def is_certified_on(self, day):
        return bool(self.certificate_no) and (self.certified_until is None or day <= self.certified_until)

    def fill_origin(self):
        """Take the county the supplier is registered in when no origin is given."""
        if self.origin_region_id is None and self.supplier_id:
            self.origin_region = self.supplier.organisation.region.county()

    def save(self, *args, **kwargs):
        self.fill_origin()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        self.fill_origin()
        if self.origin_region_id and self.origin_region.level != "county":
            errors["origin_region"] = _("产地应为县级区划，“%(origin_region)s”是%(level)s级") % {"origin_region": self.origin_region, "level": self.origin_region.get_level_display()}
        if self.certified_until and not self.certificate_no.strip():
            errors["certificate_no"] = _("填写了认定有效期，请同时填写消费帮扶产品认定编号")
        if self.supplier_id and self.pairing_id and self.supplier.pairing_id not in lineage_ids(self.pairing):
            errors["supplier"] = _("供应商不属于本结对")
        if self.pk and self.supplier_id and self.sales.exclude(supplier_id=self.supplier_id).exists():
            # Sales and the per-product totals name the supplier of the product.
            errors["supplier"] = _("该产品已有销售记录，不能更换供应商；请新建产品")
        if errors:
            raise ValidationError(errors)


class Buyer(PairingOwned):
    """An eastern buyer unit (or the summary of individual buyers)."""

    KINDS = [
        ("gov", _("机关")),
        ("public", _("事业单位")),
        ("soe", _("国有企业")),
        ("private", _("民营企业")),
        ("union", _("工会")),
        ("individuals", _("个人汇总")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="consumption_buyers")
    name = models.CharField(_("采购单位"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=12, choices=KINDS)
    organisation = models.ForeignKey("pairings.Organisation", verbose_name=_("对应单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    is_budget_unit = models.BooleanField(_("预算单位"), default=False,
                                         help_text=_("预算单位须预留不低于10%的食堂食材采购份额通过832平台采购"))

    objects = ForPairingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("采购单位")
        verbose_name_plural = _("采购单位")
        constraints = [
            models.UniqueConstraint("pairing", "name", name="buyer_unique_name",
                                    violation_error_message=_("本结对已有同名采购单位")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.is_budget_unit and self.kind in ("private", "individuals"):
            raise ValidationError({"is_budget_unit": _("%(kind)s不是预算单位") % {"kind": self.get_kind_display()}})


class CanteenBudget(ScopedModel):
    """A budget unit's canteen food (食堂食材) procurement budget for a year,
    with the reserved share (预留份额) it declared for 脱贫地区 products and
    the day it declared it (due by 20 February of the year)."""

    scope_path = "buyer__pairing"

    buyer = models.ForeignKey(Buyer, verbose_name=_("采购单位"), on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("食堂食材采购预算（元）"), **MONEY)
    reserved_amount = models.DecimalField(_("预留份额（元）"), null=True, blank=True,
                                          help_text=_("申报的脱贫地区农副产品预留采购额"), **MONEY)
    declared_on = models.DateField(_("预留份额申报日期"), null=True, blank=True,
                                   help_text=_("应于当年2月20日前申报"))

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint("buyer", "year", name="canteen_budget_unique_year",
                                    violation_error_message=_("该单位本年度已填报食堂食材预算")),
        ]

    def __str__(self):
        return f"{self.buyer} {self.year}"

    @staticmethod
    def deadline(year):
        """The last day to declare the year's reserved share (setting
        XIEZUO_SHARE832_DECLARE_BY, "MM-DD", 20 February by default)."""
        month, day = (int(x) for x in getattr(settings, "XIEZUO_SHARE832_DECLARE_BY", "02-20").split("-"))
        return datetime.date(year, month, day)

    @property
    def declared_late(self):
        return bool(self.declared_on and self.year and self.declared_on > self.deadline(self.year))

    @property
    def reserved_share(self):
        """The declared reserved share in percent of the canteen budget."""
        if self.reserved_amount is None or not self.amount:
            return None
        return (self.reserved_amount * 100 / self.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("食堂食材采购预算应大于0")
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = _("年度应在2000至2100之间")
        if self.reserved_amount is not None and self.reserved_amount < 0:
            errors["reserved_amount"] = _("预留份额不能为负数")
        elif self.reserved_amount is not None and self.amount is not None and self.reserved_amount > self.amount:
            errors["reserved_amount"] = _("预留份额不能超过食堂食材采购预算")
        if self.declared_on and self.year and self.declared_on.year not in (self.year - 1, self.year):
            errors["declared_on"] = _("预留份额申报日期应在%(value)s年或%(year)s年内") % {"value": self.year - 1, "year": self.year}
        if errors:
            raise ValidationError(errors)


class ShareSetting(ScopedModel):
    """The 832 reserved share line of a pairing (财库〔2021〕19号: 10%;
    15% encouraged from 2024). Editable because policy changes."""

    pairing = models.OneToOneField("pairings.Pairing", on_delete=models.CASCADE, related_name="share832_setting")
    line = models.DecimalField(_("预留比例底线（%）"), max_digits=5, decimal_places=2, default=Decimal("10.00"))
    encouraged = models.DecimalField(_("鼓励比例（%）"), max_digits=5, decimal_places=2, default=Decimal("15.00"))
    version = models.PositiveIntegerField(default=1, editable=False)

    def clean(self):
        errors = {}
        if self.line is not None and not (0 < self.line <= 100):
            errors["line"] = _("预留比例底线应在0至100之间")
        if self.line is not None and self.encouraged is not None and self.encouraged < self.line:
            errors["encouraged"] = _("鼓励比例不能低于预留比例底线")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_pairing(cls, pairing):
        return cls.objects.filter(pairing=pairing).first() or cls(pairing=pairing)


def expected_amount(quantity, unit_price):
    """Return quantity × unit price rounded to the cent."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def complete_amounts(quantity, unit_price, amount):
    """Return (quantity, unit_price, amount) with what the given two determine filled in.

    Ledgers as offices keep them often give the amount alone (消费帮扶台账:
    购买金额 without 数量 or 单价); quantity and unit price then stay empty.
    When two of the three are given:

    - quantity and price: the amount is quantity × price, to the cent;
    - amount and quantity: the price is amount / quantity to the cent, kept
      only when quantity × that price is then within one 分 of the amount
      (15 元 for 1,000 bottles would round to 0.02 元 a bottle = 20 元: the
      price is left empty rather than stored contradicting the amount);
    - amount and price: the quantity is amount / price only when that is
      exact to the field's three places (1250 ÷ 12.5 = 100); otherwise it is
      left empty, since a rounded quantity would state a weight nobody wrote.

    Values that are not positive (or a negative price) derive nothing: the
    rules (`Sale.row_errors`) refuse them in words.
    """
    if amount is None:
        if quantity is not None and unit_price is not None and quantity > 0 and unit_price >= 0:
            amount = expected_amount(quantity, unit_price)
        return quantity, unit_price, amount
    if amount <= 0 or (quantity is not None) == (unit_price is not None):
        return quantity, unit_price, amount
    if quantity is not None:
        if quantity > 0:
            price = (amount / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
            if price < MONEY_TOP and abs(expected_amount(quantity, price) - amount) <= AMOUNT_TOLERANCE_YUAN:
                unit_price = price
    elif unit_price > 0:
        exact = amount / unit_price
        if exact < QUANTITY_TOP and exact == exact.quantize(QUANTITY_PLACES):
            quantity = exact.quantize(QUANTITY_PLACES)
    return quantity, unit_price, amount


def check_amount(quantity, unit_price, amount):
    """Return a Chinese message when amount differs from quantity × price by
    more than one 分, else None (also when one of the three is missing)."""
    if quantity is None or unit_price is None or amount is None:
        return None
    expected = expected_amount(quantity, unit_price)
    if abs(amount - expected) > AMOUNT_TOLERANCE_YUAN:
        shown = format(quantity.normalize(), "f")
        # Exact to the cent (yuan, grouped): the check is about the last 分.
        return gettext("金额%(amount)s与数量%(quantity)s×单价%(price)s=%(expected)s不符（允许误差0.01元）") % {
            "amount": yuan(amount), "quantity": shown, "price": yuan(unit_price), "expected": yuan(expected)}
    return None


class SaleQuerySet(models.QuerySet):
    def for_years(self, years):
        return self.filter(year__in=years)

    def keyset(self, after=None, limit=50):
        """Return up to `limit` rows in the list order (date desc, id desc)
        after the cursor `(date, id)`: an index range scan, never OFFSET."""
        qs = self.order_by("-date", "-id")
        if after is not None:
            day, pk = after
            # date <= day bounds the index scan; the OR only filters its edge.
            qs = qs.filter(date__lte=day).filter(Q(date__lt=day) | Q(id__lt=pk))
        return qs[:limit]

    def keyset_back(self, before, limit=50):
        """Return up to `limit` rows just before the cursor `(date, id)` in
        list order, nearest first (date asc, id asc): the same index read
        backwards."""
        day, pk = before
        return self.order_by("date", "id").filter(date__gte=day).filter(Q(date__gt=day) | Q(id__gt=pk))[:limit]

    def delete(self):
        """Delete the rows and take them out of the totals in one transaction."""
        from .totals import Deltas

        with transaction.atomic():
            deltas = Deltas.from_queryset(self, sign=-1)
            result = super().delete()
            deltas.apply()
        return result

    # Like QuerySet.delete: not offered on the manager (no Sale.objects.delete()).
    delete.queryset_only = True

    def update(self, **kwargs):
        from .totals import KEY_FIELDS

        touched = set(kwargs) & (KEY_FIELDS | {"amount", "date"})
        if touched:
            raise TypeError(f"Sale.objects.update() cannot change {sorted(touched)}: save rows one by one "
                            "or delete and bulk_create_sales, so the totals follow")
        return super().update(**kwargs)


class Sale(RepeatNumbered, PairingOwned):
    PURCHASED, HELPED = "purchased", "helped"
    KINDS = [(PURCHASED, _("直接采购")), (HELPED, _("帮助销售"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="consumption_sales", db_index=False)
    date = models.DateField(_("日期"))
    # Derived from the date for the totals keys and the naive aggregate.
    year = models.PositiveSmallIntegerField(editable=False)
    month = models.PositiveSmallIntegerField(editable=False)
    buyer = models.ForeignKey(Buyer, verbose_name=_("采购单位"), on_delete=models.PROTECT, related_name="sales",
                              db_index=False)
    supplier = models.ForeignKey(Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="sales",
                                 db_index=False)
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="sales",
                                db_index=False)
    channel = models.ForeignKey(Channel, verbose_name=_("销售渠道"), on_delete=models.PROTECT, related_name="sales",
                                db_index=False)
    kind = models.CharField(_("类型"), max_length=10, choices=KINDS)
    # Optional: many ledgers give the amount alone (see complete_amounts).
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(_("单价（元）"), null=True, blank=True, **MONEY)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    voucher_no = models.CharField(_("凭证号"), max_length=60, blank=True)
    voucher = models.FileField(_("凭证附件"), upload_to="consumption-vouchers/%Y/", blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    # Without a 凭证号, sales of one product to one buyer on one day for one
    # amount are told apart by their place among those (RepeatNumbered).
    repeat_optional = "voucher_no"
    repeat_key = ("pairing_id", "date", "buyer_id", "product_id", "amount")

    objects = SaleQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("消费帮扶销售")
        verbose_name_plural = _("消费帮扶销售")
        # One index per list filter, each ending in (date, id) so a filtered
        # page is a range scan in list order (on SQLite without the id, which
        # every index entry ends in anyway: see ListIndex). They also serve
        # the PROTECT checks on the foreign keys (whose own single-column
        # indexes are off).
        indexes = [
            ListIndex(fields=["pairing", "date", "id"], name="sale_pairing_date"),
            ListIndex(fields=["buyer", "date", "id"], name="sale_buyer_date"),
            ListIndex(fields=["product", "date", "id"], name="sale_product_date"),
            ListIndex(fields=["supplier", "date", "id"], name="sale_supplier_date"),
            ListIndex(fields=["channel", "pairing", "date", "id"], name="sale_channel_date"),
        ]
        # The sales ledger's natural key, held by the database so that no
        # race (two imports of one file at once) can store a sale twice: with
        # a 凭证号, date + buyer + product + channel + 凭证号; without one
        # (two sales of one product to one buyer on one day are ordinary: a
        # shop's daily lines, an amount-only ledger), date + buyer + product +
        # amount + the sale's place among those identical ones (repeat_no).
        constraints = [
            models.UniqueConstraint(fields=["pairing", "date", "buyer", "product", "channel", "voucher_no"],
                                    condition=~Q(voucher_no=""), name="sale_unique_natural_key",
                                    violation_error_message=_("已有相同日期、采购单位、产品、销售渠道和凭证号的销售记录")),
            models.UniqueConstraint(fields=["pairing", "date", "buyer", "product", "amount", "repeat_no"],
                                    condition=Q(voucher_no=""), name="sale_unique_repeat",
                                    violation_error_message=_("已有相同日期、采购单位、产品、金额和序号的无凭证号销售记录")),
        ]

    def __str__(self):
        return f"{self.date} {self.product_id and self.product} {money(self.amount)}"

    def set_derived(self):
        if self.date:
            self.year, self.month = self.date.year, self.date.month
        self.quantity, self.unit_price, self.amount = complete_amounts(self.quantity, self.unit_price, self.amount)
        if self.product_id and not self.supplier_id:
            self.supplier_id = self.product.supplier_id

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        # Year, month, whichever of amount, quantity and price the other two
        # determine, and a blank supplier follow from the other fields; fill
        # them before the not-null checks run.
        self.set_derived()
        if self.amount is None:
            # Still none: `row_errors` says what to fill in, rather than the
            # field's bare "不能为 null".
            exclude = {*(exclude or ()), "amount"}
        return super().full_clean(exclude=exclude, validate_unique=validate_unique,
                                  validate_constraints=validate_constraints)

    def row_errors(self):
        """Return {field: message} for rules that need no query (used per row by bulk loads)."""
        errors = {}
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = _("数量应大于0")
        if self.unit_price is not None and self.unit_price < 0:
            errors["unit_price"] = _("单价不能为负数")
        if self.amount is None:
            errors["amount"] = _("请填写金额，或同时填写数量和单价")
        elif self.amount <= 0:
            errors["amount"] = _("金额应大于0")
        elif (msg := check_amount(self.quantity, self.unit_price, self.amount)):
            errors["amount"] = msg
        if self.date and not (2000 <= self.date.year <= 2100):
            errors["date"] = _("日期应在2000年至2100年之间")
        return errors

    def clean(self):
        self.set_derived()
        errors = self.row_errors()
        if self.pairing_id:
            lineage = lineage_ids(self.pairing)
            for field in ("buyer", "supplier", "product"):
                obj = getattr(self, field) if getattr(self, f"{field}_id") else None
                if obj is not None and obj.pairing_id not in lineage:
                    errors[field] = _("%(verbose_name)s不属于本结对") % {"verbose_name": self._meta.get_field(field).verbose_name}
            if self.channel_id and self.channel.pairing_id not in (None, *lineage):
                errors["channel"] = _("销售渠道不属于本结对")
        if self.product_id and self.supplier_id and self.product.supplier_id != self.supplier_id:
            errors["supplier"] = _("产品“%(product)s”的供应商是“%(supplier)s”，与所填供应商不一致") % {"product": self.product, "supplier": self.product.supplier}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        from .totals import Deltas

        self.set_derived()
        with transaction.atomic():
            deltas = Deltas()
            if self.pk and not self._state.adding:
                # The totals hold what is stored, not what this instance was
                # loaded with: take the locked row's values out.
                old = type(self).objects.select_for_update().filter(pk=self.pk).values(*Deltas.ROW_FIELDS).first()
                if old:
                    deltas.add(old, -1)
            super().save(*args, **kwargs)
            deltas.add(self, +1)
            deltas.apply()

    def delete(self, *args, **kwargs):
        from .totals import Deltas

        with transaction.atomic():
            old = type(self).objects.select_for_update().filter(pk=self.pk).values(*Deltas.ROW_FIELDS).first()
            result = super().delete(*args, **kwargs)
            if old:
                deltas = Deltas()
                deltas.add(old, -1)
                deltas.apply()
        return result


class TotalBase(models.Model):
    """Sum (integer fen) and count of sales under one key."""

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Sale.KINDS)
    amount_fen = models.BigIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def amount(self):
        return Decimal(self.amount_fen) / 100


class SaleTotal(TotalBase):
    """Per pairing / year / month / channel / kind: the figures and the list totals row."""

    month = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pairing", "year", "month", "channel", "kind"],
                                               name="sale_total_key")]


class BuyerTotal(TotalBase):
    """Per pairing / buyer / year / channel / kind: top buyers and the 832 share."""

    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pairing", "buyer", "year", "channel", "kind"],
                                               name="buyer_total_key")]
        indexes = [models.Index(fields=["buyer", "year"], name="buyer_total_buyer")]


class ProductTotal(TotalBase):
    """Per pairing / product / year / channel / kind: top products and suppliers."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pairing", "product", "year", "channel", "kind"],
                                               name="product_total_key")]
        indexes = [models.Index(fields=["product", "year"], name="product_total_product")]


# Totals are derived data: every change to them comes from a tracked sale
# write or a recorded bulk load, so they carry no audit events of their own.
for _model in (Channel, Supplier, Product, Buyer, CanteenBudget, ShareSetting, Sale):
    tracked(_model)
