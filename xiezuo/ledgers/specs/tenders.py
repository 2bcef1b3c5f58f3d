"""招标采购台账: procurement processes (`procurement.Tender`) with their bids.

Layout. The importer reads every visible sheet with one spec, so the ledger
is ONE ROW PER BID with the process's columns repeated on each row; a
process without bids yet is one row with the bid columns left empty. The
process columns come first (项目编号 … 合同签订日期), then the bid columns
(投标人 … 是否中标). 是否中标 = 是 makes that bid the process's winning bid
(`Tender.winning_bid`, at most one per process); the award's supplier then
follows the bid, as the procurement pages do.

Which process a row belongs to: the one with its 采购编号 when given, else the
one with its 采购事项名称 + 年度 and no 采购编号, within the pairing. Rows of one
process must agree on every process column; a row that disagrees is an error
naming the column. A registered process keeps its 采购事项名称 and 年度 (its
identity): a row giving another is refused, and so is a row without 采购编号
for a process registered with one.

Natural key (update mode): 采购编号 + 采购事项名称 + 年度 + 投标人, where 投标人 is
empty on the row of a process without bids. Every registered process also
has that bid-less key, so a bid-less row of a process that has bids updates
the process only. In update mode a changed process column changes the
process (one tracked `update` event, however many of its rows carry the
change; each such row counts as updated) and a changed bid column the bid
(one event). In append mode a new bid of a registered process is added, but
its process columns must match what is registered and the process is left
as it is, except that a new bid marked 是否中标 wins a process that has no
winning bid yet (one that has is refused).

Writing. Rows are saved through the tracked models' `save()` (each create and
update is its own audit event, so the importer records no batch event:
`audits_batches`). Every save asks the rule engine to recompute the
process's findings; inside the import those requests are gathered
(`procurement.services.collecting`) and `finish` recomputes the findings of
every process touched once, in the import's transaction (a `batch()` held
open from `begin` to `finish` would never be closed by an import with errors,
which skips `finish`). `Tender.clean`,
`Bid.clean` and the winning-bid rule (a disqualified bid cannot win) are
checked on every new or changed row and become row errors.

联系电话 is exported masked (the bid's stored masked copy, as on every
procurement page; the export never decrypts). A masked number sent back
stands for the number registered for that bid; a new bid, or a changed
number, needs the full number, which is checked and normalised by
`lib.pii.normalize_phone` (the one phone rule, shared with the labour module)
and stored encrypted by `Bid.set_contact_phone`. 保证金转出账户 (often a
person's own bank account) is treated the same way: exported as the bid's
stored masked copy (6222********0012), a masked account sent back stands for
the registered one, a full account is checked and normalised by
`lib.ids.normalize_account` and stored encrypted by `Bid.set_bond_account`.

`queryset(ctx)` is the pairing's processes with their bids joined: one row
per ledger row, as exported.
"""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.base import ModelState
from django.utils.translation import gettext_noop

from lib import pii
from lib.ids import make_uscc, mask_account, mask_phone, normalize_account
from xiezuo.funds.models import Project
from xiezuo.procurement import services
from xiezuo.procurement.models import (
    CONSULTANCY,
    CONSULTATION,
    DIRECT,
    FRAMEWORK,
    GOODS,
    ITEM_KINDS,
    METHODS,
    NEGOTIATION,
    OPEN,
    RFQ,
    SELECTIVE,
    SERVICES,
    SINGLE_SOURCE,
    WORKS,
    Bid,
    Tender,
)

from ..columns import USCC, Amount, Bool, Choice, Column, Date, Lookup, Text, Year, clean_text
from ..spec import LedgerSpec, register
from .common import organisations

BID = "bid__"  # prefix of the bid columns' attnames
SUPPLIER, PHONE, PRICE = BID + "supplier_name", BID + "contact_phone", BID + "price"
ACCOUNT = BID + "bond_account"
VALID, WINNER = BID + "valid", BID + "is_winner"
MASK = "*"
STATE = "tenders"  # ctx.extra key of the import's state
AMBIGUOUS = object()


def projects(ctx):
    return ctx.scope.filter(Project.objects.filter(pairing=ctx.pairing))


