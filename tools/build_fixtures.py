"""Build .docx and .html fixtures of the Jiaxing 2024 notice from its text export.

The text export (``notice.txt``) is the ground truth. This script renders the same
content the way the two other publishing channels would: a Word document with real
merged cells, and a government web page with rowspan/colspan tables.

Text format: a line starting with TAB starts a table cell; untabbed lines right after
a cell (at most one blank line in between) are further paragraphs of that cell;
consecutive TAB lines are cells of one row; one blank line starts a new row; two or
more blank lines end the table. Every other non-blank line is a body paragraph.

Usage::

    python tools/build_fixtures.py           # (re)write notice.docx and notice.html
    python tools/build_fixtures.py --check   # ... and verify both files
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.shared import Mm, Pt
from lxml import etree
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "jiaxing_2024"

# Fixed timestamps keep the .docx byte-stable across runs.
FIXED_TIME = dt.datetime(2024, 2, 1, 9, 0, 0, tzinfo=dt.UTC)
ZIP_TIME = (2024, 2, 1, 9, 0, 0)
ISSUER = "嘉兴市人民政府办公室"
DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
SHORT_CELL = 12  # cell paragraphs up to this many characters are centred, longer left-aligned

VMerge = Literal["restart", "continue"]
Kind = Literal["key_work", "livelihood", "plain"]


# --------------------------------------------------------------------------- model


@dataclass
class Cell:
    paras: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.paras

    @property
    def text(self) -> str:
        return "".join(self.paras)


@dataclass
class Table:
    rows: list[list[Cell]] = field(default_factory=list)


Block = str | Table


@dataclass(frozen=True)
class TableSpec:
    kind: Kind
    col_widths: tuple[int, ...]  # dxa (twentieths of a point); len() is the grid width
    header_rows: int
    merge_cols: frozenset[int]  # grid columns whose empty cells continue the cell above


KEY_WORK = TableSpec("key_work", (700, 5926, 2400), 1, frozenset({0}))
# 序号 事项分类 事项名称 任务分解 全市 + ten areas + 市级牵头单位; sums to the A4 text width.
LIVELIHOOD = TableSpec(
    "livelihood",
    (400, 500, 1826, 700, 600, *([400] * 10), 1000),
    2,
    frozenset({0, 1, 2, 15}),
)
# Table-2 rows: the 事项名称 cell spans cols 2-3 unless the row has a breakdown item.
LIVELIHOOD_SPANS: dict[int, tuple[int, ...]] = {
    5: (1, 1, 2, 11, 1),
    15: (1, 1, 2, *([1] * 12)),
    16: (1,) * 16,
}


@dataclass
class Placed:
    cell: Cell
    col: int
    span: int
    vmerge: VMerge | None = None
    rowspan: int = 1  # only meaningful on the root of a vertical merge


@dataclass
class Layout:
    spec: TableSpec
    rows: list[list[Placed]]

    @property
    def width(self) -> int:
        return len(self.spec.col_widths)


# --------------------------------------------------------------------------- parsing


def parse_text(text: str) -> list[Block]:
    """Split the export into body paragraphs and tables (see module docstring)."""
    blocks: list[Block] = []
    table: Table | None = None
    blanks = 0
    for raw in text.splitlines():
        if raw.startswith("\t"):
            table = _add_cell(blocks, table, blanks, raw[1:].strip())
        elif not raw.strip():
            blanks += 1
            continue
        elif table is not None and blanks <= 1:
            table.rows[-1][-1].paras.append(raw.strip())
        else:
            table = None
            blocks.append(raw.rstrip())
        blanks = 0
    return blocks


def _add_cell(blocks: list[Block], table: Table | None, blanks: int, text: str) -> Table:
    cell = Cell([text] if text else [])
    if table is None or blanks >= 2:
        table = Table([[cell]])
        blocks.append(table)
    elif blanks == 1:
        table.rows.append([cell])
    else:
        table.rows[-1].append(cell)
    return table


def spec_for(table: Table) -> TableSpec:
    head = table.rows[0]
    if head[0].text == "序号" and len(head) == 3:
        return KEY_WORK
    if head[0].text == "序号" and len(head) == 5:
        return LIVELIHOOD
    width = max(len(row) for row in table.rows)
    return TableSpec(
        "plain", (300, 8426, 300) if width == 3 else (9026 // width,) * width, 0, frozenset()
    )


def spans_for(spec: TableSpec, n_cells: int) -> tuple[int, ...]:
    if spec.kind != "livelihood":
        return (1,) * n_cells
    if n_cells not in LIVELIHOOD_SPANS:
        raise ValueError(f"table 2 row with {n_cells} cells has no known layout")
    return LIVELIHOOD_SPANS[n_cells]


def layout_table(table: Table) -> Layout:
    spec = spec_for(table)
    rows = [_place_row(row, spans_for(spec, len(row))) for row in table.rows]
    _apply_vmerges(rows, spec.merge_cols)
    return Layout(spec, rows)


def _place_row(cells: list[Cell], spans: tuple[int, ...]) -> list[Placed]:
    placed, col = [], 0
    for cell, span in zip(cells, spans, strict=True):
        placed.append(Placed(cell, col, span))
        col += span
    return placed


def _apply_vmerges(rows: list[list[Placed]], merge_cols: frozenset[int]) -> None:
    """An empty cell in a merge column, under a cell of the same geometry, joins it."""
    roots: dict[int, Placed] = {}  # start column -> merge root of the row above
    for row in rows:
        new_roots: dict[int, Placed] = {}
        for p in row:
            root = roots.get(p.col)
            if root and p.cell.empty and p.col in merge_cols and root.span == p.span:
                p.vmerge, root.vmerge = "continue", "restart"
                root.rowspan += 1
                new_roots[p.col] = root
            else:
                new_roots[p.col] = p
        roots = new_roots


def is_short(cell: Cell) -> bool:
    return max(map(len, cell.paras), default=0) <= SHORT_CELL


def paragraph_roles(blocks: list[Block]) -> dict[int, str]:
    """Guess each paragraph's typographic role so both renderings look like the original."""
    salutation = next(i for i, b in enumerate(blocks) if isinstance(b, str) and b.endswith("："))
    roles: dict[int, str] = {}
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if i < salutation:
            roles[i] = "title"
        elif isinstance(nxt, Table):
            roles[i] = "caption"
        elif DATE_RE.fullmatch(block.strip()) or block.strip() == ISSUER:
            roles[i] = "signature"
        else:
            roles[i] = "body"
    return roles


