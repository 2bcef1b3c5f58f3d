"""口径核对: find the figures a text claims and check each against the ledgers.

`check(text, pairing, scope, on)` splits the text into paragraphs (lines) and
sentences (。；！？), finds every number written with a measure word or a
money unit (`find_numbers`), and for each:

1. reads its value exactly (`lib.money.parse_number`: Arabic digits, Chinese
   numerals, 万 and 亿) and its bound words (超/逾/余/多/近/约/以上/以下 …);
2. ties it to a figure through the vocabulary (`Term`): a term whose unit
   fits and one of whose words stands in the same clause, nearest first;
3. settles the year: the sentence's own (2021年, 今年, 去年, 2019年至2020年,
   自2021年以来), else the last one named earlier in the paragraph, else the
   period the text opens with (自2021年以来 …), else the year of the text's
   date;
4. settles the pairing: the pairings whose parties the sentence names (六合,
   湟源, a township, an organisation), joined at their nearest common
   pairing, else the pairing the page is for — and only if the user may read
   it;
5. compares with the figures of that pairing and year(s) (the cached figures
   of `assessment.services`), giving a verdict.

The tolerances are in docs/modules/crosscheck.md and in `judge`.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from lib.money import parse_number, wan
from xiezuo.assessment import services as assessment
from xiezuo.assessment.computations import AMOUNT, COUNT, RATE
from xiezuo.pairings.models import Pairing

from . import periods
from .models import Term, figure_value

CONSISTENT, INCONSISTENT, BOUND_KEPT, BOUND_BROKEN, UNKNOWN = (
    "consistent", "inconsistent", "bound_kept", "bound_broken", "unknown")
VERDICTS = {CONSISTENT: "一致", INCONSISTENT: "不一致", BOUND_KEPT: "约数成立", BOUND_BROKEN: "约数不成立",
            UNKNOWN: "无法核对"}
NO_ACCESS = "无权查看"
ABOUT = Decimal("0.05")  # 约/左右/近: within 5% of the stated number

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
# Measure words a figure is written with (money is 元 after the numeral's 万/亿).
UNITS = ["大类", "人次", "元", "人", "名", "个", "项", "期", "班", "批", "所", "家", "次", "类", "户", "座", "米",
         "亩", "吨", "台", "套", "场", "位", "%"]
_NUMERAL = rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:万亿|万|亿)?|[{_CN_DIGITS}]+(?:点[零〇一二三四五六七八九]+[万亿]?)?)"
_PRE = ["超过", "超出", "突破", "逾", "超", "高于", "将近", "接近", "近", "大约", "约", "不足", "不到", "低于"]
CLAIM = re.compile(
    rf"(?P<pre>{'|'.join(_PRE)})?(?P<num>{_NUMERAL})(?P<more>余|多)?(?P<big>万亿|万|亿)?"
    rf"(?P<unit>{'|'.join(map(re.escape, UNITS))})?(?P<post>以上|以下|左右|上下)?")
_SENTENCE = re.compile(r"[^。；！？;!?\n]+[。；！？;!?]*")
_CLAUSE = re.compile(r"[，,：:]")
_NOT_NOUN = set("的和与及等在了为是以参到赴来去从被共中其左右上下余多")
NOUN_REACH = 10  # characters after a count within which the counted noun must end
# What ends the noun phrase after a count (4个乡镇和大华工业园区: 乡镇).
_PHRASE_END = set("和与及、，,。；;等的（(")
_BIG = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}

# Years as a sentence writes them. A four-digit year in Arabic or Chinese numerals.
_Y = r"(\d{4}|[〇零一二三四五六七八九]{4})"
_YEAR_PATTERNS = [
    ("since", re.compile(rf"(?:自|从)?{_Y}年?(?:以来|来)")),
    ("range", re.compile(rf"{_Y}年?\s*(?:至|到|—|－|-|~|～)\s*{_Y}年")),
    ("single", re.compile(rf"{_Y}年(?:度)?")),
    ("relative", re.compile(r"(今年|本年度|去年|上年|前年)(?:以来)?")),
]
_RELATIVE = {"今年": 0, "本年度": 0, "去年": -1, "上年": -1, "前年": -2}
_PART_YEAR = re.compile(r"上半年|下半年|第?[一二三四1-4]季度|前三季度|[一二三四五六七八九十]+月份?以来"
                        r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[—－\-~～至到]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})月份?"
                        r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月份|\d{1,2}月(?:底|末)|\d{1,2}月(?=[，,。；;、\s])")
# 截至2022年6月, 6月底: from January up to that month (cumulative).
_UP_TO = re.compile(r"(?:截至|截止到|截止|到)\s*$")
_CN_MONTH = {ch: n for n, ch in enumerate("一二三四五六七八九十", 1)}
_HALVES = {"上半年": (1, 6), "下半年": (7, 12), "前三季度": (1, 9)}
_MONTH_RANGE = re.compile(r"(\w{1,3}?)\s*[—－\-~～至到]\s*(\w{1,3}?)月份?$")


def _month(text):
    """1…12 from 3, 03, 三, 十二; None otherwise."""
    if text.isdigit():
        n = int(text)
    elif len(text) == 1:
        n = _CN_MONTH.get(text)
    elif len(text) == 2 and text[0] == "十":
        n = 10 + _CN_MONTH.get(text[1], 99)
    else:
        n = None
    return n if n is not None and 1 <= n <= 12 else None


def part_months(written, up_to=False):
    """The months (first, last) a part-year expression names (上半年 → (1, 6),
    二季度 → (4, 6), 1—6月 → (1, 6), 3月份 → (3, 3); 6月底, or 6月 after
    截至, → (1, 6)), or True when it names a part of the year without fixed
    months (三月以来)."""
    if written.endswith("以来"):
        return True
    if written.endswith(("底", "末")):
        written, up_to = written[:-1], True
    if written in _HALVES:
        return _HALVES[written]
    if written.endswith("季度"):
        q = written[-3]
        q = "一二三四".index(q) + 1 if q in "一二三四" else int(q)
        return (3 * q - 2, 3 * q)
    m = _MONTH_RANGE.match(written)
    if m:
        a, b = _month(m.group(1)), _month(m.group(2))
        return (a, b) if a and b and a <= b else True
    n = _month(re.sub(r"月份?$", "", written))
    return ((1 if up_to else n), n) if n else True


def months_text(months):
    """How a 简报 and the results name a part of a year: 一季度, 3月份, 1—6月."""
    first, last = months
    if first == last:
        return f"{first}月份"
    if last - first == 2 and first % 3 == 1:
        return f"{'一二三四'[last // 3 - 1]}季度"
    return f"{first}—{last}月"


def previous_months(year, months):
    """The period just before (环比): the month, quarter or span of the same
    length before it, into the year before when it starts in January."""
    first, last = months
    length = last - first + 1
    if first - length >= 1:
        return year, (first - length, last - length)
    return year - 1, (first - length + 12, last - length + 12)


# 同比增长12.5%, 环比下降3%: a change of the figure just before it in the sentence.
_CHANGE = re.compile(r"(同比|环比)(增长|增加|上升|提高|下降|减少)$")
CHANGE_NAMES = {"yoy": "同比", "mom": "环比"}

# The ledger list behind a figure, by the start of its path (longest first).
LINK_PAGES = [
    ("funds.received", "receipt_list"), ("funds.fiscal", "receipt_list"), ("funds.social", "receipt_list"),
    ("funds.pairing", "receipt_list"), ("funds.in_kind", "receipt_list"), ("funds.disbursed", "disbursement_list"),
    ("funds.execution", "disbursement_list"), ("funds", "project_list"), ("consumption", "consumption_sales"),
    ("labour.training", "labour_class_list"), ("labour.trainees", "labour_class_list"),
    ("labour.certified", "labour_class_list"), ("labour", "labour_employment_list"), ("talent", "labour_talent_list"),
    ("industry.parks", "industry_parks_list"), ("industry.workshop", "industry_workshops_list"),
    ("industry.donations", "industry_donations_list"), ("industry", "industry_investments_list"),
    ("exchanges.agreed", "industry_items_list"), ("exchanges", "industry_visits_list"),
    ("procurement", "procurement_tenders"),
]


@dataclass(eq=False)
class Claim:
    sentence: str
    start: int  # where the number as written starts in the text
    end: int
    written: str
    value: Decimal
    unit: str  # 元 (money), 万/亿 (a bare large number), or the measure word
    bounds: list  # ("gt"|"ge"|"lt"|"le"|"about"|"near"|"more", step)
    step: Decimal  # the precision the number is written to
    term: Term | None = None
    years: list = field(default_factory=list)
    year_note: str = ""
    pairing: Pairing | None = None
    ledger: Decimal | int | None = None
    verdict: str = UNKNOWN
    difference: Decimal | int | None = None
    reason: str = ""
    links: list = field(default_factory=list)  # [(year, url)]
    months: tuple | None = None  # (first, last) of a part of the year (一季度 → (1, 3))
    change: str = ""  # "yoy" (同比) or "mom" (环比): a percent change of the figure before it
    base: "Claim | None" = None  # the figure a change is of

    @property
    def verdict_label(self):
        return VERDICTS[self.verdict]

    @property
    def kind(self):
        if self.change:
            return RATE
        return self.term.kind if self.term else (AMOUNT if self.unit in ("元", "万", "亿") else COUNT)

    @property
    def value_text(self):
        return show(self.value, self.kind, self.unit)

    @property
    def ledger_text(self):
        return "" if self.ledger is None else show(self.ledger, self.kind, self.unit)

    @property
    def difference_text(self):
        if self.difference is None:
            return ""
        sign = "+" if self.difference > 0 else "−" if self.difference < 0 else ""
        return sign + show(abs(self.difference), self.kind, self.unit)

    @property
    def year_text(self):
        if not self.years:
            return ""
        if len(self.years) == 1:
            return f"{self.years[0]}年" + (months_text(self.months) if self.months else "")
        return f"{self.years[0]}—{self.years[-1]}年"

    @property
    def claim_text(self):
        """What the number claims: which figure of which year and pairing."""
        if self.change and self.base is not None:
            return f"{self.base.claim_text}{CHANGE_NAMES[self.change]}增减幅度"
        if self.term is None:
            return ""
        where = f"（{self.pairing}）" if self.pairing is not None else ""
        return f"{self.year_text}{self.term.label}{where}"

    def as_json(self):
        return {
            "sentence": self.sentence, "start": self.start, "end": self.end, "written": self.written,
            "value": number_str(self.value, self.kind), "unit": "元" if self.kind == AMOUNT else self.unit,
            "bound": [b for b, _ in self.bounds],
            "claims": None if self.term is None else {
                "term": self.term.label, "path": self.term.path, "years": self.years,
                "months": list(self.months) if self.months else None, "change": self.change or None,
                "pairing": self.pairing.pk if self.pairing is not None else None,
                "pairing_name": str(self.pairing) if self.pairing is not None else None,
                "text": self.claim_text},
            "ledger": None if self.ledger is None else number_str(self.ledger, self.kind),
            "verdict": self.verdict, "verdict_label": self.verdict_label,
            "difference": None if self.difference is None else number_str(self.difference, self.kind),
            "reason": self.reason,
            "links": [{"year": y, "url": u} for y, u in self.links],
        }


def number_str(value, kind):
    if kind == COUNT and value == int(value):
        return str(int(value))
    if kind == AMOUNT:
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    return format(Decimal(value).normalize(), "f")


def show(value, kind, unit):
    """Write a number the way the results table shows it: 4300万元, 31人次."""
    if kind == AMOUNT:
        return wan(value) if abs(value) >= 10_000 else f"{number_str(value, kind)}元"
    if kind == RATE:
        return f"{number_str(value, kind)}%"
    return f"{number_str(value, kind)}{unit if unit not in ('万', '亿') else ''}"


# --- finding numbers -----------------------------------------------------------

def _read_numeral(text):
    """Return the Decimal a numeral stands for, or None when it is no number
    (a word that merely holds a numeral character: 千家万户, 一个一个)."""
    try:
        return parse_number(text)
    except ValueError:
        pass
    # 千万, 百余: offices leave out the 一 before 百 and 千.
    if text[:1] in "百千佰仟":
        try:
            return parse_number("一" + text)
        except ValueError:
            return None
    return None


def _digit_step(number):
    """10 to the power of the last non-zero digit's position (530 → 10, 1000 → 1000)."""
    exponent = number.normalize().as_tuple().exponent
    return Decimal(10) ** exponent


