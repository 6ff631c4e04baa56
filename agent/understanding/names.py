"""Model and GPU names in free text ("gpt4o", "claude sonnet", "h-100", "A100 80 gig"), matched
against a catalogue: exact normalised aliases first, then rapidfuzz for near misses. Words that
look like a name but match nothing are reported as unknown, never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .model import NameKind, NameMatch, Span, UnknownName

# Families whose bare mention starts a name ("llama 3 8b", "falcon 180b"); a family word alone
# ("a fine-tuned llama") names no particular model and is neither matched nor reported.
FAMILIES = frozenset(
    [
        "gpt",
        "gtp",
        "lama",
        "calude",
        "chatgpt",
        "claude",
        "sonnet",
        "opus",
        "haiku",
        "gemini",
        "gemma",
        "llama",
        "mistral",
        "mixtral",
        "codestral",
        "falcon",
        "qwen",
        "phi",
        "deepseek",
        "grok",
        "command",
        "titan",
        "nova",
        "jamba",
        "palm",
        "bard",
        "yi",
        "olmo",
        "vicuna",
        "nemotron",
        "kimi",
        "glm",
        "tpu",
        "gaudi",
        "trainium",
        "inferentia",
        "rtx",
        "radeon",
        "instinct",
        "tesla",
        "nvidia",
    ]
)
# Accelerator families that name a kind of hardware even alone ("running it on tpus"): reported
# as unknown when the catalogue has no entry for them.
BARE_HARDWARE = frozenset(["tpu", "gaudi", "trainium", "inferentia"])
# Words that continue a name after its family or version ("gpt-4o mini", "grok 9 turbo").
MODIFIERS = frozenset(
    [
        "mini",
        "nano",
        "turbo",
        "pro",
        "flash",
        "lite",
        "instruct",
        "chat",
        "large",
        "small",
        "medium",
        "max",
        "plus",
        "ultra",
        "sonnet",
        "opus",
        "haiku",
        "sxm",
        "sxm4",
        "sxm5",
        "pcie",
        "nvl",
        "base",
        "ada",
    ]
)
# GPU-ish tokens: letters then digits ("mi300x", "b200", "v100", "h100s"); not percentiles, not
# business shorthand ("B2B", "e2e", "k8s", "CO2", "b4"), rule books ("PSD2", "NIS2", "EU261",
# "SOC2", "ISO27001"), number formats ("int4") or airliners ("A380")
_GPU_LIKE = re.compile(
    r"^(?!p\d|q\d|x\d|v\d$|sub\d|b2[bcg]$|e2e$|k8s$|co2$|h2o$|b4$|psd\d$|nis\d$|eu\d{3}$|soc\d$"
    r"|iso\d+$|int\d+$|a3[1-8]\d$)[a-z]{1,3}\d{1,4}[a-z]{0,2}$"
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-_/:][a-z0-9]+)*")
# a "+" ending a word may end a name ("command r+" is Command R+), one joining two does not ("4o+rag")
_PLUS_ENDS = re.compile(r"\+(?![a-z0-9])")
_GIGABYTES = r"\s*(?:gigs?|gb|g)"
_GIG = re.compile(rf"(?<=\d){_GIGABYTES}\b")
# the memory said before a GPU's name: "two 40 gig A100s", "the 24GB L4"
_MEMORY_BEFORE = re.compile(rf"\b(\d{{2,3}}){_GIGABYTES}\s*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

_KIND_PRIORITY = {"gpu": 0, "open_model": 1, "api_model": 2}
FUZZY_CUTOFF = 88.0  # rapidfuzz ratio (0-100) above which a near miss counts as the catalogue name
MAX_NGRAM = 5
MAX_SUGGESTED = 5  # unknown names per message that get "did you mean" suggestions


def normalise_name(text: str) -> str:
    """Lower-case, "80 gig" -> "80gb", "+" -> "plus", and drop everything but letters and digits."""
    text = _GIG.sub("gb", text.lower()).replace("+", "plus")
    return _NON_ALNUM.sub("", text)


@dataclass(frozen=True)
class CatalogEntry:
    """One nameable thing: its canonical id, kind and every way people write it."""

    id: str
    kind: NameKind
    name: str = ""
    aliases: tuple[str, ...] = ()
    rank: int = 0  # lower wins when two entries of a kind share an alias (first-party APIs first)
    suggest: bool = True  # offered as "did you mean"; resellers' copies of a model are not


@dataclass
class NameCatalog:
    """Canonical ids with their aliases, indexed for exact and fuzzy lookup."""

    entries: tuple[CatalogEntry, ...]
    _exact: dict[str, list[CatalogEntry]] = field(init=False, repr=False)
    _keys: list[str] = field(init=False, repr=False)
    _prefixes: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.entries = tuple(self.entries)
        exact: dict[str, list[CatalogEntry]] = {}
        for entry in self.entries:
            for alias in (entry.id, entry.name, *entry.aliases):
                key = normalise_name(alias)
                if len(key) < 2:
                    continue
                bucket = exact.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)
        for bucket in exact.values():
            bucket.sort(key=lambda e: (_KIND_PRIORITY[e.kind], e.rank, e.id))
        self._exact = exact
        self._keys = sorted(exact)
        self._prefixes = frozenset(k[:n] for k in exact for n in range(1, len(k) + 1))

    def lookup(self, text: str) -> CatalogEntry | None:
        """The entry whose alias is exactly ``text`` once normalised, or None."""
        return self.at_key(normalise_name(text))

    def at_key(self, key: str) -> CatalogEntry | None:
        """The entry whose normalised alias is ``key``, or None."""
        bucket = self._exact.get(key)
        return bucket[0] if bucket else None

    def is_prefix(self, key: str) -> bool:
        """Whether some alias starts with ``key`` (normalised)."""
        return key in self._prefixes

    def ids(self, kind: str | None = None) -> list[str]:
        return [e.id for e in self.entries if kind is None or e.kind == kind]

    def alternatives(self, key: str) -> tuple[str, ...]:
        return tuple(e.id for e in self._exact.get(key, [])[1:4])

    def fuzzy(self, text: str, cutoff: float = FUZZY_CUTOFF) -> tuple[CatalogEntry, float] | None:
        key = normalise_name(text)
        if len(key) < 3:
            return None
        digits = re.sub(r"\D", "", key)
        for found, score, _ in process.extract(
            key, self._keys, scorer=fuzz.ratio, limit=5, score_cutoff=cutoff
        ):
            # a typo may change letters, never the version or size: "gpt-5.9 mini" is not gpt-5-mini
            if re.sub(r"\D", "", found) == digits:
                return self._exact[found][0], score / 100.0
        return None

    def suggestions(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """Close catalogue ids for an unknown name: within its family when the family is known
        ("grok-9" -> grok models), GPUs for GPU-like words, else only close spellings."""
        key = normalise_name(text)
        pool = [k for k in self._keys if any(e.suggest for e in self._exact[k])]
        family = re.match(r"[a-z]+", key)
        same_family = (
            [k for k in pool if family and k.startswith(family.group(0))] if family else []
        )
        if same_family and len(family.group(0)) >= 3:
            pool, cutoff = same_family, 40
        elif _GPU_LIKE.match(text.lower().strip()):
            pool, cutoff = [k for k in pool if self._exact[k][0].kind == "gpu"], 60
        else:
            cutoff = 75
        hits = process.extract(key, pool, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=cutoff)
        out: list[str] = []
        for k, _score, _i in hits:
            eid = self._exact[k][0].id
            if eid not in out:
                out.append(eid)
        return tuple(out[:limit])


# Colloquial names that the catalogues do not carry; added only when the target exists.
COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "anthropic/claude-3-5-sonnet": ("claude sonnet", "sonnet", "claude 3.5 sonnet", "sonnet 3.5"),
    "anthropic/claude-3-opus-latest": ("claude opus", "opus"),
    "anthropic/claude-3-haiku": ("claude haiku", "haiku"),
    "openai/gpt-4o": ("4o", "gpt 4o", "gpt-4 o"),
    "openai/gpt-4o-mini": ("4o mini", "4o-mini", "gpt 4o mini", "gpt4o-mini"),
}


#: People name Claude models by family and version, "sonnet 4.5", "opus 4.1", "haiku 3.5",
#: whichever order the id has ("claude-sonnet-4-5", "claude-3-5-haiku"); without these aliases
#: "sonnet" alone would match claude 3.5 sonnet and leave the version behind
_CLAUDE_FAMILY_FIRST = re.compile(r"claude-(sonnet|opus|haiku)-(\d+)(?:-(\d))?")
_CLAUDE_VERSION_FIRST = re.compile(r"claude-(\d+)(?:-(\d))?-(sonnet|opus|haiku)(?:-latest)?")


#: Gemini and GPT-4.1 variants go by version alone too: "2.0 flash", "1.5 pro", "4.1 mini" (a
#: bare "4.1" only where a model would stand: _bare_gpt41), and Gemini's by variant first,
#: "gemini flash 2.0"
_GEMINI = re.compile(r"gemini-(\d(?:\.\d)?)-(flash|pro)(-lite)?")
_GPT_41 = re.compile(r"gpt-4\.1-(mini|nano)")


def _family_version_aliases(bare: str) -> tuple[str, ...]:
    if m := _GEMINI.fullmatch(bare):
        version, variant, lite = m.groups()
        lite = " lite" if lite else ""
        return (f"{version} {variant}{lite}", f"gemini {variant}{lite} {version}")
    if m := _GPT_41.fullmatch(bare):
        return (f"4.1 {m.group(1)}",)
    if m := _CLAUDE_FAMILY_FIRST.fullmatch(bare):
        family, major, minor = m.groups()
    elif m := _CLAUDE_VERSION_FIRST.fullmatch(bare):
        major, minor, family = m.groups()
    else:
        return ()
    if minor in (None, "0"):
        return (f"{family} {major}", f"{family} {major}.0")
    return (f"{family} {major}.{minor}",)


def _api_key_is_safe(alias: str) -> bool:
    """API names that are plain words ("moderation", "ada") would fire on ordinary prose."""
    key = alias.lower()
    return bool(re.search(r"\d", key)) or any(f in key for f in FAMILIES)


@cache
def default_catalog() -> NameCatalog:
    """The catalogue from ``tools``: API models (genai-prices + overrides), GPUs, open models."""
    from tools.compute import list_gpus, list_open_models
    from tools.prices import FIRST_PARTY, list_api_models

    entries: list[CatalogEntry] = []
    for gpu in list_gpus():
        entries.append(CatalogEntry(gpu.id, "gpu", gpu.name, tuple(gpu.aliases)))
    for model in list_open_models():
        entries.append(CatalogEntry(model.id, "open_model", model.name, tuple(model.aliases)))
    first_party = {p: i for i, p in enumerate(FIRST_PARTY)}
    for model in list_api_models():
        bare = model.id.split("/", 1)[1]
        short = bare.removesuffix(
            "-latest"
        )  # "claude-3-opus-latest" is what people call claude 3 opus
        aliases = tuple(a for a in dict.fromkeys((bare, short, model.name)) if _api_key_is_safe(a))
        aliases += COLLOQUIAL.get(model.id, ()) + _family_version_aliases(bare)
        rank = first_party.get(model.provider, len(first_party))
        entries.append(
            CatalogEntry(
                model.id, "api_model", "", aliases, rank, suggest=model.provider in first_party
            )
        )
    return NameCatalog(tuple(entries))


class _Tok(NamedTuple):
    start: int
    end: int
    text: str


def _tokens(lowered: str) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(lowered)]


# English words one letter away from a family name
_NOT_FAMILIES = frozenset({"clause", "clauses", "mistrial", "gamma", "samba", "tests", "llamas"})
_LONG_FAMILIES = sorted(f for f in FAMILIES if len(f) >= 5)
_HEAD = re.compile(r"[^.\-_/:\d]*")  # a token's letters before any digit or joiner


def _is_family(tok: str) -> bool:
    head = _HEAD.match(tok).group(0)
    if head in FAMILIES or (head.endswith("s") and head[:-1] in BARE_HARDWARE):
        return True
    if head in _NOT_FAMILIES or len(head) < 5:
        return False
    # one typo away from a family ("mistrall", "deepsek"): one C-level scan of the long families
    near = process.extractOne(head, _LONG_FAMILIES, scorer=Levenshtein.distance, score_cutoff=1)
    return near is not None


def _continues_name(tok: str) -> bool:
    return bool(re.search(r"\d", tok)) or tok in MODIFIERS


def find_names(message: str, catalog: NameCatalog) -> tuple[list[NameMatch], list[UnknownName]]:
    """Known names (longest exact alias first, then fuzzy) and unknown name-like words."""
    lowered = message.lower()
    toks = _tokens(lowered)
    matches: list[NameMatch] = []
    unknown: list[UnknownName] = []
    fuzzy_seen: dict[str, tuple[CatalogEntry, float] | None] = {}
    i = 0
    while i < len(toks):
        hit = _exact_at(lowered, toks, i, catalog)
        if hit is not None:
            entry, j, key, end = hit
            if entry.kind == "gpu" and (mem := _MEMORY_BEFORE.search(lowered, 0, toks[i].start)):
                sized = normalise_name(f"{toks[i].text.removesuffix('s')} {mem.group(1)}gb")
                if (variant := catalog.lookup(sized)) is not None:  # "40 gig A100s": the 40GB
                    entry, key = variant, sized
            span = Span(start=toks[i].start, end=end, text=message[toks[i].start : end])
            matches.append(
                NameMatch(
                    kind=entry.kind,
                    id=entry.id,
                    span=span,
                    score=1.0,
                    alternatives=catalog.alternatives(key),
                )
            )
            i = j + 1
            continue
        tok = toks[i].text
        if _is_family(tok) or _GPU_LIKE.match(tok) or _GPU_LIKE.match(tok.replace("-", "")):
            j = i
            while (
                j + 1 < len(toks)
                and j - i < 3
                and _joined(lowered, toks[j], toks[j + 1])
                and _continues_name(toks[j + 1].text)
            ):
                j += 1
            end = toks[j].end
            if re.search(r"(?:\d[a-z]?|tpu|gaudi)s$", lowered[toks[i].start : end]):
                end -= 1  # a plural: "v100s", "a10gs", "tpus" name the v100, the a10g, the tpu
            text = message[toks[i].start : end]
            bare_family = (
                j == i and not re.search(r"\d", tok) and normalise_name(text) not in BARE_HARDWARE
            )
            if not bare_family:
                span = Span(start=toks[i].start, end=end, text=text)
                key = normalise_name(text)
                if key not in fuzzy_seen:  # a repeated word costs one fuzzy scan
                    fuzzy_seen[key] = catalog.fuzzy(text)
                fuzzy = fuzzy_seen[key]
                if fuzzy is not None:
                    entry, score = fuzzy
                    matches.append(
                        NameMatch(kind=entry.kind, id=entry.id, span=span, score=round(score, 3))
                    )
                else:
                    # suggestions cost a fuzzy scan of the catalogue: the first few names get them
                    hint = catalog.suggestions(text) if len(unknown) < MAX_SUGGESTED else ()
                    unknown.append(UnknownName(span=span, suggestions=hint))
            i = j + 1
            continue
        i += 1
    matches += _elided_variants(lowered, message, toks, matches, unknown, catalog)
    matches += _bare_gpt41(lowered, message, toks, matches, catalog)
    # one mention per id, first occurrence wins
    seen: set[str] = set()
    unique = []
    for m in matches:
        if m.id not in seen:
            seen.add(m.id)
            unique.append(m)
    return unique, unknown


_CONTRAST_BEFORE = re.compile(r"(?:\bnot|\bor|\bvs\.?|\bversus|\bthan|\bthe|\binstead\s+of|,)\s*$")


def _elided_variants(lowered, message, toks, matches, unknown, catalog) -> list[NameMatch]:
    """A variant named by its modifier alone after a name: "on gpt-4o now, not mini" ->
    gpt-4o-mini, when the catalogue has that variant."""
    taken = [(m.span.start, m.span.end) for m in matches] + [
        (u.span.start, u.span.end) for u in unknown
    ]
    extra: list[NameMatch] = []
    for tok in toks:
        if tok.text not in MODIFIERS or any(a <= tok.start < b for a, b in taken):
            continue
        if not _CONTRAST_BEFORE.search(lowered[max(0, tok.start - 12) : tok.start]):
            continue
        if re.match(r"\s*[a-z0-9]", lowered[tok.end :]) and not re.match(
            r"\s*(?:one|model|version|variant|instead|then|now|either|too|please|for|on|in|at|with|and|or|is|are|was|would|could|will|might|does|do)\b",
            lowered[tok.end :],
        ):
            continue  # "not mini" ends there; "the pro plan" is something else
        before = [m for m in matches if m.span.end <= tok.start and m.kind != "gpu"]
        if not before:
            continue
        base = before[-1]
        entry = catalog.lookup(f"{base.span.text} {tok.text}") or catalog.lookup(
            f"{base.id.split('/')[-1]}-{tok.text}"
        )
        if entry is not None and entry.id != base.id:
            span = Span(start=tok.start, end=tok.end, text=message[tok.start : tok.end])
            extra.append(NameMatch(kind=entry.kind, id=entry.id, span=span, score=0.9))
    return extra


#: A bare "4.1" is GPT-4.1 where a model would stand ("vs 4.1", "the full 4.1", "4.1 pricing",
#: "the rest to 4.1" beside another model), and a figure where a unit or an amount would
_GPT41_BEFORE = re.compile(
    r"(?:\b(?:vs\.?|versus|on|with|full|currently|than|instead\s+of|the|staying\s+on)|\bgpt)\s*$"
)
_GPT41_BEFORE_BESIDE_MODEL = re.compile(r"\b(?:and|or|to)\s*$")
_GPT41_AFTER = re.compile(r"\s*(?:pricing|prices?|gets|instead|for\s+the)\b")
_FIGURE_AFTER = re.compile(
    r"\s*(?:%|x\b|[kmb]\b|mn\b|bn\b|mil|million|billion|thousand|tokens?|usd|eur|gbp|chf|dollars?"
    r"|euros?|cents?|per\b|/|an?\s+hour|h\b|hrs?\b|hours?|s\b|secs?\b|seconds?|ms\b|minutes?|days?"
    r"|weeks?|months?|years?|gb|tb|gpus?|cards?|nodes?|instances?|times|points?|percent|stars?)"
)


def _bare_gpt41(lowered, message, toks, matches, catalog) -> list[NameMatch]:
    """GPT-4.1 named by its version alone, read from the words around it (see _GPT41_BEFORE)."""
    entry = catalog.lookup("gpt-4.1")
    if entry is None or any(m.id == entry.id for m in matches):
        return []
    taken = [(m.span.start, m.span.end) for m in matches]
    beside_model = any(m.kind == "api_model" for m in matches)
    for tok in toks:
        if tok.text != "4.1" or any(a <= tok.start < b for a, b in taken):
            continue
        before = lowered[max(0, tok.start - 16) : tok.start]
        after = lowered[tok.end : tok.end + 16]
        if re.search(r"[$€£~]\s*$", before) or _FIGURE_AFTER.match(after):
            continue
        if (
            _GPT41_BEFORE.search(before)
            or _GPT41_AFTER.match(after)
            or (beside_model and _GPT41_BEFORE_BESIDE_MODEL.search(before))
        ):
            span = Span(start=tok.start, end=tok.end, text=message[tok.start : tok.end])
            return [NameMatch(kind=entry.kind, id=entry.id, span=span, score=0.9)]
    return []


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """Two tokens belong to one name only when separated by spaces or a hyphen, not punctuation."""
    gap = text[a.end : b.start]
    return len(gap) <= 2 and gap.strip(" -") == ""


def _exact_at(lowered: str, toks: list[_Tok], i: int, catalog: NameCatalog):
    """The longest run of tokens from ``i`` that is exactly a catalogue alias (with the "+" that
    may end it), growing the run only while it is still the start of some alias (so ordinary words
    cost one set lookup): the entry, the last token, the alias's key and where the name ends."""
    best = None
    for n in range(1, min(MAX_NGRAM, len(toks) - i) + 1):
        j = i + n - 1
        if n > 1 and not _joined(lowered, toks[j - 1], toks[j]):
            break
        raw = lowered[toks[i].start : toks[j].end]
        key = normalise_name(raw)
        if key and not key.isdigit():
            end, hit_key = toks[j].end, key
            # key + "plus" is normalise_name of the name with its "+"
            entry = catalog.at_key(key + "plus") if _PLUS_ENDS.match(lowered, end) else None
            if entry is not None:
                end, hit_key = end + 1, key + "plus"
            else:
                entry = catalog.at_key(key)
            if entry is None and raw.endswith("s"):
                hit_key = normalise_name(raw[:-1])
                entry = catalog.at_key(hit_key)  # "8 H100s"
            if entry is not None:
                best = (entry, j, hit_key, end)
        if not catalog.is_prefix(key):
            break
    return best
