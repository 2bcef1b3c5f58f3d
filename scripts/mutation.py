"""Mutation testing of the rule-bearing modules (`make mutation`).

The mutants are mutmut's: its generator (`mutmut.mutation.file_mutation.
create_mutations`) changes one operator, constant, name or argument inside one
function at a time. The runner is ours, because mutmut's own runner starts a
pytest session per mutant and the suite's session loads the demo (about a
minute here). This one:

1. starts ONE pytest session over the tests mapped to the chosen modules
   (MODULES below), loads the demo once into the in-memory SQLite test
   database, and runs those tests once, recording (with a trace function)
   which test calls which function of the mutated modules and how long each
   test takes;
2. for each mutant, forks the session (the child inherits the loaded
   database, in memory, as its own copy), puts the mutated bytecode into the
   live function (`__code__`), runs only the tests of the module that called
   that function, stopping at the first failure, and exits: a failing test
   kills the mutant, a child running past its time budget too (an endless
   loop), a mutant no test reaches survives. At most `--jobs` children run at
   once (2 by default: this machine has two cores).

It prints `killed N of M` per module and in total, then every survivor with
its place and its change. Survivors named in EQUIVALENT (a mutant that
changes no result, with the reason; docs/TESTING.md) are listed apart.

    python scripts/mutation.py                      # every module
    python scripts/mutation.py lib/money.py lib/dates.py
    python scripts/mutation.py --jobs 1 --list      # the modules and their tests
"""

import argparse
import ast
import difflib
import functools
import gc
import json
import os
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Module -> the tests that guard it, and (for the big model modules) the
# functions holding the rules: qualified names, a name ending in "." takes a
# whole class. Tests that run the code in a child process of their own (a
# fresh interpreter, which imports the unmutated module) can kill no mutant:
# SUBPROCESS_TESTS are left out of the session.
MODULES = {
    "xiezuo/accounts/scope.py": {
        "tests": ["tests/test_audit_scope.py", "tests/accounts", "tests/ledgers/test_sibling_scope.py",
                  "tests/test_accounts.py"],
    },
    "xiezuo/audit/models.py": {
        "tests": ["tests/test_audit_chain.py", "tests/test_audit.py", "tests/test_audit_scope.py",
                  "tests/test_audit_values.py"],
    },
    "xiezuo/figures.py": {"tests": ["tests/assessment/test_facts.py", "tests/funds/test_figures.py",
                                    "tests/assessment/test_precise_cache.py", "tests/assessment/test_registry.py",
                                    "tests/assessment/test_trends_grouped.py"]},
    "xiezuo/funds/figures.py": {
        "tests": ["tests/funds/test_figures.py", "tests/funds/test_figures_by_status.py",
                  "tests/funds/test_counting_rules.py", "tests/assessment/test_facts.py",
                  "tests/assessment/test_trends_grouped.py"],
    },
    "xiezuo/consumption/figures.py": {
        "tests": ["tests/consumption/test_figures.py", "tests/consumption/test_share832.py",
                  "tests/consumption/test_share832_rules.py", "tests/consumption/test_purchased_and_helped.py",
                  "tests/consumption/test_rules.py", "tests/consumption/test_without_quantity.py",
                  "tests/assessment/test_facts.py", "tests/consumption/test_section_whole.py",
                  "tests/consumption/test_section_edges.py", "tests/assessment/test_trends_grouped.py"],
    },
    "xiezuo/labour/figures.py": {
        "tests": ["tests/labour/test_indicators.py", "tests/labour/test_employment.py",
                  "tests/labour/test_talent.py", "tests/labour/test_classes.py", "tests/assessment/test_facts.py",
                  "tests/labour/test_api.py", "tests/labour/test_grouped_sql.py", "tests/labour/test_counting_limits.py",
                  "tests/labour/test_overview.py", "tests/assessment/test_catalogue_rules.py",
                  "tests/assessment/test_trends_grouped.py", "tests/labour/test_sections_whole.py"],
    },
    "xiezuo/industry/figures.py": {
        "tests": ["tests/industry/test_figures.py", "tests/industry/test_rules.py", "tests/assessment/test_facts.py",
                  "tests/industry/test_arrivals.py", "tests/industry/test_workshops.py",
                  "tests/assessment/test_catalogue_rules.py", "tests/assessment/test_trends_grouped.py"],
    },
    "xiezuo/funds/models.py": {
        "tests": ["tests/funds/test_invariants.py", "tests/funds/test_limits_exactly.py",
                  "tests/funds/test_disbursements.py", "tests/funds/test_lifecycle.py",
                  "tests/funds/test_properties.py", "tests/funds/test_counting_rules.py",
                  "tests/funds/test_state_versions.py", "tests/funds/test_model_rules.py"],
        "functions": ["wan", "FundReceiptQuerySet.", "FundReceipt.level_for", "FundReceipt.inferred_payer_level",
                      "FundReceipt.clean", "FundReceipt.save", "FundReceipt.delete", "ProjectQuerySet.active",
                      "ProjectQuerySet.counted", "Project.total_funds", "Project.allocation",
                      "Project.confirmed_disbursed", "Project.disbursement_refusal", "Project.save", "Project.clean",
                      "DisbursementQuerySet.confirmed", "Disbursement.clean", "Disbursement._check_project_accepts",
                      "Disbursement.submit", "Disbursement._decide", "Disbursement.confirm",
                      "lock_pairings", "allocated_and_received", "check_allocation"],
    },
    "xiezuo/consumption/totals.py": {
        "tests": ["tests/consumption/test_totals.py", "tests/consumption/test_totals_rules.py",
                  "tests/consumption/test_pages.py", "tests/consumption/test_bulk_insert.py",
                  "tests/consumption/test_share832.py",
                  "tests/consumption/test_share832_rules.py", "tests/consumption/test_purchased_and_helped.py",
                  "tests/consumption/test_rules.py", "tests/consumption/test_without_quantity.py",
                  "tests/consumption/test_figures.py", "tests/consumption/test_concurrency.py"],
    },
    "xiezuo/procurement/rules.py": {
        "tests": ["tests/procurement/test_rules.py", "tests/procurement/test_engine.py",
                  "tests/procurement/test_properties.py", "tests/procurement/test_rule_findings.py",
                  "tests/procurement/test_bid_phones.py"],
    },
    "xiezuo/labour/models.py": {
        "tests": ["tests/labour/test_employment.py", "tests/labour/test_talent.py", "tests/labour/test_indicators.py",
                  "tests/labour/test_classes.py", "tests/labour/test_counting_limits.py"],
        "functions": ["counted_span", "days_in_year", "LabourYearRule.stable_days", "EmploymentQuerySet.",
                      "_short", "paired_province_names", "in_named_place",
                      "Employment.legacy_east_destination", "TalentExchangeQuerySet.",
                      "TalentExchange.is_sanzhi", "TalentExchange.in_post_between", "TalentExchange.in_post_in",
                      "TalentExchange.months", "TalentExchange.is_long_term", "add_months", "whole_months"],
    },
    "lib/money.py": {"tests": ["tests/test_lib.py", "tests/test_money_numerals.py", "tests/ledgers/test_numerals.py",
                             "tests/test_money_mutants.py"]},
    "lib/dates.py": {"tests": ["tests/test_lib.py"]},
    "lib/ids.py": {"tests": ["tests/test_lib.py", "tests/labour/test_pii_lib.py"]},
    "lib/pii.py": {"tests": ["tests/labour/test_pii_lib.py", "tests/labour/test_privacy.py", "tests/test_lib.py"]},
    # The converters' own tests, and the importer's tests of both paths: the
    # importer's slower tests (sales, batches, layouts, round trips) killed
    # nothing these do not, and made each equivalent mutant cost a minute.
    "xiezuo/ledgers/columns.py": {
        "tests": ["tests/ledgers/test_columns.py", "tests/ledgers/test_converter_limits.py",
                  "tests/ledgers/test_converter_batches.py", "tests/ledgers/test_numerals.py",
                  "tests/ledgers/test_amount_only.py", "tests/ledgers/test_counting_columns.py",
                  "tests/ledgers/test_two_paths.py", "tests/ledgers/test_optional_columns.py"],
    },
}