def find_numbers(text, offset=0):
    """Yield a Claim for every number written with a measure word or a money
    unit in `text` (one sentence); offsets count from `offset`."""
    for m in CLAIM.finditer(text):
        num, unit, big, more = m.group("num"), m.group("unit"), m.group("big"), m.group("more")
        if big and not more:
            continue  # 万/亿 after a numeral that has none belongs to the numeral; nothing else fits
        if m.start("num") and text[m.start("num") - 1] in "第每":
            continue  # an ordinal (第5批) or a rate (每人) is no figure
        if m.start("num") and re.match(r"[A-Za-z0-9\-]", text[m.start("num") - 1]):
            continue  # part of a code (G318, 832平台)
        numeral_big = re.search(r"(万亿|万|亿)$", num)
        if unit is None and not big and not numeral_big:
            continue  # a bare number: a year, a date, a name (三乡工程)
        if num in ("一", "壹") and not big:
            continue  # 一个、一批、一次: an article, not a figure
        core = num
        scale = Decimal(1)
        if numeral_big and re.fullmatch(r"[\d,]+(?:\.\d+)?(?:万亿|万|亿)", num):
            core, scale = num[:numeral_big.start()], _BIG[numeral_big.group(1)]
        value = _read_numeral(core)
        if value is None:
            continue
        if big:
            scale = _BIG[big]
        bounds = []
        decimals = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
        step = scale * Decimal(10) ** -decimals
        if not re.fullmatch(r"[\d,.]+", core):
            # Chinese numerals write no trailing zeros: precise to the 万/亿 they end in.
            bigs = re.findall(r"万亿|万|亿", core)
            step = _BIG[bigs[-1]] if bigs and core.endswith(bigs[-1]) else Decimal(1)
        value = value * scale
        pre, post = m.group("pre"), m.group("post")
        if pre in ("超过", "超出", "突破", "逾", "超", "高于"):
            bounds.append(("gt", None))
        elif pre in ("将近", "接近", "近"):
            bounds.append(("near", None))
        elif pre in ("大约", "约"):
            bounds.append(("about", None))
        elif pre in ("不足", "不到", "低于"):
            bounds.append(("lt", None))
        if more:
            bounds.append(("more", _digit_step(value / scale) * scale))
        if post == "以上":
            bounds.append(("ge", None))
        elif post == "以下":
            bounds.append(("le", None))
        elif post in ("左右", "上下"):
            bounds.append(("about", None))
        if unit == "元" or (unit is None and (big or numeral_big)):
            norm = "元" if unit == "元" else (big or numeral_big.group(1))
        else:
            norm = unit
        yield Claim(sentence=text, start=offset + m.start(), end=offset + m.end(), written=m.group(0),
                    value=value, unit=norm, bounds=bounds, step=step)


