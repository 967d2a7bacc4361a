"""An iCalendar file written line by line: every value escaped and typed by icalendar's own
value classes, and the lines folded here, a line at a time rather than a character at a time
(icalendar folds by walking each character, seconds for a calendar of 10,000 events).
tests/test_exports.py reads every file back with icalendar's parser."""

CRLF = b"\r\n"
# Octets of text per line, as icalendar writes them: under RFC 5545's 75 with the space that
# opens a continued line.
PIECE = 74
BACKSLASH = 0x5C


def folded(line: bytes) -> bytes:
    """The line in pieces of at most 74 octets, each after the first opening with a space;
    never inside a UTF-8 character or just after an escaping backslash."""
    if len(line) <= PIECE:
        return line
    pieces, start = [], 0
    while len(line) - start > PIECE:
        end = start + PIECE
        while line[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            end -= 1
        if line[end - 1] == BACKSLASH:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def content_line(name: str, value) -> bytes:
    """``name`` (with its parameters: "DTSTART;VALUE=DATE") and an icalendar value."""
    return folded(name.encode() + b":" + value.to_ical()) + CRLF


def component(name: str, properties: list[tuple[str, object]], inner=b"") -> bytes:
    """BEGIN:name, each (property, value) pair, ``inner`` components, END:name."""
    lines = [f"BEGIN:{name}".encode() + CRLF]
    lines += [content_line(prop, value) for prop, value in properties]
    return b"".join(lines) + inner + f"END:{name}".encode() + CRLF