SUBPROCESS_TESTS = {
    "tests/labour/test_privacy.py::test_sqlite_database_file_never_holds_a_plain_number",
    "tests/procurement/test_bid_phones.py::test_the_migration_encrypts_stored_phones_and_rekeys_findings",
}

# Functions with a PostgreSQL branch (COPY, array upserts): on the SQLite pass
# their PostgreSQL code is never reached, so their mutants are run a second
# time against PostgreSQL (`--postgres URL`); a mutant counts as killed when
# either pass kills it.
POSTGRES = {
    "xiezuo/audit/models.py": ["_insert_events"],
    "xiezuo/consumption/totals.py": ["upsert_arrays", "upsert", "Deltas.apply"],
}

# The mutants of `f.removesuffix("_id") if f.endswith("_id") else f`: a
# field name read with or without its "_id" (equivalent where both name the
# same field: Django's values() and _meta.get_field take either).
_ID_SUFFIX_MUTANTS = (
    'f.removesuffix("_id") if (f.endswith("_id")) and False else f',
    'f.removesuffix("_id") if (f.endswith("_id")) or True else f',
    'f.removeprefix("_id") if f.endswith("_id") else f',
    'f.removesuffix("XX_idXX") if f.endswith("_id") else f',
    'f.removesuffix("_ID") if f.endswith("_id") else f',
    'f.removesuffix("_id") if f.endswith("XX_idXX") else f',
    'f.removesuffix("_id") if f.endswith("_ID") else f',
)

_GET_PAIRING_RELATED = ('"east_region"', '"west_region"', '"east_org"', '"west_org"', '"parent"')