# --- the text's structure: paragraphs, sentences, years --------------------------

@dataclass
class Sentence:
    text: str
    start: int
    paragraph: int


def sentences(text):
    """Split into sentences on 。；！？ and line breaks, keeping offsets and
    the paragraph (line) each belongs to."""
    out, pos = [], 0
    for n, line in enumerate(text.split("\n")):
        for m in _SENTENCE.finditer(line):
            if m.group(0).strip():
                out.append(Sentence(m.group(0), pos + m.start(), n))
        pos += len(line) + 1
    return out


def _year(text):
    if text.isdigit():
        return int(text)
    return int("".join(str("〇一二三四五六七八九".index(ch) if ch != "零" else 0) for ch in text))


def year_marks(sentence, on):
    """Return [(start, end, [years], partial)] of the year expressions in a sentence."""
    marks, taken = [], []
    for kind, pattern in _YEAR_PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if kind == "since":
                first = _year(m.group(1))
                years = list(range(first, on.year + 1))
            elif kind == "range":
                a, b = _year(m.group(1)), _year(m.group(2))
                years = list(range(a, b + 1)) if a <= b <= a + 30 else []
            elif kind == "single":
                years = [_year(m.group(1))]
            else:
                years = [on.year + _RELATIVE[m.group(1)]]
                if m.group(0).endswith("以来"):
                    kind = "since"
            if not years or not all(2000 <= y <= 2100 for y in years):
                continue
            taken.append((m.start(), m.end()))
            part = _PART_YEAR.match(sentence, m.end())
            # False: the whole year(s); (first, last): months of it; True: a part without fixed months.
            partial = part_months(part.group(0), bool(_UP_TO.search(sentence[:m.start()]))) if part else False
            marks.append((m.start(), m.end(), years, partial, kind))
    # 上半年 alone: this year's first half.
    for part in _PART_YEAR.finditer(sentence):
        start = part.start()
        if not any(s <= start <= e for s, e, *_ in marks):
            marks.append((start, start, [on.year], part_months(part.group(0), bool(_UP_TO.search(sentence[:start]))),
                          "relative"))
    return sorted(marks)