class MaskedPhone(str):
    """A phone number as exported (139****5678): stands for the registered one."""


def _compact(value):
    return clean_text(value).replace(" ", "").replace("-", "")


def _masked(text):
    # Too short to be anyone's number (and refused by Bid.clean): shown as written.
    return mask_phone(text) if len(text) >= 7 else text


class MaskedAccount(str):
    """A bank account as exported (6222********0012): stands for the registered one."""


class MaskedNumber(Column):
    """A personal number: normalised on the way in, masked on the way out. A
    masked value sent back (as exported) is kept as `masked_type`: it stands
    for the number already registered."""

    masked_type = str
    normalize = mask = None  # set by each kind of number

    def parse(self, value, unit=None):
        text = _compact(value)
        if MASK in text:
            return self.masked_type(text)
        return self.normalize(text) if text else ""

    def fast(self, unit=None):
        return lambda raw: self.parse(raw, unit)

    def export(self, value):
        if not value:
            return ""
        return value if isinstance(value, self.masked_type) else self.mask(value)

    def shown(self, raw):
        text = _compact(raw)
        return text if MASK in text else self.mask(text)


class Phone(MaskedNumber):
    """联系电话: normalised by `lib.pii.normalize_phone`."""

    kind = "联系电话"
    masked_type = MaskedPhone
    normalize = staticmethod(pii.normalize_phone)
    mask = staticmethod(_masked)

    def describe(self):
        return "11位手机号码或带区号的固定电话；导出时已脱敏，原样导回表示号码不变，更改或新登记请填写完整号码"


class Account(MaskedNumber):
    """保证金转出账户: normalised by `lib.ids.normalize_account`."""

    kind = "银行账号"
    masked_type = MaskedAccount
    normalize = staticmethod(normalize_account)
    mask = staticmethod(mask_account)

    def describe(self):
        return "6至40位数字的银行账号；导出时已脱敏，原样导回表示账户不变，更改或新登记请填写完整账号"


TENDER_COLUMNS = [
    Lookup("project", "项目编号", queryset=projects, keys=("code", "name"), label="code", what="项目",
           synonyms=["所属项目", "项目代码", "协作项目编号"], required=True, example="HY-2022-10"),
    Text("code", "采购编号", synonyms=["招标编号", "采购项目编号", "招标项目编号", "项目采购编号"], max_length=60,
         help="同一采购事项各行相同；未填写时按采购事项名称 + 年度识别", example="HYZB-2023-001（示例）"),
    Text("title", "采购事项名称", synonyms=["采购项目名称", "招标项目名称", "采购事项", "招标事项", "采购名称"],
         required=True, max_length=200, example="乡村道路提升工程施工（示例）"),
    Year("year", "年度", synonyms=["年份", "采购年度"], required=True, example=2023),
    Choice("item_kind", "采购品目类别", ITEM_KINDS, synonyms=["品目类别", "采购类别", "采购品目"], required=True,
           aliases={"工程": WORKS, "施工": WORKS, "工程类": WORKS, "货物类": GOODS, "服务类": SERVICES,
                    "勘察": CONSULTANCY, "设计": CONSULTANCY, "监理": CONSULTANCY, "勘察设计": CONSULTANCY},
           example="工程施工"),
    Choice("method", "采购方式", METHODS, synonyms=["招标方式", "采购（招标）方式"], required=True,
           aliases={"公开": OPEN, "邀请": SELECTIVE, "谈判": NEGOTIATION, "磋商": CONSULTATION, "询比价": RFQ,
                    "单一来源采购": SINGLE_SOURCE, "框架协议采购": FRAMEWORK, "直接发包": DIRECT, "小额采购": DIRECT},
           example="公开招标"),
    Amount("estimated_value", "估算金额", synonyms=["预算金额", "采购预算", "估算价", "项目估算"], required=True,
           positive=True, example=2800000),
    Lookup("buyer", "招标人（采购人）", queryset=organisations, keys=("name", "uscc"), what="单位",
           qualifier="region__name", synonyms=["招标人", "采购人", "采购单位", "招标单位"], required=True,
           example="湟源县乡村振兴局"),
    Text("agent", "代理机构", synonyms=["招标代理机构", "采购代理机构", "招标（采购）代理机构"], max_length=200,
         example="青海示例招标代理有限公司（示例）"),
    Date("notice_date", "公告发布日期", synonyms=["公告日期", "招标公告发布日期", "发布日期"], example="2023-04-03"),
    Date("docs_issued", "招标文件发出日期", synonyms=["文件发出日期", "采购文件发出日期", "招标文件发售日期"]),
    Date("bid_deadline", "投标截止日期", synonyms=["截标日期", "投标截止时间", "响应截止日期"]),
    Date("opening_date", "开标日期", synonyms=["开标时间"]),
    Date("evaluation_report", "评标报告提交日期", synonyms=["评标报告日期", "评标日期"]),
    Date("publicity_start", "候选人公示开始", synonyms=["公示开始日期", "中标候选人公示开始", "公示开始"]),
    Date("publicity_end", "候选人公示结束", synonyms=["公示结束日期", "中标候选人公示结束", "公示结束"]),
    Date("award_date", "中标通知日期", synonyms=["中标通知书日期", "成交通知日期", "中标（成交）通知日期", "定标日期"]),
    Text("award_supplier", "中标供应商", synonyms=["中标人", "中标单位", "成交供应商", "中标（成交）供应商"],
         max_length=200, help="有投标标为中标时即为该投标人，可留空"),
    Amount("award_value", "中标金额", synonyms=["中标价", "成交金额", "中标（成交）金额"], positive=True,
           help="留空时取中标投标的报价"),
    Text("contract_number", "合同编号", synonyms=["合同号"], max_length=60),
    Amount("contract_value", "合同金额", synonyms=["合同价", "合同价款"], positive=True),
    Date("contract_signed", "合同签订日期", synonyms=["签约日期", "合同签订时间"]),
]

