import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lib.dates import cn_date
from lib.money import money, quantize
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.assessment.services import subtree_ids
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import save_or_conflict
from xiezuo.front.params import year_param
from xiezuo.front.years import working_year
from xiezuo.pairings.models import Organisation

from . import listing
from .forms import (BudgetFormSet, BuyerForm, ChannelForm, ProductForm, SaleForm, ShareSettingForm,
                    SupplierForm)
from .models import Buyer, Channel, Product, Sale, ShareSetting, Supplier
from .services import share832_report


def _ctx(request, pairing, **extra):
    return {"pairing": pairing, "can_write": scope_for(request.user).has(pairing, "write"), **extra}


def _save_page(request, pairing, form, template, done, **extra):
    """Save a VersionedForm on POST and go to `done`; else render the form."""
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect(done, pairing.pk)
    return render(request, template, _ctx(request, pairing, form=form, **extra))


# Sales ---------------------------------------------------------------------

@login_required
def sale_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    f, errors = listing.parse_filters(request.GET)
    # ?year= (a dashboard card's link, the working year) is the year's dates.
    year = year_param(request)
    if year and not errors and not (f.get("date_from") or f.get("date_to")):
        f["date_from"], f["date_to"] = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    scope = scope_for(request.user)
    # The pairing's sales and its sub-pairings' (the township pairs), the
    # set the consumption figure adds up (assessment.services.subtree_ids).
    ids = subtree_ids([pairing])[pairing.pk]
    page = listing.sales_page(ids, {} if errors else f, request.GET.get("cursor"),
                              before=request.GET.get("before"), scope=scope)
    choices = {
        "channels": Channel.usable_by(pairing), "buyers": scope.usable(Buyer.objects.all(), pairing),
        "products": scope.usable(Product.objects.all(), pairing),
        "suppliers": scope.usable(Supplier.objects.all(), pairing).select_related("organisation"),
    }
    subtree = pairing.subtree().exclude(pk=pairing.pk)
    return render(request, "consumption/sale_list.html", _ctx(
        request, pairing, page=page, f=f, errors=errors, kinds=Sale.KINDS, subtree=subtree,
        sub_names={p.pk: str(p) for p in subtree},
        total_amount=quantize(Decimal(page["total_fen"]) / 100), filtered=bool(f), year=year, **choices))


@login_required
def sale_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = SaleForm(request.POST or None, request.FILES or None, pairing=pairing, instance=Sale(pairing=pairing))
    return _save_page(request, pairing, form, "consumption/sale_form.html", "consumption_sales")


