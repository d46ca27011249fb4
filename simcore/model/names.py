"""Names that end up in outputs: candidates, slates, regions, strategies.

Outputs show names as table cells and column names (``seats_<slate id>``), so a name must be
one readable line, and two names must not read the same.  The rules, in one place:

* no control characters (newlines, tabs inside a scenario's names, escape codes...) and no
  line or paragraph separators (ballot files may hold tabs and C1 controls: see
  :func:`name_problem`); a name is not empty or all spaces;
* two candidates (slates, regions...) are the same name if they are equal after collapsing
  runs of whitespace (:func:`collapse`);
* the candidates on no slate are shown as the group :data:`NO_SLATE_LABEL` in summaries and
  counted in the column ``seats_``:data:`NO_SLATE_ID`: a slate's id or name whose
  :func:`label_key` is that of either would read as the independents, and is refused.
  Slate ids (column names) and slate names (summary groups) must also differ from each other
  by :func:`label_key`, which ignores case and treats spaces, ``_`` and ``-`` alike: tools that
  read the output files by column name often ignore case too.
"""

from __future__ import annotations

import re
import unicodedata

NO_SLATE_LABEL = "no slate"  # the summaries' group of candidates on no slate
NO_SLATE_ID = "no_slate"  # ... and its column, seats_no_slate
_SEPARATORS = re.compile(r"[\s_\-]+")
_BAD_CATEGORIES = ("Cc", "Zl", "Zp")  # control characters, line and paragraph separators


def collapse(name: str) -> str:
    """The name with runs of whitespace made one space, and no space at either end."""
    return " ".join(name.split())


def label_key(name: str) -> str:
    """What a label reads as: case, and runs of spaces, ``_`` and ``-``, ignored."""
    return _SEPARATORS.sub(" ", name.casefold()).strip()


RESERVED_SLATE_KEYS = frozenset({label_key(NO_SLATE_LABEL), label_key(NO_SLATE_ID)})


def name_problem(name: str, *, ballot_file: bool = False) -> str | None:
    """Why ``name`` cannot be a name (None if it can).  ``ballot_file``: a name read from a
    ballot file, whose tabs are collapsed with the other whitespace and which may hold C1
    control characters (U+0080..U+009F: published files hold names mis-decoded from another
    encoding); the other control characters and line breaks are refused there too."""
    for ch in name:
        if ballot_file and (ch == "\t" or ("\x80" <= ch <= "\x9f" and ch != "\x85")):
            continue
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            return (
                f"must not contain control characters or line breaks (found U+{ord(ch):04X}); "
                "a name is one line of text"
            )
    if not name.strip():
        return "must not be empty"
    return None


def is_reserved_slate(label: str) -> bool:
    """Whether a slate id or name reads as the independents' group (``no slate``)."""
    return label_key(label) in RESERVED_SLATE_KEYS
