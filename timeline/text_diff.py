"""Two versions of a text, each with what differs from the other marked, word by word."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words and the spaces between them, so the marked texts keep their spacing.
TOKENS = re.compile(r"\s+|[^\s]+")


def marked_versions(old: str, new: str) -> tuple[SafeString, SafeString]:
    """(old with <del> round what the new one drops, new with <ins> round what it adds)."""
    old_words, new_words = TOKENS.findall(old), TOKENS.findall(new)
    old_parts, new_parts = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        dropped = escape("".join(old_words[a_start:a_end]))
        added = escape("".join(new_words[b_start:b_end]))
        if tag == "equal":
            old_parts.append(dropped)
            new_parts.append(added)
            continue
        if dropped:
            old_parts.append(f"<del>{dropped}</del>")
        if added:
            new_parts.append(f"<ins>{added}</ins>")
    return mark_safe("".join(old_parts)), mark_safe("".join(new_parts))  # every part escaped
