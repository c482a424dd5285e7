"""How many SMS segments a text takes, and a text cut to fit them.

A text that fits the GSM-7 alphabet travels 160 characters in one segment, or 153 a
segment once split (the rest carries the header that joins them). Anything else is
sent as UCS-2: 70 characters in one segment, 67 a segment once split. Carriers bill, and
some phones show, each segment: a message never takes more than MAX_SEGMENTS.
"""

from __future__ import annotations

import re

MAX_SEGMENTS = 2

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each: an escape, then the character

# Typography in our templates and snippets that has a plain GSM-7 twin. Sent as they are,
# one curly apostrophe would make the whole message UCS-2 and halve what fits.
_PLAIN_TWINS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_TRAILING_URL = re.compile(r"(?:^|\s)(https?://\S+)\s*\Z")


def plain_typography(text: str) -> str:
    """The text with its curly quotes, dashes and special spaces in their GSM-7 twins."""
    return text.translate(_PLAIN_TWINS)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def segment_count(text: str) -> int:
    """How many SMS segments the text takes, packed as the network splits it."""
    if is_gsm7(text):
        units = [2 if char in GSM7_EXTENDED else 1 for char in text]
        single, split = 160, 153
    else:
        units = [2 if ord(char) > 0xFFFF else 1 for char in text]  # surrogate pairs
        single, split = 70, 67
    if sum(units) <= single:
        return 1
    # An escaped character or a surrogate pair is never cut in two across segments.
    segments, used = 1, 0
    for size in units:
        if used + size > split:
            segments, used = segments + 1, 0
        used += size
    return segments


def fit_to_segments(text: str, *, max_segments: int = MAX_SEGMENTS) -> str:
    """The text in at most `max_segments`, shortened at a word with an ellipsis if need be.

    A link at the end survives whole: a cut link is worse than no link.
    """
    text = plain_typography(text).strip()
    if segment_count(text) <= max_segments:
        return text
    match = _TRAILING_URL.search(text)
    head, tail = (text[: match.start()], " " + match.group(1)) if match else (text, "")
    ellipsis = "..." if is_gsm7(text) else "…"

    def candidate(length: int) -> str:
        return head[:length].rstrip() + ellipsis + tail

    if segment_count(candidate(0)) > max_segments:  # the link alone is too long to keep
        head, tail = text, ""
    # Longer prefixes never take fewer segments, so search for the longest that fits.
    low, high = 0, len(head)
    while low < high:
        middle = (low + high + 1) // 2
        if segment_count(candidate(middle)) <= max_segments:
            low = middle
        else:
            high = middle - 1
    cut = head[:low]
    if low < len(head) and not head[low].isspace():
        # Mid-word: go back to the last space unless that throws away a lot.
        space = cut.rfind(" ")
        if space > 0 and space >= len(cut) - 20:
            cut = cut[:space]
    result = cut.rstrip(" ,;:-.\n") + ellipsis + tail
    # Going back to a word boundary moves where two-unit characters fall on segment
    # borders; shorten further in the rare case that costs a segment.
    while segment_count(result) > max_segments and cut:
        cut = cut[:-1]
        result = cut.rstrip(" ,;:-.\n") + ellipsis + tail
    return result
