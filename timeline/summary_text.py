from .snapshot import CITED


def summary_text(filterset, figures) -> str:
    """ "23 events · 2012–2014 · Arms control · cited by 4 essays" """
    counted = counted_parts(figures)
    return " · ".join([*counted[:2], *view_parts(filterset), *counted[2:]])


def counted_parts(figures) -> list[str]:
    """How many events, which years they span and how many essays cite them (those two
    only when there are events)."""
    total = figures["total"]
    parts = [f"{total} event" if total == 1 else f"{total} events"]
    if total:
        first, last = figures["first"].year, figures["last"].year
        parts.append(str(first) if first == last else f"{first}–{last}")
        essays = figures["essays"]
        parts.append(f"cited by {essays} essay" if essays == 1 else f"cited by {essays} essays")
    return parts


def view_parts(filterset) -> list[str]:
    """What the filters choose, in words: themes, period, stance, citations, essay, search."""
    parts, values = [], filterset.values
    if themes := filterset.selected_themes:
        parts.append(" or ".join(theme.name for theme in themes))
    if period := filterset.selected_period:
        parts.append(period.name)
    if stance := values.get("stance"):
        parts.append(stance.capitalize())
    if cited := values.get("cited"):
        parts.append(CITED[cited].lower())
    if essay := filterset.selected_essay:
        parts.append(f"in “{essay.title}”")
    if values.get("q"):
        parts.append(f"matching “{values['q']}”")
    return parts
