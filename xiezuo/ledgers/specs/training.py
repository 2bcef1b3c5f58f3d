"""培训班及学员名册台账: training classes with their rosters, one row per trainee.

The importer reads every sheet with one spec, so the roster is the ledger:
each row is one trainee (one 人次) with the columns of the trainee's class
repeated. A class with no trainees cannot be written in this layout; it is
entered on the class's page.

Natural key: 培训班名称 + 开班日期 + 身份证号. The class is found by
培训班名称 + 开班日期 among the pairing's classes, or created (through the
tracked model: one `create` event each) by the first row naming it. The
person is found or created as in the other labour ledgers (`labour_common`:
keyed hash, masked export, `export_pii`); 姓名 must agree with a registered
person.

Every row of a class states the class, so the rows must agree with each
other on the class's other columns (a blank cell is a value too). Who
decides the class's columns depends on the mode:
- append: a stored class is kept as it is; a row disagreeing with it is an
  error naming the stored value (change a class with an update import or on
  its page);
- update: the file decides; the first row naming a class sets its columns,
  the other rows must agree with that row, and a stored class that differs
  is updated once (saved through the tracked model: one `update` event).
  Editing 培训类型 in an export therefore means editing it on every row of
  the class; editing 培训班名称 or 开班日期 makes a new class, as editing a
  key does in every ledger.
A row's own columns (取得证书, 证书名称) update its trainee (one `update`
event); new trainees are inserted in batches with one `import` event each.
The model's rules (结业日期 ≥ 开班日期, 培训天数 within the span, 证书名称 only
with 取得证书) are row errors with the model's messages.
"""

from django.utils.translation import gettext_noop

from xiezuo.funds.models import Project
from xiezuo.labour.models import Trainee, TrainingClass

from ..columns import Bool, Choice, Date, Int, Lookup, Text, clean_text
from ..spec import LedgerSpec, model_checker, register
from .common import organisations
from .labour_common import PeopleMixin, PersonIDNumber

CLASS = "training_class__"
NAME, START = CLASS + "name", CLASS + "start"


def tree_projects(ctx):
    """Projects a class may be funded by: those of the pairing's tree (the model's rule)."""
    root = ctx.pairing.path.strip("/").split("/")[0]
    return ctx.scope.filter(Project.objects.filter(pairing__path__startswith=f"/{root}/"))