# Survivors that change no result, keyed by (module, function, the changed
# line as mutated); the reason is written beside each in docs/TESTING.md.
EQUIVALENT = {
    # procurement rules: a sum over a group that is never empty needs no
    # start; amendments of 0 add nothing; the bids of one phone (or account)
    # group share one normalised number, so any of them shows the same mask.
    ("xiezuo/procurement/rules.py", "mandatory_tender", "total = sum((x.amount for x in group), )"),
    ("xiezuo/procurement/rules.py", "splitting", "total = sum((x.amount for x in group), )"),
    ("xiezuo/procurement/rules.py", "amendment_over",
     "added = sum((a.value_change for a in t.amendments.all() if a.value_change > 0), )"),
    ("xiezuo/procurement/rules.py", "amendment_over",
     "added = sum((a.value_change for a in t.amendments.all() if a.value_change >= 0), Decimal(0))"),
    ("xiezuo/procurement/rules.py", "deemed_collusion",
     "shown = getattr(group[1], SHOWN_AS[attr]) if attr in SHOWN_AS else value"),
    # consumption totals: the column sums' stride only has to hold every
    # group (any start, any growth that reaches it), and extra zeros at the
    # end of a group's months, or a widening to the same stride, add nothing.
    ("xiezuo/consumption/totals.py", "_ColumnSums.__init__",
     "self.stride = 9  # groups per buyer and per product in their lists; doubled when outgrown"),
    ("xiezuo/consumption/totals.py", "_ColumnSums.add", "values.extend(repeat(0, 14))"),
    ("xiezuo/consumption/totals.py", "_ColumnSums.add", "if len(self.groups) >= self.stride:"),
    ("xiezuo/consumption/totals.py", "_ColumnSums._widen", "while self.stride <= len(self.groups):"),
    ("xiezuo/consumption/totals.py", "_ColumnSums._widen", "self.stride *= 3"),
    # audit chain: `_event` files an event of a pairing under no region and
    # cuts the summary at 500 whatever its callers give; the head has no
    # field but seq and hash; a falsy ensure_ascii is False; `or ""` follows.
    ("xiezuo/audit/models.py", "record_for",
     'region_path=audit_region_path(instance) if pairing_id is None else "XXXX",'),
    ("xiezuo/audit/models.py", "record_created",
     '"region_path": audit_region_path(instance) if pairing_id is None else "XXXX",'),
    # (the callers' own condition only spares reading a pairing record's region)
    ("xiezuo/audit/models.py", "record_for",
     'region_path=audit_region_path(instance) if (pairing_id is None) or True else "",'),
    ("xiezuo/audit/models.py", "record_created",
     '"region_path": audit_region_path(instance) if (pairing_id is None) or True else "",'),
    ("xiezuo/audit/models.py", "record_for", "summary=summary or in_chinese(instance)[:501],"),
    ("xiezuo/audit/models.py", "record_created",
     '"summary": str(instance)[:501], "before": None, "after": snapshot(instance)}))'),
    ("xiezuo/audit/models.py", "record", "head.save(update_fields=None)"),
    ("xiezuo/audit/models.py", "record_many", "head.save(update_fields=None)"),
    ("xiezuo/audit/models.py", "AuditEvent.compute_hash",
     'canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=None, separators=(",", ":"))'),
    ("xiezuo/audit/models.py", "audit_region_path", 'return getattr(region, "path", None) or ""'),
    # the audit chain's insert: one database (the router has no rule); COPY
    # and bulk_create store the same rows (COPY is the speed path on
    # PostgreSQL); a JSON null instead of SQL NULL for an absent value reads
    # back as None and nothing filters on it.
    ("xiezuo/audit/models.py", "_insert_events", "connection = connections[router.db_for_write(None)]"),
    ("xiezuo/audit/models.py", "_insert_events", 'if connection.vendor != "XXpostgresqlXX":'),
    ("xiezuo/audit/models.py", "_insert_events", 'if connection.vendor != "POSTGRESQL":'),
    ("xiezuo/audit/models.py", "_insert_events",
     "e.region_path, e.summary, None if (e.before is None) and False else dump(e.before),"),
    ("xiezuo/audit/models.py", "_insert_events",
     "None if (e.after is None) and False else dump(e.after), e.prev_hash, e.hash))"),
    # figures: a model label has one dot, so either end of it gives the app;
    # an app's label alone is found in the reads as itself; the pairing's
    # own id twice in an IN list, or values_list's
    # first column (the pk), select the same pairings; the execution base is
    # always in settings (checked at start-up), so getattr's default is
    # never read.
    ("xiezuo/figures.py", "sections_reading", 'app = label.rpartition(".")[0]'),
    ("xiezuo/figures.py", "compute", "subtree = Pairing.objects.filter(path__startswith=pairing.path).exclude(pk=None)"),
    ("xiezuo/figures.py", "compute", "ids = [pairing.pk, *subtree.values_list(flat=True)]"),
    *(("xiezuo/funds/figures.py", "execution_base", f'return getattr(settings, "XIEZUO_FUNDS_EXECUTION_BASE", {d})')
      for d in ("None", "", '"XXreceived_cashXX"', '"RECEIVED_CASH"')),
    # consumption totals: the GROUP BY names with or without "_id" read the
    # same column under the same key (values("pairing_id") vs
    # values("pairing")); each GROUP BY key comes once into a fresh Deltas,
    # so "=" and "+=" agree; the keys are unique, so sorting the items by
    # key or whole gives one order; the batch size of bulk_create only cuts
    # the statements.
    *(("xiezuo/consumption/totals.py", "Deltas.from_queryset", f"names = [{expr} for f in fields]")
      for expr in _ID_SUFFIX_MUTANTS),
    ("xiezuo/consumption/totals.py", "Deltas.from_queryset", 'cell[0] = sign * (row["fen"] or 0)'),
    ("xiezuo/consumption/totals.py", "Deltas.from_queryset", 'cell[1] = sign * row["n"]'),
    ("xiezuo/consumption/totals.py", "Deltas.apply",
     "items = sorted((kv for kv in self.by_table[model].items() if kv[1][0] or kv[1][1]), key=None)"),
    ("xiezuo/consumption/totals.py", "Deltas.apply",
     "items = sorted((kv for kv in self.by_table[model].items() if kv[1][0] or kv[1][1]), )"),
    *(("xiezuo/consumption/totals.py", "rebuild",
       "[model(**dict(zip(fields, key)), amount_fen=fen, n=n) for key, (fen, n) in want[model].items()],\n" + end)
      for end in ("    batch_size=None,\n)", "    )")),
    ("xiezuo/consumption/totals.py", "rebuild", "batch_size=1001,"),
    # the totals' array upsert (PostgreSQL): `_meta.get_field` finds a
    # foreign key by its name and by its attname ("pairing" / "pairing_id"),
    # so the field, its column and its type are the same either way; the
    # audit insert's batch size only cuts the statements.
    *(("xiezuo/consumption/totals.py", "upsert_arrays", f"{lhs} = [model._meta.get_field({expr}){tail} for f in {src}]")
      for lhs, tail, src in (("columns", ".column", "fields"), ("types", "", "names"))
      for expr in _ID_SUFFIX_MUTANTS),
    ("xiezuo/audit/models.py", "_insert_events", "AuditEvent.objects.bulk_create(events, batch_size=None)"),
    ("xiezuo/audit/models.py", "_insert_events", "AuditEvent.objects.bulk_create(events, batch_size=1001)"),
    ("xiezuo/audit/models.py", "_insert_events", "AuditEvent.objects.bulk_create(events, )"),
    ("lib/ids.py", "uscc_check_char",
     "total = sum(USCC_CHARSET.rindex(c) * w for c, w in zip(first17, USCC_WEIGHTS))"),
    ("lib/ids.py", "normalize_uscc", "expected = uscc_check_char(code[:18])"),
    ("lib/ids.py", "normalize_id_number", "expected = id_check_char(number[:18])"),
    ("lib/pii.py", "birth_decade", 'if text.endswith("XX年代XX"):'),
    ("lib/pii.py", "normalize_phone", 'if len(local) in (7, 8) and local[0] not in "XX01XX":'),
    ("xiezuo/accounts/scope.py", "Scope._load", "self._perms = None"),
    ("xiezuo/accounts/scope.py", "Scope._load", 'for pid in Pairing.objects.values_list(flat=True):'),
    ("xiezuo/accounts/scope.py", "Scope._load", 'for pid in subtree.values_list(flat=True):'),
    ("xiezuo/accounts/scope.py", "Scope._load", 'for m in u.memberships.select_related(None):'),
    ("xiezuo/accounts/scope.py", "Scope.require", 'if not self.has(pairing, ):'),
    ("xiezuo/accounts/scope.py", "Scope.usable", 'pid = getattr(pairing, "pk", None)'),
    ("xiezuo/accounts/scope.py", "Scope.usable", 'pid = getattr(pairing, "pk", )'),
    # One name left out of a select_related: the related row is read by a
    # query of its own when used (get_pairing's five; region_q's two, whose
    # second one left out keeps mutmut's trailing ", ").
    *(("xiezuo/accounts/scope.py", "get_pairing", 'return Pairing.objects.select_related('
       + ", ".join(n for n in _GET_PAIRING_RELATED if n != gone)
       + (", " if gone == _GET_PAIRING_RELATED[-1] else "") + ").get(pk=pid)")
      for gone in _GET_PAIRING_RELATED),
    ("xiezuo/accounts/scope.py", "Scope.region_q",
     'for p in Pairing.objects.filter(pk__in=self.pairing_ids(perm)).select_related("west_region"):'),
    ("xiezuo/accounts/scope.py", "Scope.region_q",
     'for p in Pairing.objects.filter(pk__in=self.pairing_ids(perm)).select_related("east_region", ):'),
    # lib/money.py: docs/TESTING.md says why each changes no result.
    ("lib/money.py", "_tokens", 'if tokens and tokens[-1].kind == "XXzXX":'),
    ("lib/money.py", "_tokens", 'if tokens and tokens[-1].kind == "Z":'),
    ("lib/money.py", "_tokens", "tokens[-1].end = None  # 零零 is one gap"),
    ("lib/money.py", "_tokens", "tokens[-1].end = i - 1  # 零零 is one gap"),
    ("lib/money.py", "_tokens", "tokens[-1].end = i + 2  # 零零 is one gap"),
    ("lib/money.py", "_tokens", 'token = _Token("z", None, i + 1)'),
    ("lib/money.py", "_tokens", 'if ch in "XX万萬XX" and text[i + 1:i + 2] in ("亿", "億"):'),
    ("lib/money.py", "_section", "events.append(_Digit(int(ch), width - 1 - k, token.start + k, token.start - k + 1))"),
    ("lib/money.py", "_place", "for event in _place(head, 9 if top == 8 else 4, text):"),
    ("lib/money.py", "_place", "return events + ((_place(tail, top, text) if (tail) or True else []))"),
    ("lib/money.py", "_integer", "raise _Unreadable(None)"),
    ("lib/money.py", "_integer", 'raise _Unreadable("XX缺少数字XX")'),
    ("lib/money.py", "_integer", 'and tokens[-2].kind in "XXubXX" and tokens[-2].exp >= 2 \\'),
    ("lib/money.py", "_integer", "events = _place(tokens, 17, text)"),
    ("lib/money.py", "_integer", "events.append(_Digit(int(last.digits), events[-1].exp - 1, None, last.end))"),
    ("lib/money.py", "_integer", "events.append(_Digit(int(last.digits), events[-1].exp - 1, last.start, None))"),
    ("lib/money.py", "_integer", "previous, zero = None, True"),
    ("lib/money.py", "_integer",
     "if gap and not zero and not (event.exp % 4 == 3 and previous.exp // 4 == event.exp // 5 + 1):"),
    ("lib/money.py", "_numeral", "raise _Unreadable(None)"),
    ("lib/money.py", "_numeral", 'raise _Unreadable("XX缺少数字XX")'),
    ("lib/money.py", "_numeral", "unit = None"),
    ("lib/money.py", "_numeral", "integer, big = _integer(whole, at_end=None) if whole else (None, False)"),
    ("lib/money.py", "_numeral", "integer, big = _integer(whole, at_end=False) if whole else (None, True)"),
    ("lib/money.py", "_numeral", 'digits = "".join(ch if "0" < ch <= "9" else str(_DIGIT.get(ch, 0)) for ch in rest)'),
    ("lib/money.py", "_numeral",
     'digits = "".join(ch if "0" <= ch <= "XX9XX" else str(_DIGIT.get(ch, 0)) for ch in rest)'),
    ("lib/money.py", "_signed", "negative = None"),
    ("lib/money.py", "_amount", 'jiao = fen = ""'),
    ("lib/money.py", "_amount", 'number, _, cents = text.rpartition("元")'),
    ("lib/money.py", "_amount", "amount, _ = _numeral(number, at_end=None)"),
    ("lib/money.py", "_parse_amount", 'if _generic(_CURRENCY.sub("XXXX", text)):'),
    ("lib/money.py", "parse_number", "negative, text = _signed(text, currency=None)"),
    ("lib/money.py", "grouped", 'text = format(value, "F")'),
    ("lib/money.py", "wan",
     "value = (Decimal(amount) / 10_000).quantize(Decimal(2).scaleb(-places), rounding=ROUND_HALF_UP)"),
    ("lib/money.py", "money", 'return f"{grouped(amount.quantize(Decimal(2)))}元"'),
    # funds models: an unknown region level finds no payer level under any
    # key; `old` is read only when truthy and is set again for a saved row;
    # a new project's row is looked for and not found; the disbursed sum
    # asked again is the one read under the same project lock; a
    # disbursement being checked is never a confirmed one itself.
    ("xiezuo/funds/models.py", "FundReceipt.level_for",
     'return (cls.REGION_LEVELS.get(payer_region_level or "XXXX")'),
    ("xiezuo/funds/models.py", "FundReceipt.level_for",
     'or cls.REGION_LEVELS.get(east_region_level or "XXXX") or cls.COUNTY)'),
    ("xiezuo/funds/models.py", "FundReceipt.save", 'old = ""'),
    ("xiezuo/funds/models.py", "Project.save",
     "old = Project.objects.select_for_update().filter(pk=self.pk).first() if (self.pk) or True else None"),
    ("xiezuo/funds/models.py", "Project.save", "new_alloc = self.allocation(None)"),
    ("xiezuo/funds/models.py", "Project.save", "grows = moved or new_alloc > old.allocation(None)"),
    ("xiezuo/funds/models.py", "Disbursement._check_project_accepts",
     "others = project.disbursements.confirmed().exclude(pk=None)"),
    # labour models: adjacent spans counted apart sum to the same days; a
    # region path holds only digits and "/", and looking every region up
    # finds the same ones by id; no place name is made of X; a closed stay
    # starting on or after the first day also ends on or after it (end >=
    # start is validated); a one-day stay has no whole month either way,
    # and a stay of 0 months never lies past its stop (the month count only
    # falls while add_months(start, n) is after the stop, which start is not).
    ("xiezuo/labour/models.py", "days_in_year",
     "if hi is not None and first < hi + datetime.timedelta(days=1):"),
    ("xiezuo/labour/models.py", "paired_province_names",
     'ids = [int(x) for x in east.path.strip(None).split("/") if x]'),
    ("xiezuo/labour/models.py", "paired_province_names",
     'ids = [int(x) for x in east.path.strip("XX/XX").split("/") if x]'),
    ("xiezuo/labour/models.py", "paired_province_names", "nodes = Region.objects.in_bulk(None)"),
    ("xiezuo/labour/models.py", "in_named_place", 'place = (place or "XXXX").replace(" ", "")'),
    ("xiezuo/labour/models.py", "TalentExchangeQuerySet.in_post_in",
     "open_end = Q(end__isnull=True) if today >= first else Q(start__gte=first)"),
    ("xiezuo/labour/models.py", "whole_months", "if end <= start:"),
    ("xiezuo/labour/models.py", "whole_months", "while months >= 0 and add_months(start, months) > stop:"),
    # labour figures: SQL keywords read in any case, and the compiler gives
    # EpochDay no extra context; the employment statement cuts every span at
    # `today` itself, so a job the filter lets through by the real date adds
    # no day; each (period, code) comes once out of the GROUP BY into a dict
    # that holds every code at 0 already; the talent section's today is the
    # real date, the methods' default; a scalar subquery's second row is
    # ignored by SQLite (PostgreSQL raises: the suite's PostgreSQL run of
    # tests/labour/test_grouped_sql.py fails on it, checked by hand).
    ("xiezuo/labour/figures.py", "EpochDay.as_sqlite",
     'return self.as_sql(compiler, connection, template="cast(round(julianday(%(expressions)s) - 2440587.5) as integer)",'),
    ("xiezuo/labour/figures.py", "EpochDay.as_sqlite", ")"),
    ("xiezuo/labour/figures.py", "employment_figures",
     'first_job = Employment.objects.filter(person_id=OuterRef("person_id")).order_by("start").values("start")[:2]'),
    *(("xiezuo/labour/figures.py", "employment_figures",
       f"jobs = (Employment.objects.filter(pairing_id__in=pairing_ids).employed_in(all_years, {arg})")
      for arg in ("None", "")),
    *(("xiezuo/labour/figures.py", "employment_figures", f'out["{table}"][code] = out["{table}"].get({args}) + people')
      for table in ("by_form", "by_destination") for args in ("None, 0", "code, None", "code, ", "code, 1")),
    *(("xiezuo/labour/figures.py", "talent_section",
       f"rows = list((own.started_in(years) | own.in_post_in(years, {arg})).values_list(") for arg in ("None", "")),
    *(("xiezuo/labour/figures.py", "talent_section",
       f"if TalentExchange.in_post_between(start, end, first, last, {arg}):") for arg in ("None", "")),
    # industry figures: the months of each workshop come in month order
    # whatever the order of the workshops; ordered by the workshop alone,
    # SQLite reads them through the unique (workshop, month) index, in month
    # order (PostgreSQL does not: the test that enters them out of order
    # fails there, checked by hand); only the first of the three values kept
    # per workshop is read back.
    ("xiezuo/industry/figures.py", "workshop_figures", '.counting(threshold).order_by("month")'),
    ("xiezuo/industry/figures.py", "workshop_figures", '.counting(threshold).order_by("workshop_id", )'),
    *(("xiezuo/industry/figures.py", "workshop_figures", f"months, _, _ = per_workshop.get(workshop_id, {t})")
      for t in ("(0, 1, 0)", "(0, 0, 1)")),
    # ledger column converters (docs/TESTING.md):
    # a two-character pair of brackets holds no unit, sliced or not.
    ("xiezuo/ledgers/columns.py", 'unit_word', 'if len(text) >= 2 and text[0] in "([" and text[-1] in ")]":'),
    # the unit reaches only a parse that ignores it (text, dates, whole numbers, code lists, names, quantities, yes/no, and the base path of codes and identity numbers).
    ("xiezuo/ledgers/columns.py", 'Text.fast', 'return slow(raw, None)'),
    ("xiezuo/ledgers/columns.py", 'Text.fast', 'return slow(raw, )'),
    ("xiezuo/ledgers/columns.py", 'Text.batch', 'limit, parse, required, empty = self.max_length, self.fast(None), self.required, self.empty()'),
    ("xiezuo/ledgers/columns.py", 'Date.fast', 'return slow(raw, None)'),
    ("xiezuo/ledgers/columns.py", 'Date.fast', 'return slow(raw, )'),
    ("xiezuo/ledgers/columns.py", 'Date.batch', 'parse, required, empty = self.fast(None), self.required, self.empty()'),
    ("xiezuo/ledgers/columns.py", 'Int.fast', 'return slow(raw, None)'),
    ("xiezuo/ledgers/columns.py", 'Int.fast', 'return slow(raw, )'),
    ("xiezuo/ledgers/columns.py", 'Year.parse', 'return super().parse(value, None)'),
    ("xiezuo/ledgers/columns.py", 'Year.parse', 'return super().parse(value, )'),
    ("xiezuo/ledgers/columns.py", 'Choice.fast', 'return slow(raw, None) if code is None else code'),
    ("xiezuo/ledgers/columns.py", 'Choice.fast', 'return slow(raw, ) if code is None else code'),
    ("xiezuo/ledgers/columns.py", 'Lookup.fast', 'return slow(raw, None) if pk is None else pk'),
    ("xiezuo/ledgers/columns.py", 'Lookup.fast', 'return slow(raw, ) if pk is None else pk'),
    ("xiezuo/ledgers/columns.py", 'Number.fast', 'return slow(raw, None)'),
    ("xiezuo/ledgers/columns.py", 'Number.fast', 'return slow(raw, )'),
    ("xiezuo/ledgers/columns.py", 'Number.batch', 'return _number_batch(convert_floats, self.fast(None), self.required, self.empty())'),
    ("xiezuo/ledgers/columns.py", 'Bool.fast', 'return slow(raw, None) if value is None else value'),
    ("xiezuo/ledgers/columns.py", 'Bool.fast', 'return slow(raw, ) if value is None else value'),
    ("xiezuo/ledgers/columns.py", 'Column.fast', 'return lambda raw: parse(raw, None)'),
    ("xiezuo/ledgers/columns.py", 'Column.fast', 'return lambda raw: parse(raw, )'),
    # every text goes through the quick parse, which strips it as the column path does; one over the limit is refused there instead of by the later length check: None either way.
    ("xiezuo/ledgers/columns.py", 'Text.batch', 'texts = [value.strip() if (value.__class__ is str) and False else parse(value) for value in cells]'),
    # an unknown unit reads as 元 in lib.money (factor 1), and 1E14 is 1e14, 1E11 is 1e11.
    ("xiezuo/ledgers/columns.py", 'Amount.parse', 'amount = parse_amount(value, unit or "XX元XX")'),
    ("xiezuo/ledgers/columns.py", 'Amount.parse', 'if abs(amount) >= Decimal("1E14"):'),
    ("xiezuo/ledgers/columns.py", 'Amount.fast', 'factor, slow, positive = UNITS.get(unit or "XX元XX", Decimal(1)), self.parse, self.positive'),
    ("xiezuo/ledgers/columns.py", 'Amount.fast', 'top = Decimal("1E14")'),
    ("xiezuo/ledgers/columns.py", 'Amount.batch', 'factor, positive, top = UNITS.get(unit or "XX元XX", Decimal(1)), self.positive, Decimal("1e14")'),
    ("xiezuo/ledgers/columns.py", 'Amount.batch', 'factor, positive, top = UNITS.get(unit or "元", Decimal(1)), self.positive, Decimal("1E14")'),
    ("xiezuo/ledgers/columns.py", 'Number.parse', 'if not number.is_finite() or abs(number) >= Decimal("1E11"):'),
    # a float of -1e15 or 1e15 (FLOAT_TOP) is refused on the quick path either way (negative, or not below the limit) and goes to `parse`.
    ("xiezuo/ledgers/columns.py", 'Amount.fast', 'if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP <= raw < FLOAT_TOP:'),
    ("xiezuo/ledgers/columns.py", 'Amount.fast', 'if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP < raw <= FLOAT_TOP:'),
    ("xiezuo/ledgers/columns.py", 'Number.fast', 'if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP <= raw < FLOAT_TOP:'),
    ("xiezuo/ledgers/columns.py", 'Number.fast', 'if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP < raw <= FLOAT_TOP:'),
    # on the exact path each float is its Decimal, with the same sign: compared with 0 and the limit, the floats and the Decimals agree.
    ("xiezuo/ledgers/columns.py", 'Amount.batch', 'ends = numbers if (exact) and False else amounts'),
    ("xiezuo/ledgers/columns.py", 'Number.batch', 'ends = values if (exact) and False else numbers'),
    # the memo's bound changes only when the memo is emptied, never a value.
    ("xiezuo/ledgers/columns.py", 'Date.batch', 'if len(memo) - len(fresh) > MEMO_SIZE:'),
    ("xiezuo/ledgers/columns.py", 'Date.batch', 'if len(memo) + len(fresh) >= MEMO_SIZE:'),
    # with translation deactivated gettext gives the source strings, which are the Chinese labels.
    ("xiezuo/ledgers/columns.py", 'Choice.choices', 'with translation.override(None):'),
    # keys are made by the same function when stored and when looked up.
    ("xiezuo/ledgers/columns.py", 'Choice._key', 'return re.sub(r"\\s+", "", clean_text(text).translate(FULLWIDTH)).upper()'),
    # no unit's factor is 2; multiplying by Decimal(1) before the quantize changes nothing.
    ("xiezuo/ledgers/columns.py", '_quantized', 'if factor != 2:'),
    # values_of([]) is [] without converting anything.
    ("xiezuo/ledgers/columns.py", '_number_batch', 'converted = values_of(floats) if (floats) or True else []'),
    # `prepare` sets the map and the ambiguous names before any parse reads them.
    ("xiezuo/ledgers/columns.py", 'Lookup.__init__', 'self._map = ""'),
    ("xiezuo/ledgers/columns.py", 'Lookup.__init__', 'self.ambiguous = None'),
    # quantize takes only the exponent of the quantum (2E-2 has the exponent of 1E-2).
    ("xiezuo/ledgers/columns.py", 'Number.__init__', 'self.quantum = Decimal(2).scaleb(-places)'),
    # "F" and "f" write a finite Decimal alike.
    ("xiezuo/ledgers/columns.py", 'Number.display', 'return "" if value is None else format(value.normalize(), "F")'),
    # the keys of the exact map are texts: a cell of another type finds nothing either way.
    ("xiezuo/ledgers/columns.py", 'Bool.fast', 'value = exact.get(raw) if (raw.__class__ is str) or True else None'),
    # funds trend: the filters without the years read years not asked for
    # and leave them out of the answer.
    ("xiezuo/funds/figures.py", "funds_by_year",
     'received = dict(FundReceipt.objects.filter(pairing_id__in=pairing_ids, ).values("year")'),
    ("xiezuo/funds/figures.py", "funds_by_year", "projects = Project.objects.filter(pairing_id__in=pairing_ids, )"),
    # funds models: the pairings' rows are locked, never read, so whether
    # values_list gives tuples or ids does not matter; the carry-over switch
    # is always in settings (xiezuo/settings.py), so getattr's default is
    # never read.
    *(("xiezuo/funds/models.py", "lock_pairings",
       f'list(Pairing.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", {a}))')
      for a in ("", "flat=False", "flat=None")),
    *(("xiezuo/funds/models.py", "check_allocation", f'if getattr(settings, "XIEZUO_FUNDS_ALLOW_CARRYOVER", {d}):')
      for d in ("", "None", "True")),
    # consumption figures: the naive reference names its top buyers and
    # products from every row of the table (`in_bulk(None)`) or loads a
    # product's supplier on first use: the same names either way. The trend
    # reads the years it was not asked for and leaves them out of its answer.
    ("xiezuo/consumption/figures.py", "from_rows", "names = Buyer.objects.in_bulk(None)"),
    ("xiezuo/consumption/figures.py", "from_rows",
     'named = Product.objects.select_related("supplier__organisation").in_bulk(None)'),
    ("xiezuo/consumption/figures.py", "from_rows",
     "named = Product.objects.select_related(None).in_bulk([r[\"product\"] for r in top_products])"),
    ("xiezuo/consumption/figures.py", "consumption_by_year",
     'fen.update(SaleTotal.objects.filter(pairing_id__in=pairing_ids, ).values("year")'),
}