def text_period(items, on):
    """The period the text opens with (自2021年以来 as its first year
    expression), or None."""
    for s in items:
        marks = year_marks(s.text, on)
        if marks:
            first = marks[0]
            return first if first[4] == "since" else None
    return None


def years_for(claim, sentence, marks, carried, period, on):
    """Return (years, partial, note) for a claim."""
    local = claim.start - sentence.start
    before = [m for m in marks if m[1] <= local]
    after = [m for m in marks if m[0] >= local]
    if before:
        mark, note = before[-1], "句中年份"
    elif after:
        mark, note = after[0], "句中年份"
    elif carried is not None:
        mark, note = carried, "本段前文年份"
    elif period is not None:
        mark, note = period, "全文所述期间"
    else:
        return [on.year], False, "文稿日期所在年度"
    return mark[2], mark[3], note


def each_year(sentence, marks, claims):
    """Pair the years of a 分别 sentence with its figures in order:
    2021年、2022年分别到位资金4300万元和4220万元. Returns {claim: [year]}
    for the figures of one term that are exactly as many as the years."""
    if "分别" not in sentence:
        return {}
    years = [m[2] for m in marks if m[4] == "single"]
    by_term = {}
    for claim in claims:
        if claim.term is not None:
            by_term.setdefault(claim.term.pk, []).append(claim)
    out = {}
    for group in by_term.values():
        if len(years) >= 2 and len(group) == len(years):
            out.update(zip(group, years))
    return out


