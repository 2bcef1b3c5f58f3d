"""JSON API of consumption assistance, scoped exactly like the pages."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import etag_of, loaded_version_from, save_or_409
from xiezuo.api_types import choices, limit_query, year_query
from xiezuo.pairings.models import Organisation

from . import listing
from .forms import ProductForm, SaleForm, SupplierForm
from .models import Buyer, Channel, Product, Sale, Supplier
from .services import share832_report

router = Router(tags=["消费帮扶"])
P = "/pairings/{pairing_id}/consumption"


class SaleIn(Schema):
    date: datetime.date
    buyer: int
    product: int
    supplier: int | None = None
    channel: int
    kind: choices(Sale, "kind")
    # The form's rules: the amount alone is enough; two of the three
    # determine the third (Sale.set_derived).
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    voucher_no: str = ""
    note: str = ""


class SupplierIn(Schema):
    organisation: int
    contact: str = ""
    note: str = ""


class ProductIn(Schema):
    name: str
    supplier: int
    category: choices(Product, "category")
    unit: str
    certificate_no: str = ""
    certified_until: datetime.date | None = None
    # The county the product comes from (a region id of level county); empty: the supplier's county.
    origin_region: int | None = None


class BuyerIn(Schema):
    name: str
    kind: choices(Buyer, "kind")
    is_budget_unit: bool = False


def sale_out(s):
    return {
        "id": s.pk, "pairing": s.pairing_id, "date": s.date.isoformat(), "buyer": s.buyer_id,
        "buyer_name": s.buyer.name, "supplier": s.supplier_id, "product": s.product_id,
        "product_name": s.product.name, "channel": s.channel_id, "channel_name": s.channel.name, "kind": s.kind,
        "quantity": None if s.quantity is None else str(s.quantity),
        "unit_price": None if s.unit_price is None else yuan_str(s.unit_price), "amount": yuan_str(s.amount),
        "voucher_no": s.voucher_no, "note": s.note, "is_demo": s.is_demo, "version": s.version,
    }


@router.get(P + "/sales", response=dict)
def list_sales(request, pairing_id: int, cursor: str = "", before: str = "",
               limit: int = limit_query(listing.PAGE_SIZE)):
    pairing = get_pairing(request.user, pairing_id)
    f, errors = listing.parse_filters(request.GET)
    if errors:
        raise HttpError(422, "；".join(errors))
    page = listing.sales_page(pairing.pk, f, cursor or None, max(1, min(limit, 500)), before=before or None,
                              scope=scope_for(request.user))
    return {
        "items": [sale_out(s) for s in page["rows"]],
        "next_cursor": page["next_cursor"],
        "prev_cursor": page["prev_cursor"],
        "total": {"amount": yuan_str(Decimal(page["total_fen"]) / 100), "count": page["total_count"],
                  "source": page["total_source"]},
    }


def _sale_form(pairing, sale, data, loaded_version=None):
    """The page's form (its querysets: buyers, products and suppliers this
    pairing may use, so a foreign id is refused as an invalid choice; its
    rules: two of amount, quantity and price give the third), bound to the
    request's fields: the one input path of pages, API and imports."""
    payload = {k: ("" if v is None else v) for k, v in data.dict().items()}
    if loaded_version is not None:
        payload["loaded_version"] = loaded_version
    form = SaleForm(data=payload, pairing=pairing, instance=sale)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form


