"""The admin's forms filled in as a browser submits them, for the load script and the
deployment tests' visitor, which drive the site over real HTTP."""

import re
from html.parser import HTMLParser


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class FormFields(HTMLParser):
    """The fields a browser would submit from a form (the first in the HTML given)."""

    def __init__(self, html: str):
        super().__init__()
        self.fields, self._select, self._textarea = [], None, None
        self.feed(html.split("</form>", 1)[0])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if not name or "__prefix__" in name:
            if tag == "option" and self._select and "selected" in attrs:
                self.fields.append((self._select, attrs.get("value", "")))
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "select":
            self._select = name

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Django's widget writes a line break after <textarea>, which browsers drop.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
