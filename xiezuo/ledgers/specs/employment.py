"""就业台账: the jobs of rural labourers, one row per person per job.

Natural key: 身份证号 + 开始日期 (one person's job starting that day). The
person is found by the keyed hash of the 身份证号 within the pairing's tree,
or created (姓名, 身份证号, 户类型) through the labour module's Person model;
姓名 and 户类型 must agree with a registered person (they are edited on the
person's page). See `labour_common` for how numbers are kept and exported.

就业去向 takes the report's four categories (赴对口省份, 省外其他地区, 省内县外,
县内) and the old "到东部/江苏", which the row's 务工地点 decides (see
`DESTINATION_ALIASES`).
"""

from django.utils.translation import gettext_noop

from xiezuo.labour.models import Employment, Person, paired_province_names

from ..columns import Amount, Choice, Date, Text
from ..spec import LedgerSpec, register
from .labour_common import PeopleMixin, PersonIDNumber


LEGACY = Employment.LEGACY_EAST
# The report's words for the four destinations, and those of older ledgers.
# "到东部/江苏" (the old category) is decided by the row's 务工地点, as the
# migration of stored rows did: the paired province when the place lies in
# it, another province otherwise.
DESTINATION_ALIASES = {
    "对口省份": Employment.PAIRED, "到对口省份": Employment.PAIRED, "赴对口省份就业": Employment.PAIRED,
    "省外": Employment.OTHER_PROVINCE, "省外其他": Employment.OTHER_PROVINCE, "外省": Employment.OTHER_PROVINCE,
    "省外就业": Employment.OTHER_PROVINCE,
    "省内": Employment.IN_PROVINCE, "省内其他地区": Employment.IN_PROVINCE, "省内县外就业": Employment.IN_PROVINCE,
    "县外省内": Employment.IN_PROVINCE,
    "县内就业": Employment.IN_COUNTY, "县内就地就近": Employment.IN_COUNTY, "就地就近": Employment.IN_COUNTY,
    "本县": Employment.IN_COUNTY,
    "到东部/江苏": LEGACY, "到东部": LEGACY, "东部": LEGACY, "江苏": LEGACY,
}


@register
class EmploymentSpec(PeopleMixin, LedgerSpec):
    name = "employment"
    title = gettext_noop("就业台账")
    sheet = "就业"
    model = Employment
    key = ("person__id_number_hash", "start")
    key_note = "身份证号 + 开始日期"
    columns = [
        Text("person__name", "姓名", synonyms=["务工人员", "人员姓名"], required=True, max_length=50,
             example="周示例（示例）"),
        PersonIDNumber("person__id_number_hash", "身份证号", synonyms=["身份证号码", "公民身份号码", "证件号码"],
                       required=True, example="63012319920321004X"),
        Choice("person__household_type", "户类型", Person.HOUSEHOLDS, synonyms=["人员类型", "户属性"],
               aliases={"脱贫人口": "poverty", "脱贫劳动力": "poverty", "监测户": "monitored", "一般户": "general"},
               example="脱贫户"),
        Choice("destination", "就业去向", Employment.DESTINATIONS, synonyms=["去向", "务工去向", "转移就业去向"],
               required=True, aliases=DESTINATION_ALIASES, example="赴对口省份"),
        Choice("form", "就业形式", Employment.FORMS, synonyms=["形式", "务工形式"], required=True, example="企业务工"),
        Text("employer", "用工单位", synonyms=["务工单位", "就业单位", "企业"], max_length=200,
             example="南京示例制造有限公司（示例）"),
        Text("place", "务工地点", synonyms=["地点", "就业地点"], max_length=200, example="南京市六合区"),
        Date("start", "开始日期", synonyms=["务工时间", "就业时间", "上岗日期", "开始时间"], required=True,
             example="2022-03-01"),
        Date("end", "结束日期", synonyms=["结束时间", "离岗日期"], help="仍在岗的留空"),
        Amount("monthly_income", "月收入", synonyms=["月工资", "月均收入", "月收入（元）"], example=4500),
        Text("note", "备注", synonyms=["说明"], max_length=500),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        ctx.extra["paired_names"] = paired_province_names(ctx.pairing)

    def resolver(self, ctx):
        people = super().resolver(ctx)
        names = ctx.extra["paired_names"]

        def resolve(values):
            if values.get("destination") == LEGACY:
                values["destination"] = Employment.legacy_east_destination(values.get("place"), names)
            return people(values)

        return resolve

    def checker(self, ctx):
        clean = super().checker(ctx)
        id_col = self.id_column

        def check(values, current=None):
            # The person is resolved at insert; the model's own rules run
            # without it (its tree is the pairing's by construction).
            own = {k: v for k, v in values.items() if not k.startswith("person__")}
            errors = self.person_errors(values, current)
            errors.update(clean(own, current and {k: v for k, v in current.items() if not k.startswith("person__")})
                          or {})
            if id_col in errors:
                errors.setdefault("person__id_number_hash", errors.pop(id_col))
            return errors or None

        return check

    def insert(self, ctx, inserter, rows):
        return super().insert(ctx, inserter, self.person_rows(ctx, rows))

    def update(self, ctx, pk, changes):
        self.update_person(pk, changes)
        own = {k: v for k, v in changes.items() if not k.startswith("person__")}
        return super().update(ctx, pk, own) if own else self.model.objects.get(pk=pk)
