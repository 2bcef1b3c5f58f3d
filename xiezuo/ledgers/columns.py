"""Column types of a ledger spec: how one Excel cell becomes a field value
and how a field value goes back into a cell.

Every `parse` returns the Python value for the model field or raises
ValueError with a Chinese message saying what is wrong; the importer adds
the sheet, row, column and value around it. `parse` is called with a
non-empty cell only: empty cells become `empty` (or a "必填" error).
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from itertools import compress, count, repeat
from math import isfinite
from operator import eq, is_, mul, not_, truediv

from django.conf import settings
from django.utils import translation
from django.utils.functional import cached_property

from lib.dates import cn_date, parse_date
from lib.ids import mask_id_number, normalize_id_number, normalize_uscc
from lib.money import CENT, UNITS, numeral_end, parse_amount, parse_number, yuan

FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋（）【】［］：　", "0123456789.,-+()[][]: ")
_UNIT_IN_HEADER = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
# Floats beyond this skip the quick conversions: Decimal.quantize of 1e300
# raises InvalidOperation, and the ordinary parse refuses them in words.
# Well above every column's own limit, well inside Decimal's 28 digits.
FLOAT_TOP = 1e15
# The largest whole number an integer column can store (Django's
# IntegerField on every database): a column without its own maximum refuses
# more with a message instead of failing at the insert.
INT_TOP = 2_147_483_647


def clean_text(value):
    """Return a cell as stripped text; Excel numbers that are whole read as ints."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


# Units written in a header's brackets (金额（万元）) or in a units row under
# the header: money (lib.money.UNITS, applied by Amount), counts, weights,
# areas and prices (which the other column types accept and ignore).
UNIT_WORDS = frozenset(UNITS) | {
    "人", "个", "天", "次", "人次", "家", "户", "年", "月", "亩", "元/月", "吨", "斤", "公斤", "千克", "克",
    "元/斤", "元/公斤", "元/千克", "元/吨", "元/个", "件", "箱", "袋", "份", "平方米", "米", "%"}


def unit_word(value):
    """Return the unit a cell of a units row holds (万元, （万元）, 人), or None."""
    text = re.sub(r"\s+", "", clean_text(value).translate(FULLWIDTH))
    if len(text) > 2 and text[0] in "([" and text[-1] in ")]":
        text = text[1:-1]
    return text if text in UNIT_WORDS else None


def normalize_header(text):
    """Return (key, unit) for a header as written: spaces dropped, full-width
    brackets made ASCII, the required mark "*" removed, and a unit written in
    brackets (金额（万元）) split off."""
    text = clean_text(text).translate(FULLWIDTH)
    text = re.sub(r"\s+", "", text).strip("*※")
    unit = None
    m = _UNIT_IN_HEADER.search(text)
    if m:
        inside = m.group(1)
        if inside in UNIT_WORDS:
            # A unit is split off (and applied); other brackets are part of the name.
            unit = inside
            text = (text[:m.start()] + text[m.end():]).strip()
    return text, unit