@router.post(P + "/sales", response={201: dict})
def create_sale(request, pairing_id: int, data: SaleIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    sale = _sale_form(pairing, Sale(pairing=pairing), data).save()
    return Status(201, sale_out(sale))


@router.get(P + "/sales/{sale_id}", response=dict)
def get_sale(request, pairing_id: int, sale_id: int, response: HttpResponse):
    pairing = get_pairing(request.user, pairing_id)
    sale = scope_for(request.user).get(Sale.objects.filter(pairing=pairing), sale_id)
    response["ETag"] = etag_of(sale)
    return sale_out(sale)


@router.put(P + "/sales/{sale_id}", response=dict)
def update_sale(request, pairing_id: int, sale_id: int, data: SaleIn, response: HttpResponse):
    """Change a sale; the If-Match header must carry the ETag it was read with."""
    pairing = get_pairing(request.user, pairing_id, "write")
    sale = scope_for(request.user).get(Sale.objects.filter(pairing=pairing), sale_id, "write")
    form = _sale_form(pairing, sale, data, loaded_version_from(request, sale))
    sale = save_or_409(form.save)
    response["ETag"] = etag_of(sale)
    return sale_out(sale)


@router.delete(P + "/sales/{sale_id}", response={204: None})
def delete_sale(request, pairing_id: int, sale_id: int):
    pairing = get_pairing(request.user, pairing_id, "write")
    scope_for(request.user).get(Sale.objects.filter(pairing=pairing), sale_id, "write").delete()
    return Status(204, None)


@router.get(P + "/suppliers", response=list[dict])
def list_suppliers(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    return [{"id": s.pk, "pairing": s.pairing_id, "organisation": s.organisation_id, "name": s.organisation.name,
             "kind": s.organisation.kind, "region": str(s.organisation.region), "uscc": s.organisation.uscc}
            for s in scope_for(request.user).usable(Supplier.objects.select_related("organisation__region"), pairing)]


@router.post(P + "/suppliers", response={201: dict})
def create_supplier(request, pairing_id: int, data: SupplierIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    # The page's form, with the organisations the user may write: one set of rules for both doors.
    writable = Organisation.objects.filter(scope_for(request.user).region_q(perm="write"))
    form = SupplierForm(data.dict(), pairing=pairing, instance=Supplier(pairing=pairing), organisations=writable)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    supplier = form.save()
    org = supplier.organisation
    return Status(201, {"id": supplier.pk, "organisation": org.pk, "name": org.name})


@router.get(P + "/products", response=list[dict])
def list_products(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    return [{"id": p.pk, "pairing": p.pairing_id, "name": p.name, "category": p.category, "unit": p.unit,
             "supplier": p.supplier_id, "certificate_no": p.certificate_no,
             "certified_until": p.certified_until.isoformat() if p.certified_until else None,
             "origin_region": p.origin_region_id, "origin_name": str(p.origin_region or ""),
             "origin_is_832": bool(p.origin_region and p.origin_region.is_832)}
            for p in scope_for(request.user).usable(Product.objects.select_related("origin_region"), pairing)]


@router.post(P + "/products", response={201: dict})
def create_product(request, pairing_id: int, data: ProductIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    supplier = get_object_or_404(scope_for(request.user).usable(Supplier.objects.all(), pairing), pk=data.supplier)
    # The page's form: one set of rules (and of choosable origins) for both doors.
    form = ProductForm({**data.dict(), "supplier": supplier.pk, "origin_region": data.origin_region or ""},
                       instance=Product(pairing=pairing), pairing=pairing)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    product = form.save()
    return Status(201, {"id": product.pk, "name": product.name, "origin_region": product.origin_region_id})


@router.get(P + "/buyers", response=list[dict])
def list_buyers(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    return [{"id": b.pk, "pairing": b.pairing_id, "name": b.name, "kind": b.kind,
             "is_budget_unit": b.is_budget_unit} for b in scope_for(request.user).usable(Buyer.objects.all(), pairing)]


@router.post(P + "/buyers", response={201: dict})
def create_buyer(request, pairing_id: int, data: BuyerIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    buyer = Buyer(pairing=pairing, name=data.name, kind=data.kind, is_budget_unit=data.is_budget_unit)
    buyer.full_clean()
    buyer.save()
    return Status(201, {"id": buyer.pk, "name": buyer.name})


@router.get(P + "/channels", response=list[dict])
def list_channels(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    return [{"id": c.pk, "pairing": c.pairing_id, "code": c.code, "name": c.name, "kind": c.kind,
             "active": c.active} for c in Channel.usable_by(pairing)]


@router.get(P + "/share832", response=dict)
def share832(request, pairing_id: int, year: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    if not 2000 <= year <= 2100:
        raise HttpError(422, _("年度应在2000至2100之间"))
    report = share832_report(pairing, year)
    def money(value):
        return yuan_str(value) if value is not None else None

    rows = [{"buyer": r["buyer"].pk, "name": r["buyer"].name, "budget": money(r["budget"]),
             "reserved_amount": money(r["reserved"]),
             "reserved_share": str(r["reserved_share"]) if r["reserved_share"] is not None else None,
             "declared_on": r["declared_on"].isoformat() if r["declared_on"] else None,
             "declared_late": r["declared_late"],
             "amount_832": yuan_str(r["amount"]), "amount_not_counted": yuan_str(r["amount_other"]),
             "share": str(r["share"]) if r["share"] is not None else None,
             "status": r["status"]} for r in report["rows"]]
    return {"year": year, "line": str(report["line"]), "encouraged": str(report["encouraged"]),
            "declare_by": report["deadline"].isoformat(), "rows": rows,
            "below": [r["name"] for r in rows if r["status"] == "below"],
            "declared_late": [r["name"] for r in rows if r["declared_late"]]}
