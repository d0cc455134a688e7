"""Data tables as XHTML tables and as vector bar charts (SVG), from `content/data/`.

The chart is drawn as small multiples: one panel per charted column, one bar per
row, each bar labelled with its value so the chart reads in black and white too.
Missing values are said, not drawn as zero.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ..core.labels import Locale
from ..core.model import DataTable

PANEL_W, BAR_H, GAP, LABEL_W, TOP = 300, 16, 6, 90, 24
COLOURS = ("#2f5d8a", "#7a4e8c", "#3d7a52", "#8a5a2f")  # dark enough for greyscale print


def cell_text(value: str | float | None, unit: str, locale: Locale) -> str:
    """A table cell as the reader sees it: `72,3 %`, `634.000`, or a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        shown = locale.number(value)
        return f"{shown} {unit}".strip() if unit == "%" else shown
    return str(value)


@dataclass(frozen=True)
class TableNumber:
    """A data table that is a numbered table (`@tbl-<id>` refers to it): the `<table>`'s id
    as the output names it, and its label ("Tabel 1.1")."""

    anchor: str
    label: str


def table_html(table: DataTable, locale: Locale, table_id: str = "", number: TableNumber | None = None) -> str:
    """The table as XHTML with a caption and header cells (scope) for screen readers."""
    head = "".join(f'<th scope="col">{escape(_label(c.label, c.unit))}</th>' for c in table.columns)
    body = []
    for row in table.rows:
        cells = [f'<th scope="row">{escape(str(row[0] or ""))}</th>']
        for column, value in zip(table.columns[1:], row[1:], strict=False):
            cls = ' class="num"' if column.type == "number" else ""
            cells.append(f"<td{cls}>{escape(cell_text(value, column.unit, locale))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    note = ""
    if table.caption or table.source_note:
        note = f'<p class="table-note">{escape(table.caption)} {escape(table.source_note)}</p>'
    anchor = f' id="{escape(number.anchor)}"' if number else ""
    label = f'<span class="figure-label">{escape(number.label)}:</span> ' if number else ""
    return (f'<div class="data-table"{ident}><table{anchor}><caption>{label}{escape(table.title)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}</div>\n')


def _label(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def chart_description(table: DataTable, locale: Locale) -> str:
    """The chart's text alternative: every value it draws, in words."""
    missing = locale["not_given"]
    parts = []
    for key in table.chart:
        column = next(c for c in table.columns if c.key == key)
        values = ", ".join(
            f"{name} {cell_text(v, column.unit, locale) if v is not None else missing}"
            for name, v in table.column_values(key)
        )
        parts.append(f"{_label(column.label, column.unit)}: {values}.")
    return " ".join(parts)


def chart_svg(table: DataTable, locale: Locale, key: str = "", pad: int = 0) -> str:
    """A standalone SVG (with xmlns, title and desc) of the table's charted columns.

    `key` makes the ids of its title and description unique where one document holds
    several charts; `pad` > 0 sizes the SVG and puts it on a white ground with that
    margin (a chart file of its own, as the EPUB has).
    """
    rows = len(table.rows)
    panel_h = TOP + rows * (BAR_H + GAP) + 8
    height = panel_h * len(table.chart)
    width = LABEL_W + PANEL_W
    suffix = f"-{key}" if key else ""
    box = f'viewBox="0 0 {width} {height}"'
    if pad:
        w, h = width + 2 * pad, height + 2 * pad
        box = f'width="{w:g}" height="{h:g}" viewBox="{-pad} {-pad} {w:g} {h:g}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {box} '
        f'role="img" aria-labelledby="chart-title{suffix} chart-desc{suffix}" class="chart">',
        f'<title id="chart-title{suffix}">{escape(table.title)}</title>',
        f'<desc id="chart-desc{suffix}">{escape(chart_description(table, locale))}</desc>',
    ]
    if pad:  # the ground keeps black labels readable when night mode darkens the page behind
        parts.append(f'<rect x="{-pad}" y="{-pad}" width="{w:g}" height="{h:g}" fill="#ffffff"/>')
    for index, column in enumerate(table.chart):
        parts.append(_panel(table, column, index, index * panel_h, locale))
    parts.append("</svg>")
    return "\n".join(parts)


def chart_img(table: DataTable, locale: Locale) -> str:
    """The chart as an `<img>` for a PDF, its alternate text the title and every value.

    WeasyPrint tags an image as a Figure with `alt` as its alternate text (PDF/UA 7.3-1);
    the SVG travels in a `data:` URL, which the restricted URL fetcher serves as is.
    """
    data = base64.b64encode(chart_svg(table, locale).encode("utf-8")).decode("ascii")
    alt = f"{table.title}. {chart_description(table, locale)}"
    return f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" />'


def _panel(table: DataTable, key: str, index: int, y0: int, locale: Locale) -> str:
    column = next(c for c in table.columns if c.key == key)
    values = table.column_values(key)
    top = max((v for _, v in values if v is not None), default=1.0) or 1.0
    colour = COLOURS[index % len(COLOURS)]
    out = [f'<g transform="translate(0 {y0})" font-family="Source Sans 3, sans-serif" font-size="11">',
           f'<text x="0" y="14" font-weight="700">{escape(_label(column.label, column.unit))}</text>']
    for i, (name, value) in enumerate(values):
        y = TOP + i * (BAR_H + GAP)
        out.append(f'<text x="0" y="{y + BAR_H - 4}">{escape(name)}</text>')
        if value is None:
            out.append(f'<text x="{LABEL_W}" y="{y + BAR_H - 4}" font-style="italic" fill="#555">'
                       f'{escape(locale["not_given"])}</text>')
            continue
        w = max(1.0, (PANEL_W - 70) * value / top)
        out.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}"/>')
        out.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 4}">'
                   f'{escape(cell_text(value, column.unit, locale))}</text>')
    out.append("</g>")
    return "\n".join(out)


def figure_html(table: DataTable, locale: Locale, chart_markup: str, key: str = "",
                number: TableNumber | None = None, chart: TableNumber | None = None) -> str:
    """The table, then its chart in a <figure> with a caption (chart markup given by the output).

    `key` (from `Placements.key`; default the table's id) makes the ids `table-KEY`, `chart-KEY`.
    """
    key = key or table.id
    return table_html(table, locale, f"table-{key}", number) + chart_figure(table, chart_markup, key, chart)


def chart_figure(table: DataTable, chart_markup: str, key: str, number: TableNumber | None = None,
                 kind: str = "") -> str:
    """The chart in a <figure> with its caption, with the id `chart-KEY` (nothing without a
    chart). Its caption is the table's note, or with `kind` ("Grafiek", the booklet's word)
    "Grafiek: <title>"; a numbered chart (`@fig-<table id>`) has its anchor's id and
    "Figuur 2.1: <title>"."""
    if not table.chart:
        return ""
    ident = escape(number.anchor) if number else f"chart-{key}"
    if number is not None or kind:
        label = f'<span class="figure-label">{escape(number.label if number else kind)}:</span> '
        caption = label + escape(table.title)
    else:
        caption = escape(table.caption or table.title)
    return f'<figure class="chart" id="{ident}">{chart_markup}<figcaption>{caption}</figcaption></figure>\n'