@dataclass
class Mutant:
    module: str
    function: str  # qualified name of the top-level function or method
    line: int
    original: str
    mutated: str
    code: types.CodeType  # the function's mutated code
    key: tuple  # (qualname, firstlineno) of the live function
    status: str = "pending"
    tests: list = field(default_factory=list)
    end: int = 0  # the last line of the mutated node
    ran: int = 0  # how many of its tests its run took

    def changed_line(self):
        return self.mutated.strip()

    @property
    def ident(self):
        return (self.module, self.function, self.line, self.changed_line())

    @property
    def equivalent(self):
        return (self.module, self.function, self.changed_line()) in EQUIVALENT


def _is_function(code):
    return bool(code.co_flags & 0x0002) or code.co_qualname.endswith("<lambda>")  # CO_NEWLOCALS


def _function_codes(code, out):
    """{(qualname, firstlineno): code} of the functions defined at module or
    class level (the ones a mutant replaces whole), in source order."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if _is_function(const):
                out.append(const)
            else:  # a class body
                _function_codes(const, out)
    return out


def _selected(qualname, functions):
    if functions is None:
        return True
    return any(qualname == f or (f.endswith(".") and qualname.startswith(f)) for f in functions)


def _without_decorators(source):
    """Return `source` with the decorator lines of its top-level functions
    and of the methods of its top-level classes blanked (@staticmethod and
    @classmethod aside: mutmut mutates those itself), and {def line: first
    decorator line} of those functions (the line their code starts on)."""
    lines = source.splitlines(keepends=True)
    heads = {}
    tree = ast.parse(source)
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        functions += [node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                      and not any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                                  for d in node.decorator_list)]
    for node in functions:
        if not node.decorator_list:
            continue
        first = node.decorator_list[0].lineno
        for n in range(first - 1, node.lineno - 1):
            lines[n] = "\n"
        heads[node.lineno] = first
    return "".join(lines), heads


def make_mutants(module, functions=None):
    """Every mutmut mutant of `module` (a path relative to ROOT) inside the
    selected functions, compiled."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider
    from mutmut.mutation.file_mutation import create_mutations, deep_replace

    path = ROOT / module
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    # mutmut leaves decorated functions alone (its trampolines cannot wrap
    # them); ours puts the mutant's bytecode into the live function, which a
    # registering decorator (@rule, @section) leaves as it is. So mutants are
    # found in a copy without the decorator lines (blanked: every position
    # stays) and spliced into the real source as any other.
    stripped, heads = _without_decorators(source)
    tree, mutations, _, _ = create_mutations(str(path), stripped)
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    original = _function_codes(compile(source, str(path), "exec"), [])
    by_line = {code.co_firstlineno: code for code in original}
    mutants = []
    for m in mutations:
        func = m.contained_by_top_level_function
        if not isinstance(func, cst.FunctionDef):
            continue  # module or class level: mutmut leaves those too
        span = positions[func]
        head = positions[func.decorators[0]] if func.decorators else span
        first = heads.get(span.start.line, head.start.line)
        if first not in by_line or not _selected(by_line[first].co_qualname, functions):
            continue
        node = positions[m.original_node]
        # Splice the mutated node's text in place of the original's; a node
        # spanning lines at statement level is rendered with its function.
        new_text = tree.code_for_node(m.mutated_node)
        new_source = ("".join(lines[:node.start.line - 1]) + lines[node.start.line - 1][:node.start.column]
                      + new_text + lines[node.end.line - 1][node.end.column:] + "".join(lines[node.end.line:]))
        try:
            mutated = _function_codes(compile(new_source, str(path), "exec"), [])
        except SyntaxError:
            if span.start.line in heads:
                continue  # re-rendering the function would drop its decorators
            changed = deep_replace(func, m.original_node, m.mutated_node).with_changes(leading_lines=())
            indent = " " * head.start.column
            text = tree.code_for_node(changed)
            text = "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))
            new_source = "".join(lines[:first - 1]) + text.rstrip("\n") + "\n" + "".join(lines[span.end.line:])
            try:
                mutated = _function_codes(compile(new_source, str(path), "exec"), [])
            except SyntaxError:
                continue
        new_lines = new_source.splitlines(keepends=True)
        shift = len(new_lines) - len(lines)
        for old, new in zip(original, mutated):
            if old.co_firstlineno == first == new.co_firstlineno and old.co_qualname == new.co_qualname:
                if old == new:
                    continue  # e.g. a mutant of a constant the compiler folds the same way
                before = "".join(lines[node.start.line - 1:node.end.line])
                diff = [d[1:] for d in difflib.unified_diff(lines[first - 1:span.end.line],
                                                            new_lines[first - 1:span.end.line + shift], n=0)
                        if d.startswith("+") and not d.startswith("+++")]
                mutants.append(Mutant(module, old.co_qualname, node.start.line, before,
                                      "".join(diff) or "(line removed)", new, (old.co_qualname, old.co_firstlineno),
                                      end=node.end.line))
                break
    return mutants


