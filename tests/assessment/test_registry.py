"""The figures registry itself: what registering a section or a by-year
function records (the cache's invalidation reads `READS`, the roll-up
`RECOUNT`), and how the trend's headline figures are gathered from the
sections that compute them by year."""

import pytest

from xiezuo import figures as registry


@pytest.fixture
def fresh_registry(monkeypatch):
    """Empty registries for the test (the modules' own are put back after)."""
    for name in ("SECTIONS", "READS", "BY_YEAR"):
        monkeypatch.setattr(registry, name, {})
    monkeypatch.setattr(registry, "RECOUNT", set())
    return registry


def test_a_section_is_registered_with_what_it_reads(fresh_registry):
    def probe(pairing_ids, years):
        return {"n": len(pairing_ids) * len(years)}

    assert registry.section("probe", reads=("Funds.Project", "consumption"))(probe) is probe
    assert registry.section("everything")(probe) is probe
    assert registry.section("parties", reads=(), recount=True)(probe) is probe
    assert registry.SECTIONS == {"probe": probe, "everything": probe, "parties": probe}
    assert registry.READS == {"probe": frozenset({"funds.project", "consumption"}), "everything": None,
                              "parties": frozenset()}
    assert registry.RECOUNT == {"parties"}
    assert registry.sections_reading("funds.Project") == {"probe", "everything"}
    assert registry.sections_reading("consumption.sale") == {"probe", "everything"}
    assert registry.sections_reading("labour.employment") == {"everything"}
    # An app's label alone: the sections reading that app.
    assert registry.sections_reading("consumption") == {"probe", "everything"}
    assert registry.sections_reading("labour") == {"everything"}


def test_the_headline_figures_come_from_each_sections_by_year_function_once(fresh_registry):
    calls = []

    def money(pairing_ids, years):
        calls.append(("money", tuple(pairing_ids), tuple(years)))
        return {y: {"total": str(y)} for y in years}

    def people(pairing_ids, years):
        calls.append(("people", tuple(pairing_ids), tuple(years)))
        return {y: {"employed": y - 2000} for y in years}

    assert registry.by_year("money")(money) is money
    assert registry.by_year("people")(people) is people
    assert registry.BY_YEAR == {"money": money, "people": people}
    # A section without a by-year function is passed over, wherever it stands;
    # a path of three parts names its section by the first.
    got = registry.headline_by_year([7, 8], [2023, 2021, 2023],
                                    ["nothing.here", "money.total", "people.by_destination.out", "money.other"])
    assert got == {2021: {"money": {"total": "2021"}, "people": {"employed": 21}},
                   2023: {"money": {"total": "2023"}, "people": {"employed": 23}}}
    assert calls == [("money", (7, 8), (2021, 2023)), ("people", (7, 8), (2021, 2023))]
    assert registry.headline_by_year([7], [2022], ["nothing.here"]) == {2022: {}}
