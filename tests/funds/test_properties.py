"""Properties of the disbursement ledger under arbitrary sequences of work."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.figures import compute

from .conftest import YEAR, new_project, submitted, user

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400000"), places=2)


class Rollback(Exception):
    pass


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(amounts, st.sampled_from(["confirm", "return", "leave"])), min_size=1, max_size=6))
def test_confirmed_never_exceeds_the_project_funds_and_figures_agree(county, receipt, steps):
    east = user("liuhe")
    try:
        with transaction.atomic():
            project = new_project(county, status="implementing")  # 60万元
            expected = Decimal("0")
            for amount, action in steps:
                try:
                    d = submitted(project, amount)
                except ValidationError:
                    assert expected + amount > project.coop_funds
                    continue
                if action == "confirm":
                    try:
                        d.confirm(east)
                        expected += amount
                    except ValidationError:
                        assert expected + amount > project.coop_funds
                elif action == "return":
                    d.send_back(east, "退回")
                assert project.confirmed_disbursed() == expected <= project.coop_funds
            figures = compute(county, [YEAR], ["funds"])["funds"]
            assert Decimal(figures["disbursed"]) == expected
            raise Rollback
    except Rollback:
        pass