class Column:
    """One column of a ledger: field, Chinese header, accepted synonyms."""

    kind = "文本"

    def __init__(self, field, header, *, synonyms=(), required=False, help="", example="", max_length=None,
                 unit=None, default=None, readonly=False, source=None):
        self.field = field
        self.readonly = readonly  # exported for reference, never imported
        # A column with a source is not stored: read and checked on import by
        # the spec's rules (所属县 against the supplier's county), then left
        # out of the row; exported from the stored field `source` (an attname).
        self.source = source
        self.default = default  # the value of an empty cell, when not the type's own
        self.header = header
        self.synonyms = tuple(synonyms)
        self.required = required
        self.help = help
        self.example = example
        self.max_length = max_length
        self.unit = unit  # the unit written in the exported header, e.g. 元

    def __repr__(self):
        return f"<{type(self).__name__} {self.field} {self.header}>"

    @property
    def attname(self):
        """Return the model attribute the parsed value goes to."""
        return self.field

    @property
    def stored(self):
        """Tell whether the parsed value is stored in the row's field (see `source`)."""
        return self.source is None

    @property
    def title(self):
        """Return the header as written in templates and exports."""
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    def names(self):
        """Return every normalised header name that maps to this column."""
        return {normalize_header(n)[0] for n in (self.header, *self.synonyms)}

    def prepare(self, ctx):
        """Load lookups once per import (FK maps); ctx holds the pairing."""

    def empty(self):
        return "" if self.default is None else self.default

    def parse(self, value, unit=None):
        text = clean_text(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"内容过长：最多{self.max_length}个字，实际{len(text)}个字")
        return text

    def shown(self, raw):
        """Return a refused cell as an error message shows it (personal
        numbers are masked there: messages reach job records and screens)."""
        return raw

    def export(self, value):
        """Return the cell value for a stored field value."""
        return "" if value is None else value

    def display(self, value):
        """Return a stored value as the import preview shows it."""
        return clean_text(self.export(value))

    def preview(self, raw, value):
        """Return a cell as the import preview shows it: the cell's text and,
        when it reads differently, the value as it will be stored beside it
        ("一千二 → 12,000,000.00元"); a blank cell filled by a rule shows the
        value it gets. Both sides go through `shown`, so personal numbers
        stay masked."""
        text = self.shown(clean_text(raw))
        if not text and value == self.empty():
            return ""
        stored = self.shown(self.display(value))
        if stored == text:
            return text
        return f"{text or '（空）'} → {stored}"

    def fast(self, unit=None):
        """Return parse(raw) for one sheet: the common cell types take a short
        path, anything else goes through `parse` (which also words the errors)."""
        parse = self.parse
        return lambda raw: parse(raw, unit)

    def batch(self, unit=None):
        """Return convert(cells, types) → the parsed values of a whole column
        of a batch (`types`: the set of the cells' Python types), or None for
        "not sure": then the batch is parsed row by row.

        A converter gives for each cell exactly what the row path gives:
        `fast(cell)`, and for a blank cell ("") of an optional column its
        `empty()` value — a required column's cells are never blank (the
        importer takes rows blank there apart first). It gives None, never
        an error, when one cell would be refused; the row path then words it.
        The common cell types go through C loops (map, set); a few cells of
        another type (a date typed as text) may be taken one by one.
        Columns without a converter (None here) always go row by row.
        """
        return None

    def describe(self):
        """Return what the instructions sheet says about the accepted values."""
        return self.kind


class Text(Column):
    def fast(self, unit=None):
        limit, slow = self.max_length, self.parse

        def parse(raw):
            if raw.__class__ is str:
                text = raw.strip()
                if not limit or len(text) <= limit:
                    return text
            return slow(raw, unit)

        return parse

    def batch(self, unit=None):
        limit, parse, required, empty = self.max_length, self.fast(unit), self.required, self.empty()

        def convert(cells, types):
            if types == {str}:
                texts = list(map(str.strip, cells))
            elif types <= {str, float, int}:
                try:  # numbers among the texts (a voucher number typed as a number): one by one
                    texts = [value.strip() if value.__class__ is str else parse(value) for value in cells]
                except ValueError:
                    return None
            else:
                return None
            # A blank cell (or spaces only) is an optional column's empty value.
            if "" in texts and (required or empty != ""):
                return None
            if limit and max(map(len, texts)) > limit:
                return None
            return texts

        return convert


class Amount(Column):
    """Money in yuan; a unit in the header (金额（万元）) applies to bare numbers."""

    kind = "金额"

    def __init__(self, *args, positive=False, **kwargs):
        kwargs.setdefault("unit", "元")
        super().__init__(*args, **kwargs)
        self.positive = positive

    def empty(self):
        return self.default

    def parse(self, value, unit=None):
        amount = parse_amount(value, unit or "元")
        if self.positive and amount <= 0:
            raise ValueError("金额应大于0")
        if amount < 0:
            raise ValueError("金额不能为负数")
        if abs(amount) >= Decimal("1e14"):
            raise ValueError("金额过大")
        return amount

    def fast(self, unit=None):
        factor, slow, positive = UNITS.get(unit or "元", Decimal(1)), self.parse, self.positive
        top = Decimal("1e14")

        def parse(raw):
            # Only plausible floats take the quick way: quantizing 1e300
            # raises InvalidOperation; the slow parse words the refusal.
            if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP < raw < FLOAT_TOP:
                amount = (Decimal(repr(raw)) * factor).quantize(CENT, ROUND_HALF_UP)
                if (amount > 0 if positive else amount >= 0) and amount < top:
                    return amount
            return slow(raw, unit)

        return parse

    def batch(self, unit=None):
        factor, positive, top = UNITS.get(unit or "元", Decimal(1)), self.positive, Decimal("1e14")

        def convert_floats(numbers):
            quantized = _quantized(numbers, 2, factor)
            if quantized is None:
                return None
            amounts, exact = quantized
            ends = numbers if exact else amounts
            low = min(ends)
            return None if (low <= 0 if positive else low < 0) or max(ends) >= top else amounts

        return _number_batch(convert_floats, self.fast(unit), self.required, self.empty())

    def export(self, value):
        # A float holds any amount below 1e13 yuan with its cents exactly, and
        # parse_amount reads it back through repr, so the round trip is exact.
        return "" if value is None else float(value)

    def display(self, value):
        return "" if value is None else yuan(value)

    def describe(self):
        return "金额，单位见表头（元/万元/亿元），也可写4,300万元、1.68亿、一千二百、肆仟叁佰万元整"


