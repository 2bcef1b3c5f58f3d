"""The pure parsers and checks in lib/."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.dates import cn_date, parse_date
from lib.ids import (
    ACCOUNT_MESSAGE,
    USCC_CHARSET,
    id_birth_date,
    id_gender,
    make_id_number,
    make_uscc,
    mask_account,
    mask_id_number,
    mask_phone,
    normalize_account,
    normalize_id_number,
    normalize_uscc,
)
from lib.money import parse_amount, wan, yuan_str

# A published example code (GB 32100 appendix style) with a correct check char.
VALID_USCC = make_uscc("91630123MA75ABCD1")


class TestUSCC:
    def test_valid_code_is_normalised(self):
        assert normalize_uscc(" " + VALID_USCC.lower() + " ") == VALID_USCC

    def test_wrong_check_character_names_the_expected_one(self):
        wrong = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")
        with pytest.raises(ValueError, match=f"校验位错误：应为“{VALID_USCC[17]}”"):
            normalize_uscc(wrong)

    def test_length(self):
        with pytest.raises(ValueError, match="应为18位，实际为17位"):
            normalize_uscc(VALID_USCC[:17])

    def test_forbidden_letters(self):
        with pytest.raises(ValueError, match="不允许的字符“I”"):
            normalize_uscc("9163012" + "I" * 10 + "1")

    def test_fullwidth_digits_accepted(self):
        full = VALID_USCC.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        assert normalize_uscc(full) == VALID_USCC

    @given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
    def test_any_completed_code_validates_and_any_other_check_char_fails(self, first17):
        code = make_uscc(first17)
        assert normalize_uscc(code) == code
        for c in USCC_CHARSET:
            if c != code[17]:
                with pytest.raises(ValueError):
                    normalize_uscc(first17 + c)


class TestIdNumber:
    VALID = make_id_number("63012319900101123")

    def test_valid(self):
        assert normalize_id_number(self.VALID) == self.VALID
        assert id_birth_date(self.VALID) == datetime.date(1990, 1, 1)
        assert id_gender(self.VALID) == "男"  # the 17th digit, 3, is odd

    def test_lowercase_x_accepted(self):
        # Find a body whose check character is X.
        body = next(b for b in (f"63012319900101{i:03d}" for i in range(1000)) if make_id_number(b)[-1] == "X")
        assert normalize_id_number(body + "x") == body + "X"

    @pytest.mark.parametrize("value, message", [
        ("63012319900101123", "应为18位，实际为17位"),
        ("6301231990010112AB", "前17位应全部为数字"),
        ("630123199002301234", "出生日期“19900230”不是有效日期"),
    ])
    def test_refused(self, value, message):
        with pytest.raises(ValueError, match=message):
            normalize_id_number(value)

    def test_bad_check_character(self):
        wrong = self.VALID[:17] + ("0" if self.VALID[17] != "0" else "1")
        with pytest.raises(ValueError, match="校验位错误"):
            normalize_id_number(wrong)

    def test_masking(self):
        assert mask_id_number(self.VALID) == "6301**********" + self.VALID[-4:]
        assert mask_phone("13912345678") == "139****5678"


class TestBankAccounts:
    @pytest.mark.parametrize("account, masked", [
        ("6222000000000012", "6222********0012"),        # 16 digits: first and last four
        ("6222020200112233445", "6222***********3445"),  # 19 digits
        ("62220202001100123456", "6222************3456"),  # 20: still four at each end
        ("622202020011", "622******011"),                # 12: three at each end, half hidden
        ("62220012", "62****12"),                        # 8: two at each end
        ("622200", "6****0"),                            # 6: one at each end
        ("123", "***"), ("1", "*"), ("", ""), (None, ""),
    ])
    def test_mask_keeps_at_most_four_at_each_end_and_hides_at_least_half(self, account, masked):
        assert mask_account(account) == masked
        # Masking again changes nothing: old values can be passed through.
        assert mask_account(masked) == masked

    @given(st.text(alphabet="0123456789", min_size=1, max_size=40))
    def test_mask_hides_at_least_half_and_keeps_the_length(self, account):
        masked = mask_account(account)
        assert len(masked) == len(account) and masked.count("*") >= len(account) / 2
        assert mask_account(masked) == masked

    @pytest.mark.parametrize("typed, stored", [
        ("6222000011112222", "6222000011112222"), (" 6222 0000 1111 2222 ", "6222000011112222"),
        ("6222-0000-1111-2222", "6222000011112222"), ("６２２２０００１", "62220001"), ("622200", "622200"),
        ("1" * 40, "1" * 40), ("6222－0000－1111－2222", "6222000011112222"),
    ])
    def test_normalize_drops_spaces_and_dashes(self, typed, stored):
        assert normalize_account(typed) == stored

    @pytest.mark.parametrize("typed", ["62220", "1" * 41, "6222O00011112222", "账户6222000011112222", "٦٢٢٢٠٠٠١"])
    def test_normalize_refuses_what_is_not_an_account_number(self, typed):
        with pytest.raises(ValueError, match=f"^{ACCOUNT_MESSAGE}$"):
            normalize_account(typed)

    @pytest.mark.parametrize("typed", ["  - ", "－", "", None])
    def test_normalize_refuses_an_empty_value(self, typed):
        with pytest.raises(ValueError, match="^投标保证金转出账户为空$"):
            normalize_account(typed)

    @given(st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2010, 12, 31)),
           st.integers(min_value=0, max_value=999))
    def test_generated_numbers_round_trip(self, birth, seq):
        number = make_id_number(f"630123{birth:%Y%m%d}{seq:03d}")
        assert normalize_id_number(number) == number
        assert id_birth_date(number) == birth


class TestAmounts:
    @pytest.mark.parametrize("text, unit, expected", [
        ("4,300万元", "元", "43000000.00"),
        ("4300", "万元", "43000000.00"),
        ("1.68亿", "元", "168000000.00"),
        ("肆仟叁佰万元整", "元", "43000000.00"),
        ("壹万贰仟叁佰肆拾伍元陆角柒分", "元", "12345.67"),
        ("４２２０万元", "元", "42200000.00"),
        ("¥1,234.5", "元", "1234.50"),
        (4220, "万元", "42200000.00"),
        (0.1, "元", "0.10"),
        ("420", "元", "420.00"),
    ])
    def test_parse(self, text, unit, expected):
        assert parse_amount(text, unit) == Decimal(expected)

    @pytest.mark.parametrize("text", ["", "abc", "12元3", None])
    def test_refused_with_chinese_message(self, text):
        with pytest.raises(ValueError, match="金额"):
            parse_amount(text)

    def test_wan(self):
        assert wan(Decimal("43000000")) == "4300万元"
        assert wan(Decimal("125000")) == "12.5万元"
        assert yuan_str(Decimal("43000000")) == "43000000.00"

    @given(st.decimals(min_value=0, max_value=Decimal("1e12"), places=2))
    def test_written_amount_parses_back(self, amount):
        assert parse_amount(f"{amount:,}") == amount
        assert parse_amount(str(amount / 10000) + "万元") == amount


class TestDates:
    @pytest.mark.parametrize("text", ["2022年6月26日", "2022.6.26", "2022/6/26", "2022-06-26", 44738, "44738",
                                      "２０２２年６月２６日", datetime.datetime(2022, 6, 26, 0, 0), "20220626",
                                      " 20220626 ", 20220626, 20220626.0, "２０２２０６２６"])
    def test_parse(self, text):
        assert parse_date(text) == datetime.date(2022, 6, 26)

    def test_impossible(self):
        with pytest.raises(ValueError, match="不存在"):
            parse_date("2022年2月30日")

    @pytest.mark.parametrize("value", ["20221301", "20220230", 20221301, 20220230.0])
    def test_impossible_eight_digits(self, value):
        with pytest.raises(ValueError, match="不存在"):
            parse_date(value)

    @pytest.mark.parametrize("value", ["202206260", 2022062500.0, 20220626.5, 123456789])
    def test_other_digit_runs_are_not_eight_digit_dates(self, value):
        with pytest.raises(ValueError, match="无法识别"):
            parse_date(value)

    def test_unreadable(self):
        with pytest.raises(ValueError, match="无法识别"):
            parse_date("六月底")

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_empty(self, value):
        with pytest.raises(ValueError, match="^日期为空$"):
            parse_date(value)

    @pytest.mark.parametrize("text", ["2022-06-26T00:00:00", "2022-06-26 00:00", "2022/6/26 00:00:00"])
    def test_midnight_written_after_the_date_is_the_date(self, text):
        assert parse_date(text) == datetime.date(2022, 6, 26)

    def test_excel_serial_numbers_exactly_at_their_limits(self):
        assert parse_date(1) == datetime.date(1899, 12, 31)
        assert parse_date(2958465) == datetime.date(9999, 12, 31)
        for value in (0, 0.5, 2958466, 9_999_999):
            with pytest.raises(ValueError, match=f"^日期“{value}”无法识别$"):
                parse_date(value)

    def test_eight_digit_numbers_exactly_at_their_limits(self):
        assert parse_date(10_000_101) == datetime.date(1000, 1, 1)
        assert parse_date(99_991_231) == datetime.date(9999, 12, 31)
        for value in (10_000_000, 99_999_999):  # eight digits, but no day
            with pytest.raises(ValueError, match="不存在"):
                parse_date(value)
        with pytest.raises(ValueError, match="^日期“100000000”无法识别$"):
            parse_date(100_000_000)

    def test_cn_date_of_nothing_is_empty(self):
        assert cn_date(None) == "" and cn_date("") == ""

    def test_cn_date(self):
        assert cn_date(datetime.date(2022, 6, 26)) == "2022年6月26日"

    def test_cn_date_of_a_moment_is_the_offices_date(self):
        # 19:29 UTC on 4 December is 03:29 on 5 December in Xining and Nanjing.
        moment = datetime.datetime(2026, 12, 4, 19, 29, tzinfo=datetime.timezone.utc)
        assert cn_date(moment) == "2026年12月5日"
        assert cn_date(moment.replace(hour=15, minute=59)) == "2026年12月4日"

    @given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31)))
    def test_every_written_form_round_trips(self, d):
        for text in (cn_date(d), f"{d.year}.{d.month}.{d.day}", d.isoformat(), (d - datetime.date(1899, 12, 30)).days):
            assert parse_date(text) == d


class TestIdentifierMessagesAndLimits:
    """Each refusal of lib/ids.py with its exact message, and the limits of
    the birth date exactly (mutation testing found them unchecked)."""

    def test_uscc_length_and_characters(self):
        import lib.ids as ids

        with pytest.raises(ValueError, match="^统一社会信用代码应为18位，实际为17位$"):
            ids.normalize_uscc("91320116MA1XXXXXX")
        with pytest.raises(ValueError, match="^统一社会信用代码应为18位，实际为0位$"):
            ids.normalize_uscc(None)
        with pytest.raises(ValueError, match="^统一社会信用代码含有不允许的字符“I”（不使用I、O、Z、S、V）$"):
            ids.normalize_uscc("91320116MA1IXXXXX1")
        with pytest.raises(ValueError, match="^统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）$"):
            ids.normalize_uscc(ids.make_uscc("9132A116MA1XXXXXX"))
        good = ids.make_uscc("91320116MA1MXXXXX")
        wrong = "0" if good[17] != "0" else "1"
        with pytest.raises(ValueError, match=f"^统一社会信用代码校验位错误：应为“{good[17]}”，实际为“{wrong}”$"):
            ids.normalize_uscc(good[:17] + wrong)
        # Full-width, lower-case and spaced input is normalised.
        spaced = " ".join(good.lower()).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        assert ids.normalize_uscc(spaced) == good

    def test_id_number_refusals(self):
        import lib.ids as ids

        with pytest.raises(ValueError, match="^身份证号应为18位，实际为17位$"):
            ids.normalize_id_number("63012319900101123")
        with pytest.raises(ValueError, match="^身份证号应为18位，实际为0位$"):
            ids.normalize_id_number(None)
        with pytest.raises(ValueError, match="^身份证号前17位应全部为数字$"):
            ids.normalize_id_number("6301231990010112X4")
        with pytest.raises(ValueError, match="^身份证号最后一位应为数字或X$"):
            ids.normalize_id_number("63012319900101123Y")
        with pytest.raises(ValueError, match="^身份证号中的出生日期“19900230”不是有效日期$"):
            ids.normalize_id_number("630123199002301234")
        good = ids.make_id_number("63012319900101123")
        wrong = "0" if good[17] != "0" else "1"
        with pytest.raises(ValueError, match=f"^身份证号校验位错误：应为“{good[17]}”，实际为“{wrong}”$"):
            ids.normalize_id_number(good[:17] + wrong)
        x = next(ids.make_id_number(f"6301231990010112{n}") for n in range(10)
                 if ids.make_id_number(f"6301231990010112{n}").endswith("X"))
        assert ids.normalize_id_number(" " + x[:17] + "x ") == x
        # Spaces inside, as numbers are often written in groups, are dropped.
        assert ids.normalize_id_number(f"{good[:6]} {good[6:14]} {good[14:]}") == good
        assert ids.normalize_id_number(" ".join(good)) == good

    def test_birth_dates_exactly_at_their_limits(self):
        import lib.ids as ids

        first = ids.make_id_number("63012319000101123")
        assert ids.normalize_id_number(first) == first
        with pytest.raises(ValueError, match="^身份证号中的出生日期“18991231”不在合理范围内$"):
            ids.normalize_id_number(ids.make_id_number("63012318991231123"))
        today = datetime.date.today()
        born_today = ids.make_id_number(f"630123{today:%Y%m%d}123")
        assert ids.normalize_id_number(born_today) == born_today
        tomorrow = today + datetime.timedelta(days=1)
        with pytest.raises(ValueError, match=f"^身份证号中的出生日期“{tomorrow:%Y%m%d}”不在合理范围内$"):
            ids.normalize_id_number(ids.make_id_number(f"630123{tomorrow:%Y%m%d}123"))

    def test_masks_and_gender(self):
        import lib.ids as ids

        assert ids.mask_id_number("630123199001011234") == "6301**********1234"
        assert ids.mask_id_number("") == "" and ids.mask_phone(None) == ""
        assert ids.mask_phone("13912345678") == "139****5678" and ids.mask_phone("1234567") == "1234567"
        assert ids.id_gender("630123199001011234") == "男" and ids.id_gender("630123199001011224") == "女"
        assert ids.id_birth_date("630123199001021234") == datetime.date(1990, 1, 2)

    def test_birth_date_after_today_refused_whatever_its_digits(self):
        # On 15 November a number born on the 16th (or the 20th) is refused:
        # the whole month and the whole day are read, not their last digits.
        import time_machine

        import lib.ids as ids

        with time_machine.travel(datetime.datetime(2024, 11, 15, 12, tzinfo=datetime.timezone.utc), tick=False):
            today = ids.make_id_number("63012320241115123")
            assert ids.normalize_id_number(today) == today
            for born in ("20241116", "20241120", "20241201", "20251015"):
                with pytest.raises(ValueError, match=f"^身份证号中的出生日期“{born}”不在合理范围内$"):
                    ids.normalize_id_number(ids.make_id_number(f"630123{born}123"))
            assert ids.id_birth_date(ids.make_id_number("63012320231116123")) == datetime.date(2023, 11, 16)

    def test_uscc_region_code_starts_at_the_third_character(self):
        import lib.ids as ids

        with pytest.raises(ValueError, match="^统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）$"):
            ids.normalize_uscc(ids.make_uscc("91A20116MA1XXXXXX"))
        with pytest.raises(ValueError, match="^统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）$"):
            ids.normalize_uscc(ids.make_uscc("9132011AMA1XXXXXX"))
        # The ninth character (the organisation code's first) may be a letter.
        assert ids.normalize_uscc(ids.make_uscc("91320116MA1XXXXXX")) == ids.make_uscc("91320116MA1XXXXXX")
