"""Backup and restore of the whole database.

SQLite uses the online backup API, so a backup is consistent while the
application keeps serving; PostgreSQL uses pg_dump/pg_restore in the custom
format. A restore replaces the database contents entirely.

A backup file is a short header followed by the database itself:

    XIEZUO-BACKUP\\n
    {"version": 1, "vendor": "sqlite", "created": "…", "secret_key": "…", "pii_key": "…"}\\n
    <the SQLite database file, or the pg_dump custom-format archive>

What a backup must not leak, and why:

- The file holds every person's encrypted ID number, the audit trail and the
  password hashes, so it is created readable by its owner only (mode 0600)
  from the first byte: it is written to a temporary file that `mkstemp`
  creates with that mode, then renamed into place. Changing the mode after
  writing would leave a moment in which others could open it.
- Login sessions are left out. A session key is a bearer credential: anyone
  who reads one from a backup could sign in as that user on the running
  system for as long as the session lives, so flushing sessions on restore
  alone would not help. Leaving them out also means a restored database
  holds no sessions; restore still empties the session table, because
  backups made before this rule hold them.
- The header stores keyed fingerprints (HMACs of a constant) of SECRET_KEY
  and of the personal-data key, never the keys. Restore compares them with
  its own keys and refuses a backup made under other keys unless told to:
  under another personal-data key every ID number is unreadable, and under
  another SECRET_KEY everything signed or keyed with it no longer matches;
  most often such a file is simply another installation's backup.
"""

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

HEADER = b"XIEZUO-BACKUP\n"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SESSION_TABLE = "django_session"
# Distinct constants, so that the two fingerprints cannot be compared with
# each other or with any other HMAC the project computes.
_FINGERPRINT_SECRET = b"xiezuo backup: SECRET_KEY fingerprint v1"
_FINGERPRINT_PII = b"xiezuo backup: PII_KEY fingerprint v1"


class BackupError(Exception):
    pass


def fingerprint(secret, constant):
    """A keyed fingerprint of `secret`: equal keys give equal fingerprints,
    and the fingerprint does not reveal the key."""
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(key, constant, hashlib.sha256).hexdigest()


def _secret_fingerprints():
    """The fingerprints of SECRET_KEY and of the keys it replaced (a backup
    made before a key rotation still belongs to this installation)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return {fingerprint(key, _FINGERPRINT_SECRET) for key in keys}


def _metadata(vendor):
    return {"version": FORMAT_VERSION, "vendor": vendor, "created": timezone.now().isoformat(),
            "secret_key": fingerprint(settings.SECRET_KEY, _FINGERPRINT_SECRET),
            "pii_key": fingerprint(settings.PII_KEY, _FINGERPRINT_PII)}


def _pg_env(settings_dict):
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _pg_args(settings_dict):
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1", "-p", str(settings_dict.get("PORT") or 5432),
            "-U", settings_dict.get("USER") or "postgres"]
    return args


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端工具")
    return path


@contextmanager
def _private_file(folder=None, suffix=""):
    """A new, empty file only its owner may read (mkstemp creates it 0600),
    removed again when the block ends unless it was moved away."""
    fd, name = tempfile.mkstemp(prefix=".xiezuo-backup-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        for leftover in (name, name + "-journal", name + "-wal", name + "-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def _sqlite_dump(target):
    """Copy the live SQLite database into the file `target`, without sessions."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # secure_delete overwrites the deleted rows with zeros, so no
        # session key stays behind in a free page of the copy.
        copy.execute("PRAGMA secure_delete = ON")
        if copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [SESSION_TABLE]).fetchone():
            copy.execute(f'DELETE FROM "{SESSION_TABLE}"')
        copy.commit()
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()


