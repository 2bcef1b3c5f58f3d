"""Work that spans models: loading the region code list."""

from django.db import transaction

from .models import Region

LEVELS = {key for key, _ in Region.LEVELS}


# The is_832 column: a county on the list of the 832 脱贫县.
YES = {"1", "是", "y", "yes", "true", "√", "832"}
NO = {"", "0", "否", "n", "no", "false"}


def flag_832(value, level, lineno):
    """Read a cell of the is_832 column; only counties may carry the flag."""
    text = (value or "").strip().lower()
    if text not in YES | NO:
        raise ValueError(f"第{lineno}行：脱贫县（832）标记“{value}”无效，应为1或0（是或否），不是脱贫县可留空")
    if text in YES and level != "county":
        raise ValueError(f"第{lineno}行：只有县级区划可以标记为脱贫县（832）")
    return text in YES


@transaction.atomic
def load_regions_csv(rows):
    """Create or update regions from dict rows (code, name, level,
    parent_code and, optionally, is_832).

    Parents must come before children, as in the published lists. The whole
    file is loaded or, at the first bad row, nothing. A file with the
    is_832 column sets every listed region's 脱贫县（832） flag (1/是 or
    0/否/blank); a file without it leaves the flags as they are. A change of
    flags is recorded in the audit trail: it changes the 832 reserved share.
    """
    created = updated = 0
    by_code = {r.code: r for r in Region.objects.exclude(code=None)}
    flagged, unflagged = [], []
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
        if "is_832" in row:
            flag = flag_832(row["is_832"], level, lineno)
            if flag != region.is_832:
                (flagged if flag else unflagged).append(code)
            region.is_832 = flag
        elif region.is_832 and level != "county":
            raise ValueError(f"第{lineno}行：只有县级区划可以标记为脱贫县（832）")
        region.full_name = region.make_full_name()
        region.save()
        by_code[code] = region
    if flagged or unflagged:
        from xiezuo.audit.models import record

        record("admin", model="pairings.Region",
               summary=f"载入区划代码：标记脱贫县（832）{len(flagged)}个，取消标记{len(unflagged)}个",
               after={"flagged_832": flagged, "unflagged_832": unflagged})
    return created, updated