class Date(Column):
    kind = "日期"

    def empty(self):
        return self.default

    def parse(self, value, unit=None):
        day = parse_date(value)
        if not (1990 <= day.year <= 2100):
            raise ValueError(f"日期“{value}”不在合理范围内")
        return day

    def fast(self, unit=None):
        slow, date = self.parse, datetime.date

        def parse(raw):
            if raw.__class__ is date and 1990 <= raw.year <= 2100:
                return raw
            return slow(raw, unit)

        return parse

    def batch(self, unit=None):
        parse, required, empty = self.fast(unit), self.required, self.empty()
        memo = {}  # cell → date: a ledger repeats its dates, and the few ways each is typed
        accepted = {datetime.date, datetime.datetime, str, float, int}

        def convert(cells, types):
            if types == {datetime.date}:  # date cells only: nothing to convert
                return None if min(cells).year < 1990 or max(cells).year > 2100 else list(cells)
            if not types <= accepted:
                return None
            fresh = set(cells).difference(memo)
            if fresh:
                if len(memo) + len(fresh) > MEMO_SIZE:
                    memo.clear()
                    fresh = set(cells)
                for value in fresh:  # each distinct cell once: a date typed as text, a blank
                    if value == "":
                        if required:
                            return None
                        memo[value] = empty
                        continue
                    try:
                        memo[value] = parse(value)
                    except ValueError:
                        return None
            return list(map(memo.__getitem__, cells))

        return convert

    def display(self, value):
        return cn_date(value) if isinstance(value, datetime.date) else clean_text(value)

    def describe(self):
        return "日期，如2022年6月26日、2022-06-26、2022/6/26、2022.6.26、20220626"


class Int(Column):
    kind = "整数"

    def __init__(self, *args, minimum=0, maximum=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def empty(self):
        return self.default

    def parse(self, value, unit=None):
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"应为整数，实际为“{value}”")
            number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = clean_text(value).translate(FULLWIDTH)
            text = re.sub(r"(年|人次|人|个|家|次|天)$", "", text)
            # 1,200, 一千二, 1.2万: lib.money reads them exactly or says why not.
            exact = parse_number(text)
            if not exact.is_finite() or exact != exact.to_integral_value():
                raise ValueError(f"应为整数，实际为“{value}”")
            number = int(exact)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"不能小于{self.minimum}")
        top = INT_TOP if self.maximum is None else self.maximum
        if number > top:
            raise ValueError(f"不能大于{top}")
        return number

    def fast(self, unit=None):
        slow, low, high = self.parse, self.minimum, INT_TOP if self.maximum is None else self.maximum

        def parse(raw):
            if raw.__class__ is float and raw.is_integer():
                number = int(raw)
                if (low is None or number >= low) and number <= high:
                    return number
            return slow(raw, unit)

        return parse

    def describe(self):
        return "整数"


class Year(Int):
    kind = "年度"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, minimum=2000, maximum=2100, **kwargs)

    def parse(self, value, unit=None):
        try:
            return super().parse(value, unit)
        except ValueError:
            raise ValueError("年度应为2000至2100之间的四位数字，如2022") from None

    def describe(self):
        return "年度，四位数字，如2022"


