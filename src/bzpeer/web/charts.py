"""The works-per-year bar chart the profile, institution and venue pages draw."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join


def works_per_year(by_year: list[tuple[int, int]], peak: int | None = None) -> dict[str, object]:
    """The works-per-year SVG's width and bars (every year in the span, zeros
    too), from (year, works) oldest first; ``peak``: the tallest bar's count,
    when the caller knows it.

    The bars are drawn here in one pass (``format_html``): a template loop cost
    a dozen variable lookups a bar, a tenth of the profile page's time."""
    if not by_year:
        return {"bars": "", "width": 0}
    if peak is None:
        peak = max(n for _, n in by_year)
    counts = dict(by_year)
    first, last = by_year[0][0], by_year[-1][0]
    bars = []
    step = 28
    for i, y in enumerate(range(first, last + 1)):
        n = counts.get(y, 0)
        h = round(90 * n / peak) if peak else 0
        x, top = i * step + 4, 100 - h
        label = y % 100 if (last - first) > 12 else y
        number = format_html('<text class="n" x="{}" y="{}">{}</text>', x + 11, top - 3, n)
        bars.append(
            format_html(
                '<g><title>{}: {} work{}</title><rect x="{}" y="{}" width="22" height="{}">'
                '</rect>{}<text x="{}" y="116">{}</text></g>',
                y,
                n,
                "" if n == 1 else "s",
                x,
                top,
                h,
                number if n else "",
                x + 11,
                label,
            )
        )
    return {
        "bars": format_html_join("", "{}", ((b,) for b in bars)),
        "width": (last - first + 1) * step + 8,
    }
