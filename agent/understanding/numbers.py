"""Numbers as people type them: "2.5M", "1.2bn", "40,000", "~1,500", "two million",
"a couple hundred thousand", "half a million". A small hand-written parser: the ones on PyPI
(word2number, text2num) reject the "a couple hundred" forms and parse digits and words apart."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SCALE_WORDS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mil": 1e6,
    "mill": 1e6,
    "mln": 1e6,
    "mio": 1e6,
    "grand": 1e3,
    "mn": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}

# Digits, optional thousands separators and decimals, then an optional scale: letters only when
# glued to the number ("5M", "1.2bn"), words also after a space ("5 million"). The number must not
# sit inside a word ("h100", "gpt4o", "v5e"), which the look-behind and look-ahead enforce.
_DIGITS = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3},\d{1,2}(?=\s?(?:€|eur\b|euros?\b|million|mio\b|mil\b|billion|bn\b|thousand|\$|usd\b|reais\b|brl\b)|[km]\b)"
    r"|[1-9]\d{0,2}\.\d{3}(?=\s?(?:€|eur\b|euros?\b|tokens?\b))"  # "23.500 EUR", "1.100 tokens"
    r"|[1-9]\d{0,2}(?: \d{3}){1,3}(?![\d.,])(?=\s+[a-z€])"  # "50 000 conversations": spaces as separators
    r"|0,\d+(?![\d,])|\d{1,3}(?:,\d{3})+(?:\.\d+)?|[1-9]\d{0,2}(?:\.\d{3}){2,}|\d+(?:\.\d+)?|\.\d+)"
    r"(?:(?P<glued>k|m|mm|mn|bn|b|t|tn|mil|mill|mln|mio)(?![a-z])"
    r"|\s?(?P<word>thousand|million|mill|mil|mln|mio|billion|bn|trillion|grand|lakh|crore)s?\b"
    # "2.4 M tokens per day": a scale letter apart from the number, before what it counts
    r"|\s(?P<spaced>k|m|bn|mn)(?=\s+(?:tokens?|toks?|requests?|reqs?|calls?|input|output)\b|€))?",  # "18 k€"
    re.IGNORECASE,
)

# dots as thousands separators: several groups, or one group of "000" (nobody writes 15.000 for 15)
_EURO_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3}){2,}$|^[1-9]\d{0,2}\.000$")
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half(?:\s+(thousand|million|billion))?\b", re.IGNORECASE)
_EURO_DECIMAL = re.compile(r"^\d{1,3},\d{1,2}$|^0,\d+$")
_LETTERS = re.compile(r"[a-z]+", re.IGNORECASE)
# letters that may follow a number directly and are a unit, not part of a name
_UNIT_SUFFIXES = {
    "ms", "s", "sec", "secs", "x", "h", "hr", "hrs", "d", "w", "wk", "wks", "y", "yr", "yrs",
    "mo", "mos", "mth", "mths", "tok", "toks", "tokens", "gb", "g", "gig", "gigs", "rps", "qps",
    "rpm", "pm", "am", "pa", "usd", "eur", "gbp", "req", "reqs", "bp", "bps",
}  # fmt: skip

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_BIG = {"thousand": 1e3, "grand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NOT_ONE_AFTER = frozenset({"each", "the", "which", "that", "this", "no", "any", "every", "than"})
_AND_AFTER = frozenset({"hundred", *_BIG})
_VAGUE = {"couple": 2, "few": 3}  # only before a scale word: "a couple hundred thousand"
_WORD = re.compile(
    r"[a-z]+", re.IGNORECASE
)  # "twenty-five" is two words; "three-year" keeps "three"


@dataclass(frozen=True)
class NumberToken:
    start: int
    end: int
    value: float
    text: str
    scale: str | None  # the scale as written ("m", "bn", "million", "b"), lower-case; None if plain
    from_words: bool = False
    separated: bool = False  # written with thousands separators ("40,000")

    @property
    def glued_b(self) -> bool:
        """Written like a model size: "70B", "8b" (a single glued b)."""
        return self.scale == "b"


def _word_number(words: list[str]) -> tuple[float, int] | None:
    """Parse a run of number words from the start of ``words``; returns (value, words used)."""
    total = 0.0
    current = 0.0
    used = 0
    seen_number = False
    i = 0
    while i < len(words):
        w = words[i].lower()
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if (
            w in ("a", "an")
            and not seen_number
            and (nxt in _BIG or nxt == "hundred" or nxt in _VAGUE)
            and nxt != "grand"  # "a grand scheme"
        ):
            current = 1
            i += 1
            continue
        if (
            w == "half"
            and not seen_number
            and nxt in ("a", "an")
            and i + 2 < len(words)
            and words[i + 2].lower() in _BIG
        ):
            total += 0.5 * _BIG[words[i + 2].lower()]
            i += 3
            used = i
            seen_number = True
            break
        if w in _VAGUE and (nxt in _BIG or nxt == "hundred"):
            current = _VAGUE[w]
            seen_number = True
        elif w == "of" and seen_number is False:
            break
        elif "-" in w and all(p in _UNITS for p in w.split("-")):
            current += sum(_UNITS[p] for p in w.split("-"))
            seen_number = True
        elif w in _UNITS:
            current += _UNITS[w]
            seen_number = True
        elif w == "hundred" and (seen_number or current):
            current = (current or 1) * 100
            seen_number = True
        elif w in _BIG and (seen_number or current):
            total += (current or 1) * _BIG[w]
            current = 0
            seen_number = True
        elif w == "and" and seen_number and nxt in _UNITS and words[i - 1].lower() in _AND_AFTER:
            pass  # "a hundred and fifty", not "two and three"
        elif (
            w == "and"
            and seen_number
            and nxt in ("a", "one")
            and i + 2 < len(words)
            and words[i + 2].lower() == "half"
        ):
            current += 0.5  # "two and a half years"
            i += 3
            used = i
            continue
        elif w == "point" and seen_number and nxt in _UNITS and _UNITS[nxt] < 10:
            digits = []
            k = i + 1
            while k < len(words) and words[k].lower() in _UNITS and _UNITS[words[k].lower()] < 10:
                digits.append(str(_UNITS[words[k].lower()]))
                k += 1
            current += float("0." + "".join(digits))
            i = k
            used = i
            continue
        else:
            break
        i += 1
        used = i
    if not seen_number or used == 0:
        return None
    return total + current, used


def find_numbers(text: str) -> list[NumberToken]:
    """All numbers in ``text``, digits and words, in order and non-overlapping."""
    tokens: list[NumberToken] = []
    for m in _DIGITS.finditer(text):
        glued_letters = _LETTERS.match(text, m.end())
        if glued_letters and glued_letters.group(0).lower() not in _UNIT_SUFFIXES:
            continue  # part of a word or name: "4o", "3rd"
        raw = m.group("num")
        if (
            _EURO_THOUSANDS.match(raw)
            or re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", raw)
            and re.match(r"\s?(?:€|eur\b|euros?\b|tokens?\b)", text[m.end() :], re.IGNORECASE)
        ):
            value = float(raw.replace(".", ""))  # "15.000 EUR", "1.200.000", "1.100 tokens"
        elif " " in raw:
            value = float(raw.replace(" ", ""))  # "50 000"
        elif _EURO_DECIMAL.match(raw):
            value = float(raw.replace(",", "."))  # "0,95 EUR", "1,2 million"
        else:
            value = float(raw.replace(",", ""))
        scale = (m.group("glued") or m.group("word") or m.group("spaced") or "").lower() or None
        if scale:
            value *= _SCALE_WORDS[scale]
        if not math.isfinite(value):
            continue  # "9" * 400: no quantity anyone means
        tokens.append(
            NumberToken(
                m.start(),
                m.end(),
                value,
                m.group(0),
                scale,
                separated=bool(re.search(r"[, ]", raw)),
            )
        )
    # "3 and a half million": digits continued in words
    for k, t in enumerate(tokens):
        ah = _AND_A_HALF.match(text, t.end)
        if ah and t.scale is None and not t.separated:
            scale = (ah.group(1) or "").lower() or None
            value = (t.value + 0.5) * (_SCALE_WORDS[scale] if scale else 1)
            tokens[k] = NumberToken(t.start, ah.end(), value, text[t.start : ah.end()], scale)
    # number words, outside the digit spans
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        w = words[i].group(0).lower()
        if w in _UNITS or w in ("a", "an", "half") or w in _VAGUE:
            parsed = _word_number([x.group(0) for x in words[i : i + 8]])
            if parsed is not None:
                value, used = parsed
                start, end = words[i].start(), words[i + used - 1].end()
                if used == 1 and w == "one":
                    prev = words[i - 1].group(0).lower() if i else ""
                    # "the one", "more than one gpu": no count anyone sets
                    if prev in _NOT_ONE_AFTER:
                        i += 1
                        continue
                if not any(t.start < end and start < t.end for t in tokens):
                    # "2 million" is already a digit token; words joined to digits are not doubled
                    scale = words[i + used - 1].group(0).lower()
                    tokens.append(
                        NumberToken(
                            start,
                            end,
                            value,
                            text[start:end],
                            scale if scale in _BIG else None,
                            True,
                        )
                    )
                i += used
                continue
        i += 1
    tokens.sort(key=lambda t: t.start)
    out: list[NumberToken] = []
    for t in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.from_words
            and not t.from_words
            and prev.value == t.value
            and re.fullmatch(r"\s*\(\s*", text[prev.end : t.start])
            and text[t.end : t.end + 1] == ")"
        ):  # "twenty-four (24) months": one number, written twice
            out[-1] = NumberToken(
                prev.start, t.end + 1, t.value, text[prev.start : t.end + 1], t.scale
            )
            continue
        out.append(t)
    return out
