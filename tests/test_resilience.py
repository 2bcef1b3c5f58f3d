"""Backup and restore; clear error pages when the database is unreachable."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Organisation


def dump():
    out = StringIO()
    call_command("dumpdata", "--exclude=contenttypes", "--exclude=auth.permission", "--exclude=sessions",
                 "--exclude=axes", "--exclude=admin", "--indent=0", stdout=out)
    return out.getvalue()


def test_restore_gives_back_identical_data_and_an_intact_chain(transactional_demo, tmp_path):
    before = dump()
    events = AuditEvent.objects.count()
    backup_file = tmp_path / "xiezuo.backup"
    call_command("backup", str(backup_file), stdout=StringIO())
    assert backup_file.stat().st_size > 10_000

    # Damage after the backup: a change, a deletion, a tampered audit row.
    Organisation.objects.filter(name="湟源县人民医院").update(legal_rep="改动")
    Organisation.objects.create(name="备份后新增", kind="other", region_id=Organisation.objects.first().region_id)
    AuditEvent.objects.filter(seq=3).update(actor_name="mallory")
    assert dump() != before

    out = StringIO()
    call_command("restore", str(backup_file), stdout=out)
    assert f"审计链完整（{events}条事件）" in out.getvalue()
    assert dump() == before
    call_command("audit_verify", stdout=StringIO())


def test_restore_refuses_a_file_that_is_not_a_backup(transactional_demo, tmp_path):
    bogus = tmp_path / "not-a-backup.db"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a database")
    before = Organisation.objects.count()
    with pytest.raises(CommandError, match="恢复失败：该文件不是"):
        call_command("restore", str(bogus))
    assert Organisation.objects.count() == before


SCRIPT = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
django.setup()
from django.test import Client
c = Client(raise_request_exception=False)
c.cookies["sessionid"] = "x" * 32
r = c.get("/", secure=True)
print(r.status_code)
print(r.content.decode())
r = c.get("/api/v1/pairings/", secure=True, HTTP_AUTHORIZATION="Bearer xz_abc")
print(r.status_code)
print(r.content.decode())
"""


@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1:1/nowhere", "sqlite:////nonexistent-dir/x.db"])
def test_unreachable_database_gives_a_clear_page_without_traceback(url, tmp_path):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "XIEZUO_VAR_DIR": str(tmp_path),
           "SECRET_KEY": "s" * 60}
    r = subprocess.run([sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True,
                       text=True, timeout=60)
    lines = r.stdout.split("\n")
    assert lines[0] == "503", r.stdout + r.stderr[-2000:]
    assert "数据库暂时无法连接" in r.stdout
    assert "Traceback" not in r.stdout and "OperationalError" not in r.stdout
    api_status = next(line for line in lines[2:] if line.strip().isdigit())
    assert api_status == "503"
    assert '{"detail": "数据库暂时无法连接' in r.stdout