def document_title(blocks: list[Block], roles: dict[int, str]) -> str:
    return "".join(str(blocks[i]).strip() for i, r in roles.items() if r == "title")


# --------------------------------------------------------------------------- docx


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    child = OxmlElement(tag)
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), value)
    parent.append(child)
    return child


def _cell_paragraph(text: str, center: bool) -> etree._Element:
    p = OxmlElement("w:p")
    if center:
        _sub(_sub(p, "w:pPr"), "w:jc", val="center")
    if text:
        t = _sub(_sub(p, "w:r"), "w:t")
        t.text = text
    return p


def _tc(p: Placed, width: int) -> etree._Element:
    tc = OxmlElement("w:tc")
    tc_pr = _sub(tc, "w:tcPr")  # child order follows the CT_TcPr schema sequence
    _sub(tc_pr, "w:tcW", w=str(width), type="dxa")
    if p.span > 1:
        _sub(tc_pr, "w:gridSpan", val=str(p.span))
    if p.vmerge == "restart":
        _sub(tc_pr, "w:vMerge", val="restart")
    elif p.vmerge == "continue":
        _sub(tc_pr, "w:vMerge")  # bare vMerge means "continue"
    _sub(tc_pr, "w:vAlign", val="center")
    center = is_short(p.cell)
    for text in p.cell.paras or [""]:  # a w:tc must hold at least one w:p
        tc.append(_cell_paragraph(text, center))
    return tc


