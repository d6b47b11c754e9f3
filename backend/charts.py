"""Server-rendered SVG bar charts, shared by survey results and the officials' roll-up.

Presentation attributes only (``fill``, ``font-size``…): the pages' CSP forbids inline style. The numbers are
computed by the caller; a chart only draws them.
"""

from html import escape

BAR_WIDTH, ROW, LEFT, WIDTH = 240, 56, 4, 320
LABEL_MAX = 17  # characters of a label that fit across the chart (narrow: a phone shows it at about its own size)


def bar_chart(title, bars, top=None):
    """A horizontal bar chart as SVG markup: ``bars`` is (label, value, shown text) per bar, ``value`` a number
    (int or Fraction) scaled against ``top`` (default the largest value)."""
    top = top or max([v for _, v, _ in bars] + [1])
    height = ROW * len(bars) + 10
    title = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" aria-label="{title}"><title>{title}</title>'
    ]
    for n, (label, value, shown) in enumerate(bars):
        label = label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"  # the table beside names it whole
        y = n * ROW + 6
        width = round(BAR_WIDTH * value / top)
        parts.append(
            f'<text x="{LEFT}" y="{y + 17}" font-size="18" fill="#1a1a1a">{escape(label)}</text>'
            f'<rect x="{LEFT}" y="{y + 25}" width="{max(width, 2)}" height="20" fill="#1f5fa8"/>'
            f'<text x="{LEFT + max(width, 2) + 6}" y="{y + 42}" font-size="18" fill="#1a1a1a">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
