"""Word tables that more than one stage reads: month names and number words.

Each table is stated once here; the stages build their own patterns from it.
"""

from __future__ import annotations

# Month names and their usual abbreviations, capitalised as written in prose.
MONTHS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        (
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ),
        start=1,
    )
    for name in names
}
# The same, lower-cased: for rules that read tokens, which compare case-folded.
MONTHS_LOWER: dict[str, int] = {name.lower(): number for name, number in MONTHS.items()}

WEEKDAYS: dict[str, int] = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}

# Cardinal number words: 'zero' to 'nineteen', then the tens.
ONES: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS: dict[str, int] = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
MULTIPLIERS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "dozen": 12.0,
}
