"""The axis's layout, worked out on the server: windows and zoom, lanes, labels, clusters."""

import datetime
import itertools
import random
from pathlib import Path

import pytest

from timeline import axis
from timeline.axis import EM, LANES, MARK_GAP, build_axis, position_classes, text_width
from timeline.zoom import Window

DAY = datetime.timedelta(days=1)


def row(slug, start, stance="cooperation", citations=1, end=None, precision="day", title=None):
    title = title or f"Event {slug} with a label"
    return {
        "slug": slug,
        "title": title,
        "short_title": "",
        "start": start,
        "start_precision": precision,
        "end": end,
        "end_precision": "day" if end else "",
        "span_end": end or start,
        "approximate": False,
        "stance": stance,
        "citations": citations,
        "url": f"/events/{slug}/",
        "card": lambda: "",
        "colour_class": "theme-x",
    }


def url_for(**filters):
    return "/?" + "&".join(f"{name}={value}" for name, value in filters.items() if value)


def crowded(count, first=datetime.date(2021, 1, 1), days=180, seed=1):
    """``count`` events of every stance within ``days`` days."""
    rng = random.Random(seed)
    stances = ["cooperation", "confrontation", "mixed"]
    return [
        row(
            f"e{index}",
            first + DAY * rng.randrange(days),
            stance=stances[index % 3],
            citations=rng.randrange(3),
        )
        for index in range(count)
    ]


def test_a_window_of_three_years_or_more_is_whole_years_else_whole_months():
    years = Window.around(datetime.date(1987, 12, 8), datetime.date(2026, 2, 5))
    assert (years.by_year, years.label, years.filters()) == (
        True,
        "1987–2026",
        {"from": "1987", "to": "2026"},
    )
    months = Window.around(datetime.date(2021, 3, 17), datetime.date(2021, 5, 2))
    assert (months.by_year, months.label, months.filters()) == (
        False,
        "Mar 2021 – May 2021",
        {"from": "2021-03", "to": "2021-05"},
    )
    assert Window.around(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)).label == "2021"
    assert months.x(datetime.date(2021, 3, 1)) == 0
    assert months.x(datetime.date(2021, 6, 1)) == 100


def test_zooming_halves_or_doubles_the_years_around_the_middle_within_the_timeline():
    extent = Window.around(datetime.date(1987, 12, 8), datetime.date(2026, 2, 5))
    assert extent.zoomed_in().filters() == {"from": "1997", "to": "2016"}
    assert extent.zoomed_out(extent) is None  # already the whole timeline
    assert extent.panned(-1, extent) is None and extent.panned(1, extent) is None
    five = Window.around(datetime.date(2010, 1, 1), datetime.date(2014, 12, 31))
    assert five.zoomed_out(extent).filters() == {"from": "2008", "to": "2017"}
    assert five.zoomed_in().filters() == {"from": "2011-04", "to": "2013-09"}  # 30 months
    assert five.panned(1, extent).filters() == {"from": "2012", "to": "2016"}
    # Moving past either end stops at it, keeping the window's length.
    late = Window.around(datetime.date(2022, 1, 1), datetime.date(2026, 12, 31))
    assert late.panned(1, extent) is None
    assert late.zoomed_out(extent).filters() == {"from": "2017", "to": "2026"}
    month = Window.around(datetime.date(2021, 4, 1), datetime.date(2021, 4, 30))
    assert month.zoomed_in() is None  # a month is as close as it goes
    assert month.zoomed_out(extent).filters() == {"from": "2021-03", "to": "2021-04"}


def test_every_zoom_in_from_the_whole_timeline_reaches_a_month():
    window = Window.around(datetime.date(1987, 1, 1), datetime.date(2026, 12, 31))
    steps = 0
    while (closer := window.zoomed_in()) is not None:
        assert closer.months < window.months
        assert window.first <= closer.first and closer.end <= window.end + 1
        window, steps = closer, steps + 1
    assert window.months == 1 and steps < 12


