"""Any text is answered: a check never fails on what it is given, and every
claim it finds is where the text has it."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.accounts.models import User
from xiezuo.accounts.scope import scope_for
from xiezuo.crosscheck import services

pytestmark = pytest.mark.django_db
FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

PIECES = ["2021年", "今年", "去年", "上半年", "自2021年以来", "至", "帮扶资金", "项目", "培训", "三支", "受益", "学校",
          "超", "近", "约", "余", "多", "以上", "以下", "左右", "万", "亿", "元", "人次", "人", "个", "期", "所", "%",
          "0", "1", "9", ".", ",", "一", "两", "十", "百", "千", "零", "点", "，", "。", "\n", "\r\n", "１２", "％", "六合", "湟源", "和平乡",
          "第", "千万", "4300", "1.68", "余万元"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_text_is_answered(county, text):
    scope = scope_for(User.objects.get(username="liuhe"))
    for claim in services.check(text, county, scope, datetime.date(2022, 7, 1)):
        assert text[claim.start:claim.end].translate(FULLWIDTH) == claim.written
        assert claim.verdict in services.VERDICTS
        assert (claim.verdict == services.UNKNOWN) == (claim.ledger is None)
        assert claim.as_json()["verdict"] == claim.verdict
