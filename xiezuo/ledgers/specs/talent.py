"""人才交流台账: one person's one stay on the other side (one 人次).

Natural key: 身份证号 (or, when left empty, 姓名) + 类别 + 开始日期.
Cadres and experts may be recorded without a 身份证号 (as in the labour
module): a row with a number finds its person by the keyed hash (see
`labour_common`); a row without one uses the one person of the pairing's
tree recorded by that name alone, or creates one; when several people were
recorded by that name alone, the row must give the number.
"""

from django.utils.translation import gettext_noop

from xiezuo.labour.models import Person, TalentExchange

from ..columns import Choice, Date, Lookup, Text
from ..spec import LedgerSpec, register
from .common import organisations
from .labour_common import PeopleMixin, PersonIDNumber, people


@register
class TalentSpec(PeopleMixin, LedgerSpec):
    name = "talent"
    title = gettext_noop("人才交流台账")
    sheet = "人才交流"
    model = TalentExchange
    key = ("person__id_number_hash", "person__name", "kind", "start")
    key_note = "身份证号（未填写时为姓名） + 类别 + 开始日期"
    person_fields = {"person__name": "name"}
    columns = [
        Text("person__name", "姓名", synonyms=["人员姓名", "干部姓名"], required=True, max_length=50,
             example="卫示例（示例）"),
        PersonIDNumber("person__id_number_hash", "身份证号", synonyms=["身份证号码", "公民身份号码", "证件号码"]),
        Choice("kind", "类别", TalentExchange.KINDS, synonyms=["人才类别", "交流类别", "类型"], required=True,
               aliases={"挂职干部": "cadre", "党政干部": "cadre", "教师": "teacher", "医生": "doctor",
                        "医疗": "doctor", "农技": "agri", "专业技术人才": "other"}, example="支医"),
        Choice("direction", "方向", TalentExchange.DIRECTIONS, synonyms=["交流方向"], required=True,
               aliases={"东部到西部": "e2w", "东到西": "e2w", "东部赴西部": "e2w", "西部到东部": "w2e",
                        "西到东": "w2e", "西部赴东部": "w2e"}, example="东→西"),
        Lookup("sending_unit", "派出单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["原单位", "派出单位名称"], required=True,
               example="南京市六合区人民医院"),
        Lookup("receiving_unit", "接收单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["挂职单位", "接收单位名称", "服务单位"], required=True,
               example="湟源县人民医院"),
        Text("batch", "批次", synonyms=["交流批次"], max_length=50, example="2023年第1批（示例）"),
        Date("start", "开始日期", synonyms=["开始时间", "到岗日期", "挂职开始"], required=True, example="2023-03-01"),
        Date("end", "结束日期", synonyms=["结束时间", "离岗日期", "挂职结束"], help="尚未结束的留空"),
        Text("post", "挂职/工作岗位", synonyms=["挂职岗位", "岗位", "职务"], max_length=200),
        Text("specialty", "专业方向", synonyms=["专业"], max_length=50, example="医疗"),
        Text("note", "工作内容", synonyms=["主要工作", "备注"], max_length=500),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        named = {}
        for pk, name in people(ctx).filter(id_number_hash=None).values_list("pk", "name"):
            named.setdefault(name, []).append(pk)
        ctx.extra["name_only"] = named

    def resolver(self, ctx):
        by_hash = super().resolver(ctx)
        named = ctx.extra["name_only"]

        def resolve(values):
            if values.get("person__id_number_hash"):
                return by_hash(values)
            values["person__id_number_hash"] = None
            name = values.get("person__name")
            if len(named.get(name, ())) > 1:
                return {"person__name": f"本结对体系中有{len(named[name])}名未登记身份证号的人员名为“{name}”，"
                                        "请填写身份证号以区分"}
            return None

        return resolve

    def person_id(self, ctx, values):
        if values.get("person__id_number_hash"):
            return super().person_id(ctx, values)
        named = ctx.extra["name_only"]
        name = values["person__name"]
        if name not in named:
            person = Person(pairing=ctx.pairing, name=name)
            person.full_clean(exclude=["tree_root"])
            person.save()
            named[name] = [person.pk]
        return named[name][0]

    def checker(self, ctx):
        clean = super().checker(ctx)

        def check(values, current=None):
            own = {k: v for k, v in values.items() if not k.startswith("person__")}
            errors = self.person_errors(values, current)
            errors.update(clean(own, current and {k: v for k, v in current.items() if not k.startswith("person__")})
                          or {})
            return errors or None

        return check

    def insert(self, ctx, inserter, rows):
        return super().insert(ctx, inserter, self.person_rows(ctx, rows))

    def update(self, ctx, pk, changes):
        own = {k: v for k, v in changes.items() if not k.startswith("person__")}
        return super().update(ctx, pk, own) if own else self.model.objects.get(pk=pk)