def _tr(row: list[Placed], widths: tuple[int, ...], header: bool) -> etree._Element:
    tr = OxmlElement("w:tr")
    if header:
        _sub(_sub(tr, "w:trPr"), "w:tblHeader")  # repeat on every page
    for p in row:
        tr.append(_tc(p, sum(widths[p.col : p.col + p.span])))
    return tr


def add_docx_table(doc: Document, layout: Layout) -> None:
    table = doc.add_table(rows=0, cols=layout.width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl = table._tbl
    for grid_col, width in zip(tbl.tblGrid.gridCol_lst, layout.spec.col_widths, strict=True):
        grid_col.set(qn("w:w"), str(width))
    for i, row in enumerate(layout.rows):
        tbl.append(_tr(row, layout.spec.col_widths, i < layout.spec.header_rows))


def add_docx_paragraph(doc: Document, text: str, role: str) -> None:
    para = doc.add_paragraph()
    run = para.add_run(text)
    fmt = para.paragraph_format
    if role in ("title", "caption"):
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = True
        run.font.size = Pt(22 if role == "title" else 16)
    elif role == "signature":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        fmt.first_line_indent = Pt(32)  # two CJK characters at 16 pt


def setup_docx(doc: Document, title: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(25.4))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, ISSUER, ISSUER
    props.created = props.modified = FIXED_TIME
    props.revision = 1


def build_docx(blocks: list[Block], path: Path) -> None:
    doc = docx.Document()
    roles = paragraph_roles(blocks)
    setup_docx(doc, document_title(blocks, roles))
    previous: Block | None = None
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            if isinstance(previous, Table):
                doc.add_paragraph()  # Word fuses directly adjacent tables into one
            add_docx_table(doc, layout_table(block))
        else:
            add_docx_paragraph(doc, block, roles[i])
        previous = block
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """python-docx stamps zip entries with the current time; pin it for stable bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- html

PAGE_TOP = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<!-- test fixture: generated by tools/build_fixtures.py from notice.txt -->
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="SiteName" content="嘉兴市人民政府">
<meta name="ColumnName" content="政府文件">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2024-02-01 16:30">
<meta name="ContentSource" content="市政府办公室">
<title>{title}</title>
<link rel="stylesheet" href="/css/common.css">
<script src="/js/jquery-1.12.4.min.js"></script>
<script src="/js/common.js"></script>
</head>
<body>
<div class="top-bar"><a href="/">无障碍</a> | <a href="/">长者模式</a></div>
<div class="header">嘉兴市人民政府</div>
<div class="nav">
<ul>
<li><a href="/">首页</a></li>
<li><a href="/col/zwgk/">政务公开</a></li>
<li><a href="/col/zfwj/">政府文件</a></li>
<li><a href="/col/bsfw/">办事服务</a></li>
<li><a href="/col/hdjl/">互动交流</a></li>
<li><a href="/col/zjjx/">走进嘉兴</a></li>
</ul>
</div>
<div class="main">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/zwgk/">政务公开</a> \
&gt; <a href="/col/zfwj/">政府文件</a></div>
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info"><span>发布日期：2024-02-01</span><span>来源：市政府办公室</span>\
<span>字号：[ <a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> \
<a href="javascript:doZoom(14)">小</a> ]</span></div>
<div class="article-content" id="zoom">
"""

PAGE_BOTTOM = """</div>
<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a> \
<a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
</div>
<div class="footer">
<p>主办单位：嘉兴市人民政府办公室</p>
<p>网站标识码：0000000000　浙ICP备00000000号</p>
</div>
<script>
function doZoom(size) {{ document.getElementById('zoom').style.fontSize = size + 'px'; }}
</script>
<script src="/js/stat.js"></script>
</body>
</html>
"""

PARA_STYLE = {
    "title": ' style="text-align: center;"',
    "caption": ' style="text-align: center;"',
    "signature": ' style="text-align: right;"',
    "body": ' style="text-indent: 2em;"',
}


def html_paragraph(text: str, role: str) -> str:
    body = html.escape(text.strip())
    if role in ("title", "caption"):
        body = f"<strong>{body}</strong>"
    return f"<p{PARA_STYLE[role]}>{body}</p>"


def html_cell(p: Placed) -> str:
    attrs = ""
    if p.rowspan > 1:
        attrs += f' rowspan="{p.rowspan}"'
    if p.span > 1:
        attrs += f' colspan="{p.span}"'
    if is_short(p.cell):
        attrs += ' align="center"'
    attrs += ' valign="middle"'
    paras = p.cell.paras
    if not paras:
        inner = "&nbsp;"
    elif len(paras) > 1 and all(len(x) == 1 for x in paras):
        inner = "<br>".join(html.escape(x) for x in paras)  # vertical header: 南<br>湖<br>区
    else:
        inner = "".join(f"<p>{html.escape(x)}</p>" for x in paras)
    return f"<td{attrs}>{inner}</td>"


def html_table(layout: Layout) -> str:
    lines = [
        '<table border="1" cellspacing="0" cellpadding="0" width="100%"'
        ' style="border-collapse: collapse;">',
        "<tbody>",
    ]
    for row in layout.rows:
        cells = "".join(html_cell(p) for p in row if p.vmerge != "continue")
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def build_html(blocks: list[Block], path: Path) -> None:
    roles = paragraph_roles(blocks)
    title = html.escape(document_title(blocks, roles))
    parts = [
        html_table(layout_table(b)) if isinstance(b, Table) else html_paragraph(b, roles[i])
        for i, b in enumerate(blocks)
    ]
    page = PAGE_TOP.format(title=title) + "\n".join(parts) + "\n" + PAGE_BOTTOM.format()
    path.write_bytes(page.encode("utf-8"))


# --------------------------------------------------------------------------- checks

# Independent expectations from the brief, not derived from the merge code above.
KEY_WORK_MERGE_ANCHORS = Counter({"77": 1, "79": 2, "99": 1, "115": 1})
BREAKDOWN_CONTINUATIONS = (
    "人员培训",
    "中小学宿舍",
    "学生满意食堂",
    "创新实验室",
    "学位数",
    "老年助餐点",
    "托位",
    "供水管网",
    "生活污水管网",
    "雨水管网",
    "中心城区",
    "精品剧目",
)


def tables_of(blocks: list[Block]) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def expected_continuations(tables: list[Table]) -> set[tuple[int, int, int]]:
    """(table, row, cell index) of every cell that must be a vMerge continuation."""
    key_work, livelihood = tables[0], tables[1]
    expected: set[tuple[int, int, int]] = set()
    anchors: Counter[str] = Counter()
    for r, row in enumerate(key_work.rows[1:], start=1):
        if row[0].empty:  # (a) 序号 continues the numbered row above
            expected.add((0, r, 0))
            anchors[next(x[0].text for x in reversed(key_work.rows[:r]) if x[0].text)] += 1
    assert anchors == KEY_WORK_MERGE_ANCHORS, anchors
    expected |= {(1, 1, 0), (1, 1, 1), (1, 1, 2), (1, 1, 14)}  # header row B
    items = []
    for r, row in enumerate(livelihood.rows[2:], start=2):
        if len(row) == 16 and row[0].empty:  # (b) breakdown continuation row
            expected |= {(1, r, 0), (1, r, 2)}
            items.append(row[3].text)
        if row[1].empty:  # (c) category run
            expected.add((1, r, 1))
        if row[-1].empty:  # (d) lead unit continues
            expected.add((1, r, len(row) - 1))
    assert tuple(items) == BREAKDOWN_CONTINUATIONS, items
    return expected


def _tc_texts(tc: CT_Tc) -> list[str]:
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
    return [t for t in texts if t]


def check_docx_table(ti: int, tbl: CT_Tbl, src: Table) -> set[tuple[int, int, int]]:
    width = len(tbl.tblGrid.gridCol_lst)
    found: set[tuple[int, int, int]] = set()
    above: dict[int, tuple[int, str | None]] = {}  # start col -> (span, vMerge)
    for r, (tr, row) in enumerate(zip(tbl.tr_lst, src.rows, strict=True)):
        tcs = tr.tc_lst
        assert len(tcs) == len(row), f"table {ti} row {r}: {len(tcs)} tc vs {len(row)} cells"
        assert sum(tc.grid_span for tc in tcs) == width, f"table {ti} row {r}: span sum"
        current: dict[int, tuple[int, str | None]] = {}
        col = 0
        for c, (tc, cell) in enumerate(zip(tcs, row, strict=True)):
            assert _tc_texts(tc) == cell.paras, f"table {ti} row {r} cell {c}: text"
            if tc.vMerge == "continue":
                found.add((ti, r, c))
                span, vmerge = above.get(col, (0, None))
                assert span == tc.grid_span, f"table {ti} row {r} cell {c}: geometry"
                assert vmerge in ("restart", "continue"), f"table {ti} row {r} cell {c}: no root"
            current[col] = (tc.grid_span, tc.vMerge)
            col += tc.grid_span
        _assert_restarts_continued(ti, r, above, current)
        above = current
    _assert_restarts_continued(ti, len(src.rows), above, {})
    return found


def _assert_restarts_continued(
    ti: int,
    r: int,
    above: dict[int, tuple[int, str | None]],
    current: dict[int, tuple[int, str | None]],
) -> None:
    for col, (_, vmerge) in above.items():
        if vmerge == "restart":
            assert current.get(col, (0, None))[1] == "continue", f"{ti}/{r - 1}: lone restart"


def docx_blocks(doc: Document) -> Iterator[str | None]:
    """Body in order: paragraph text, or None for a table; empty paragraphs skipped."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            yield None
        elif child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text:
                yield text


def check_docx(path: Path, blocks: list[Block]) -> list[str]:
    doc = docx.Document(str(path))
    tables = tables_of(blocks)
    want = [None if isinstance(b, Table) else b for b in blocks]
    assert list(docx_blocks(doc)) == want, "docx body order/text differs from the text"
    found: set[tuple[int, int, int]] = set()
    for ti, (table, src) in enumerate(zip(doc.tables, tables, strict=True)):
        found |= check_docx_table(ti, table._tbl, src)
    expected = expected_continuations(tables)
    extra, missing = sorted(found - expected), sorted(expected - found)
    assert not extra and not missing, f"vMerge mismatch: extra {extra}, missing {missing}"
    _check_header_rows(doc)
    report = [f"docx: {len(doc.tables)} tables, {len(found)} vMerge continue cells as expected"]
    for ti, (table, src) in enumerate(zip(doc.tables, tables, strict=True)):
        counts = Counter(len(tr.tc_lst) for tr in table._tbl.tr_lst)
        width = len(table._tbl.tblGrid.gridCol_lst)
        report.append(f"  table {ti}: grid {width}, {len(src.rows)} rows, tc/row {dict(counts)}")
    return report


def _check_header_rows(doc: Document) -> None:
    for table, n in zip(doc.tables, (1, 2, 0), strict=True):
        flags = [
            tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None
            for tr in table._tbl.tr_lst
        ]
        assert flags == [True] * n + [False] * (len(flags) - n), "tblHeader rows"


def html_row_widths(table: etree._Element) -> list[int]:
    """Expand rowspan/colspan; return each row's covered width (asserting no overlaps)."""
    carried: dict[int, int] = {}  # column -> rows still covered from above
    widths = []
    for r, tr in enumerate(table.xpath("./tbody/tr | ./tr")):
        taken = set(carried)
        col, fresh = 0, {}
        for td in tr.xpath("./td | ./th"):
            while col in taken:
                col += 1
            span, rows = int(td.get("colspan", "1")), int(td.get("rowspan", "1"))
            cols = set(range(col, col + span))
            assert not cols & taken, f"row {r}: overlapping cells at {sorted(cols & taken)}"
            taken |= cols
            fresh.update(dict.fromkeys(cols, rows - 1))
            col += span
        widths.append(len(taken))
        assert taken == set(range(len(taken))), f"row {r}: gap in columns {sorted(taken)}"
        carried = {c: n - 1 for c, n in carried.items() if n > 1}
        carried.update({c: n for c, n in fresh.items() if n > 0})
    assert not carried, f"rowspan runs past the table end: {carried}"
    return widths


def check_html(path: Path, blocks: list[Block]) -> list[str]:
    data = path.read_bytes()
    assert b'<meta charset="utf-8">' in data
    page = lxml_html.document_fromstring(data)  # no explicit encoding: must honour <meta>
    roles = paragraph_roles(blocks)
    assert page.findtext(".//title") == document_title(blocks, roles), "charset not honoured"
    content = page.get_element_by_id("zoom")
    got = [None if el.tag == "table" else el.text_content().strip() for el in content]
    assert got == [None if isinstance(b, Table) else b.strip() for b in blocks], "html body"
    report = []
    for ti, (el, src) in enumerate(zip(content.findall("table"), tables_of(blocks), strict=True)):
        layout = layout_table(src)
        widths = html_row_widths(el)
        assert widths == [layout.width] * len(src.rows), f"html table {ti}: widths {widths}"
        _check_html_texts(ti, el, layout)
        report.append(f"html: table {ti}: {len(widths)} rows, every row covers {layout.width}")
    return report


def _check_html_texts(ti: int, table: etree._Element, layout: Layout) -> None:
    for r, (tr, row) in enumerate(zip(table.xpath("./tbody/tr"), layout.rows, strict=True)):
        want = [p.cell.text for p in row if p.vmerge != "continue"]
        got = [td.text_content().strip() for td in tr.xpath("./td")]
        assert got == want, f"html table {ti} row {r}: {got} != {want}"


def check_opens(path: Path) -> str:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        docx.Document(str(path))
        return "soffice/libreoffice not on PATH: python-docx reopen only"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [office, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(path)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        pdf = Path(tmp) / f"{path.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 0, "LibreOffice produced no PDF"
        return f"LibreOffice converted {path.name} to PDF ({pdf.stat().st_size} bytes)"


def text_irregularities(blocks: list[Block]) -> list[str]:
    notes = []
    for ti, table in enumerate(tables_of(blocks)):
        spec = spec_for(table)
        allowed = set(LIVELIHOOD_SPANS) if spec.kind == "livelihood" else {len(table.rows[0])}
        for r, row in enumerate(table.rows):
            if len(row) not in allowed:
                notes.append(f"table {ti} row {r}: {len(row)} cells (expected {allowed})")
    return notes


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=FIXTURE_DIR, help="fixture directory")
    parser.add_argument("--check", action="store_true", help="verify the written files")
    args = parser.parse_args()
    blocks = parse_text((args.dir / "notice.txt").read_text(encoding="utf-8"))
    docx_path, html_path = args.dir / "notice.docx", args.dir / "notice.html"
    build_docx(blocks, docx_path)
    build_html(blocks, html_path)
    print(f"wrote {docx_path.relative_to(ROOT)} and {html_path.relative_to(ROOT)}")
    if args.check:
        for line in text_irregularities(blocks) or ["text: no irregular row lengths"]:
            print(line)
        for line in [*check_docx(docx_path, blocks), *check_html(html_path, blocks)]:
            print(line)
        print(check_opens(docx_path))
        print("all checks passed")


if __name__ == "__main__":
    main()