def test_positions_are_classes_of_tens_units_and_tenths_of_a_percent():
    assert position_classes("x", 54.32) == "x5 xu4 xt3"
    assert position_classes("x", 7.0) == "x0 xu7"
    assert position_classes("w", 100.4) == "w10"
    assert position_classes("x", -3) == "x0"


def test_label_widths_are_estimated_generously():
    assert text_width("") == 0
    assert text_width("iiii") < text_width("WWWW")
    # DejaVu Sans, the widest usual system font, draws "New START signed" 9.4 em wide.
    assert 9.4 < text_width("New START signed") < 10.2
    assert text_width("Vrbětice") > text_width("Vrbetice")


def extents_by_lane(drawn):
    lanes = {}
    for mark in drawn:
        lanes.setdefault((mark.stance, mark.lane), []).append(mark.extent())
    for item_extents in lanes.values():
        item_extents.sort()
    return lanes


@pytest.mark.parametrize("count", [5, 40, 100])
def test_no_label_overlaps_another_in_its_lane_and_every_event_is_drawn_or_gathered(count):
    rows = crowded(count)
    window = Window.around(min(r["start"] for r in rows), max(r["span_end"] for r in rows))
    drawn_axis = build_axis(rows, [], window, url_for)
    gap = MARK_GAP * EM
    for spans in extents_by_lane(drawn_axis.marks).values():
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert right + gap <= left + 1e-9
    for mark in drawn_axis.marks:
        left, right = mark.extent()
        assert left >= -1 and right <= 101  # within the axis (half a shape at the ends)
    gathered = [mark.slug for cluster in drawn_axis.clusters for mark in cluster.marks]
    assert sorted([m.slug for m in drawn_axis.marks] + gathered) == sorted(r["slug"] for r in rows)
    assert sum(drawn_axis.lanes.values()) <= LANES + 2  # zones without events keep one lane
    # Clusters keep clear of each other and of the marks in their lane.
    for stance in ("cooperation", "mixed", "confrontation"):
        in_outer_lane = sorted(
            [c.extent() for c in drawn_axis.clusters if c.stance == stance]
            + [
                m.extent()
                for m in drawn_axis.marks
                if m.stance == stance and m.lane == drawn_axis.lanes[stance] - 1
            ]
        )
        for (_, right), (left, _) in itertools.pairwise(in_outer_lane):
            assert right + gap <= left + 1e-9


def test_where_lanes_run_short_the_most_cited_keep_their_labels():
    day = datetime.date(2021, 4, 15)
    rows = [row(f"minor-{n}", day, citations=0) for n in range(30)]
    rows.append(row("major", day, citations=3))
    drawn_axis = build_axis(rows, [], Window.around(day, day), url_for)
    assert "major" in [mark.slug for mark in drawn_axis.marks]
    (cluster,) = drawn_axis.clusters
    assert len(cluster.marks) == 31 - len(drawn_axis.marks)
    # A cluster leads to a closer look, or to the list once the window is a month already.
    assert cluster.url == "#event-list-start"


def test_a_cluster_zooms_in_on_its_events():
    rows = crowded(100, first=datetime.date(2010, 1, 1), days=3 * 365, seed=3)
    window = Window.around(datetime.date(1990, 1, 1), datetime.date(2026, 12, 31))
    drawn_axis = build_axis(rows, [], window, url_for)
    assert drawn_axis.clusters
    for cluster in drawn_axis.clusters:
        zoomed = Window.around(cluster.first_day, cluster.last_day)
        assert cluster.url == url_for(**zoomed.filters())
        assert f'aria-label="{len(cluster.marks)} more' in cluster.html()


