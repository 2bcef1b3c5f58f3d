from django.db import migrations

CATEGORIES = [
    ("industry", "产业发展"), ("employment", "就业帮扶"), ("education", "教育"), ("health", "医疗卫生"),
    ("rural", "乡村建设"), ("consumption", "消费帮扶"), ("talent", "人才交流"), ("other", "其他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("funds", "ProjectCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
