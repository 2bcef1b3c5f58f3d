from pathlib import Path

import pytest

from xiezuo.ledgers import importer
from xiezuo.ledgers.spec import Context, all_specs, get_spec

SAMPLES = Path(__file__).parent / "samples"

# Tests of a ledger whose domain module has not landed on this branch yet are
# not collected (its spec is not registered either); they run once it lands.
collect_ignore = [name for name, ledger in [("test_sales.py", "sales"), ("test_industry.py", "donations")]
                  if ledger not in all_specs()]


@pytest.fixture
def samples():
    return SAMPLES


@pytest.fixture
def ctx_for(county, users):
    """Return a function giving (spec, Context) for a ledger on the county pairing."""

    def make(ledger, user="liuhe"):
        return get_spec(ledger), Context(pairing=county, user=users[user])

    return make


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Uploaded ledgers are stored under MEDIA_ROOT: keep them out of var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _carryover(settings):
    # The demo county's receipts are fully allocated to its projects; the
    # sample projects would exceed them. Tests of the allocation rule itself
    # turn this off again.
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = True


@pytest.fixture
def row_by_row(monkeypatch):
    """Switch the column path off: every chunk goes row by row."""

    def off():
        from xiezuo.ledgers.specs.sales import SalesSpec

        monkeypatch.setattr(SalesSpec, "batch_checker", lambda self, ctx: None)

    return off


@pytest.fixture
def count_paths(monkeypatch):
    """Count the chunks taken as columns."""
    taken = []
    original = importer._SheetRows._columns

    def spy(self, chunk, first):
        ok = original(self, chunk, first)
        taken.append((first, len(chunk), ok))
        return ok

    monkeypatch.setattr(importer._SheetRows, "_columns", spy)
    return taken
