"""A ledger import runs inside its uploader's scope.

The "sibling" user is the west office of one township pair under the demo
county pair. Every lookup its imports make (people, projects, enterprises,
suppliers, products, buyers, organisations) sees only what it may read: a
file carrying another pairing's natural keys or 身份证号 links nothing to
them, changes none of their rows and names none of their people.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import Employment, Person
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import Context, all_specs, get_spec
from xiezuo.ledgers.writing import write_ledger
from xiezuo.pairings.models import Pairing

NUMBER = "630123199001011237"  # the number the employment sample carries
PHONE = "13907771234"


@pytest.fixture
def township_a(county, sibling):
    """Another township pair of the same tree (雄州街道—大华镇)."""
    return Pairing.objects.get(parent=county, level="township", east_region__name="雄州街道")


def messages(result):
    return "\n".join([str(e) for e in result.errors] + [str(n) for n in result.notices]
                     + [str(r) for r in result.sample_add + result.sample_update])


def test_a_person_of_a_sibling_pair_is_refused_and_never_named(samples, township_a, sibling, users):
    stored = Person(pairing=township_a, name="王兄弟（示例）")
    stored.set_id_number(NUMBER)
    stored.set_phone(PHONE)
    stored.full_clean()
    stored.save()
    spec, ctx = get_spec("employment"), Context(pairing=sibling, user=users["sibling"])
    seq = AuditEvent.objects.first().seq

    result = run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)

    text = messages(result)
    refused = [e for e in result.errors if "其他结对登记" in str(e)]
    assert refused and all(e.column == "身份证号" for e in refused), text
    # Neither the stored name nor its phone (the masked number shown is the
    # file's own cell).
    for secret in ("王兄弟", PHONE, PHONE[-4:]):
        assert secret not in text
    stored.refresh_from_db()
    assert stored.pairing == township_a
    assert not Employment.objects.filter(person=stored).exists()
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()  # all or nothing: nothing was written


def test_the_county_pair_user_links_the_same_person(samples, county, township_a, users):
    """The parent pairing's office reads the township pair's people: its import links them."""
    stored = Person(pairing=township_a, name="张示例（示例）")
    stored.set_id_number(NUMBER)
    stored.full_clean()
    stored.save()
    spec, ctx = get_spec("employment"), Context(pairing=county, user=users["huangyuan"])
    result = run_import(spec, ctx, samples / "employment" / "valid.xlsx", commit=True)
    assert result.errors == [] and Employment.objects.filter(person=stored).count() == 2


@pytest.mark.parametrize("ledger", sorted(all_specs()))
def test_another_pairings_ledger_imported_by_the_sibling_touches_nothing_of_it(ledger, tmp_path, county, sibling,
                                                                               users):
    """The county's own ledger, exported by an administrator (full numbers),
    imported by the sibling user in update mode: the county's rows stay as
    they are, and no message names one of its people."""
    path = tmp_path / f"{ledger}.xlsx"
    write_ledger(get_spec(ledger), Context(pairing=county, user=users["admin"]), path)
    own = set(Pairing.objects.filter(path__startswith=sibling.path).values_list("pk", flat=True))
    people = Person.objects.in_tree_of(county).exclude(pairing__in=own)
    names = set(people.values_list("name", flat=True))
    numbers = {p.reveal_id_number() for p in people.exclude(id_number_enc="")}
    seq = AuditEvent.objects.first().seq
    county_rows = sorted(map(repr, get_spec(ledger).queryset(Context(pairing=county, user=users["admin"]))
                             .values()))

    result = run_import(get_spec(ledger), Context(pairing=sibling, user=users["sibling"]), path, mode="update",
                        commit=True)

    # Nothing filed under another pairing changed; the county's rows are as they were.
    outside = AuditEvent.objects.filter(seq__gt=seq).exclude(pairing_id__in=own)
    assert not outside.exists(), [str(e) for e in outside[:5]]
    assert sorted(map(repr, get_spec(ledger).queryset(Context(pairing=county, user=users["admin"])).values())) \
        == county_rows
    text = messages(result)
    assert not [n for n in names if n and n in text]
    assert not [n for n in numbers if n in text]
    if ledger == "products":
        # A name taken by a product the county registered for its sub-pairings is refused in words.
        assert "上级结对已登记该供应商的同名产品" in text and not result.committed


def test_the_command_runs_with_the_named_users_scope(samples, township_a, sibling, users):
    """`import_ledger --user` looks things up as that user, not as the system actor."""
    stored = Person(pairing=township_a, name="王兄弟（示例）")
    stored.set_id_number(NUMBER)
    stored.full_clean()
    stored.save()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", "employment", str(samples / "employment" / "valid.xlsx"),
                     "--pairing", str(sibling.pk), "--user", "sibling", stdout=io.StringIO(), stderr=err)
    assert "其他结对登记" in err.getvalue() and "王兄弟" not in err.getvalue()
    assert not Employment.objects.filter(person=stored).exists()