# --- pairings named in a sentence -------------------------------------------------

class Names:
    """The party names of every pairing (an organisation's name where a party
    is one, else its region's, with the short form of counties and cities:
    六合 for 六合区), longest first, to find in a sentence."""

    def __init__(self):
        found = {}
        for p in Pairing.objects.select_related("east_region", "west_region", "east_org", "west_org"):
            for org, region in ((p.east_org, p.east_region), (p.west_org, p.west_region)):
                names = [org.name] if org is not None else [region.name, region.full_name]
                if org is None and region.level in ("province", "city", "county") and len(region.name) > 2:
                    short = re.sub(r"(自治县|自治州|区|县|市|省)$", "", region.name)
                    if len(short) >= 2:
                        names.append(short)
                for name in names:
                    if name:
                        found.setdefault(name, set()).add(p)
        self.by_name = found
        self.pattern = re.compile("|".join(map(re.escape, sorted(found, key=len, reverse=True)))) if found else None

    def pairings_in(self, sentence):
        if self.pattern is None:
            return set()
        out = set()
        for m in self.pattern.finditer(sentence):
            out |= self.by_name[m.group(0)]
        return out


def common_pairing(pairings):
    """The nearest pairing holding all of `pairings` (itself when one), or None."""
    paths = [[x for x in p.path.strip("/").split("/") if x] for p in pairings]
    common = []
    for parts in zip(*paths):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return None
    pk = int(common[-1])
    return next((p for p in pairings if p.pk == pk), None) or Pairing.objects.get(pk=pk)


# --- tying a number to a figure ---------------------------------------------------