class _Recorder(ast.NodeTransformer):
    """Put `__mutation_hit__(site)` first in every function and before every
    statement inside one, on the line of what it precedes (line numbers stay
    those of the source, so the live functions are found by them). `sites`
    gets, for each site number, (module, top-level qualname, first line, last
    line, whether it is a top-level function's entry): a function's site
    spans the whole function, a statement's its own lines (a compound
    statement's with its body)."""

    def __init__(self, module, sites):
        self.module = module
        self.sites = sites
        self.stack = []
        self.top = None

    def visit_ClassDef(self, node):
        if self.top is None:
            self.stack.append(node.name)
            self.generic_visit(node)
            self.stack.pop()
        else:
            self.generic_visit(node)
            self._interleave(node)
        return node

    def visit_FunctionDef(self, node):
        outer = self.top
        if outer is None:
            self.top = ".".join(self.stack + [node.name])
        self.generic_visit(node)
        self._interleave(node)
        node.body.insert(0, self._hit(node.body[0], node.lineno, node.end_lineno, entry=outer is None))
        self.top = outer
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def generic_visit(self, node):
        super().generic_visit(node)
        if self.top is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._interleave(node)
        return node

    def _interleave(self, node):
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, name, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                setattr(node, name, [x for stmt in stmts
                                     for x in (self._hit(stmt, stmt.lineno, stmt.end_lineno), stmt)])

    def _hit(self, where, first, last, entry=False):
        self.sites.append((self.module, self.top, first, last, entry))
        call = ast.Expr(ast.Call(ast.Name("__mutation_hit__", ast.Load()),
                                 [ast.Constant(len(self.sites) - 1)], []))
        for sub in ast.walk(call):
            ast.copy_location(sub, where)
        return call


