from django import forms
from django.utils.translation import gettext as _

from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm, checked_upload
from xiezuo.pairings.models import Organisation, Region

from .models import SUPPLIER_KINDS, Buyer, CanteenBudget, Channel, Product, Sale, ShareSetting, Supplier


class PairingForm(VersionedForm):
    """A VersionedForm whose instance belongs to a pairing set by the view."""

    def __init__(self, *args, pairing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        if pairing is not None and hasattr(self.instance, "pairing_id") and not self.instance.pairing_id:
            self.instance.pairing = pairing


class SupplierForm(PairingForm):
    class Meta:
        model = Supplier
        fields = ["organisation", "contact", "note"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Every producer the user may see is offered; the model refuses one
        # registered outside the western region with a clear message.
        self.fields["organisation"].queryset = (organisations if organisations is not None
                                                else Organisation.objects.none()).filter(kind__in=SUPPLIER_KINDS)
        self.fields["organisation"].help_text = _("须为注册在本结对西部地区的企业、合作社或家庭农场；未登记的单位请先在“单位”中登记")


class ProductForm(PairingForm):
    class Meta:
        model = Product
        fields = ["name", "supplier", "category", "unit", "origin_region", "certificate_no", "certified_until"]
        widgets = {"certified_until": forms.DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.available_to(self.pairing).select_related("organisation")
        # Counties only: the origin county decides the 832 share.
        self.fields["origin_region"].queryset = Region.objects.filter(level="county").order_by("code", "path")
        self.fields["origin_region"].help_text = (_("产品实际产自的县（区）；留空时取供应商注册地所在县。"
                                                 "产自任一脱贫县（832）的产品计入预算单位832平台预留份额"))


class BuyerForm(PairingForm):
    class Meta:
        model = Buyer
        fields = ["name", "kind", "is_budget_unit"]


class BudgetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = CanteenBudget
        fields = ["year", "amount", "reserved_amount", "declared_on"]
        widgets = {"declared_on": forms.DateInput()}
        field_classes = {"amount": MoneyField, "reserved_amount": MoneyField}


BudgetFormSet = forms.inlineformset_factory(Buyer, CanteenBudget, form=BudgetForm, extra=2, can_delete=True)


class ChannelForm(PairingForm):
    class Meta:
        model = Channel
        fields = ["name", "code", "kind", "order", "active"]


class ShareSettingForm(VersionedForm):
    class Meta:
        model = ShareSetting
        fields = ["line", "encouraged"]


class SaleForm(PairingForm):
    class Meta:
        model = Sale
        fields = ["date", "buyer", "product", "supplier", "channel", "kind", "quantity", "unit_price", "amount",
                  "voucher_no", "voucher", "note"]
        widgets = {"date": forms.DateInput()}
        field_classes = {"unit_price": MoneyField, "amount": MoneyField}

    def clean_voucher(self):
        # The one upload check: real type, size, photos without metadata.
        return checked_upload(self.cleaned_data.get("voucher"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.pairing
        self.fields["buyer"].queryset = Buyer.objects.available_to(p)
        self.fields["product"].queryset = Product.objects.available_to(p).select_related("supplier__organisation")
        self.fields["supplier"].queryset = Supplier.objects.available_to(p).select_related("organisation")
        self.fields["supplier"].required = False
        self.fields["supplier"].help_text = _("留空时按产品的供应商填写")
        self.fields["channel"].queryset = Channel.usable_by(p).filter(active=True) | Channel.objects.filter(
            pk=self.instance.channel_id or 0)
        # The model's rules (Sale.set_derived / row_errors), as for an import:
        # the amount alone is enough; two of the three determine the third.
        self.fields["amount"].required = False
        self.fields["amount"].help_text = (_("可只填金额；留空时按数量×单价计算；三项都填时须与数量×单价相符"
                                           "（允许误差0.01元）"))
        self.fields["quantity"].help_text = _("选填；填写金额和单价时，能整除的按金额÷单价计算")
        self.fields["unit_price"].help_text = _("选填；填写金额和数量时按金额÷数量计算（保留到分）")
