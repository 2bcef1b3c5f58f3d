"""Show audit events in words: model and field names, values as people read them.

An event stores what the code knows — the model label (labour.Person), the
field names (payer_id) and the stored values (choice codes, ids, yuan
strings) — and cannot be rewritten without breaking the chain. This module
turns them into the names the forms use ("劳务协作与人才交流 · 人员 #10",
"付款单位", "财政援助", "541.5万元") on the way out. What has no name (a key
that no longer exists, a stored code, structured data, a field the model
lists in `audit_codes`) is shown as code, so an auditor still sees exactly
what was recorded.
"""

import json
import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from lib.chinese import in_chinese
from lib.money import money

# Keys of events written by imports, exports and settings pages rather than
# from a model's fields (xiezuo.ledgers.bulk, labour.services, …).
EXTRA_KEYS = {
    "rows": _("行"), "full_numbers": _("含完整身份证号"), "ledger": _("台账"), "file": _("文件"), "sha256": _("文件摘要"),
    "count": _("条数"), "ids": _("记录编号"), "amount_fen": _("金额（分）"), "first_id": _("起始编号"),
    "last_id": _("截止编号"), "differences": _("修正处数"), "pairings": _("结对"), "flagged_832": _("新标记的832平台县"),
    "unflagged_832": _("取消标记的832平台县"), "fields": _("查看的信息"),
}
# Fields and models declared without a Chinese verbose name (Django then
# makes one from the English name): their names here, for the trail only.
FIELD_NAMES = {
    "agreement": _("年度协议"), "amount_fen": _("金额（分）"), "audit_seq": _("审计序号"),
    "bond_account_enc": _("投标保证金转出账户（加密）"), "bond_account_hash": _("投标保证金转出账户（检索摘要）"), "buyer": _("采购单位"),
    "channel": _("销售渠道"), "computed_on": _("计算时间"), "confirmed_at": _("确认时间"), "confirmed_by": _("确认人"),
    "contact_phone_enc": _("联系电话（加密）"), "contact_phone_hash": _("联系电话（检索摘要）"), "content_type": _("文件类型"),
    "created": _("创建时间"), "created_at": _("创建时间"), "dashboard": _("看板数据"), "digest": _("摘要"), "done_at": _("完成时间"),
    "drafted_by": _("起草人"), "figures": _("统计数据"), "file": _("文件"), "finished_at": _("完成时间"),
    "id_number_enc": _("身份证号（加密）"), "id_number_hash": _("身份证号（检索摘要）"), "key": _("线索键"), "kind": _("类型"),
    "last_used": _("最近使用"), "month": _("月份"), "n": _("笔数"), "name": _("名称"), "organisation": _("所属单位"),
    "pairing": _("结对关系"), "parent": _("上级"), "path": _("层级路径"), "phone_enc": _("联系电话（加密）"),
    "phone_hash": _("联系电话（检索摘要）"), "prefix": _("前缀"), "product": _("产品"), "project": _("项目"), "result": _("结果"),
    "reviewed_at": _("复核时间"), "reviewed_by": _("复核人"), "revoked": _("已吊销"), "rule_version": _("规则版本"),
    "ruleset": _("规则集"), "submitted_at": _("提交时间"), "tender": _("招标采购事项"), "tree_root": _("所属结对树"),
    "uploaded_by": _("上传人"), "user": _("用户"), "version": _("版本号"), "visit": _("互访"), "year": _("年度"),
}
MODEL_NAMES = {
    "accounts.APIToken": _("接口令牌"), "accounts.Membership": _("结对角色"), "assessment.FiguresCache": _("统计缓存"),
    "consumption.BuyerTotal": _("采购单位汇总"), "consumption.CanteenBudget": _("食堂食材采购预算"),
    "consumption.ProductTotal": _("产品汇总"), "consumption.SaleTotal": _("销售汇总"),
    "consumption.ShareSetting": _("832份额设置"), "front.DemoStep": _("示例数据步骤"),
    "funds.ProjectBeneficiary": _("项目受益对象"), "funds.ProjectOutput": _("项目产出"),
    "pairings.AgreementTarget": _("协议目标"), "pairings.PairingDocument": _("结对协议文件"),
    "procurement.RuleSetting": _("规则设置"),
}
# Labels that name no model: settings pages and the like.
PSEUDO_MODELS = {"settings": _("设置")}
# Actors that are not people: commands run on the server.
ACTORS = {"system": _("系统"), "load_demo": _("示例数据加载")}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Stored codes: shown as code, not as words (the scan of the pages knows this).
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+$|^[a-z]+[0-9]*$")


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _noun(model):
    """Return the model's Chinese name, or None."""
    # Named in Chinese in the code (English when the reader chose it).
    if CJK.search(in_chinese(model._meta.verbose_name)):
        return str(model._meta.verbose_name)
    return MODEL_NAMES.get(model._meta.label)


