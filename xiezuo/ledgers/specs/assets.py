"""资产台账: assets the pairing's projects handed over (资产后续管理).

Natural key: 项目编号 + 资产名称. An asset is registered from a project that
is accepted (验收) or handed over (资产移交): the model's clean() refuses
another project. The year is the year of the 移交日期. The status and the
day of disposal move only through the disposal steps (申请处置, then
批准处置 or 退回 by a second person); they are exported for reference and
ignored on import, so an imported asset starts 在管. Care records, income
and its shares are entered on the asset's page or through the API, not in
this sheet.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from xiezuo.assets.models import KINDS, STATUSES, Asset

from ..columns import Amount, Choice, Date, Lookup, Text
from ..spec import LedgerSpec, register
from .common import organisations
from .disbursements import projects

with translation.override(settings.LANGUAGE_CODE):
    KIND_LABELS = [(code, str(label)) for code, label in KINDS]
    STATUS_LABELS = [(code, str(label)) for code, label in STATUSES]


@register
class AssetsSpec(LedgerSpec):
    name = "assets"
    title = gettext_noop("资产台账")
    sheet = "资产台账"
    model = Asset
    key = ("project_id", "name")
    key_note = "项目编号 + 资产名称"
    columns = [
        Lookup("project", "项目编号", queryset=projects, keys=("code", "name"), label="code", what="项目",
               synonyms=["项目", "项目名称", "来源项目"], required=True, example="HY-2022-05"),
        Text("name", "资产名称", synonyms=["资产", "资产名"], required=True, max_length=200,
             example="重症监护室（ICU）设备（示例）"),
        Choice("kind", "资产类别", KIND_LABELS, synonyms=["资产类型", "类别"], required=True,
               aliases={"经营性资产": "operating", "公益性资产": "public", "到户类资产": "household", "到户": "household"},
               example="公益性"),
        Amount("value", "资产价值", synonyms=["资产价值（元）", "价值", "决算金额", "资产原值"], required=True,
               example=5000000),
        Text("final_accounts_ref", "决算文号或依据", synonyms=["决算文号", "决算依据"], max_length=200,
             example="项目竣工决算（示例）"),
        Lookup("owner", "确权单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["产权单位", "资产所有权人", "权属单位"], required=True,
               example="湟源县人民医院"),
        Text("location", "资产所在地", synonyms=["所在地", "地点"], max_length=200, example="城关镇"),
        Date("handed_over_on", "移交日期", synonyms=["资产移交日期", "移交时间"], required=True, example="2022-08-14"),
        Text("handover_ref", "移交文件", synonyms=["移交清单", "移交文件名称", "移交文号"], max_length=200,
             example="项目资产移交清单（示例）"),
        Lookup("custodian_unit", "管护责任单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["管护单位"], example="湟源县人民医院"),
        Text("custodian_person", "管护责任人", synonyms=["管护人"], max_length=50),
        Text("note", "备注", max_length=5000),
        Choice("status", "状态", STATUS_LABELS, synonyms=["资产状态"], readonly=True),
        Date("disposed_on", "处置日期", readonly=True),
    ]

    def insert(self, ctx, inserter, rows):
        base = self.defaults(ctx)
        return inserter.insert([{**base, **row, "year": row["handed_over_on"].year} for row in rows])

    def update(self, ctx, pk, changes):
        if "handed_over_on" in changes:
            changes = {**changes, "year": changes["handed_over_on"].year}
        return super().update(ctx, pk, changes)
