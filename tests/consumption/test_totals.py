"""Maintained totals always equal the aggregate over the rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import BuyerTotal, Sale, SaleTotal
from xiezuo.consumption.services import bulk_create_sales
from xiezuo.consumption.totals import Deltas, differences

pytestmark = pytest.mark.django_db

row = st.tuples(
    st.dates(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31)),
    st.integers(0, 6), st.integers(0, 5), st.integers(0, 10),
    st.sampled_from([Sale.PURCHASED, Sale.HELPED]),
    st.integers(1, 5000), st.decimals(Decimal("0.01"), Decimal("999.99"), places=2),
)
operation = st.one_of(
    st.tuples(st.just("create"), row),
    st.tuples(st.just("edit"), st.integers(0, 50), row),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("bulk"), st.lists(row, min_size=1, max_size=6)),
    st.tuples(st.just("delete_buyer_sales"), st.integers(0, 6)),
)


def _fill(sale, county, refs, values):
    day, b, p, c, kind, qty, price = values
    product = refs["products"][p]
    sale.pairing, sale.date, sale.buyer, sale.product = county, day, refs["buyers"][b], product
    sale.supplier, sale.channel, sale.kind = product.supplier, refs["channels"][c], kind
    sale.quantity, sale.unit_price = Decimal(qty), price
    sale.amount = (sale.quantity * price).quantize(Decimal("0.01"))
    return sale


@settings(max_examples=35, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, max_size=12))
def test_random_inserts_edits_deletes_keep_totals_equal_to_rows(county, refs, ops):
    with transaction.atomic():
        mine = []
        for op in ops:
            if op[0] == "create":
                mine.append(_fill(Sale(), county, refs, op[1]))
                mine[-1].save()
            elif op[0] == "edit" and mine:
                i = op[1] % len(mine)
                mine[i] = _fill(Sale.objects.get(pk=mine[i].pk), county, refs, op[2])
                mine[i].save()
            elif op[0] == "delete" and mine:
                mine.pop(op[1] % len(mine)).delete()
            elif op[0] == "bulk":
                batch = [_fill(Sale(), county, refs, values) for values in op[1]]
                bulk_create_sales(batch, batch_size=4)
                mine.extend(batch)
            elif op[0] == "delete_buyer_sales":
                buyer = refs["buyers"][op[1]]
                Sale.objects.filter(pk__in=[s.pk for s in mine], buyer=buyer).delete()
                mine = [s for s in mine if s.buyer_id != buyer.pk]
        assert differences() == []
        # Every instance still names its stored row (bulk ids included).
        stored = {s.pk: (s.buyer_id, s.amount) for s in Sale.objects.filter(pk__in=[s.pk for s in mine])}
        assert stored == {s.pk: (s.buyer_id, s.amount) for s in mine}
        transaction.set_rollback(True)


def test_edit_moves_amount_between_keys(county, refs, make_sale):
    sale = make_sale(day=datetime.date(2023, 3, 5), quantity="4", unit_price="25.00")
    key = {"pairing": county, "year": 2023, "month": 3, "channel": sale.channel, "kind": Sale.PURCHASED}
    assert SaleTotal.objects.get(**key).amount_fen == 10000
    sale.date, sale.channel = datetime.date(2023, 4, 1), refs["channels"][1]
    sale.save()
    assert SaleTotal.objects.get(**key).amount_fen == 0
    moved = SaleTotal.objects.get(pairing=county, year=2023, month=4, channel=refs["channels"][1], kind="purchased")
    assert (moved.amount_fen, moved.n) == (10000, 1)
    sale.delete()
    moved.refresh_from_db()
    assert (moved.amount_fen, moved.n) == (0, 0)
    assert differences() == []


def test_queryset_update_of_a_key_is_refused_but_notes_may_change(county, make_sale):
    sale = make_sale()
    with pytest.raises(TypeError, match="totals"):
        Sale.objects.filter(pk=sale.pk).update(amount=Decimal("1.00"))
    Sale.objects.filter(pk=sale.pk).update(note="补充说明")
    assert Sale.objects.get(pk=sale.pk).note == "补充说明"
    assert differences() == []


def test_bulk_load_is_all_or_nothing_and_names_the_bad_row(county, refs):
    product = refs["products"][0]
    rows = [Sale(pairing=county, date=datetime.date(2023, 1, i + 1), buyer=refs["buyers"][0], product=product,
                 channel=refs["channels"][0], kind=Sale.PURCHASED, quantity=Decimal(2), unit_price=Decimal("10.00"),
                 amount=Decimal("20.00")) for i in range(5)]
    rows[3].amount = Decimal("35.00")
    before, events = Sale.objects.count(), AuditEvent.objects.count()
    with pytest.raises(Exception) as exc:
        bulk_create_sales(rows, batch_size=2, first_row=2)
    assert "第5行，金额（元）" in str(exc.value) and "不符" in str(exc.value)
    assert Sale.objects.count() == before and AuditEvent.objects.count() == events
    assert differences() == []


def test_bulk_load_names_a_missing_field(county, refs):
    sale = Sale(pairing=county, date=None, buyer=refs["buyers"][0], product=refs["products"][0],
                channel=refs["channels"][0], kind=Sale.PURCHASED, quantity=Decimal(1), unit_price=Decimal("1.00"))
    with pytest.raises(Exception, match="第2行，日期：不能为空"):
        bulk_create_sales([sale], first_row=2)


def test_bulk_load_records_one_audit_event_per_batch(county, refs):
    product = refs["products"][1]
    rows = [Sale(pairing=county, date=datetime.date(2023, 2, 1), buyer=refs["buyers"][1], product=product,
                 channel=refs["channels"][0], kind=Sale.HELPED, quantity=Decimal(1), unit_price=Decimal("168.00"))
            for _ in range(5)]
    before = AuditEvent.objects.count()
    assert bulk_create_sales(rows, batch_size=2) == 5
    events = list(AuditEvent.objects.filter(action="import").order_by("-seq")[:3])
    assert AuditEvent.objects.count() == before + 3
    assert sum(e.after["count"] for e in events) == 5
    assert {s.supplier_id for s in rows} == {product.supplier_id}
    assert sorted(Sale.objects.filter(pk__in=[s.pk for s in rows]).values_list("amount", flat=True)) == [
        Decimal("168.00")] * 5
    assert differences() == []


def test_recompute_command_detects_tampering_and_fixes_it(county, capsys):
    call_command("recompute_consumption_totals", "--check")
    assert "一致" in capsys.readouterr().out
    total = BuyerTotal.objects.filter(pairing=county, n__gt=0).first()
    BuyerTotal.objects.filter(pk=total.pk).update(amount_fen=total.amount_fen + 1)
    with pytest.raises(CommandError, match="1处"):
        call_command("recompute_consumption_totals", "--check")
    assert "buyertotal" in capsys.readouterr().out
    call_command("recompute_consumption_totals")
    assert "修正1处" in capsys.readouterr().out
    assert differences() == []
    call_command("recompute_consumption_totals", "--check")


def test_recompute_command_line_exits_with_status_1(county, capsys):
    from django.core.management import execute_from_command_line

    SaleTotal.objects.filter(pairing=county, n__gt=0).update(n=99)
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["manage.py", "recompute_consumption_totals", "--check"])
    assert exc.value.code == 1
    assert "发现" in capsys.readouterr().err


column_rows = st.lists(st.tuples(
    st.integers(1, 3), st.integers(2020, 2024), st.integers(0, 13), st.integers(1, 9),
    st.sampled_from([Sale.PURCHASED, Sale.HELPED]), st.integers(1, 60), st.integers(1, 40), st.integers(-10, 10 ** 12)),
    min_size=1, max_size=80)


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(column_rows, min_size=1, max_size=4), between=st.booleans())
def test_deltas_of_columns_equal_the_deltas_of_their_rows(batches, between):
    """Sales added as columns (an import's path: sums per table in flat
    lists, many groups of pairing, year, channel and kind; months outside
    1 to 12 key by key) give the same totals as adding them one by one."""
    by_columns, by_rows = Deltas(), Deltas()
    fields = ("pairing_id", "year", "month", "channel_id", "kind", "buyer_id", "product_id")
    for rows in batches:
        columns = {f: [r[i] for r in rows] for i, f in enumerate(fields)}
        by_columns.add_columns(columns, [r[-1] for r in rows])
        for r in rows:
            by_rows.add(dict(zip(fields, r)), +1, fen=r[-1])
        if between:  # reading the totals between two calls
            assert by_columns.by_table == by_rows.by_table
    assert by_columns.by_table == by_rows.by_table


def _columns(rows):
    fields = ("pairing_id", "year", "month", "channel_id", "kind", "buyer_id", "product_id")
    return {f: [r[i] for r in rows] for i, f in enumerate(fields)}, [r[-1] for r in rows]


def test_the_column_path_takes_months_one_to_twelve_and_only_those():
    # A month outside 1..12 (a bad cell) sends the whole call key by key;
    # months 1 and 12 themselves stay on the column path.
    from xiezuo.consumption.totals import _ColumnSums

    edges = [(1, 2022, 1, 1, Sale.PURCHASED, 7, 9, 100), (1, 2022, 12, 1, Sale.HELPED, 8, 9, 250)]
    sums = _ColumnSums()
    assert sums.add(*_columns(edges)) is True
    assert sum(sums.sale[0]) == 350 and sum(sums.sale[1]) == 2
    for month in (0, 13):
        bad = _ColumnSums()
        assert bad.add(*_columns([(1, 2022, month, 1, Sale.PURCHASED, 7, 9, 100)])) is False
        assert bad.sale == ([], []) and bad.buyer == ([], []) and bad.groups == {}
    assert _ColumnSums().add(*_columns([])) is False


def test_groups_outgrowing_the_stride_after_sums_keep_every_sum():
    # Sums already in the buyer and product lists must move to their new
    # places when a later call brings more groups (pairing, year, channel,
    # kind) than the stride holds; the months stay 1..12 so every call
    # takes the column path.
    first = [(1, 2021, 3, 1, Sale.PURCHASED, 11, 21, 1_234), (1, 2021, 4, 2, Sale.HELPED, 12, 22, 5_678),
             (2, 2022, 12, 1, Sale.PURCHASED, 11, 23, 91)]
    second = [(p, 2020 + y, 1 + (p * y) % 12, c, kind, 11 + p, 21 + y, 10_000 * p + 100 * y + c)
              for p in (1, 2, 3) for y in range(5) for c in (1, 2) for kind in (Sale.PURCHASED, Sale.HELPED)]
    third = [(3, 2024, 6, 2, Sale.HELPED, 99, 98, 7)] + first
    by_columns, by_rows = Deltas(), Deltas()
    for rows in (first, second, third):
        by_columns.add_columns(*_columns(rows))
        for r in rows:
            by_rows.add(dict(zip(("pairing_id", "year", "month", "channel_id", "kind", "buyer_id", "product_id"), r)),
                        +1, fen=r[-1])
    sums = by_columns._sums
    assert len(sums.groups) > 8 and sums.stride >= len(sums.groups)  # widened, with sums already there
    assert by_columns.by_table == by_rows.by_table
    buyer = by_columns.by_table[BuyerTotal]
    assert buyer[(1, 11, 2021, 1, Sale.PURCHASED)] == [1_234 * 2, 2]
    assert sum(cell[0] for cell in buyer.values()) == sum(r[-1] for r in first + second + third)


def test_recomputed_sums_are_whole_fen_as_integers(county, make_sale):
    # The GROUP BY sums come back as integers of fen on both databases (a
    # DECIMAL sum would come back as Decimal on PostgreSQL and float-made
    # Decimal on SQLite); the cells hold exactly what the rows add up to.
    make_sale(day=datetime.date(2023, 7, 9), quantity="3", unit_price="33.33")
    make_sale(day=datetime.date(2023, 7, 10), quantity="1", unit_price="0.01")
    deltas = Deltas.from_queryset(Sale.objects.filter(pairing=county, date__year=2023, date__month=7), +1)
    ((key, cell),) = [(k, c) for k, c in deltas.by_table[SaleTotal].items() if k[1:3] == (2023, 7)]
    assert cell == [9_999 + 1, 2] and all(type(v) is int for v in cell)