class Choice(Column):
    """A code-list column: the label (资金类型 财政援助资金) or the code is accepted."""

    kind = "选项"

    def __init__(self, field, header, choices, *, aliases=None, **kwargs):
        super().__init__(field, header, **kwargs)
        self._choices, self._aliases = list(choices), aliases or {}

    @cached_property
    def choices(self):
        """The labels in Chinese whatever the reader's language: ledger files
        are the offices' Chinese documents, written and read back as such.
        Worked out on first use (the models' labels are lazy translations,
        which cannot be read while the apps load)."""
        with translation.override(settings.LANGUAGE_CODE):
            return [(code, str(label)) for code, label in self._choices]

    @cached_property
    def _map(self):
        found = {}
        for code, label in self.choices:
            found[self._key(label)] = code
            found[self._key(code)] = code
        for alias, code in self._aliases.items():
            found[self._key(alias)] = code
        return found

    @cached_property
    def _labels(self):
        return dict(self.choices)

    @cached_property
    def _exact(self):
        # Cells as typed most of the time: the label itself, or the code.
        return {**{label: code for code, label in self.choices}, **{code: code for code, _ in self.choices}}

    @staticmethod
    def _key(text):
        return re.sub(r"\s+", "", clean_text(text).translate(FULLWIDTH)).lower()

    def labels(self):
        return [label for _, label in self.choices]

    def parse(self, value, unit=None):
        code = self._map.get(self._key(value))
        if code is None:
            raise ValueError(f"不是有效的选项，应为：{'、'.join(self.labels())}")
        return code

    def export(self, value):
        return self._labels.get(value, value or "")

    def fast(self, unit=None):
        exact, slow = self._exact, self.parse

        def parse(raw):
            code = exact.get(raw)
            return slow(raw, unit) if code is None else code

        return parse

    def batch(self, unit=None):
        return _exact_batch(self._exact, self.required, self.empty())

    def describe(self):
        return "下拉选项：" + "、".join(self.labels())


MEMO_SIZE = 50_000
SAMPLE = 500  # cells a converter looks at to tell whether a column repeats its values


def _quantized(numbers, places, factor=1):
    """Return ([(Decimal(repr(x)) * factor) rounded half up to `places`
    decimals for x in numbers] — what `parse` gives —, exact), or None when
    one is not finite or not below FLOAT_TOP (the row path names the cell).
    `exact`: each value is its float's own number, so that comparing the
    floats compares the values (the cheaper way to check a range).

    A spreadsheet's amounts and quantities have at most that many decimals:
    such a float x is k / 10**places for the integer k = round(x * 10**places)
    (the check: k / 10**places gives x back), and its Decimal is made from k,
    a third of the cost of going through repr. Anything else goes through
    repr."""
    scale = 10 ** places
    # Below this, a float with at most `places` decimals is the double
    # nearest to one such number and to no other: its repr is that number.
    exact_below = 2.0 ** 52 / scale
    quantum = Decimal(1).scaleb(-places)
    try:
        biggest = max(max(numbers), -min(numbers))
        scaled = list(map(round, map(mul, numbers, repeat(scale))))
    except (ValueError, OverflowError):  # not a number, or infinite (a crafted file)
        return None
    if not biggest < FLOAT_TOP:
        return None
    if factor == 1 and biggest < exact_below and 0.0 not in numbers \
            and all(map(eq, map(truediv, scaled, repeat(scale)), numbers)):
        # k × 0.01 is exact (k has at most 16 digits) and has the quantum's exponent.
        return list(map(mul, map(Decimal, scaled), repeat(quantum))), True
    written = map(Decimal, map(repr, numbers))
    if factor != 1:
        written = map(mul, written, repeat(factor))
    return list(map(Decimal.quantize, written, repeat(quantum), repeat(ROUND_HALF_UP))), False


def _number_batch(convert_floats, parse, required, empty):
    """Return the batch converter of a numeric column.

    The float cells (a column's numbers) are converted together by
    `convert_floats(floats)` → values, or None when one is refused; when a
    chunk repeats its values (prices and quantities often do), each
    distinct one is converted once per import, kept in a memo (emptied past
    MEMO_SIZE, never holding a zero: 0.0 and -0.0 are one key but read as
    0.00 and -0.00). The few other cells — a blank of an optional column
    (its empty value), a number typed as text (1,280.00, 12.5斤) — go one
    by one through the column's `parse`."""
    memo = {}

    def values_of(floats):
        if len(set(floats[:SAMPLE])) * 2 > min(len(floats), SAMPLE):  # mostly distinct: a memo would only cost
            return convert_floats(floats)
        distinct = set(floats)
        fresh = distinct.difference(memo)
        if fresh:
            if 0.0 in fresh:
                return convert_floats(floats)
            if len(memo) + len(fresh) > MEMO_SIZE:
                memo.clear()
                fresh = distinct
            fresh = list(fresh)
            converted = convert_floats(fresh)
            if converted is None:
                return None
            memo.update(zip(fresh, converted))
        return list(map(memo.__getitem__, floats))

    def convert(cells, types):
        if types == {float}:
            return values_of(cells)
        if not types <= {float, str, int}:
            return None
        is_float = list(map(is_, map(type, cells), repeat(float)))
        others = {}
        for value in set(compress(cells, map(not_, is_float))):
            if value == "":
                if required:
                    return None
                others[value] = empty
                continue
            try:
                others[value] = parse(value)
            except ValueError:
                return None
        floats = list(compress(cells, is_float))
        converted = values_of(floats) if floats else []
        if converted is None:
            return None
        # Each cell's value in its place: the floats' in order, the others' from their table.
        values = list(map(others.get, cells))
        for at, value in zip(compress(count(), is_float), converted):
            values[at] = value
        return values

    return convert