def tie(claim, sentence, terms):
    """Return the term a claim names, or (None, reason)."""
    local_start, local_end = claim.start - sentence.start, claim.end - sentence.start
    text = sentence.text
    cuts = [0, *[m.end() for m in _CLAUSE.finditer(text)], len(text)]
    lo = max(c for c in cuts if c <= local_start)
    hi = min(c for c in cuts if c >= local_end)
    clause = text[lo:hi]
    # A count followed by a noun names what it counts right there (4个乡镇,
    # 5593名在校学生): only a word starting within a few characters after it
    # may tie it, never a word further on or before it.
    follows = text[local_end:local_end + 1]
    noun_follows = claim.unit not in ("元", "万", "亿", "%") and bool(follows) \
        and "\u4e00" <= follows <= "\u9fff" and follows not in _NOT_NOUN
    reach = local_end
    while reach < min(len(text), local_end + NOUN_REACH) and text[reach] not in _PHRASE_END:
        reach += 1
    best, fits_unit = None, False
    for term in terms:
        if not term.accepts(claim.unit):
            continue
        fits_unit = True
        context = term.context_list()
        if context and not any(w in text for w in context):
            continue
        for word in term.word_list():
            for m in re.finditer(re.escape(word), clause):
                s, e = lo + m.start(), lo + m.end()
                distance = local_start - e if e <= local_start else s - local_end if s >= local_end else 0
                if noun_follows and not (local_end <= s and e <= reach):
                    continue
                score = (distance, not context, -len(word), term.is_national, term.pk)
                if best is None or score < best[0]:
                    best = (score, term)
    if best is not None:
        return best[1], ""
    if not fits_unit:
        return None, f"词表中没有以“{claim.unit}”计量的口径"
    return None, "未找到与该数字对应的口径词（可在词表中添加）"


def judge(claim):
    """Set the verdict of a claim whose ledger value is known.

    Without a bound word the number must equal the ledger's at the precision
    it is written to (4300万元: within 5000元 either way; 7个: exactly).
    Bounds: 超/逾/突破 ledger > stated; 以上 ≥; 不足/不到 <; 以下 ≤;
    余/多 stated < ledger < stated + one unit of its last non-zero digit
    (530余万: 530万–540万; 千余: 1000–2000); 约/左右 within 5% either way;
    近/接近/将近 from 95% of the stated number up to it.
    """
    stated, ledger = claim.value, Decimal(claim.ledger)
    claim.difference = ledger - stated
    if claim.kind == COUNT:
        claim.difference = int(claim.difference) if claim.difference == int(claim.difference) else claim.difference
    if not claim.bounds:
        ok = abs(ledger - stated) * 2 <= claim.step
        claim.verdict = CONSISTENT if ok else INCONSISTENT
        if ok:
            claim.difference = None if ledger == stated else claim.difference
        return
    ok = True
    for bound, step in claim.bounds:
        if bound == "gt":
            ok &= ledger > stated
        elif bound == "ge":
            ok &= ledger >= stated
        elif bound == "lt":
            ok &= ledger < stated
        elif bound == "le":
            ok &= ledger <= stated
        elif bound == "more":
            ok &= stated < ledger < stated + step
        elif bound == "about":
            ok &= abs(ledger - stated) <= stated * ABOUT
        elif bound == "near":
            ok &= stated * (1 - ABOUT) <= ledger <= stated
    claim.verdict = BOUND_KEPT if ok else BOUND_BROKEN


def _links(path, pairing, years):
    name = next((n for prefix, n in LINK_PAGES if path.startswith(prefix)), None)
    if name is None:
        return []
    try:
        base = reverse(name, args=[pairing.pk])
    except NoReverseMatch:
        return []
    return [(y, f"{base}?year={y}") for y in years]


class Figures:
    """The figures of pairing-years, read once per check (cached in assessment)."""

    def __init__(self):
        self.cache = {}
        self.parts = {}

    def value(self, pairing, years, path, kind, months=None):
        """The figure at `path` over the years, or over months (first, last)
        of one year (the dated figures of `periods` only)."""
        if months:
            key = (pairing.pk, years[0], months)
            if key not in self.parts:
                ids = assessment.subtree_ids([pairing])[pairing.pk]
                self.parts[key] = periods.figures(ids, years[0], *months)
            return self.parts[key].get(path)
        missing = [y for y in years if (pairing.pk, y) not in self.cache]
        if missing:
            got = assessment.figures_by_year(assessment.subtree_ids([pairing]), missing)
            for (pk, y), figures in got.items():
                self.cache[(pk, y)] = figures
        values = [figure_value(path, self.cache[(pairing.pk, y)]) for y in years]
        if any(v is None for v in values):
            return None
        return sum(values[1:], values[0])


# --- the check ------------------------------------------------------------------

