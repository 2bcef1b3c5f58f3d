"""Project-level guarantees: settings, demo loading, translations."""

import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Pairing

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "xiezuo.example.gov.cn",
           "XIEZUO_VAR_DIR": str(tmp_path), "XIEZUO_PII_KEY": "k" * 48}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    r = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_dev_keys_are_made_once_and_kept(tmp_path):
    env = {**os.environ, "XIEZUO_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    code = "from django.conf import settings; print(settings.PII_KEY)"
    run = lambda: subprocess.run([sys.executable, "-c", f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','xiezuo.settings'); {code}"],  # noqa: E731
                                 cwd=ROOT, env=env, capture_output=True, text=True).stdout
    first = run()
    assert len(first.strip()) > 40 and run() == first
    assert (tmp_path / "pii_key.txt").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    counts = (Pairing.objects.count(), AuditEvent.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "本次载入0步" in out.getvalue()
    assert (Pairing.objects.count(), AuditEvent.objects.count()) == counts


@pytest.mark.django_db
def test_demo_has_the_article_pairings(county):
    names = sorted(str(p) for p in county.children.filter(level__in=["township", "park"]))
    assert names == [
        "六合区六合开发区—大华工业园区",
        "六合区六合开发区—湟源县波航乡",
        "六合区程桥街道—湟源县和平乡",
        "六合区金牛湖街道—湟源县日月藏族乡",
        "六合区雄州街道—湟源县大华镇",
    ]
    assert county.east_region.code == "320116000000" and county.west_region.code == "630123000000"


def test_every_message_has_an_english_translation():
    po = (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    untranslated = re.findall(r'msgid "(.+)"\nmsgstr ""\n(?!")', po)
    assert untranslated == []
    mo = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").stat().st_mtime - 5


def _glossary():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import i18n
    finally:
        sys.path.pop(0)
    return i18n


TRANSLATE_TAG = re.compile(r'\{% (?:translate|trans) "([^"]+)"(?: context "([^"]+)")?(?: as \w+)? %\}')


def test_every_template_message_has_its_english_in_the_glossary():
    """Checked from the templates themselves, so a message added without
    its English fails before anyone regenerates the catalogue."""
    glossary = _glossary().load_glossary()
    missing = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for msgid, context in TRANSLATE_TAG.findall(path.read_text()):
            if (f"{context}\x04{msgid}" if context else msgid) not in glossary:
                missing.add((path.relative_to(ROOT / "templates").as_posix(), msgid, context))
    assert sorted(missing) == []


def test_unit_of_measure_and_organisations_are_told_apart():
    i18n = _glossary()
    glossary = i18n.load_glossary()
    assert glossary["单位"] == "Organisations"
    assert glossary["unit of measure\x04单位"] == "Unit"
    po = ('msgid "单位"\nmsgstr ""\n\n#, fuzzy\n#| msgid "单位"\nmsgctxt "unit of measure"\nmsgid "单位"\n'
          'msgstr "Organisations"\n')
    text, missing = i18n.fill(i18n.unfuzz(po), glossary)
    assert missing == []
    assert 'msgid "单位"\nmsgstr "Organisations"' in text
    assert 'msgctxt "unit of measure"\nmsgid "单位"\nmsgstr "Unit"' in text
    for page in ("funds/project_progress.html", "pairings/pairing_detail.html", "assessment/indicator_list.html"):
        assert '{% translate "单位" context "unit of measure" %}' in (ROOT / "templates" / page).read_text()


def test_models_and_migrations_agree():
    r = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, "DEBUG": "1"})
    assert r.returncode == 0, r.stdout + r.stderr