BID_COLUMNS = [
    Text(SUPPLIER, "投标人", synonyms=["投标单位", "投标人名称", "投标供应商", "响应供应商"], max_length=200,
         help="尚无投标的采购事项留空（投标各列均留空）", example="青海示例路桥建设有限公司（示例）"),
    USCC(BID + "supplier_uscc", "统一社会信用代码", synonyms=["投标人统一社会信用代码", "社会信用代码", "信用代码"],
         example=make_uscc("91630123MA7EYT001")),
    Text(BID + "legal_rep", "法定代表人", synonyms=["法人代表", "法人"], max_length=50),
    Phone(PHONE, "联系电话", synonyms=["电话", "联系方式", "手机号码"], max_length=20),
    Text(BID + "project_manager", "项目经理", synonyms=["项目经理（负责人）", "项目负责人"], max_length=50),
    Account(ACCOUNT, "保证金转出账户", synonyms=["投标保证金转出账户", "保证金账户", "投标保证金账户"],
            max_length=40),
    Amount(PRICE, "投标报价", synonyms=["报价", "投标价", "投标金额", "响应报价"], positive=True,
           help="填写投标人时必填", example=2650000),
    Bool(VALID, "有效投标", synonyms=["是否有效", "有效"], default=True,
         help="留空为“是”；被否决的投标填“否”并填写否决理由", example="是"),
    Text(BID + "disqualification_reason", "否决理由", synonyms=["否决原因", "废标理由", "无效原因"], max_length=300),
    Bool(WINNER, "是否中标", synonyms=["中标", "是否成交"], help="中标（成交）的投标填“是”，每个采购事项至多一个",
         example="是"),
]

TENDER_ATTNAMES = [c.attname for c in TENDER_COLUMNS]
# Bid columns stored on the bid (是否中标 is stored on the process).
BID_ATTNAMES = [c.attname for c in BID_COLUMNS if c.attname != WINNER]
EMPTY_BID = {c.attname: c.empty() for c in BID_COLUMNS}


def _field(attname):
    return attname[len(BID):]


# The bid columns stored encrypted: field → (purpose, the type of its masked copy).
ENCRYPTED = {"contact_phone": (Bid.PII_PHONE, MaskedPhone), "bond_account": (Bid.PII_ACCOUNT, MaskedAccount)}