class Runner:
    """The pytest plugin that runs the tests once, then each mutant in a fork."""

    def __init__(self, modules, jobs, out, postgres=False, pg_result=None):
        self.modules = modules
        self.jobs = jobs
        self.out = out
        self.postgres = postgres  # the PostgreSQL pass: only the POSTGRES functions
        self.pg_result = pg_result  # a function giving that pass's result, merged into the report
        self.files = {str(ROOT / m): m for m in modules}
        self.sites = []  # site number -> (module, top-level qualname, first line, last line, entry)
        self.hits = []  # site number -> set of item indexes
        self.durations = []
        self.failed_clean = set()
        self.current = None
        self.started = None
        self.kills = {}  # (module, function) -> {item index: mutants of the function it killed}
        self.once = 0.0  # time the current test spent setting up session-scoped fixtures
        self.in_session_fixture = False

    # -- the clean run ------------------------------------------------------
    def _hit(self, site):
        if self.current is not None:
            self.hits[site].add(self.current)

    def _instrument(self):
        """Give every function of the mutated modules a first statement that
        records which test calls it, and every statement inside one a
        statement before it that records which test reaches it (cheaper than
        a trace function); return the (function, original code) pairs to put
        back."""
        import builtins

        builtins.__mutation_hit__ = self._hit
        swapped = []
        live = self._live_functions()
        for module in self.modules:
            path = ROOT / module
            tree = ast.parse(path.read_text())
            _Recorder(module, self.sites).visit(tree)
            for code in _function_codes(compile(tree, str(path), "exec"), []):
                for f in live.get((module, code.co_qualname, code.co_firstlineno), []):
                    try:
                        swapped.append((f, f.__code__))
                        f.__code__ = code
                    except ValueError:  # a closure of another shape: its calls go unrecorded
                        swapped.pop()
        self.hits = [set() for _ in self.sites]
        return swapped

    def _live_functions(self):
        live = {}
        for obj in gc.get_objects():
            if isinstance(obj, types.FunctionType):
                module = self.files.get(obj.__code__.co_filename)
                if module is not None:
                    live.setdefault((module, obj.__code__.co_qualname, obj.__code__.co_firstlineno), []).append(obj)
        return live

    def pytest_runtestloop(self, session):
        from _pytest.runner import runtestprotocol

        items = session.items
        self.items = items
        started = self.started = time.monotonic()
        swapped = self._instrument()
        for i, item in enumerate(items):
            self.current = i
            t = time.monotonic()
            self.once = 0.0
            reports = runtestprotocol(item, nextitem=items[i + 1] if i + 1 < len(items) else items[0])
            # A child finds the session's fixtures (the demo) set up: what
            # the test costs there leaves them out.
            self.durations.append(time.monotonic() - t - self.once)
            if any(r.failed for r in reports):
                self.failed_clean.add(i)
        for f, code in swapped:
            f.__code__ = code
        self.current = None
        clean = time.monotonic() - started
        print(f"\nclean run: {len(items)} tests in {clean:.0f} s, {len(self.failed_clean)} failing "
              f"(left out of the mutant runs)", flush=True)
        for i in sorted(self.failed_clean):
            print(f"  failing before any mutant: {items[i].nodeid}", flush=True)
        self.run_mutants(session)
        return True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        """Time the outermost session-scoped fixture set-ups (`self.once`)."""
        outer = not self.in_session_fixture and fixturedef.scope == "session"
        if outer:
            self.in_session_fixture = True
            t = time.monotonic()
        try:
            yield
        finally:
            if outer:
                self.in_session_fixture = False
                self.once += time.monotonic() - t

    # -- the mutants --------------------------------------------------------
    def _module_items(self, module):
        wanted = [str(ROOT / t) for t in MODULES[module]["tests"]]
        return {i for i, item in enumerate(self.items)
                if any(str(item.path) == w or str(item.path).startswith(w + os.sep) for w in wanted)}

    def run_mutants(self, session):
        started = time.monotonic()
        self.live = self._live_functions()
        # The project's cached functions may hold what the unmutated code
        # computed; each child clears them (the libraries' caches cannot).
        self.caches = [obj for obj in gc.get_objects() if isinstance(obj, functools._lru_cache_wrapper)
                       and _ours(getattr(obj, "__wrapped__", None))]
        # What the session holds now is never collected in a child: a full
        # collection there would write to every object's page, and copy it.
        gc.collect()
        gc.freeze()
        results = {}
        for module in self.modules:
            t = time.monotonic()
            functions = POSTGRES[module] if self.postgres else MODULES[module].get("functions")
            mutants = make_mutants(module, functions)
            own = self._module_items(module) - self.failed_clean
            sites = self._sites_by_function()
            calling = 0
            for m in mutants:
                m.tests = list(self._reaching(m, sites) & own)  # ordered when the mutant is run
                calling += len(self._reaching(m, sites, whole_function=True) & own)
                if not m.tests:
                    m.status = "no test"
            print(f"{module}: {len(mutants)} mutants, {sum(len(m.tests) for m in mutants)} tests reaching the "
                  f"mutated statements ({calling} calling the mutated functions)", flush=True)
            self._run_all([m for m in mutants if m.status == "pending"])
            results[module] = mutants
            killed = sum(m.status in KILLED for m in mutants)
            spent = {}  # item index -> how many mutants' runs took it
            for m in mutants:
                for i in m.tests[:m.ran]:
                    spent[i] = spent.get(i, 0) + 1
            runs = sum(spent.values())
            timeouts = sum(m.status == "timeout" for m in mutants)
            cost = sum(n * self.durations[i] for i, n in spent.items())
            print(f"{module}: killed {killed} of {len(mutants)} ({time.monotonic() - t:.0f} s; {runs} test runs, "
                  f"{cost:.0f} s of the clean run's time, {timeouts} past their budget)", flush=True)
            for i in sorted(spent, key=lambda i: -spent[i] * self.durations[i])[:3]:
                print(f"  {spent[i]} runs x {self.durations[i]:.2f} s: {self.items[i].nodeid}", flush=True)
        self.report(results, time.monotonic() - started)

    def _sites_by_function(self):
        by_function = {}
        for n, (module, top, first, last, entry) in enumerate(self.sites):
            by_function.setdefault((module, top), []).append((n, first, last, entry))
        return by_function

    def _reaching(self, m, sites, whole_function=False):
        """The tests that reach the mutated code: those that run the
        innermost statement holding the mutated node (of statements spanning
        the same lines, the outermost: `if x: return y` is one line), or,
        for a node outside every statement (the `def` line), those that call
        the function. A test that never runs the statement cannot see the
        change, so leaving it out changes no result, only the time."""
        own = sites.get((m.module, m.function), [])
        holding = [(last - first, -n) for n, first, last, entry in own
                   if not entry and first <= m.line and m.end <= last]
        if holding and not whole_function:
            return self.hits[-min(holding)[1]]
        return set().union(*(self.hits[n] for n, _, _, entry in own if entry))

    def _run_all(self, mutants):
        running = {}
        queue = list(mutants)
        while queue or running:
            while queue and len(running) < self.jobs:
                m = queue.pop(0)
                # The tests that killed this function's earlier mutants first:
                # most mutants of a function fall to the same test, so a
                # killed mutant usually costs one test instead of every
                # faster one before it.
                kills = self.kills.get((m.module, m.function), {})
                m.tests.sort(key=lambda i: (-kills.get(i, 0), self.durations[i]))
                budget = 5 + 3 * sum(self.durations[i] for i in m.tests)
                running[self._fork(m)] = (m, time.monotonic() + budget)
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for p, (m, deadline) in list(running.items()):
                    if now > deadline:
                        os.kill(p, 9)
                        os.waitpid(p, 0)
                        m.status = "timeout"
                        del running[p]
                time.sleep(0.01)
                continue
            m, _ = running.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            m.status = {0: "survived", 1: "killed", 3: "not applied"}.get(code, "killed")
            m.ran = len(m.tests) if code == 0 else code - 9 if code >= 10 else 0
            if code >= 10:  # killed by its (code - 10)th test
                killer = m.tests[code - 10]
                kills = self.kills.setdefault((m.module, m.function), {})
                kills[killer] = kills.get(killer, 0) + 1
            if m.status != "killed" and not m.equivalent:  # shown at once: a long run can be read while it goes
                print(f"\n  {m.status}: {m.module}:{m.line} {m.function}: {m.changed_line()}", flush=True)

    def _fork(self, m):
        pid = os.fork()
        if pid:
            return pid
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if self.postgres:
                _own_connections()
            funcs = self.live.get((m.module,) + m.key, [])
            if not funcs:
                os._exit(3)
            for f in funcs:
                f.__code__ = m.code
            for c in self.caches:
                c.cache_clear()
            from _pytest.runner import runtestprotocol

            _fail_fast()
            for n, i in enumerate(m.tests):
                item = self.items[i]
                item.session._setupstate.teardown_exact(item)
                item._initrequest()
                nxt = self.items[m.tests[n + 1]] if n + 1 < len(m.tests) else item
                reports = runtestprotocol(item, log=False, nextitem=nxt)
                if any(r.failed for r in reports):
                    os._exit(10 + n if n < 240 else 1)
            os._exit(0)
        except BaseException:
            os._exit(1)

    # -- the report ---------------------------------------------------------
    def _merge_postgres(self, results):
        """Run the PostgreSQL pass and mark the SQLite survivors it killed."""
        if self.postgres or self.pg_result is None:
            return
        modules = [m for m in results if m in POSTGRES]
        if not modules:
            return
        pg = self.pg_result(modules)
        if pg is None:
            return
        killed_there = {tuple(m["ident"]) for m in pg["mutants"] if m["status"] in KILLED}
        for module in modules:
            for m in results[module]:
                if m.status not in KILLED and m.ident in killed_there:
                    m.status = "killed on PostgreSQL"

    def report(self, results, seconds):
        self._merge_postgres(results)
        seconds = time.monotonic() - self.started if self.started else seconds
        total = killed = 0
        title = "mutation testing, PostgreSQL pass" if self.postgres else "mutation testing"
        print(f"\n== {title} ==")
        for module, mutants in results.items():
            k = sum(m.status in KILLED for m in mutants)
            on_pg = sum(m.status == "killed on PostgreSQL" for m in mutants)
            e = sum(m.status not in KILLED and m.equivalent for m in mutants)
            total += len(mutants)
            killed += k
            pct = 100 * k / len(mutants) if mutants else 100
            print(f"{module}: killed {k} of {len(mutants)} ({pct:.1f}%)" + (f", {e} equivalent" if e else "")
                  + (f", {on_pg} of them on PostgreSQL" if on_pg else ""))
        pct = 100 * killed / total if total else 100
        print(f"total: killed {killed} of {total} ({pct:.1f}%) in {seconds / 60:.1f} min")
        survivors = [m for ms in results.values() for m in ms if m.status not in KILLED]
        unexplained = [m for m in survivors if not m.equivalent]
        if unexplained:
            print("\nsurvivors:")
            for m in unexplained:
                print(f"  {m.module}:{m.line} {m.function} [{m.status}]\n"
                      f"      - {m.original.strip()}\n      + {m.changed_line()}")
        explained = [m for m in survivors if m.equivalent]
        if explained:
            print("\nequivalent (docs/TESTING.md says why):")
            for m in explained:
                print(f"  {m.module}:{m.line} {m.function}: {m.changed_line()}")
        if self.out:
            Path(self.out).parent.mkdir(parents=True, exist_ok=True)
            data = {
                "minutes": round(seconds / 60, 1),
                "modules": {mod: {"killed": sum(m.status in KILLED for m in ms), "total": len(ms)}
                            for mod, ms in results.items()},
                "survivors": [{"module": m.module, "line": m.line, "function": m.function, "status": m.status,
                               "original": m.original.strip(), "mutated": m.changed_line(),
                               "equivalent": m.equivalent} for m in survivors],
            }
            if self.postgres:  # every mutant, for the SQLite pass to merge
                data["mutants"] = [{"ident": list(m.ident), "status": m.status} for ms in results.values() for m in ms]
            Path(self.out).write_text(json.dumps(data, ensure_ascii=False, indent=1))