@register
class TrainingSpec(PeopleMixin, LedgerSpec):
    name = "training"
    title = gettext_noop("培训班及学员名册台账")
    sheet = "培训学员名册"
    model = Trainee
    key = (NAME, START, "person__id_number_hash")
    key_note = "培训班名称 + 开班日期 + 身份证号"
    person_fields = {"person__name": "name"}
    columns = [
        Text(NAME, "培训班名称", synonyms=["培训班", "班级名称", "培训班次"], required=True, max_length=200,
             example="示例电工培训班（示例）"),
        Date(START, "开班日期", synonyms=["开始日期", "培训开始日期", "开班时间"], required=True, example="2022-05-09"),
        Date(CLASS + "end", "结业日期", synonyms=["结束日期", "培训结束日期", "结业时间"], required=True,
             example="2022-05-20"),
        Int(CLASS + "days", "培训天数", synonyms=["天数", "培训时长"], required=True, maximum=32767, example=10),
        Choice(CLASS + "kind", "培训类型", TrainingClass.KINDS, synonyms=["培训类别", "类型"],
               aliases={"技能培训": "skill", "职业技能培训": "skill", "创业培训": "startup",
                        "劳务品牌培训": "brand", "致富带头人培训": "leader"},
               default=TrainingClass.SKILL, help="留空为职业技能", example="职业技能"),
        Choice(CLASS + "audience", "培训对象", TrainingClass.AUDIENCES, synonyms=["培训对象类别", "参训对象"],
               aliases={"农民工": "labour", "劳动力": "labour", "脱贫劳动力": "labour", "干部": "cadre",
                        "党政干部培训": "cadre", "专技人才": "professional", "专业技术人员": "professional"},
               default=TrainingClass.LABOUR, help="留空为农村劳动力；党政干部、专业技术人才的培训另行统计",
               example="农村劳动力"),
        Text(CLASS + "trade", "工种", synonyms=["培训工种", "培训专业", "专业"], max_length=100, example="电工"),
        Text(CLASS + "place", "培训地点", synonyms=["地点", "培训场所"], max_length=200,
             example="湟源县职业技术学校（示例）"),
        Lookup(CLASS + "organiser", "举办单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["主办单位", "组织单位", "举办单位名称"],
               example="湟源县东西部协作办公室"),
        Lookup(CLASS + "project", "资金来源项目", queryset=tree_projects, keys=("code", "name"), label="code",
               what="项目", synonyms=["项目编号", "资金来源项目编号"], help="未使用协作资金的留空",
               example="HY-2021-06"),
        Text("person__name", "姓名", synonyms=["学员姓名", "学员"], required=True, max_length=50,
             example="周示例（示例）"),
        PersonIDNumber("person__id_number_hash", "身份证号", synonyms=["身份证号码", "公民身份号码", "证件号码"],
                       required=True, example="63012319920321004X"),
        Bool("certificate", "取得证书", synonyms=["是否取得证书", "是否取证", "取证"], example="是"),
        Text("certificate_name", "证书名称", synonyms=["证书", "所获证书"], max_length=100,
             example="电工职业技能等级证书（示例）"),
        Text(CLASS + "note", "培训班备注", synonyms=["备注", "说明"], max_length=500,
             help="培训班的备注，同一培训班各行应一致"),
    ]
    # The class's columns other than its key: what the rows of one class must agree on.

    @property
    def class_columns(self):
        # From this import's own columns (see LedgerSpec.fresh): their lookups are prepared.
        return [c for c in self.columns if c.attname.startswith(CLASS) and c.attname not in (NAME, START)]

    year_path = "training_class__start__year"  # a class counts in the year it starts

    def queryset(self, ctx):
        return ctx.scope.filter(Trainee.objects.filter(training_class__pairing=ctx.pairing))

    def defaults(self, ctx):
        return {}  # a trainee belongs to the pairing through its class

    def prepare(self, ctx):
        super().prepare(ctx)
        fields = [c.attname[len(CLASS):] for c in self.class_columns]
        stored = {}
        classes = ctx.scope.filter(TrainingClass.objects.filter(pairing=ctx.pairing))
        for row in classes.values("pk", "name", "start", *fields):
            stored.setdefault((row["name"], row["start"]), []).append(
                {CLASS + f: row[f] for f in fields} | {"pk": row["pk"]})
        # (name, start) → the stored classes; the class columns the file gave
        # first; the pk of each class once written in this import.
        ctx.extra["classes"] = {"stored": stored, "given": {}, "written": {}}

    # --- reading ---------------------------------------------------------------
    def resolver(self, ctx):
        person = super().resolver(ctx)
        classes = ctx.extra["classes"]
        append = ctx.extra.get("mode") != "update"

        def resolve(values):
            return person(values) or self._class_errors(classes, values, append)

        return resolve

    def _class_errors(self, classes, values, append):
        """Return {attname: message} where a row disagrees about its class, or None.

        Runs on every row (also rows skipped or unchanged), so that no row of
        a class goes unchecked."""
        key = (values[NAME], values[START])
        stored = classes["stored"].get(key, [])
        if len(stored) > 1:
            return {NAME: f"本结对有{len(stored)}个培训班名称为“{key[0]}”且开班日期相同，无法区分；"
                          "请先在培训班页面修改其中一个的名称"}
        if stored and append:
            reference = stored[0]
            message = "与已登记培训班的{}“{}”不符；修改培训班请以“按关键字更新”方式导入，或在培训班页面修改"
        else:
            reference = classes["given"].setdefault(key, {})  # the first row giving each column
            message = "同一培训班在本文件中已填写{}“{}”，各行应一致"
        errors = {}
        for col in self.class_columns:
            attname = col.attname
            if attname not in values:
                continue  # the column is not in this sheet
            value = reference.setdefault(attname, values[attname])
            if value != values[attname]:
                errors[attname] = message.format(col.header, clean_text(col.export(value)))
        return errors or None

    def checker(self, ctx):
        own_check = super().checker(ctx)
        class_check = model_checker(TrainingClass, {"pairing_id": ctx.pairing.pk})
        stored = ctx.extra["classes"]["stored"]
        verdicts = {}  # every row of a class states the same class: check it once

        def check(values, current=None):
            errors = self.person_errors(values, current)
            own = {k: v for k, v in values.items() if not k.startswith(("person__", CLASS))}
            errors.update(own_check(own, current and {k: current[k] for k in current if k in own}) or {})
            row = (stored.get((values[NAME], values[START])) or [{}])[0] | values
            klass = {k[len(CLASS):]: v for k, v in row.items() if k.startswith(CLASS)}
            signature = tuple(sorted(klass.items()))
            if signature not in verdicts:
                verdicts[signature] = class_check(klass) or {}
            errors.update({CLASS + k: message for k, message in verdicts[signature].items()})
            return errors or None

        return check

    # --- writing ---------------------------------------------------------------
    def class_id(self, ctx, key):
        """Return the pk of the class named by `key`, creating it or (update
        mode) updating it from the file's columns on first use."""
        classes = ctx.extra["classes"]
        pk = classes["written"].get(key)
        if pk is not None:
            return pk
        given = {k[len(CLASS):]: v for k, v in classes["given"].get(key, {}).items()}
        stored = classes["stored"].get(key)
        if stored:
            obj = TrainingClass.objects.select_for_update().get(pk=stored[0]["pk"])
            # In append mode nothing is given for a stored class (its rows agree with it).
            changed = [f for f, v in given.items() if getattr(obj, f) != v]
            if changed:
                for f in changed:
                    setattr(obj, f, given[f])
                obj.version += 1
                obj.save(update_fields=[*changed, "version"])
        else:
            obj = TrainingClass(pairing=ctx.pairing, name=key[0], start=key[1], **given)
            obj.full_clean()
            obj.save()
        classes["written"][key] = obj.pk
        return obj.pk

    def insert(self, ctx, inserter, rows):
        self.create_people(ctx, rows)
        out = []
        for values in rows:
            row = {k: v for k, v in values.items() if not k.startswith(("person__", CLASS))}
            row["training_class_id"] = self.class_id(ctx, (values[NAME], values[START]))
            row["person_id"] = self.person_id(ctx, values)
            out.append(row)
        return inserter.insert(out)

    def update(self, ctx, pk, changes):
        obj = Trainee.objects.select_related("training_class").get(pk=pk)
        self.class_id(ctx, (obj.training_class.name, obj.training_class.start))
        own = {k: v for k, v in changes.items() if not k.startswith(("person__", CLASS))}
        return super().update(ctx, pk, own) if own else obj
