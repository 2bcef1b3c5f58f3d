"""The report's four destinations of employment; the yearly counting rules.

Destinations: 到东部/江苏 (east) becomes 赴对口省份 (paired_province) where
the job's 务工地点 lies in the pairing's paired province — the province of
its eastern region, named in full or short, or by one of its cities or
counties — and 省外其他地区 (other_province) otherwise, an empty place
included; 省内其他地区 becomes 省内县外 and 县内就地就近 县内. Each changed row
leaves an audit event ("update", before and after), as an edit would.

Stable employment moves from the global `LabourSettings.stable_months`
(calendar months touched, default 6) to `LabourYearRule` (cumulative days,
default 3 months of 30 days). The old number counted something else, so it
is not carried over: every year starts from the default.
"""

from django.db import migrations, models

RENAMED = {"province": "in_province", "local": "in_county"}
BACK = {"paired_province": "east", "other_province": "east", "in_province": "province", "in_county": "local"}


def _short(name, suffixes):
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def province_names(Region, east_region):
    """The names of the eastern region's province and of its cities and
    counties, full and short (a frozen copy of
    `labour.models.paired_province_names`)."""
    ids = [int(x) for x in east_region.path.strip("/").split("/") if x]
    nodes = Region.objects.in_bulk(ids)
    province = next((nodes[i] for i in ids if i in nodes and nodes[i].level == "province"), east_region)
    names = set()
    for name, level in Region.objects.filter(path__startswith=province.path,
                                             level__in=["province", "city", "county"]).values_list("name", "level"):
        names.add(name)
        names.add(_short(name, ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市") if level == "province"
                         else ("自治州", "地区", "市", "区", "县")))
    return names


def destination_for(code, place, names):
    """The new code of an old one (a new code is returned unchanged)."""
    if code == "east":
        place = (place or "").replace(" ", "")
        return "paired_province" if place and any(n in place for n in names) else "other_province"
    return RENAMED.get(code, code)


def _audit(rows, model_label="labour.Employment"):
    # The live audit writer: it keeps the events' hash chain.
    from xiezuo.audit.models import record

    for pk, pairing_id, old, new in rows:
        record("update", model=model_label, object_id=pk, pairing_id=pairing_id,
               summary=f"就业去向口径调整：{old} → {new}", before={"destination": old}, after={"destination": new})


def forwards(apps, schema_editor):
    Employment = apps.get_model("labour", "Employment")
    Pairing = apps.get_model("pairings", "Pairing")
    Region = apps.get_model("pairings", "Region")
    names_of = {}
    changed, events = [], []
    rows = Employment.objects.filter(destination__in=["east", *RENAMED]).only("pk", "pairing_id", "destination", "place")
    for job in rows.order_by("pk").iterator():
        if job.pairing_id not in names_of:
            pairing = Pairing.objects.select_related("east_region").get(pk=job.pairing_id)
            names_of[job.pairing_id] = province_names(Region, pairing.east_region)
        new = destination_for(job.destination, job.place, names_of[job.pairing_id])
        events.append((job.pk, job.pairing_id, job.destination, new))
        job.destination = new
        changed.append(job)
    Employment.objects.bulk_update(changed, ["destination"], batch_size=500)
    _audit(events)


def backwards(apps, schema_editor):
    Employment = apps.get_model("labour", "Employment")
    rows = list(Employment.objects.filter(destination__in=list(BACK)).values_list("pk", "pairing_id", "destination"))
    for new, old in BACK.items():
        Employment.objects.filter(destination=new).update(destination=old)
    _audit([(pk, pairing_id, code, BACK[code]) for pk, pairing_id, code in rows])



class Migration(migrations.Migration):

    dependencies = [
        ('labour', '0004_natural_keys'),
        ('pairings', '0001_initial'),
        ('audit', '0002_region_path'),
    ]

    operations = [
        migrations.CreateModel(
            name='LabourYearRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(error_messages={'unique': '该年度的统计口径已存在'}, unique=True, verbose_name='年度')),
                ('stable_months', models.PositiveSmallIntegerField(default=3, help_text='当年累计务工天数达到“月数×30天”即计为稳定就业（多段务工合并计算，重叠天数只计一次）', verbose_name='稳定就业月数')),
                ('poverty_includes_monitored', models.BooleanField(default=True, help_text='勾选时“其中脱贫劳动力”包括监测对象（2021年起的文件口径：脱贫人口（含防止返贫监测对象））', verbose_name='脱贫劳动力含防止返贫监测对象')),
                ('note', models.CharField(blank=True, help_text='如所依据的文件名称、文号', max_length=300, verbose_name='口径依据')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                'verbose_name': '年度就业统计口径',
                'verbose_name_plural': '年度就业统计口径',
                'ordering': ['-year'],
            },
        ),
        migrations.RemoveField(
            model_name='laboursettings',
            name='stable_months',
        ),
        migrations.AlterField(
            model_name='employment',
            name='destination',
            field=models.CharField(choices=[('paired_province', '赴对口省份'), ('other_province', '省外其他地区'), ('in_province', '省内县外'), ('in_county', '县内')], help_text='赴对口省份：到结对的东部省份务工；省外其他地区：到其他省份；省内县外：本省其他市县；县内：本县（含就地就近）', max_length=20, verbose_name='就业去向'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
