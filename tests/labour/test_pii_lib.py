"""lib/pii.py: authenticated encryption, keyed hashes, phone numbers."""

import datetime
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib import pii

from .conftest import RAW_ID


def test_encrypt_round_trip_and_fresh_nonce_each_time():
    a, b = pii.encrypt(RAW_ID, "id_number"), pii.encrypt(RAW_ID, "id_number")
    assert a.startswith("g1:") and a != b
    assert RAW_ID not in a
    assert pii.decrypt(a, "id_number") == pii.decrypt(b, "id_number") == RAW_ID
    assert pii.encrypt("", "id_number") == "" and pii.decrypt("", "id_number") == ""


def test_ciphertext_is_bound_to_its_purpose_and_to_the_key(settings):
    token = pii.encrypt(RAW_ID, "id_number")
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(token, "phone")
    settings.PII_KEY = "another-key-of-enough-length-0123456789"
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(token, "id_number")


def test_altered_ciphertext_is_refused_not_misread():
    token = pii.encrypt(RAW_ID, "id_number")
    body = bytearray(pii.base64.urlsafe_b64decode(token[3:]))
    body[-1] ^= 1
    with pytest.raises(pii.DecryptionError, match="^ciphertext does not match the key or was altered$"):
        pii.decrypt("g1:" + pii.base64.urlsafe_b64encode(bytes(body)).decode(), "id_number")
    with pytest.raises(pii.DecryptionError, match="^unknown ciphertext format$"):
        pii.decrypt("plain-text", "id_number")


def test_search_hash_is_keyed_stable_and_purpose_specific(settings):
    h = pii.search_hash(RAW_ID, "id_number")
    assert len(h) == 64 and h == pii.search_hash(RAW_ID, "id_number")
    assert h != hashlib.sha256(RAW_ID.encode()).hexdigest()  # not guessable without the key
    assert h != pii.search_hash(RAW_ID, "phone")
    settings.PII_KEY = "another-key-of-enough-length-0123456789"
    assert pii.search_hash(RAW_ID, "id_number") != h
    assert pii.search_hash("", "id_number") is None


def test_encryption_and_search_keys_differ():
    enc, search = pii._keys("a-development-key-that-is-long-enough")
    assert enc != search and len(enc) == len(search) == 32


@pytest.mark.parametrize("secret", ["k" * 15, "", None])
def test_a_key_needs_sixteen_characters(secret):
    with pytest.raises(ValueError, match="^PII_KEY is missing or shorter than 16 characters$"):
        pii._keys(secret)
    encrypt, search = pii._keys("k" * 16)
    assert len(encrypt) == len(search) == 32 and encrypt != search


def test_short_key_refused(settings):
    settings.PII_KEY = "short"
    with pytest.raises(ValueError, match="PII_KEY"):
        pii.encrypt(RAW_ID, "id_number")


@given(st.text(min_size=1, max_size=40))
def test_any_text_round_trips(text):
    assert pii.decrypt(pii.encrypt(text, "x"), "x") == text


@pytest.mark.parametrize("raw, expected", [
    ("13997123456", "13997123456"),
    ("139 9712 3456", "13997123456"),
    ("+86 139-9712-3456", "13997123456"),
    ("８６１３９９７１２３４５６", "13997123456"),
    ("0972-8123456", "0972-8123456"),
    ("(0972)8123456", "0972-8123456"),
    ("097281234567", "0972-81234567"),
    ("010-62345678", "010-62345678"),
    ("025 5712 3456", "025-57123456"),
])
def test_phone_numbers_accepted(raw, expected):
    assert pii.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1399712345", "23997123456", "12997123456", "0972-0123456", "8123456",
                                 "0972-812345", "1399712345a", "电话13997123456"])
def test_bad_phone_numbers_refused_in_chinese(raw):
    with pytest.raises(ValueError, match="联系电话应为11位手机号码"):
        pii.normalize_phone(raw)


# Values written once with the key below and kept: what the database holds
# must stay readable and findable by every later version of the code (the
# key derivation, its salt and the hashed message are part of that).
STORED_KEY = "a-fixed-key-for-stored-values-2024"
STORED_ID_TOKEN = "g1:KTb9j85EG9Ya5lYur67L7oktIZZHW6wdLqr5tqXkpQCOB2xRai_tjwKLKpLWPw=="
STORED_ID_HASH = "dff67a386062d96e3fb83d35668c27bfc370b968f3d63ce9fb390c5a90bd3832"
STORED_PHONE_HASH = "a6cdb03a451d8f3bdf3cdbda6016d36a1ad8cf58208796ea671a4cd6a46f7b39"


def test_values_stored_earlier_stay_readable_and_findable(settings):
    settings.PII_KEY = STORED_KEY
    assert RAW_ID == "630123199001011237"
    assert pii.decrypt(STORED_ID_TOKEN, "id_number") == RAW_ID
    assert pii.search_hash(RAW_ID, "id_number") == STORED_ID_HASH
    assert pii.search_hash("13997123456", "phone") == STORED_PHONE_HASH
    # A token made now is read back with the same key.
    assert pii.decrypt(pii.encrypt(RAW_ID, "id_number"), "id_number") == RAW_ID


@pytest.mark.parametrize("value", ["", None, "  ", " - ( ) "])
def test_empty_phone_refused_as_empty(value):
    with pytest.raises(ValueError, match="^联系电话为空$"):
        pii.normalize_phone(value)


@pytest.mark.parametrize("raw", ["0213997123456", "2313997123456"])
def test_thirteen_digits_not_starting_with_86_are_not_a_mobile_with_country_code(raw):
    # Only a leading 86 is dropped from 13 digits: other 13-digit numbers
    # ending in a valid mobile are refused, not cut to the mobile.
    with pytest.raises(ValueError, match="联系电话应为11位手机号码"):
        pii.normalize_phone(raw)


@pytest.mark.parametrize("value, shown", [
    (datetime.date(1990, 1, 1), "1990年代"),
    (datetime.date(1989, 12, 31), "1980年代"),
    (datetime.date(2000, 6, 15), "2000年代"),
    ("1976-02-02", "1970年代"),
    ("1970年代", "1970年代"),
    ("", ""),
    (None, ""),
    ("未知", ""),
])
def test_birth_decade(value, shown):
    assert pii.birth_decade(value) == shown
