"""Work that spans models: loading the region code list."""

from django.db import transaction

from .models import Region

LEVELS = {key for key, _ in Region.LEVELS}


@transaction.atomic
def load_regions_csv(rows):
    """Create or update regions from dict rows (code, name, level, parent_code).

    Parents must come before children, as in the published lists. The whole
    file is loaded or, at the first bad row, nothing.
    """
    created = updated = 0
    by_code = {r.code: r for r in Region.objects.exclude(code=None)}
    for lineno, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level = (row.get("level") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        if not code or not code.isdigit() or len(code) not in (6, 9, 12):
            raise ValueError(f"第{lineno}行：区划代码“{code}”应为6、9或12位数字")
        if not name:
            raise ValueError(f"第{lineno}行：名称为空")
        if level not in LEVELS:
            raise ValueError(f"第{lineno}行：级别“{level}”无效，应为 {', '.join(sorted(LEVELS))} 之一")
        code = code.ljust(12, "0")
        parent = None
        if parent_code:
            parent = by_code.get(parent_code.ljust(12, "0"))
            if parent is None:
                raise ValueError(f"第{lineno}行：上级代码“{parent_code}”不存在（上级须排在前面）")
        region = by_code.get(code)
        if region is None:
            region = Region(code=code)
            created += 1
        else:
            updated += 1
        region.name, region.level, region.parent = name, level, parent
        region.full_name = region.make_full_name()
        region.save()
        by_code[code] = region
    return created, updated
