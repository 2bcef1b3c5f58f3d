"""Backup and restore of the whole database.

SQLite uses the online backup API, so a backup is consistent while the
application keeps serving; PostgreSQL uses pg_dump/pg_restore in the custom
format. A restore replaces the database contents entirely.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


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


def backup(path):
    path = Path(path)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        sd = connection.settings_dict
        subprocess.run([_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", *_pg_args(sd),
                        "-f", str(path), sd["NAME"]], check=True, env=_pg_env(sd), capture_output=True)
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
    return path


def restore(path):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    head = path.read_bytes()[:16]
    vendor = connection.vendor
    if vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError("该文件不是 SQLite 备份文件")
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError("该文件不是 pg_dump 自定义格式的备份文件")
        sd = connection.settings_dict
        for conn in connections.all():
            conn.close()
        result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", *_pg_args(sd), "-d", sd["NAME"], str(path)],
                                env=_pg_env(sd), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
    else:
        raise BackupError(f"不支持的数据库类型：{vendor}")
