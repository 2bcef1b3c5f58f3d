"""Backups leak nothing: the file is readable by its owner only from the
start, holds no login session, and restore refuses a backup made under other
keys unless told. Runs on SQLite and, with DATABASE_URL, through pg_dump."""

import os
import sqlite3
import stat
import subprocess
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from xiezuo.accounts.models import User
from xiezuo.front import backup as backups
from xiezuo.pairings.models import Organisation


def signed_in(client):
    return client.get("/").wsgi_request.user.is_authenticated


@pytest.fixture
def umask_022():
    # The usual umask would make a plain open() give 0644.
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_backup_is_created_private_and_never_chmodded(transactional_demo, tmp_path, umask_022, monkeypatch,
                                                      settings):
    def no_chmod(*args, **kwargs):
        raise AssertionError("the backup must be created 0600, not chmodded afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)
    target = tmp_path / "xiezuo.backup"
    target.write_bytes(b"an older, world-readable backup")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    call_command("backup", str(target), stdout=StringIO())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["xiezuo.backup"]  # no temporary file left behind
    meta, offset = backups.read_metadata(target)
    assert meta["vendor"] == connection.vendor and offset > 0
    # The header holds fingerprints, never the keys.
    assert settings.SECRET_KEY not in str(meta) and settings.PII_KEY not in str(meta)


def readable_contents(path, tmp_path):
    """The backup as bytes in which a session key would show: the SQLite file
    itself, or the SQL text of a pg_dump archive (whose data is compressed)."""
    meta, offset = backups.read_metadata(path)
    data = path.read_bytes()
    if meta["vendor"] == "sqlite":
        return data
    archive = tmp_path / "archive.dump"
    archive.write_bytes(data[offset:])
    return subprocess.run(["pg_restore", "-f", "-", str(archive)], check=True, capture_output=True).stdout


def test_a_session_from_before_the_backup_does_not_sign_in_after_restore(transactional_demo, tmp_path):
    client = Client()
    client.force_login(User.objects.get(username="huangyuan"))
    assert signed_in(client)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    target = tmp_path / "xiezuo.backup"
    call_command("backup", str(target), stdout=StringIO())
    assert key.encode() not in readable_contents(target, tmp_path)

    out = StringIO()
    call_command("restore", str(target), stdout=out)
    assert "所有登录会话已清除" in out.getvalue()
    assert not Session.objects.exists()
    assert not signed_in(client)


def test_restore_empties_sessions_held_by_an_old_backup(transactional_demo, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("a bare database file is the SQLite backup of before; pg_dump archives are covered above")
    client = Client()
    client.force_login(User.objects.get(username="huangyuan"))
    old = tmp_path / "old.db"
    copy = sqlite3.connect(old)
    connection.ensure_connection()
    connection.connection.backup(copy)
    copy.close()
    assert client.session.session_key.encode() in old.read_bytes()

    with pytest.raises(CommandError, match="没有记录密钥指纹.*--other-key"):
        call_command("restore", str(old), stdout=StringIO())
    assert signed_in(client)  # refused: nothing changed
    err = StringIO()
    call_command("restore", str(old), "--other-key", stdout=StringIO(), stderr=err)
    assert "注意：该备份没有记录密钥指纹" in err.getvalue()
    assert not signed_in(client)


def test_a_backup_made_under_another_secret_key_is_refused_unless_told(transactional_demo, tmp_path, settings):
    target = tmp_path / "other.backup"
    original = settings.SECRET_KEY
    settings.SECRET_KEY = "another installation's secret key, not ours"
    call_command("backup", str(target), stdout=StringIO())
    settings.SECRET_KEY = original

    Organisation.objects.filter(name="湟源县人民医院").update(legal_rep="备份后改动")
    with pytest.raises(CommandError, match="恢复失败：该备份是在另一个 SECRET_KEY 下制作的.*--other-key"):
        call_command("restore", str(target), stdout=StringIO())
    assert Organisation.objects.get(name="湟源县人民医院").legal_rep == "备份后改动"

    err, out = StringIO(), StringIO()
    call_command("restore", str(target), "--other-key", stdout=out, stderr=err)
    assert "注意：该备份是在另一个 SECRET_KEY 下制作的" in err.getvalue() and "审计链完整" in out.getvalue()
    assert Organisation.objects.get(name="湟源县人民医院").legal_rep != "备份后改动"


def test_a_backup_under_a_rotated_out_key_and_another_pii_key(transactional_demo, tmp_path, settings):
    target = tmp_path / "rotated.backup"
    original = settings.SECRET_KEY
    settings.SECRET_KEY = "the key this installation used before rotating it"
    call_command("backup", str(target), stdout=StringIO())
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = original, ["the key this installation used before rotating it"]
    assert backups.check_keys(backups.read_metadata(target)[0]) == []  # a fallback key is still ours

    settings.PII_KEY = "another personal-data key of 32 characters"
    with pytest.raises(CommandError, match="个人信息密钥（XIEZUO_PII_KEY）与本系统不同"):
        call_command("restore", str(target), stdout=StringIO())
