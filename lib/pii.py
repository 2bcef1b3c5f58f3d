"""Personal data at rest: encryption, keyed search hashes, phone numbers.

个人信息保护法 asks that 身份证号 and phone numbers be protected. They are
stored only as AES-GCM ciphertext (authenticated: a changed byte makes the
value unreadable instead of silently wrong) and found again through an
HMAC-SHA256 of the normalised value, so a duplicate or a lookup never needs
the plain text in the database, a URL or a log.

Both keys come from the one secret `settings.PII_KEY` through HKDF with
distinct `info` strings: knowing the search-hash key does not help decrypt,
and the hash of one purpose ("id_number") cannot be matched against another
("phone").

What is shown
-------------
A masked 身份证号 must not be rebuildable from what is shown beside it. The
number is region (6 digits) + birth date (8) + sequence (3) + check
character (GB 11643). The old mask 630123********1234 hid exactly the birth
date, and the birth date stood next to it: together with the check
character that leaves one or two candidates. So:

- The number is masked as the first four and the last four characters
  (6301**********1234, `lib.ids.mask_id_number`): the county digits and the
  whole birth date are hidden.
- Nobody sees a birth date on a page, in an API answer, an export, an
  import preview or the audit trail. What is shown instead is the decade of
  birth ("1990年代", `birth_decade`). A decade, not an age band such as
  "30–39岁": an age band is computed against today and moves on the
  birthday, so whoever looks every day learns the exact date when it
  changes; the decade never moves. A decade with the county assumed known
  (the township is shown) and the last four characters still leaves about
  3,650 dates, of which roughly one in eleven match the check character:
  over 300 candidates.
- The full number (and with it the birth date) is seen only through the
  reveal path, for roles with the "pii" permission, and every reveal is an
  audit event.
"""

import base64
import functools
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A version prefix on every ciphertext leaves room for a later key or
# algorithm change without guessing what a stored value is.
PREFIX = "g1:"
_SALT = b"xiezuo-pii-v1"
_INFO_ENCRYPT = b"xiezuo pii aes-256-gcm encryption key"
_INFO_SEARCH = b"xiezuo pii hmac-sha256 search key"


class DecryptionError(ValueError):
    """The stored value was not written with this key or was altered."""


def _derive(secret, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(secret.encode())


@functools.lru_cache(maxsize=4)
def _keys(secret):
    if not secret or len(secret) < 16:
        raise ValueError("PII_KEY is missing or shorter than 16 characters")
    return _derive(secret, _INFO_ENCRYPT), _derive(secret, _INFO_SEARCH)


def _secret():
    from django.conf import settings

    return settings.PII_KEY


def encrypt(value, purpose):
    """Return the value as "g1:" + base64(nonce + ciphertext); "" stays "".

    `purpose` (e.g. "id_number") is bound in as associated data, so a
    ciphertext copied into another column does not decrypt there.
    """
    if not value:
        return ""
    enc_key, _ = _keys(_secret())
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, value.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token, purpose):
    """Return the plain text of a value made by `encrypt`."""
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise DecryptionError("unknown ciphertext format")
    enc_key, _ = _keys(_secret())
    raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode())
    try:
        return AESGCM(enc_key).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext does not match the key or was altered") from None


def search_hash(value, purpose):
    """Return the keyed hash (64 hex characters) of an already normalised value."""
    if not value:
        return None
    _, search_key = _keys(_secret())
    message = purpose.encode() + b"\0" + value.encode()
    return hmac.new(search_key, message, hashlib.sha256).hexdigest()


def birth_decade(value):
    """Return the decade of a birth date as shown to everyone ("1990年代"), or "".

    Takes a date, an ISO date string (older audit snapshots hold birth dates
    that way, and the trail is re-masked when shown) or an already shown
    decade, which comes back unchanged.
    """
    if not value:
        return ""
    text = value if isinstance(value, str) else value.isoformat()
    if text.endswith("年代"):
        return text
    year = text[:4]
    if not year.isdigit():
        return ""
    return f"{int(year) // 10 * 10}年代"


_PHONE_FULLWIDTH = str.maketrans("０１２３４５６７８９－（）＋", "0123456789-()+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE_MESSAGE = "联系电话应为11位手机号码（如13912345678）或带区号的固定电话（如0972-1234567）"


def normalize_phone(value):
    """Return a mainland mobile (13912345678) or a landline with its area code
    (0972-1234567), or raise ValueError with a Chinese message.

    Area codes 010 and 02x have three digits, all others four; the local
    number has 7 or 8 digits and does not start with 0 or 1. A leading +86 or
    86 is accepted on mobiles.
    """
    text = str(value or "").strip().translate(_PHONE_FULLWIDTH)
    digits = re.sub(r"[\s\-()]", "", text)
    if not digits:
        raise ValueError("联系电话为空")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        raise ValueError(PHONE_MESSAGE)
    if _MOBILE.match(digits):
        return digits
    if digits.startswith("0"):
        area_len = 3 if digits.startswith(("010", "02")) else 4
        area, local = digits[:area_len], digits[area_len:]
        if len(local) in (7, 8) and local[0] not in "01":
            return f"{area}-{local}"
    raise ValueError(PHONE_MESSAGE)