def _bid_values(bids, plain):
    """Yield the bids' stored ledger values as dicts (one query). The phone
    and the bond account are decrypted when `plain` (an import compares them
    with the file) and otherwise the stored masked copies, as MaskedPhone and
    MaskedAccount (an export)."""
    fields = [_field(a) for a in BID_ATTNAMES if _field(a) not in ENCRYPTED]
    stored = [f"{name}_{part}" for name in ENCRYPTED for part in ("enc", "masked")]
    for b in bids.values("pk", "tender_id", *fields, *stored):
        for name, (purpose, masked_type) in ENCRYPTED.items():
            enc, masked = b.pop(f"{name}_enc"), b.pop(f"{name}_masked")
            b[name] = pii.decrypt(enc, purpose) if plain else masked_type(masked)
        yield b


def _group(values):
    """Return what identifies the row's process in the file and among registered ones."""
    code = values.get("code")
    return ("code", code) if code else ("title", values.get("title"), values.get("year"))


class _Registered:
    """The pairing's processes and bids, as the ledger's rows, loaded once per import."""

    def __init__(self, ctx):
        self.rows = {}  # hash of the natural key → the stored row (a dict), "pk" = (tender pk, bid pk)
        self.tenders = {}  # pk → process values (+ pk, winning_bid_id)
        self.by_group = {}  # _group → process values, or AMBIGUOUS
        self.coded = {}  # (title, year) → 采购编号 of a registered process that has one
        self.bids = {}  # (tender pk, 投标人) → the stored row of that bid
        tenders = ctx.scope.filter(Tender.objects.filter(pairing=ctx.pairing)).order_by("pk")
        for t in tenders.values("pk", "winning_bid_id", *TENDER_ATTNAMES):
            self.tenders[t["pk"]] = t
            group = _group(t)
            self.by_group[group] = AMBIGUOUS if group in self.by_group else t
            if t["code"]:
                self.coded.setdefault((t["title"], t["year"]), t["code"])
            self._add(t, None)
        bids = ctx.scope.filter(Bid.objects.filter(tender__pairing=ctx.pairing)).order_by("pk")
        for b in _bid_values(bids, plain=True):
            self._add(self.tenders[b["tender_id"]], b)

    def _add(self, t, b):
        row = {a: t[a] for a in TENDER_ATTNAMES}
        if b is None:
            row.update(EMPTY_BID)
        else:
            row.update({a: b[_field(a)] for a in BID_ATTNAMES})
            row[WINNER] = t["winning_bid_id"] == b["pk"]
            self.bids[(t["pk"], b["supplier_name"])] = row
        row["pk"] = (t["pk"], b and b["pk"])
        self.rows[hash((t["code"], t["title"], t["year"], row[SUPPLIER]))] = row

    def tender(self, values):
        found = self.by_group.get(_group(values))
        return None if found is AMBIGUOUS else found

    def bid(self, values):
        """Return the stored row of the registered bid a row names, or None."""
        tender = self.tender(values)
        return tender and values.get(SUPPLIER) and self.bids.get((tender["pk"], values[SUPPLIER]))


def _shown(col, value):
    return clean_text(col.export(value))