@login_required
def sale_edit(request, pairing_id, sale_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    sale = scope_for(request.user).get(Sale.objects.filter(pairing=pairing), sale_id, "write")
    form = SaleForm(request.POST or None, request.FILES or None, pairing=pairing, instance=sale)
    return _save_page(request, pairing, form, "consumption/sale_form.html", "consumption_sales", sale=sale)


@login_required
def sale_delete(request, pairing_id, sale_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    sales = Sale.objects.filter(pairing=pairing).select_related("buyer", "product", "channel")
    sale = scope_for(request.user).get(sales, sale_id, "write")
    if request.method == "POST":
        sale.delete()
        messages.success(request, _("已删除销售记录：%(cn_date)s %(product)s %(money)s") % {"cn_date": cn_date(sale.date), "product": sale.product, "money": money(sale.amount)})
        return redirect("consumption_sales", pairing.pk)
    return render(request, "consumption/sale_delete.html", _ctx(request, pairing, sale=sale))


# Reference data --------------------------------------------------------------

@login_required
def supplier_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    suppliers = Supplier.objects.select_related("organisation__region", "pairing").annotate(n_products=Count("products"))
    suppliers = scope_for(request.user).usable(suppliers, pairing)
    return render(request, "consumption/supplier_list.html", _ctx(request, pairing, suppliers=suppliers))


def _supplier_form(request, pairing, instance):
    orgs = Organisation.objects.filter(scope_for(request.user).region_q(perm="write"))
    return SupplierForm(request.POST or None, pairing=pairing, instance=instance, organisations=orgs)


@login_required
def supplier_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = _supplier_form(request, pairing, Supplier(pairing=pairing))
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_suppliers",
                      title=_("登记供应商"))


@login_required
def supplier_edit(request, pairing_id, supplier_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    supplier = scope_for(request.user).get(Supplier.objects.filter(pairing=pairing), supplier_id, "write")
    form = _supplier_form(request, pairing, supplier)
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_suppliers",
                      title=_("编辑供应商：%(supplier)s") % {"supplier": supplier})


@login_required
def product_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    products = scope_for(request.user).usable(Product.objects.all(), pairing).select_related(
        "supplier__organisation", "origin_region")
    return render(request, "consumption/product_list.html",
                  _ctx(request, pairing, products=products, today=datetime.date.today()))


@login_required
def product_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = ProductForm(request.POST or None, pairing=pairing, instance=Product(pairing=pairing))
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_products", title=_("登记产品"))


@login_required
def product_edit(request, pairing_id, product_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    product = scope_for(request.user).get(Product.objects.filter(pairing=pairing), product_id, "write")
    form = ProductForm(request.POST or None, pairing=pairing, instance=product)
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_products",
                      title=_("编辑产品：%(product)s") % {"product": product})


@login_required
def buyer_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    buyers = scope_for(request.user).usable(Buyer.objects.all(), pairing).prefetch_related("budgets")
    return render(request, "consumption/buyer_list.html", _ctx(request, pairing, buyers=buyers))


def _buyer_page(request, pairing, buyer, title):
    form = BuyerForm(request.POST or None, pairing=pairing, instance=buyer)
    formset = BudgetFormSet(request.POST or None, instance=buyer, prefix="budgets")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = save_or_conflict(form)
            if saved:
                formset.instance = saved
                formset.save()
        if saved:
            messages.success(request, _("已保存"))
            return redirect("consumption_buyers", pairing.pk)
    return render(request, "consumption/buyer_form.html",
                  _ctx(request, pairing, form=form, formset=formset, title=title))


@login_required
def buyer_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _buyer_page(request, pairing, Buyer(pairing=pairing), _("登记采购单位"))


@login_required
def buyer_edit(request, pairing_id, buyer_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    buyer = scope_for(request.user).get(Buyer.objects.filter(pairing=pairing), buyer_id, "write")
    return _buyer_page(request, pairing, buyer, _("编辑采购单位：%(buyer)s") % {"buyer": buyer})


@login_required
def channel_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    return render(request, "consumption/channel_list.html", _ctx(
        request, pairing, channels=Channel.usable_by(pairing).select_related("pairing"),
        is_admin=scope.is_global or scope.has(pairing, "admin")))


@login_required
def channel_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = ChannelForm(request.POST or None, pairing=pairing, instance=Channel(pairing=pairing))
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_channels",
                      title=_("新增销售渠道"))


@login_required
def channel_edit(request, pairing_id, channel_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    channel = get_object_or_404(Channel.usable_by(pairing), pk=channel_id)
    scope = scope_for(request.user)
    # Shared channels are the national code list: only administrators change them.
    if channel.pairing_id is None and not (scope.is_global or scope.has(pairing, "admin")):
        raise PermissionDenied(_("通用渠道只能由管理员修改"))
    if channel.pairing_id not in (None, pairing.pk):
        raise PermissionDenied(_("该渠道属于上级结对，请在上级结对中修改"))
    form = ChannelForm(request.POST or None, pairing=pairing, instance=channel)
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_channels",
                      title=_("编辑销售渠道：%(channel)s") % {"channel": channel})


# 832 reserved share -------------------------------------------------------------

def _year(request, pairing):
    return working_year(request, pairing)


@login_required
def share832(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    report = share832_report(pairing, _year(request, pairing))
    form = ShareSettingForm(instance=report["setting"])
    return render(request, "consumption/share832.html", _ctx(request, pairing, report=report, form=form,
                                                              years=range(2021, datetime.date.today().year + 1)))


@login_required
def share832_setting(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = ShareSettingForm(request.POST or None, instance=ShareSetting.for_pairing(pairing))
    return _save_page(request, pairing, form, "consumption/ref_form.html", "consumption_share832",
                      title=_("832预留份额比例"))


@login_required
def sale_voucher(request, sale_id):
    """The voucher attached to a sale, for readers of the sale's pairing."""
    sale = scope_for(request.user).get(Sale.objects.only("pk", "pairing_id", "voucher"), sale_id)
    return file_download(sale.voucher)
