"""Reading the timeline's HTML as a reader's eye sorts it: the list, and the axis."""

from lxml import html as lxml_html


def _tree(content):
    text = content.decode() if isinstance(content, bytes) else content
    return lxml_html.fromstring(f"<div>{text}</div>")


def listed_slugs(content) -> list[str]:
    """The slugs of the events in the list, in list order (page, fragment or next page)."""
    return _tree(content).xpath("//article[@data-event-slug]/@data-event-slug")


def drawn_slugs(content) -> list[str]:
    """The slugs of the events drawn on the axis, in time order."""
    return _tree(content).xpath('//*[@id="axis"]//li[@data-event-slug]/@data-event-slug')