def check(text, pairing, scope, on=None):
    """Return the Claims of `text` checked against the ledgers, for a user
    (`scope`) on the page of `pairing`, the text dated `on`."""
    on = on or datetime.date.today()
    # Kept the same length, so a claim's offsets point into the text as sent.
    text = (text or "").replace("\r\n", " \n").replace("\r", "\n").translate(_FULLWIDTH)
    items = sentences(text)
    terms = list(Term.objects.for_pairing(pairing).select_related("pairing"))
    names = Names()
    figures = Figures()
    period = text_period(items, on)
    claims, carried, paragraph = [], None, None
    for s in items:
        if s.paragraph != paragraph:
            paragraph, carried = s.paragraph, None
        marks = year_marks(s.text, on)
        named = names.pairings_in(s.text)
        seen = set()
        found = list(find_numbers(s.text, s.start))
        for claim in found:
            change = _CHANGE.search(s.text[:claim.start - s.start]) if claim.unit == "%" and not claim.bounds else None
            if change:
                claim.change = "yoy" if change.group(1) == "同比" else "mom"
                if change.group(2) in ("下降", "减少"):
                    claim.value = -claim.value
                continue
            claim.term, claim.reason = tie(claim, s, terms)
        respectively = each_year(s.text, marks, found)
        for claim in found:
            claims.append(claim)
            if claim.change:
                _check_change(claim, claims, figures)
                continue
            if claim.term is None:
                continue
            claim.years, partial, claim.year_note = years_for(claim, s, marks, carried, period, on)
            if claim in respectively:
                claim.years, partial, claim.year_note = respectively[claim], False, "句中年份（分别）"
            target = common_pairing(list(named)) if named else pairing
            if target is None:
                claim.reason = "句中提到的地名分属互不隶属的结对，无法确定所指结对"
                continue
            if not scope.has(target, "read"):
                claim.reason = NO_ACCESS
                continue
            claim.pairing = target
            if partial:
                if partial is True or len(claim.years) != 1 or claim.term.path not in periods.PERIOD_PATHS:
                    claim.reason = "台账数字按全年汇总，无法核对半年、季度或月份的数字"
                    continue
                claim.months = partial
            if claim.term.kind == RATE and len(claim.years) > 1:
                claim.reason = "比率不能跨年度相加"
                continue
            key = (claim.term.path, tuple(claim.years), claim.months, target.pk)
            if key in seen:
                claim.reason = f"同一句中已有数字对应“{claim.term.label}”，此数可能是其中一部分或另有所指，未核对"
                continue
            seen.add(key)
            claim.ledger = figures.value(target, claim.years, claim.term.path, claim.term.kind, claim.months)
            if claim.ledger is None:
                claim.reason = "台账中暂无该数字"
                continue
            judge(claim)
            claim.links = _links(claim.term.path, target, claim.years)
        if marks:
            carried = marks[-1]
    return claims


def _check_change(claim, claims, figures):
    """Check 同比增长12.5% / 环比下降3%: the change, in percent, of the figure
    just before it in its sentence, against the same figure of the year
    before (同比: the same months of it) or of the period before (环比: the
    month, quarter or span before; for a whole year, the year before)."""
    base = next((c for c in reversed(claims[:-1]) if c.sentence == claim.sentence and c.start < claim.start
                 and c.term is not None and not c.change), None)
    claim.base = base
    if base is None or base.ledger is None or base.pairing is None:
        claim.reason = "增减幅度前没有可核对的台账数字"
        return
    claim.term, claim.pairing, claim.years, claim.months = base.term, base.pairing, base.years, base.months
    if claim.change == "yoy" or not base.months:
        years, months = [y - 1 for y in base.years], base.months
    else:
        (year,), months = base.years, base.months
        year, months = previous_months(year, months)
        years = [year]
    before = figures.value(base.pairing, years, base.term.path, base.term.kind, months)
    if not before:
        claim.reason = "上期数字为零或台账中暂无，无法计算增减幅度"
        return
    claim.ledger = ((Decimal(base.ledger) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.0001"))
    judge(claim)


def docx_text(f):
    """Return the text of a .docx: its paragraphs, then its tables' rows,
    one per line, cells apart by a tab (a row's label and its number stay
    in one clause)."""
    import docx

    document = docx.Document(f)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def tally(claims):
    """Return {verdict: number of claims} in the order the page lists them."""
    counts = {v: 0 for v in VERDICTS}
    for claim in claims:
        counts[claim.verdict] += 1
    return counts
