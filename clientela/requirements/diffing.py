"""Word-level comparison of two versions of a text, for the side-by-side view of two requirement
versions. Pure functions: the template marks removed words with <del> and added ones with <ins>."""

import difflib
import re
from dataclasses import dataclass

# Words with their trailing spaces stay together, so the diff reads naturally and joins back exactly.
TOKEN = re.compile(r"\S+\s*|\s+")

EQUAL, REMOVED, ADDED = "equal", "removed", "added"


@dataclass(frozen=True)
class Segment:
    kind: str  # equal | removed | added
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: list[Segment]
    new: list[Segment]

    @property
    def changed(self) -> bool:
        return any(s.kind != EQUAL for s in self.old + self.new)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(segment.kind, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """The old text as equal/removed segments and the new text as equal/added segments.

    Joining the old side gives `old` back exactly, and the new side gives `new`.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=[t.strip() for t in a], b=[t.strip() for t in b], autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Segment(EQUAL, "".join(a[i1:i2])))
            right.append(Segment(EQUAL, "".join(b[j1:j2])))
        else:
            left.append(Segment(REMOVED, "".join(a[i1:i2])))
            right.append(Segment(ADDED, "".join(b[j1:j2])))
    return _merge(left), _merge(right)


def compare_fields(old: dict[str, str], new: dict[str, str], labels: dict[str, str]) -> list[FieldDiff]:
    """A FieldDiff per field in `labels`, in that order."""
    diffs = []
    for name, label in labels.items():
        left, right = word_diff(str(old.get(name) or ""), str(new.get(name) or ""))
        diffs.append(FieldDiff(name, label, left, right))
    return diffs