def _pg_dump(target):
    sd = connection.settings_dict
    # pg_dump opens the existing 0600 file for writing and keeps its mode.
    result = subprocess.run([_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges",
                             f"--exclude-table-data={SESSION_TABLE}", *_pg_args(sd), "-f", str(target), sd["NAME"]],
                            env=_pg_env(sd), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")


def backup(path):
    """Write a backup of the whole database to `path` (mode 0600, no sessions)."""
    path = Path(path)
    vendor = connection.vendor
    dump = {"sqlite": _sqlite_dump, "postgresql": _pg_dump}.get(vendor)
    if dump is None:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    folder = path.parent
    with _private_file(folder, ".db") as database, _private_file(folder) as staged:
        dump(database)
        with open(staged, "wb") as out, open(database, "rb") as payload:
            out.write(HEADER)
            out.write(json.dumps(_metadata(vendor), ensure_ascii=False).encode() + b"\n")
            shutil.copyfileobj(payload, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        # The staged file already has mode 0600; the rename keeps it.
        os.replace(staged, path)
    return path


def read_metadata(path):
    """Return (metadata, offset of the database in the file); metadata is None
    for a bare database file written before backups carried a header."""
    with open(path, "rb") as f:
        if f.read(len(HEADER)) != HEADER:
            return None, 0
        line = f.readline(64 * 1024)
        try:
            meta = json.loads(line)
        except ValueError:
            raise BackupError("备份文件头已损坏，无法读取") from None
        if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
            raise BackupError("备份文件的格式版本无法识别")
        return meta, f.tell()


def check_keys(meta, other_key=False):
    """Refuse a backup made under other keys unless `other_key`; return the
    Chinese warnings to print when it is restored anyway."""
    if meta is None:
        problems = ["该备份没有记录密钥指纹（旧版本的备份），无法确认它是在本系统的 SECRET_KEY 和个人信息密钥下制作的"]
    else:
        problems = []
        if meta.get("secret_key") not in _secret_fingerprints():
            problems.append("该备份是在另一个 SECRET_KEY 下制作的（可能是另一套系统的备份），"
                            "恢复后用该密钥签名或计算的数据将不再有效")
        if meta.get("pii_key") != fingerprint(settings.PII_KEY, _FINGERPRINT_PII):
            problems.append("该备份的个人信息密钥（XIEZUO_PII_KEY）与本系统不同，恢复后身份证号和电话将无法解密")
    if problems and not other_key:
        raise BackupError("；".join(problems) + "。如确认要恢复，请加 --other-key 参数。")
    return problems


def _flush_sessions():
    """Empty the session table: nobody stays signed in across a restore."""
    with connection.cursor() as cursor:
        if SESSION_TABLE in connection.introspection.table_names(cursor):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(SESSION_TABLE)}")


def restore(path, *, other_key=False):
    """Replace the database with the backup at `path`; return the warnings
    of a backup restored under other keys (with `other_key`)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    meta, offset = read_metadata(path)
    with open(path, "rb") as f:
        f.seek(offset)
        head = f.read(16)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    if vendor == "sqlite" and head != SQLITE_MAGIC:
        raise BackupError("该文件不是 SQLite 备份文件")
    if vendor == "postgresql" and not head.startswith(PG_MAGIC):
        raise BackupError("该文件不是 pg_dump 自定义格式的备份文件")
    if meta is not None and meta.get("vendor") != vendor:
        raise BackupError(f"该备份来自 {meta.get('vendor')} 数据库，不能恢复到 {vendor} 数据库")
    warnings = check_keys(meta, other_key)
    with _private_file(suffix=".db") as database:
        with open(path, "rb") as f, open(database, "wb") as out:
            f.seek(offset)
            shutil.copyfileobj(f, out, 1 << 20)
        if vendor == "sqlite":
            source = sqlite3.connect(database)
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            sd = connection.settings_dict
            for conn in connections.all():
                conn.close()
            result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                     "--single-transaction", *_pg_args(sd), "-d", sd["NAME"], str(database)],
                                    env=_pg_env(sd), capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
    _flush_sessions()
    return warnings