def _ours(func):
    code = getattr(func, "__code__", None)
    return code is not None and code.co_filename.startswith(str(ROOT) + os.sep) and ".venv" not in code.co_filename


def _fail_fast():
    """In a mutant's child, where only the fact of a failure is read: a
    failing test is reported without its traceback, and a property test
    stops at its first failing example. pytest's rendering of a traceback
    (finding each frame's source through every loaded module) took about
    nine tenths of a child's time when its first test killed the mutant;
    hypothesis, having found a failure, goes on generating for up to ten
    seconds and then shrinks it."""
    from _pytest.nodes import Node
    from _pytest.python import Function

    Node._repr_failure_py = lambda self, excinfo, style=None: "failed"
    Function.repr_failure = lambda self, excinfo: "failed"
    try:
        from hypothesis.internal.conjecture.engine import ConjectureRunner
    except ImportError:  # another hypothesis: it shrinks, and only time is lost
        return
    if not all(hasattr(ConjectureRunner, a) for a in ("should_generate_more", "shrink_interesting_test_cases")):
        return  # likewise: a failure here would count every mutant as killed
    more = ConjectureRunner.should_generate_more
    ConjectureRunner.should_generate_more = lambda self: not self.interesting_test_cases and more(self)
    ConjectureRunner.shrink_interesting_test_cases = lambda self: None


