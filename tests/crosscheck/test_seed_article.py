"""The seed article: every figure the ledgers hold checks out on the demo,
and changing any one of them in the text breaks exactly that claim."""

import pytest

from xiezuo.crosscheck.services import BOUND_BROKEN, BOUND_KEPT, CONSISTENT, INCONSISTENT, UNKNOWN

pytestmark = pytest.mark.django_db

# (as written, verdict, figure path, years) in the order of the text.
EXPECTED = [
    ("4300万元", CONSISTENT, "funds.fiscal_received", [2021]),
    ("4大类", CONSISTENT, "funds.categories", [2021]),
    ("7个", CONSISTENT, "funds.projects", [2021]),
    ("4220万元", CONSISTENT, "funds.allocated", [2022]),
    ("5大类", CONSISTENT, "funds.categories", [2022]),
    ("12个", CONSISTENT, "funds.projects", [2022]),
    # No year in its sentence or paragraph: the period the text opens with (自2021年以来).
    ("超千万元", BOUND_KEPT, "consumption.total", [2021, 2022]),
    ("3期", CONSISTENT, "labour.training_classes", [2021, 2022]),
    ("150人", CONSISTENT, "labour.trainees", [2021, 2022]),
    ("31人次", CONSISTENT, "talent.sanzhi_person_times", [2021, 2022]),
    ("五批", UNKNOWN, None, []),
    ("12名", UNKNOWN, None, []),
    ("490万元", CONSISTENT, "funds.allocated", [2019, 2020]),
    ("20所", UNKNOWN, None, []),  # kindergartens given toys: no figure (no 受益 in the sentence)
    ("10所", UNKNOWN, None, []),  # schools with new sports grounds: likewise
    ("约180米", UNKNOWN, None, []),
    ("10所", CONSISTENT, "funds.beneficiaries.schools", [2021, 2022]),
    ("5593名", CONSISTENT, "funds.beneficiaries.students", [2021, 2022]),
    ("21所", CONSISTENT, "funds.beneficiaries.kindergartens", [2021, 2022]),
    ("707名", CONSISTENT, "funds.beneficiaries.children", [2021, 2022]),
    ("4个", UNKNOWN, None, []),  # 4个乡镇: no term counts townships
    # The four township pairs named in the sentence meet at the county pair.
    ("420万元", CONSISTENT, "funds.pairing_received", [2021]),
    ("530余万元", UNKNOWN, "funds.pairing_received", [2021]),
]
CHANGES = {
    "4300万元": "4500万元", "4大类": "6大类", "7个": "9个", "4220万元": "4420万元", "5大类": "6大类",
    "12个": "13个", "超千万元": "超两千万元", "3期": "4期", "150人": "160人", "31人次": "33人次",
    "490万元": "500万元", "10所": "11所", "5593名": "5600名", "21所": "22所", "707名": "700名",
    "420万元": "450万元",
}


def summary(claims):
    return [(c.written, c.verdict, c.term.path if c.term else None, c.years) for c in claims]


def test_every_figure_the_ledgers_hold_is_consistent(article, run, county):
    claims = run(article)
    assert summary(claims) == EXPECTED
    tied = [c for c in claims if c.verdict != UNKNOWN]
    assert all(c.pairing == county for c in tied)
    assert next(c for c in claims if c.written == "4300万元").value == 43_000_000
    assert next(c for c in claims if c.written == "超千万元").value == 10_000_000
    assert [c.reason for c in claims if c.written == "530余万元"] == [
        "同一句中已有数字对应“结对帮扶资金”，此数可能是其中一部分或另有所指，未核对"]
    # Each tied claim links to the ledger list of its year(s).
    first = claims[0]
    assert first.links == [(2021, f"/pairings/{county.pk}/funds/receipts/?year=2021")]
    assert [y for y, _ in next(c for c in claims if c.written == "31人次").links] == [2021, 2022]


TIED = [i for i, (_, verdict, _, _) in enumerate(EXPECTED) if verdict in (CONSISTENT, BOUND_KEPT)]


@pytest.mark.parametrize("index", TIED, ids=[f"{i}-{EXPECTED[i][0]}" for i in TIED])
def test_changing_one_figure_breaks_exactly_that_claim(article, run, index):
    claims = run(article)
    target = claims[index]
    changed = article[:target.start] + CHANGES[target.written] + article[target.end:]
    after = run(changed)
    assert len(after) == len(claims)
    for i, (old, new) in enumerate(zip(claims, after)):
        if i == index:
            assert new.verdict == (BOUND_BROKEN if old.verdict == BOUND_KEPT else INCONSISTENT), new.written
            assert new.difference is not None and new.difference != 0
        else:
            assert new.verdict == old.verdict, (i, new.written)


def test_inconsistent_claim_tells_the_difference(article, run):
    claims = run(article.replace("落实帮扶资金4300万元", "落实帮扶资金4500万元"))
    assert claims[0].verdict == INCONSISTENT
    assert claims[0].difference == -2_000_000 and claims[0].difference_text == "−200万元"
    assert claims[0].ledger_text == "4300万元"