def _exact_batch(exact, required, empty):
    """Convert a column whose every cell is written exactly as a known name
    (or, in an optional column, left blank). The converter's `longest` is
    the longest cell it can take: it needs no `types`, and no cell it takes
    is longer."""
    names = exact if required else {**exact, "": empty}

    def convert(cells, types=None):
        try:
            return list(map(names.__getitem__, cells))
        except (KeyError, TypeError):  # a name not known as written (or a cell that is no name at all)
            return None

    convert.longest = max(map(len, names), default=0)
    return convert


class MultiChoice(Choice):
    """Several codes of one list separated by 、，, ; stored comma-separated."""

    def parse(self, value, unit=None):
        parts = [p for p in re.split(r"[、,，;；/\s]+", clean_text(value)) if p]
        codes = []
        for part in parts:
            code = self._map.get(self._key(part))
            if code is None:
                raise ValueError(f"“{part}”不是有效的选项，应为：{'、'.join(self.labels())}（可多选，以顿号分隔）")
            if code not in codes:
                codes.append(code)
        return ",".join(codes)

    def export(self, value):
        return "、".join(self._labels.get(c, c) for c in (value or "").split(",") if c)

    def describe(self):
        return "可多选，以顿号分隔：" + "、".join(self.labels())


class Lookup(Column):
    """A foreign key found by name or code among the rows `queryset(ctx)` allows.

    The map is loaded once per import, so a million rows cost one query.
    """

    kind = "名称"

    def __init__(self, field, header, *, queryset, keys=("name",), label="name", what="记录", qualifier=None,
                 **kwargs):
        super().__init__(field, header, **kwargs)
        self.queryset = queryset
        self.keys = keys
        self.label = label
        self.what = what
        # When two rows share a label (two 大华镇人民政府 in different
        # regions), "label（qualifier）" tells them apart, both ways.
        self.qualifier = qualifier
        self._map = None
        self._labels = None
        self.ambiguous = set()

    def prepare(self, ctx):
        self._map, self._labels, self._exact = {}, {}, {}
        extra = [k for k in (*self.keys, self.qualifier) if k and k != self.label]
        rows = list(self.queryset(ctx).values("pk", self.label, *dict.fromkeys(extra)))
        seen = {}
        for row in rows:
            for key in self.keys:
                if row.get(key):
                    seen.setdefault((key, row[key]), set()).add(row["pk"])
        self.ambiguous = {value for (key, value), pks in seen.items() if len(pks) > 1}
        for row in rows:
            label = row[self.label]
            for key in self.keys:
                value = row.get(key)
                if value and value not in self.ambiguous:
                    self._map.setdefault(Choice._key(value), row["pk"])
                    self._exact.setdefault(value, row["pk"])
            if self.qualifier and row.get(self.qualifier):
                full = f"{label}（{row[self.qualifier]}）"
                self._map.setdefault(Choice._key(full), row["pk"])
                self._exact.setdefault(full, row["pk"])
                if label in self.ambiguous:
                    label = full
            self._labels[row["pk"]] = label

    def fast(self, unit=None):
        exact, slow = self._exact, self.parse

        def parse(raw):
            pk = exact.get(raw)
            return slow(raw, unit) if pk is None else pk

        return parse

    def batch(self, unit=None):
        return _exact_batch(self._exact, self.required, self.empty())

    def empty(self):
        return self.default

    @property
    def attname(self):
        return self.field + "_id"

    def parse(self, value, unit=None):
        pk = self._map.get(Choice._key(value))
        if pk is None:
            name = clean_text(value)
            if name in self.ambiguous:
                hint = f"“{name}（所在区划）”" if self.qualifier else "代码"
                raise ValueError(f"有多个{self.what}名为“{name}”，请写成{hint}")
            raise ValueError(f"找不到{self.what}“{name}”，请先在系统中登记或检查名称")
        return pk

    def export(self, value):
        if value is None:
            return ""
        if self._labels is not None and value in self._labels:
            return self._labels[value]
        return str(value)

    def options(self):
        return sorted(set(self._labels.values())) if self._labels else []

    def describe(self):
        return f"{self.what}名称" + ("或代码" if len(self.keys) > 1 else "") + "，须已在系统中登记"