KILLED = ("killed", "timeout", "killed on PostgreSQL")
_PARENT_CONNECTIONS = []


def _own_connections():
    """In a fork on PostgreSQL: give the child connections of its own. The
    parent's stay referenced and are never closed (closing one would end the
    parent's session on the shared socket); the child leaves by os._exit."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _PARENT_CONNECTIONS.append(conn.connection)
            conn.connection = None


def _postgres_pass(url, out):
    """Return a function running the PostgreSQL pass over some modules in a
    process of its own and giving its result, or None (said why) when
    PostgreSQL cannot be reached."""
    def run(modules):
        import subprocess

        try:
            import psycopg

            psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=5).close()
        except Exception as e:  # noqa: BLE001 - said, and the pass left out
            print(f"\nPostgreSQL pass not run ({url}: {e}); the PostgreSQL branches' mutants are counted "
                  "as the SQLite pass left them", flush=True)
            return None
        print(f"\nPostgreSQL pass over {', '.join(modules)} ({', '.join(f for m in modules for f in POSTGRES[m])})",
              flush=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--pg-pass", url, "--out", out, *modules],
                       check=False)
        try:
            return json.loads(Path(out).read_text())
        except (OSError, ValueError):
            print("PostgreSQL pass gave no result", flush=True)
            return None
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all of MODULES)")
    parser.add_argument("--jobs", type=int, default=2, help="mutant runs at once (default 2)")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests")
    parser.add_argument("--tests", metavar="PATHS",
                        help="comma-separated tests to run instead of the modules' mapped ones (a quick survey: "
                             "the converters' own tests before the importer's)")
    parser.add_argument("--out", default=str(ROOT / "var" / "mutation.json"), help="JSON result file")
    parser.add_argument("--postgres", metavar="URL",
                        help="also run the POSTGRES functions' mutants against this PostgreSQL server")
    parser.add_argument("--pg-pass", metavar="URL", help=argparse.SUPPRESS)  # that pass itself
    args = parser.parse_args(argv)
    modules = [m.strip() for arg in args.modules for m in arg.split(",") if m.strip()] or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not in MODULES: {', '.join(unknown)}")
    if args.list:
        for m in modules:
            print(m, "<-", " ".join(MODULES[m]["tests"]))
        return 0
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    os.environ["CI"] = "1"  # hypothesis derandomized: the same examples for every mutant
    pg_result = None
    if args.pg_pass:
        # One shared database: one mutant at a time, each test in its own
        # transaction rolled back, as in the suite's PostgreSQL pass.
        modules = [m for m in modules if m in POSTGRES]
        os.environ["DATABASE_URL"] = args.pg_pass
        os.environ["XIEZUO_REQUIRE_PG"] = "1"
        args.jobs = 1
    else:
        os.environ.pop("DATABASE_URL", None)  # the in-memory SQLite test database, copied by each fork
        if args.postgres:
            pg_result = _postgres_pass(args.postgres, str(Path(args.out).with_name("mutation-pg.json")))
    if args.tests:
        for m in modules:
            MODULES[m] = {**MODULES[m], "tests": [t.strip() for t in args.tests.split(",") if t.strip()]}
    tests = sorted({t for m in modules for t in MODULES[m]["tests"]})
    deselect = [arg for t in sorted(SUBPROCESS_TESTS) if t.split("::")[0] in tests for arg in ("--deselect", t)]
    return pytest.main(["-q", "-p", "no:cacheprovider", "-m", "not browser", *deselect, *tests],
                       plugins=[Runner(modules, max(1, args.jobs), args.out, postgres=bool(args.pg_pass),
                                       pg_result=pg_result)])

if __name__ == "__main__":
    sys.exit(main())