def model_name(label):
    """Return "劳务协作与人才交流 · 人员" for "labour.Person" (HTML-safe)."""
    app_label, _dot, name = (label or "").partition(".")
    model = _model(label)
    try:
        app = apps.get_app_config(app_label).verbose_name
    except LookupError:
        return format_html("<code>{}</code>", label)
    if model is not None and _noun(model):
        return format_html("{} · {}", app, _noun(model))
    if name in PSEUDO_MODELS:
        return format_html("{} · {}", app, PSEUDO_MODELS[name])
    return format_html("{} · <code>{}</code>", app, name)


def _field(model, key):
    if model is None:
        return None
    for name in (key, key[:-3] if key.endswith("_id") else None):
        if name:
            try:
                return model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
    return None


def field_name(label, key):
    """Return the field's verbose name (付款单位 for payer_id), HTML-safe."""
    field = _field(_model(label), key)
    if field is not None and CJK.search(in_chinese(getattr(field, "verbose_name", ""))):
        return format_html("{}", field.verbose_name)
    if field is not None and field.name in FIELD_NAMES:
        return format_html("{}", FIELD_NAMES[field.name])
    if key in EXTRA_KEYS:
        return format_html("{}", EXTRA_KEYS[key])
    return format_html("<code>{}</code>", key)


def _is_money(field):
    return isinstance(field, models.DecimalField) and "元" in in_chinese(field.verbose_name)


def value_text(label, key, value):
    """Return a stored value as people read it, HTML-safe."""
    if value is None or value == "":
        return "—"
    field = _field(_model(label), key)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if field is not None:
        if field.choices and not isinstance(value, (list, dict)):
            names = dict(field.flatchoices)
            if value in names:
                return format_html("{}", names[value])
        if field.is_relation and field.related_model is not None and not isinstance(value, (list, dict)):
            noun = _noun(field.related_model)
            if noun:
                return format_html("{} #{}", noun, value)
            return format_html("<code>{}</code> #{}", field.related_model._meta.label, value)
        if _is_money(field):
            try:
                return format_html("{}", money(Decimal(str(value))))
            except (InvalidOperation, ValueError):
                pass
        if key in getattr(field.model, "audit_codes", ()):
            return format_html("<code>{}</code>", value)
    if isinstance(value, (list, dict)):
        return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False))
    if isinstance(value, str) and CODE.match(value):
        return format_html("<code>{}</code>", value)
    return format_html("{}", value)


def actor_name(name):
    """Return who acted: a person's name as stored, a command in words."""
    if name in ACTORS:
        return ACTORS[name]
    return name


def changes(event):
    """Return (field name, before, after) of the fields an event changed, in words."""
    return [(field_name(event.model, k), value_text(event.model, k, b), value_text(event.model, k, a))
            for k, b, a in event.changed_fields()]


def summary_text(text):
    """Return an event's stored summary with the codes in it marked as code."""
    parts, last = [], 0
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+", text or ""):
        parts.append(format_html("{}<code>{}</code>", text[last:m.start()], m.group(0)))
        last = m.end()
    parts.append(format_html("{}", (text or "")[last:]))
    return format_html("{}" * len(parts), *parts)
