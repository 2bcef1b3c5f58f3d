"""Password rules of our own; settings.AUTH_PASSWORD_VALIDATORS lists them
beside Django's length, similarity and common-password checks."""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
)


def character_classes(password):
    """Return the set of character classes in `password`: lower, upper,
    digit, and other (anything else, including Chinese characters)."""
    found = set()
    for char in password:
        for name, test in CLASSES:
            if char.isascii() and test(char):
                found.add(name)
                break
        else:
            found.add("other")
    return found


class CharacterClassValidator:
    """Require characters from at least `min_classes` of the four classes:
    lowercase letters, uppercase letters, digits and other symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、其他符号四类中的至少%(count)d类。") % {"count": self.min_classes}


class LengthValidator(MinimumLengthValidator):
    """Django's minimum length with a message of our own: Django 5.2's
    Chinese catalogue misses its reworded length message, which would reach
    the offices in English."""

    def get_error_message(self):
        return _("密码太短，至少须有%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少须有%(min_length)d个字符。") % {"min_length": self.min_length}
