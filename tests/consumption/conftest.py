"""Fixtures of the consumption tests: the demo's reference rows and a maker of sales."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.consumption.models import Buyer, Channel, Product, Sale


@pytest.fixture
def refs(county):
    """The demo's buyers, products and channels of the county pair."""
    return {
        "buyers": list(Buyer.objects.filter(pairing=county).order_by("pk")),
        "products": list(Product.objects.filter(pairing=county).order_by("pk")),
        "channels": list(Channel.usable_by(county).order_by("pk")),
    }


@pytest.fixture
def make_sale(county, refs):
    """Return a function that saves one sale (defaults: first buyer, product, channel)."""

    def make(pairing=None, day=datetime.date(2023, 5, 1), buyer=None, product=None, channel=None,
             kind=Sale.PURCHASED, quantity="10", unit_price="12.50", amount=None, **extra):
        product = product or refs["products"][0]
        sale = Sale(pairing=pairing or county, date=day, buyer=buyer or refs["buyers"][0], product=product,
                    supplier=product.supplier, channel=channel or refs["channels"][0], kind=kind,
                    quantity=Decimal(quantity), unit_price=Decimal(unit_price),
                    amount=Decimal(amount) if amount is not None else None, **extra)
        sale.full_clean()
        sale.save()
        return sale

    return make
