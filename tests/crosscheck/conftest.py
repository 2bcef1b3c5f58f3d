import datetime
import glob
import os

import pytest

from xiezuo.accounts.models import User
from xiezuo.accounts.scope import scope_for
from xiezuo.crosscheck import services

# The seed article reports a visit of 26–27 June 2022: it is dated a few days later.
ARTICLE_DATE = datetime.date(2022, 7, 1)
SEED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seed")


@pytest.fixture(scope="session")
def article():
    """The newspaper page of ../shared/seed/, read at test time."""
    (path,) = glob.glob(os.path.join(SEED, "000_*.txt"))
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def run(county):
    """Return a function checking a text as a user on a pairing's page."""
    def check(text, on=ARTICLE_DATE, user="liuhe", pairing=None):
        return services.check(text, pairing or county, scope_for(User.objects.get(username=user)), on)

    return check