@register
class TendersSpec(LedgerSpec):
    name = "tenders"
    title = gettext_noop("招标采购台账")
    sheet = "招标采购"
    model = Tender
    key = ("code", "title", "year", SUPPLIER)
    key_note = "采购编号 + 采购事项名称 + 年度 + 投标人（尚无投标的采购事项投标人为空）"
    audits_batches = True  # every tracked save records its own event
    columns = TENDER_COLUMNS + BID_COLUMNS

    def queryset(self, ctx):
        # One row per ledger row: each process once per bid (joined), or
        # once when it has no bid yet — exactly the rows `export_rows` writes.
        return ctx.scope.filter(Tender.objects.filter(pairing=ctx.pairing)).alias(ledger_bid=F("bids__id"))

    def prepare(self, ctx):
        super().prepare(ctx)
        ctx.extra[STATE] = {"registered": _Registered(ctx), "update": False, "recompute": set(), "made": {},
                            "new": set(), "file": {}, "winners": {}}

    def existing(self, ctx, attnames=None):
        state = ctx.extra[STATE]
        state["update"] = attnames is not None
        return state["registered"].rows

    def defaults(self, ctx):
        return {}

    def inserter(self, ctx):
        return None  # rows go through the models' save()

    # ------------------------------------------------------------ checks

    def resolver(self, ctx):
        state = ctx.extra[STATE]
        registered, in_file, winners = state["registered"], state["file"], state["winners"]
        column = self.column

        def resolve(values):
            values.setdefault("code", "")
            values.setdefault(SUPPLIER, "")
            errors = self._identity(registered, values)
            group = _group(values)
            # Rows of one process agree on its columns.
            first = in_file.setdefault(group, {a: values[a] for a in TENDER_ATTNAMES if a in values})
            for attname, value in values.items():
                if attname in first and attname in TENDER_ATTNAMES and first[attname] != value:
                    shown = _shown(column(attname), first[attname])
                    before = f"前面的行为“{shown}”" if shown else "前面的行未填写"
                    errors[attname] = f"与本文件中同一采购事项前面的行不一致（{before}），同一采购事项各行的采购信息应相同"
            supplier = values[SUPPLIER]
            if not supplier:
                filled = [column(a).header for a in BID_ATTNAMES[1:] + [WINNER]
                          if a in values and values[a] != EMPTY_BID[a]]
                if filled:
                    errors[SUPPLIER] = (f"本行填写了{'、'.join(filled)}，须填写投标人；"
                                        "尚无投标的采购事项，投标各列均应留空")
            elif values.get(WINNER):
                won = winners.setdefault(group, supplier)
                if won != supplier:
                    errors[WINNER] = f"同一采购事项只能有一个中标投标，前面的行已将“{won}”标为中标"
            phone = values.get(PHONE)
            if isinstance(phone, MaskedPhone):
                stored = registered.bid(values)
                number = stored[PHONE] if stored else ""
                if number and mask_phone(number) == phone:
                    values[PHONE] = number
                elif number:
                    errors[PHONE] = f"号码已脱敏，与已登记的号码（{mask_phone(number)}）不符；更改号码请填写完整的联系电话"
                elif stored:
                    errors[PHONE] = "号码已脱敏，而该投标未登记联系电话；请填写完整号码"
                else:
                    errors[PHONE] = "号码已脱敏；新登记的投标请填写完整的联系电话"
            account = values.get(ACCOUNT)
            if isinstance(account, MaskedAccount):
                stored = registered.bid(values)
                number = stored[ACCOUNT] if stored else ""
                if number and mask_account(number) == account:
                    values[ACCOUNT] = number
                elif number:
                    errors[ACCOUNT] = (f"账号已脱敏，与已登记的账号（{mask_account(number)}）不符；"
                                       "更改账户请填写完整的保证金转出账户")
                elif stored:
                    errors[ACCOUNT] = "账号已脱敏，而该投标未登记保证金转出账户；请填写完整账号"
                else:
                    errors[ACCOUNT] = "账号已脱敏；新登记的投标请填写完整的保证金转出账户"
            return errors or None

        return resolve

    @staticmethod
    def _identity(registered, values):
        """Return errors where a row names a registered process differently."""
        code, title, year = values["code"], values["title"], values["year"]
        by_group = registered.by_group
        errors = {}
        if code:
            found = by_group.get(("code", code))
            if found is AMBIGUOUS:
                errors["code"] = f"本结对有多个采购编号为“{code}”的采购事项，无法确定是哪一个，请先在招标采购页面区分"
            elif found is not None:
                if found["title"] != title:
                    errors["title"] = (f"采购编号“{code}”已登记为“{found['title']}”；"
                                       "更改采购事项名称请在招标采购页面修改")
                if found["year"] != year:
                    errors["year"] = f"采购编号“{code}”已登记为{found['year']}年度；更改年度请在招标采购页面修改"
            elif ("title", title, year) in by_group:
                errors["code"] = f"已登记的“{title}”（{year}年度）没有采购编号；补填采购编号请在招标采购页面修改"
        else:
            found = by_group.get(("title", title, year))
            if found is AMBIGUOUS:
                errors["title"] = (f"本结对有多个{year}年度名为“{title}”且没有采购编号的采购事项，"
                                   "请先在招标采购页面区分")
            elif found is None and (title, year) in registered.coded:
                errors["code"] = f"已登记的“{title}”（{year}年度）采购编号为“{registered.coded[(title, year)]}”，请填写采购编号"
        return errors

    def checker(self, ctx):
        state = ctx.extra[STATE]
        registered = state["registered"]
        tender_base = {f.attname: f.get_default() for f in Tender._meta.concrete_fields}
        bid_base = {f.attname: f.get_default() for f in Bid._meta.concrete_fields}
        column = self.column

        def check(values, current=None):
            errors = {}
            stored = registered.tender(values)
            tender = dict(stored or {})
            if stored is not None and current is None and not state["update"]:
                # Append mode adds the bid and leaves the registered process as it is.
                for attname in TENDER_ATTNAMES:
                    if attname in values and values[attname] != stored[attname]:
                        shown = _shown(column(attname), stored[attname]) or "空"
                        errors[attname] = (f"与已登记的采购事项不一致（已登记为“{shown}”）；"
                                           "追加导入不修改已登记的采购事项，请改用按关键字更新")
            tender = {a: values[a] if a in values else tender[a] for a in TENDER_ATTNAMES
                      if a in values or a in tender}
            errors.update(_clean(Tender, tender_base, tender, "") or {})
            supplier = values[SUPPLIER]
            if not supplier:
                return errors or None
            bid = {a: (current or EMPTY_BID)[a] for a in BID_ATTNAMES + [WINNER]}
            bid.update({a: values[a] for a in BID_ATTNAMES + [WINNER] if a in values})
            errors.update(_clean(Bid, bid_base, {_field(a): bid[a] for a in BID_ATTNAMES}, BID) or {})
            if bid[PRICE] is None:
                errors.setdefault(PRICE, "填写投标人时须填写投标报价")
            if bid[WINNER]:
                if not bid[VALID]:
                    errors.setdefault(VALID, "被否决的投标不能中标")
                if tender.get("award_supplier") and tender["award_supplier"] != supplier:
                    errors.setdefault("award_supplier", f"中标供应商应与标为中标的投标人“{supplier}”一致")
                if stored is not None and not state["update"] and stored["winning_bid_id"]:
                    errors.setdefault(WINNER, "该采购事项已确定中标投标；追加导入不修改已登记的采购事项，请改用按关键字更新")
            return errors or None

        return check

    # ------------------------------------------------------------ writes

    def begin(self, ctx):
        ctx.extra[STATE]["recompute"] = set()

    def insert(self, ctx, inserter, rows):
        """Save the new rows' processes (found or created) and bids; return
        the process id of each row."""
        ids = []
        with services.collecting(ctx.extra[STATE]["recompute"]):
            for values in rows:
                tender = self._process_of(ctx, values)
                if values[SUPPLIER]:
                    bid = Bid(tender=tender, **{_field(a): values[a] for a in BID_ATTNAMES if a in values})
                    bid.save()
                    if values.get(WINNER):
                        self._save_tender(ctx, tender.pk, {}, winner=bid.pk)
                ids.append(tender.pk)
        return ids

    def _process_of(self, ctx, values):
        state = ctx.extra[STATE]
        group = _group(values)
        pk = state["made"].get(group)
        if pk is not None:
            return Tender.objects.get(pk=pk)
        stored = state["registered"].tender(values)
        if stored is None:
            tender = Tender(pairing=ctx.pairing, **{a: values[a] for a in TENDER_ATTNAMES if a in values})
            tender.save()
            state["new"].add(tender.pk)
        else:
            tender = self._save_tender(ctx, stored["pk"], values if state["update"] else {})
        state["made"][group] = tender.pk
        return tender

    def _save_tender(self, ctx, pk, values, winner=None):
        """Apply the process columns of `values` (and a winning bid: a pk, or
        0 for none) to a process; save it when something changed."""
        tender = Tender.objects.select_for_update().get(pk=pk)
        changes = {a: values[a] for a in TENDER_ATTNAMES if a in values and getattr(tender, a) != values[a]}
        if winner is not None and tender.winning_bid_id != (winner or None):
            changes["winning_bid_id"] = winner or None
        if changes.get("winning_bid_id", tender.winning_bid_id):
            # The award follows the winning bid (Tender.save): an empty cell there changes nothing.
            if changes.get("award_supplier") == "":
                del changes["award_supplier"]
            if "award_value" in changes and changes["award_value"] is None:
                del changes["award_value"]
        if not changes:
            return tender
        for attname, value in changes.items():
            setattr(tender, attname, value)
        if tender.pk not in ctx.extra[STATE]["new"]:
            tender.version += 1
        tender.save()
        return tender

    def update(self, ctx, pk, changes):
        """Apply a changed row: its bid's columns to the bid, its process's
        columns and 是否中标 to the process (each save its own event)."""
        tender_pk, bid_pk = pk
        with services.collecting(ctx.extra[STATE]["recompute"]):
            if bid_pk:
                bid = Bid.objects.select_for_update().get(pk=bid_pk)
                fields = {_field(a): v for a, v in changes.items()
                          if a in BID_ATTNAMES and getattr(bid, _field(a)) != v}
                if fields:
                    for name, value in fields.items():
                        setattr(bid, name, value)
                    bid.version += 1
                    bid.save()
            winner = None
            if bid_pk and WINNER in changes:
                current = Tender.objects.filter(pk=tender_pk).values_list("winning_bid_id", flat=True).get()
                if changes[WINNER]:
                    winner = bid_pk
                elif current == bid_pk:
                    winner = 0
            return self._save_tender(ctx, tender_pk, changes, winner=winner)

    def finish(self, ctx, touched):
        """Recompute the findings of every process the import touched, once."""
        pending = ctx.extra[STATE]["recompute"]
        if not pending:
            return []
        services.recompute(pending)
        return [f"{len(pending)}个招标采购事项的预警线索随本次导入按规则重新计算。"]

    # ------------------------------------------------------------ export

    def export_rows(self, ctx):
        tenders = ctx.scope.filter(Tender.objects.filter(pairing=ctx.pairing)).order_by("pk")
        if ctx.year:
            tenders = self.of_year(tenders, ctx.year)
        bids = {}
        stored = ctx.scope.filter(Bid.objects.filter(tender__in=tenders)).order_by("tender_id", "pk")
        for b in _bid_values(stored, plain=False):
            bids.setdefault(b["tender_id"], []).append(b)
        empty = [""] * len(BID_COLUMNS)
        # This import's own columns (see LedgerSpec.fresh), whose lookups are prepared.
        tender_columns, bid_columns = self.columns[:len(TENDER_COLUMNS)], self.columns[len(TENDER_COLUMNS):]
        for t in tenders.values("pk", "winning_bid_id", *TENDER_ATTNAMES).iterator(chunk_size=2000):
            cells = [col.export(t[col.attname]) for col in tender_columns]
            if t["pk"] not in bids:
                yield cells + empty
                continue
            for b in bids[t["pk"]]:
                row = {a: b[_field(a)] for a in BID_ATTNAMES}
                row[WINNER] = t["winning_bid_id"] == b["pk"]
                yield cells + [col.export(row[col.attname]) for col in bid_columns]


def _clean(model, base, values, prefix):
    """Run `model.clean()` on an instance of `values` (made without
    Model.__init__); return {attname: message} or None."""
    instance = model.__new__(model)
    data = instance.__dict__
    data.update(base)
    data.update(values)
    # Scope and winning bid are the spec's own checks (the project lookup is
    # the pairing's; the winner is a row of the file, not yet a stored bid).
    data.update({"id": None, "pairing_id": None, "winning_bid_id": None} if model is Tender else {"id": None})
    instance._state = ModelState()
    try:
        instance.clean()
    except ValidationError as e:
        return {prefix + k: "；".join(v) for k, v in e.message_dict.items()}
    return None