class USCC(Column):
    kind = "统一社会信用代码"

    def parse(self, value, unit=None):
        return normalize_uscc(value)

    def describe(self):
        return "18位统一社会信用代码（校验位检查）"


class IDNumber(Column):
    kind = "身份证号"

    def parse(self, value, unit=None):
        return normalize_id_number(clean_text(value))

    def shown(self, raw):
        # Previews and error messages are kept with the import job and shown
        # to everyone who may read the pairing: never the whole number.
        text = clean_text(raw)
        return mask_id_number(text) if len(text) > 8 else "*" * len(text)

    def describe(self):
        return "18位公民身份号码（校验位检查），请以文本格式填写"


class Number(Column):
    """A decimal quantity (数量 12.5) with a fixed number of places."""

    kind = "数量"

    def __init__(self, *args, places=2, positive=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.quantum = Decimal(1).scaleb(-places)
        self.positive = positive

    def empty(self):
        return self.default

    def parse(self, value, unit=None):
        if isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = clean_text(value).translate(FULLWIDTH)
            text = text[:numeral_end(text)]  # a trailing measure word: 12.5斤, 一千二百件
            if not text:
                raise ValueError(f"应为数字，实际为“{value}”")
            number = parse_number(text)  # 1,200, 一千二, 1.2万: exactly, or refused saying why
        if not number.is_finite() or abs(number) >= Decimal("1e11"):
            raise ValueError(f"数值“{value}”不在合理范围内")
        number = number.quantize(self.quantum, ROUND_HALF_UP)
        if self.positive and number <= 0:
            raise ValueError("应大于0")
        return number

    def fast(self, unit=None):
        quantum, slow, positive = self.quantum, self.parse, self.positive

        def parse(raw):
            if raw.__class__ is float and isfinite(raw) and -FLOAT_TOP < raw < FLOAT_TOP:
                number = Decimal(repr(raw)).quantize(quantum, ROUND_HALF_UP)
                if (number > 0 or not positive) and abs(number) < 1e11:
                    return number
            return slow(raw, unit)

        return parse

    def batch(self, unit=None):
        places, positive = -self.quantum.as_tuple().exponent, self.positive

        def convert_floats(values):
            quantized = _quantized(values, places)
            if quantized is None:
                return None
            numbers, exact = quantized
            ends = values if exact else numbers
            if (min(ends) <= 0 if positive else False) or max(map(abs, ends)) >= 1e11:
                return None
            return numbers

        return _number_batch(convert_floats, self.fast(unit), self.required, self.empty())

    def export(self, value):
        return "" if value is None else float(value)

    def display(self, value):
        return "" if value is None else format(value.normalize(), "f")

    def describe(self):
        return "数字" + ("，应大于0" if self.positive else "")


class Bool(Column):
    """是/否 (also 1/0, Y/N, √)."""

    kind = "是否"
    YES = {"是", "1", "y", "yes", "true", "√", "✓", "对"}
    NO = {"否", "0", "n", "no", "false", "×", "x", "不是"}

    def empty(self):
        return False if self.default is None else self.default

    def parse(self, value, unit=None):
        text = clean_text(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError("应填写“是”或“否”")

    def export(self, value):
        return "是" if value else "否"

    def fast(self, unit=None):
        exact, slow = self._exact(), self.parse

        def parse(raw):
            value = exact.get(raw) if raw.__class__ is str else None
            return slow(raw, unit) if value is None else value

        return parse

    def batch(self, unit=None):
        return _exact_batch(self._exact(), self.required, self.empty())

    def _exact(self):
        # Cells written exactly as a word `parse` reads (all lower case already).
        return {**dict.fromkeys(self.YES, True), **dict.fromkeys(self.NO, False)}

    def describe(self):
        return "填写“是”或“否”"
