"""A check for text that looks like it could identify a patient, run before a post is saved.

It cannot be sure either way, so it never refuses: it names what it saw, and the author
edits the post or confirms that no patient can be identified. It errs towards asking."""

from __future__ import annotations

import re

_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}"
_PHONE = r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}"
# Two capitalised words, or a title and a name: "Jane Doe", "Mr. Smith".
_NAME = r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr)\.? [A-Z][a-z]+|\b[A-Z][a-z]+ [A-Z][a-z]+)"

CHECKS = [
    (
        "a medical record number",
        re.compile(r"\b(?:MRN|MR#|medical record(?: number| no\.?| #)?)\s*[:#]?\s*\d{4,}", re.I),
    ),
    (
        "a date of birth",
        re.compile(rf"\b(?:DOB|D\.O\.B\.|date of birth|born(?: on)?)\s*[:]?\s*(?:{_DATE})", re.I),
    ),
    ("a social security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    (
        "a phone number next to a name",
        re.compile(rf"{_NAME}.{{0,40}}?{_PHONE}|{_PHONE}.{{0,40}}?{_NAME}", re.S),
    ),
]


def possible_patient_details(text: str) -> list[str]:
    """What in the text might identify a patient, in words for the author ("a date of
    birth"), each named once; empty when nothing was seen."""
    return [label for label, pattern in CHECKS if pattern.search(text)]
