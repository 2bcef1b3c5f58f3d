"""Money typed in 元 or 万元: one field for every money field of the forms."""

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse

from xiezuo.front.forms import MoneyField
from xiezuo.funds.models import FundReceipt
from xiezuo.pairings.models import Organisation

from .checklist import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, unit, expected", [
    ("500000", "元", "500000.00"),
    ("50", "万元", "500000.00"),
    ("12.345678", "万元", "123456.78"),
    ("0.01", "元", "0.01"),
    ("0.000001", "万元", "0.01"),
    ("50万", "元", "500000.00"),       # a unit written in the box wins over the switch
    ("500000元", "万元", "500000.00"),
    ("伍拾万元整", "元", "500000.00"),
    ("4,300", "万元", "43000000.00"),
])
def test_amount_in_either_unit_is_stored_exactly_in_yuan(text, unit, expected):
    field = MoneyField(label="金额（元）")
    assert field.clean((text, unit)) == Decimal(expected)
    assert field.label == "金额"  # the unit is the switch's


@pytest.mark.parametrize("text, unit, message", [
    ("12.3456789", "万元", "换算为元后超过两位小数"),
    ("0.001", "元", "请精确到分"),
    ("abc", "万元", "金额“abc”无法识别"),
    ("5", "美元", "金额单位“美元”无法识别"),
])
def test_refusals_say_what_is_wrong_in_chinese(text, unit, message):
    with pytest.raises(forms.ValidationError) as e:
        MoneyField().clean((text, unit))
    assert message in e.value.messages[0]


def test_a_field_may_refuse_negatives_itself():
    with pytest.raises(forms.ValidationError, match="金额不能为负数"):
        MoneyField(allow_negative=False).clean(("-5", "万元"))


def test_without_a_unit_the_value_is_yuan_as_the_api_sends_it():
    field = MoneyField()
    assert field.clean(field.widget.value_from_datadict({"amount": Decimal("1.5")}, {}, "amount")) == Decimal("1.50")
    assert MoneyField().clean(("-12", "万元")) == Decimal("-120000.00")


def _money_columns(model):
    return {f.name for f in model._meta.get_fields()
            if isinstance(f, models.DecimalField) and "（元）" in str(f.verbose_name)}


def test_every_form_field_for_money_is_the_money_field():
    """A money column of a model edited through a form gets the switch;
    a form that forgets it fails here rather than in front of an office."""
    checked = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("xiezuo."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.ModelForm) or cls.__module__ != module.__name__ or not hasattr(cls, "_meta") \
                    or cls._meta.model is None:
                continue
            for name in _money_columns(cls._meta.model) & set(cls.base_fields):
                assert isinstance(cls.base_fields[name], MoneyField), f"{cls.__name__}.{name}"
                checked += 1
    assert checked >= 15


def test_receipt_typed_in_wan_and_in_yuan_is_the_same_yuan(county):
    payer = Organisation.objects.get(name="南京市六合区人民政府")
    base = {"pairing": county.pk, "kind": "pairing", "date": "2022-09-01", "payer": payer.pk}
    url = reverse("receipt_create", args=[county.pk])
    office = login("liuhe")
    page = office.get(url).content.decode()
    assert 'name="amount_unit"' in page and '<option value="万元"' in page
    assert office.post(url, base | {"year": "2021", "doc_number": "甲1", "amount": "50", "amount_unit": "万元"}
                       ).status_code == 302
    assert office.post(url, base | {"year": "2021", "doc_number": "甲2", "amount": "500000", "amount_unit": "元"}
                       ).status_code == 302
    stored = FundReceipt.objects.filter(pairing=county, year=2021, doc_number__in=["甲1", "甲2"])
    assert sorted(r.amount for r in stored) == [Decimal("500000.00")] * 2
    r = office.post(url, base | {"year": "2021", "doc_number": "甲3", "amount": "1.2345678", "amount_unit": "万元"})
    assert r.status_code == 200 and "换算为元后超过两位小数" in r.content.decode()
    assert 'value="万元" selected' in r.content.decode()  # the switch keeps what was chosen
    assert not FundReceipt.objects.filter(doc_number="甲3").exists()
