"""Refresh the English translation: extract messages, fill them from
locale/glossary_en.tsv, compile. Run with `make messages`; needs GNU gettext.

The interface is written in Chinese (the offices' language) and the glossary
holds the English for each message, so adding a message means adding a line.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def load_glossary():
    """Return {msgid: English}; a line's optional third column is the
    message's context (pgettext, {% translate … context … %}), keyed as
    gettext does: context, EOT, msgid."""
    pairs = {}
    files = [ROOT / "locale" / "glossary_en.tsv", *sorted((ROOT / "locale" / "glossary").glob("*.tsv"))]
    lines = [line for f in files for line in f.read_text().splitlines()]
    for line in lines:
        if "\t" in line:
            zh, en, *context = line.split("\t")
            pairs[f"{context[0]}\x04{zh}" if context and context[0] else zh] = en
    return pairs


def unfuzz(text):
    """Blank the translation of every fuzzy entry.

    msgmerge guesses a new message's translation from a similar old one
    ("结对" got "My pairings"); a guess is not a translation, so the entry
    is filled from the glossary like a new one, or reported missing.
    """
    entry = re.compile(r'#, fuzzy(?:, (.*))?\n(?:#\| .*\n)*((?:msgctxt "(?:[^"\\]|\\.)*"\n)?msgid "(?:[^"\\]|\\.)*"\n)'
                       r'msgstr "(?:[^"\\]|\\.)*"\n')
    # Other flags (python-format) stay on the entry.
    return entry.sub(lambda m: (f"#, {m.group(1)}\n" if m.group(1) else "") + m.group(2) + 'msgstr ""\n', text)


def fill(text, glossary):
    """Set each message's English from the glossary, which wins over what the
    .po holds (an earlier fuzzy guess kept there gave 退回 "Log out"); a
    message the glossary lacks keeps a translation written in the .po, and
    is reported when it has none."""
    missing = []

    def repl(m):
        context, msgid, current = m.group(1), m.group(2), m.group(3)
        if msgid == "":
            return m.group(0)
        key = msgid.replace('\\"', '"')
        en = glossary.get(f"{context.replace(chr(92) + chr(34), chr(34))}\x04{key}" if context is not None else key)
        if en is None:
            if current == "":
                missing.append(msgid)
            return m.group(0)
        head = f'msgctxt "{context}"\n' if context is not None else ""
        return f'{head}msgid "{msgid}"\nmsgstr "{en.replace(chr(34), chr(92) + chr(34))}"'

    text = re.sub(r'(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"(?!\n")',
                  repl, text)
    text = text.replace("#, fuzzy\n", "")
    return text, missing


def main():
    manage = [sys.executable, str(ROOT / "manage.py")]
    # --no-wrap: a wrapped message spans lines, which fill() cannot match.
    subprocess.run([*manage, "makemessages", "-l", "en", "--no-location", "--no-obsolete", "--no-wrap",
                    "-i", ".venv/*", "-i", "node_modules/*", "-i", "var/*", "-i", "bench/*"], check=True, cwd=ROOT)
    text, missing = fill(unfuzz(PO.read_text()), load_glossary())
    PO.write_text(text)
    subprocess.run([*manage, "compilemessages", "-l", "en", "-i", ".venv", "-i", "node_modules"], check=True, cwd=ROOT)
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
