"""供应商台账: western producers (企业、合作社、家庭农场) of the pairing.

Natural key: 生产经营主体 (the organisation, by name or 统一社会信用代码).
The producer must already be registered as an organisation of the western
side; the model checks its kind and region.
"""

from django.utils.translation import gettext_noop

from xiezuo.consumption.models import Supplier
from xiezuo.pairings.models import Organisation

from ..columns import Lookup, Text
from ..spec import LedgerSpec, register


def west_organisations(ctx):
    return Organisation.objects.filter(ctx.scope.region_q(perm="write"),
                                       region__path__startswith=ctx.pairing.west_region.path)


@register
class SuppliersSpec(LedgerSpec):
    name = "suppliers"
    title = gettext_noop("供应商台账")
    sheet = "供应商"
    model = Supplier
    key = ("organisation_id",)
    key_note = "生产经营主体（名称或统一社会信用代码）"
    columns = [
        Lookup("organisation", "生产经营主体", queryset=west_organisations, keys=("name", "uscc"), what="单位", qualifier="region__name",
               synonyms=["供应商", "供应商名称", "企业名称", "单位名称"], required=True,
               example="湟源县示例合作社（示例）"),
        Text("contact", "联系人", max_length=50),
        Text("note", "备注", synonyms=["说明"], max_length=300),
    ]
