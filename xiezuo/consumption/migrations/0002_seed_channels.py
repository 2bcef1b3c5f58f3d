"""Seed the shared channels of the national statistics (editable afterwards)."""

from django.db import migrations

CHANNELS = [
    ("hall", "消费帮扶专馆", "hall", 10),
    ("counter", "消费帮扶专柜", "counter", 20),
    ("zone", "消费帮扶专区", "zone", 30),
    ("p832", "832平台", "p832", 40),
    ("canteen", "食堂采购", "canteen", 50),
    ("union", "工会采购", "union", 60),
    ("fair", "展销会", "fair", 70),
    ("ecommerce", "电商平台", "ecommerce", 80),
    ("other", "其他", "other", 90),
]


def seed(apps, schema_editor):
    Channel = apps.get_model("consumption", "Channel")
    for code, name, kind, order in CHANNELS:
        Channel.objects.get_or_create(pairing=None, code=code, defaults={"name": name, "kind": kind, "order": order})


def unseed(apps, schema_editor):
    apps.get_model("consumption", "Channel").objects.filter(pairing=None, code__in=[c[0] for c in CHANNELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("consumption", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
