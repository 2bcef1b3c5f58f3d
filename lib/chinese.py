"""Labels in Chinese whatever language the reader chose.

Model labels and choices are lazy translations (English on request), but
some text is Chinese by nature: stored records (audit events, findings),
official ledger files and .docx reports. These helpers read a label in the
site's own language, Chinese, at the moment it is used.
"""

from collections.abc import Mapping

from django.conf import settings
from django.utils import translation


def chinese():
    """A context in which labels read in Chinese."""
    return translation.override(settings.LANGUAGE_CODE)


def in_chinese(text):
    """Return `text` (a lazy translation, a plain string, a record) as Chinese."""
    with chinese():
        return str(text)


class ChineseLabels(Mapping):
    """code → Chinese label of a choices list, read when looked up."""

    def __init__(self, choices):
        self._choices = choices

    def _table(self):
        with translation.override(settings.LANGUAGE_CODE):
            return {code: str(label) for code, label in self._choices}

    def __getitem__(self, code):
        return self._table()[code]

    def __iter__(self):
        return iter(self._table())

    def __len__(self):
        return len(self._choices)
