"""Templates and exports: the same layout both ways, so export → edit →
import is a round trip.

Cells are written through the project's one spreadsheet writer
(`lib.exports`): text is never parsed as a formula, text that looks like one
also gets Excel's quote prefix, and text cells carry the text number format,
so that editing a cell in Excel keeps it text (formula injection). An
export's rows are streamed (`Sheet.stream`): written row by row to a
temporary file, never held in memory.
"""

from lib.exports import MAX_ROW, Book, column_name

from .columns import Amount, Bool, Choice, Date, Lookup, MultiChoice

CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"


def write_ledger(spec, ctx, out, *, template=False):
    """Write a template (header + example row) or an export (header + every
    stored row) of one ledger to `out` (a path or a binary file object)."""
    spec.prepare(ctx)
    wb = Book(out, text_format=True)
    money = wb.style(num_format="#,##0.00")
    ws = wb.sheet(spec.sheet)
    header = wb.style(**{"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    required = wb.style(**{"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000",
                           "text_wrap": True, "valign": "vcenter"})
    readonly = wb.style(**{"bold": True, "bg_color": "#EDEDED", "border": 1, "font_color": "#808080",
                           "text_wrap": True, "valign": "vcenter"})
    example = wb.style(italic=True, font_color="#808080")
    ws.set_row(0, 30)
    for i, col in enumerate(spec.columns):
        style = readonly if col.readonly else required if col.required else header
        ws.cell(0, i, ("*" if col.required else "") + col.title, style)
        ws.set_column(i, i, max(12, min(40, len(col.title) * 2 + 4)))
        if isinstance(col, Date):
            ws.set_column(i, i, 14, wb.date)
    ws.freeze_panes(1, 0)
    n = 0
    if template:
        for i, (col, value) in enumerate(zip(spec.columns, spec.example_row())):
            if value not in ("", None):
                ws.cell(1, i, value, example)
        ws.write_comment(1, 0, "示例行：导入时会自动跳过，可删除或覆盖。")
        n = 1
    else:
        # Every stored row, streamed: constant memory whatever the ledger's size.
        n = ws.stream(spec.export_rows(ctx), [money if isinstance(col, Amount) else None for col in spec.columns],
                      first_row=1)
    _validations(wb, ws, spec)
    _instructions(wb, spec)
    wb.close()
    return n if not template else 0


def _validations(wb, ws, spec):
    lists = []
    for i, col in enumerate(spec.columns):
        if isinstance(col, MultiChoice) or col.readonly:
            continue
        if isinstance(col, Choice):
            lists.append((i, col, col.labels()))
        elif isinstance(col, Bool):
            lists.append((i, col, ["是", "否"]))
        elif isinstance(col, Lookup) and 0 < len(col.options()) <= 2000:
            lists.append((i, col, col.options()))
    if not lists:
        return
    codes = wb.sheet(CODES_SHEET)
    for j, (i, col, options) in enumerate(lists):
        codes.cell(0, j, col.header)
        for k, option in enumerate(options, start=1):
            codes.cell(k, j, str(option))
        letter = column_name(j)
        strict = isinstance(col, (Choice, Bool))
        ws.data_validation(1, i, MAX_ROW, i, {
            "validate": "list",
            "source": f"='{CODES_SHEET}'!${letter}$2:${letter}${len(options) + 1}",
            "error_type": "stop" if strict else "warning",
            "error_title": col.header,
            "error_message": f"请从下拉列表中选择{col.header}",
            "ignore_blank": True,
        })
    codes.hide()


def _instructions(wb, spec):
    ws = wb.sheet(HELP_SHEET)
    bold = wb.style(bold=True)
    wrap = wb.style(text_wrap=True, valign="top")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 50)
    ws.set_column(3, 3, 40)
    lines = [
        f"{spec.title}填写说明",
        f"1. 在“{spec.sheet}”工作表中从第2行起每行填写一条记录；标“*”的列为必填。",
        "2. 表头可使用下表“可接受的表头”中的任一名称；表头中的单位（如“金额（万元）”）会自动换算。",
        "3. 表头上方可以有标题行；空行和“合计”“小计”行会自动跳过；模板中的示例行会自动跳过。",
        f"4. 按关键字更新时，以“{spec.key_note}”识别已有记录：相同则更新，不同则新增。追加导入时已有记录保持不变。"
        + (f"{spec.fallback.note}。" if spec.fallback is not None else ""),
        "5. 同一文件重复导入不会重复新增记录。导入前系统会先预览，确认后一次性写入；有任何错误则不写入。",
    ]
    for r, line in enumerate(lines):
        ws.cell(r, 0, line, bold if r == 0 else None)
    top = len(lines) + 1
    for c, title in enumerate(["列名", "必填", "填写要求", "可接受的表头"]):
        ws.cell(top, c, title, bold)
    for r, col in enumerate(spec.columns, start=top + 1):
        ws.cell(r, 0, col.title)
        ws.cell(r, 1, "是" if col.required else "否")
        text = "仅供查看，导入时忽略" if col.readonly else col.describe() + (f"；{col.help}" if col.help else "")
        ws.cell(r, 2, text, wrap)
        ws.cell(r, 3, "、".join(dict.fromkeys([col.header, *col.synonyms])), wrap)