def test_a_lone_left_out_event_is_drawn_in_the_clusters_lane_rather_than_as_plus_one():
    base = datetime.date(2000, 1, 1)
    crowd = [row(f"c{n}", base + DAY * n, citations=2) for n in range(40)]
    lone = row("lone", datetime.date(2020, 6, 1), citations=0)
    window = Window.around(datetime.date(1990, 1, 1), datetime.date(2026, 12, 31))
    drawn_axis = build_axis([*crowd, lone], [], window, url_for)
    assert "lone" in [mark.slug for mark in drawn_axis.marks]
    assert all(len(cluster.marks) > 1 or cluster.x < 50 for cluster in drawn_axis.clusters)


def test_position_says_the_stance_and_labels_near_the_right_edge_turn_left():
    day = datetime.date(2026, 12, 20)
    rows = [
        row("up", datetime.date(2026, 1, 10)),
        row("down", datetime.date(2026, 2, 10), stance="confrontation"),
        row("middle", datetime.date(2026, 3, 10), stance="mixed"),
        row("late", day),
    ]
    drawn_axis = build_axis(rows, [], Window.around(datetime.date(2024, 1, 1), day), url_for)
    html = {mark.slug: mark.html() for mark in drawn_axis.marks}
    assert 'class="mark z-up ' in html["up"]
    assert 'class="mark z-down ' in html["down"]
    assert 'class="mark z-mid ' in html["middle"]
    assert "mark--flip" in html["late"] and "mark--flip" not in html["up"]


def test_spans_and_vague_dates_are_drawn_as_bars():
    start = datetime.date(2012, 1, 1)
    rows = [
        row("span", start, end=datetime.date(2013, 6, 30)),
        row("month", datetime.date(2012, 9, 1), precision="month"),
    ]
    rows[1]["span_end"] = datetime.date(2012, 9, 30)
    drawn_axis = build_axis(rows, [], Window.around(start, datetime.date(2014, 12, 31)), url_for)
    html = {mark.slug: mark.html() for mark in drawn_axis.marks}
    assert "mark--span" in html["span"] and " w4 wu9 " in html["span"]  # 18 of 36 months
    assert "mark--vague" in html["month"]


def test_density_bars_count_by_year_or_by_month():
    counts = {(2012, 9): 3, (2012, 12): 1, (2013, 1): 6}
    by_year = axis.density_axis(
        counts, [], Window.around(datetime.date(2000, 1, 1), datetime.date(2020, 12, 31)), url_for
    )
    assert [(bar.label, bar.count, bar.height) for bar in by_year.density] == [
        ("2012", 4, 66),
        ("2013", 6, 100),
    ]
    by_month = axis.density_axis(
        counts, [], Window.around(datetime.date(2012, 1, 1), datetime.date(2013, 6, 30)), url_for
    )
    assert [bar.label for bar in by_month.density] == ["Sep 2012", "Dec 2012", "Jan 2013"]
    assert by_month.density[0].url == url_for(**{"from": "2012-09", "to": "2012-09"})


def test_the_stylesheet_places_every_position_the_axis_writes():
    css = (Path(__file__).resolve().parents[1] / "static/css/app.css").read_text()
    for place in ("x", "w"):
        for tens in range(11):
            assert f".{place}{tens}{{--{place}a:{tens * 10}%}}" in css
        for digit in range(1, 10):
            assert f".{place}u{digit}{{--{place}b:{digit}%}}" in css
            assert f".{place}t{digit}{{--{place}c:.{digit}%}}" in css
    for lanes in range(LANES + 1):
        assert all(f".{zone}{lanes}{{--{zone}:{lanes}}}" in css for zone in ("up", "mid", "down"))
        assert f".l{lanes}{{--l:{lanes}}}" in css or lanes == LANES
    for height in range(2, 101, 2):
        assert f".h{height}{{--h:{height}}}" in css
    # The label font and the zone labels' column, which every label's width depends on.
    assert f"font-size: {axis.FONT_PER_WIDTH * 100:g}cqi;" in css
    assert f"margin-left: {axis.GUTTER:g}em;" in css
