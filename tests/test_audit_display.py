"""The audit log in words: model and field names, values as people read them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.audit import display
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt
from xiezuo.pairings.models import Organisation

from .checklist import login

pytestmark = pytest.mark.django_db


def test_labels_fields_and_values_have_names():
    assert display.model_name("labour.Person") == "劳务协作与人才交流 · 人员"
    assert display.model_name("accounts.Membership") == "账户与权限 · 结对角色"
    assert display.model_name("funds.settings") == "资金与项目 · 设置"
    assert display.field_name("funds.FundReceipt", "payer_id") == "拨付单位"
    assert display.field_name("labour.TrainingClass", "full_numbers") == "含完整身份证号"
    assert display.field_name("funds.FundReceipt", "no_such_key") == "<code>no_such_key</code>"
    assert display.value_text("funds.FundReceipt", "kind", "fiscal") == "财政援助资金"
    assert display.value_text("funds.FundReceipt", "amount", "5415000.00") == "541.5万元"
    assert display.value_text("funds.FundReceipt", "payer_id", 10) == "单位 #10"
    assert display.value_text("funds.FundReceipt", "is_demo", True) == "是"
    assert display.value_text("funds.FundReceipt", "doc_number", "lh_hy_hall") == "<code>lh_hy_hall</code>"
    assert display.actor_name("system") == "系统"


@pytest.mark.parametrize("prefix", ["xz_vTDSkw-", "xz_-abcdef", "xz_Ab_Cd_E", "xz_AbCdEfG"])
def test_a_token_prefix_is_code_whatever_it_happens_to_spell(prefix):
    # A prefix is random: with a "-" it fell through the pattern for codes
    # and read as two English words on the trail.
    assert display.value_text("accounts.APIToken", "prefix", prefix) == f"<code>{prefix}</code>"


def test_the_auditor_reads_a_receipt_change_in_words(county):
    receipt = FundReceipt.objects.create(
        pairing=county, year=2023, kind="fiscal", date=datetime.date(2023, 3, 1), amount=Decimal("5415000"),
        payer=Organisation.objects.get(name="南京市六合区人民政府"), doc_number="审1")
    event = AuditEvent.objects.filter(model="funds.FundReceipt", object_id=str(receipt.pk)).latest("seq")
    html = login("shenji").get(reverse("audit_list") + f"?object_id={receipt.pk}&model=FundReceipt").content.decode()
    assert f"资金与项目 · 资金到位</span> #{receipt.pk}" in html
    assert "金额（元）：— → 541.5万元" in html and "资金类型：— → 财政援助资金" in html
    assert "funds.FundReceipt #" not in html and "<code>payer_id</code>" not in html
    assert event.after["payer_id"] is not None
