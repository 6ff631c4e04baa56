"""Focused tests of agent/understanding: numbers, quantities, names, pillars, references, intents,
the result's shape and determinism, robustness (hypothesis) and parse time.

Expected values are worked out by hand from the message, with the arithmetic in a comment."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agent.understanding import (
    INTENT_IDS,
    KIND_UNITS,
    CatalogEntry,
    ConversationContext,
    NameCatalog,
    Understanding,
    default_catalog,
    understand,
)
from agent.understanding.core import MAX_CHARS
from agent.understanding.evaluation import expected_quantity, load_labelled, quantities_match
from agent.understanding.numbers import find_numbers

ROOT = Path(__file__).resolve().parents[1]

# A catalogue made by hand, so these tests do not depend on the tools' data files.
HAND = NameCatalog(
    (
        CatalogEntry("openai/gpt-4o", "api_model", "GPT-4o", ("gpt-4o", "4o")),
        CatalogEntry("openai/gpt-4o-mini", "api_model", "GPT-4o mini", ("gpt-4o-mini",)),
        CatalogEntry(
            "anthropic/claude-3-5-sonnet",
            "api_model",
            "Claude Sonnet 3.5",
            ("claude-3-5-sonnet", "claude sonnet"),
        ),
        CatalogEntry("llama-3-8b", "open_model", "Meta Llama 3 8B", ("llama 3 8b", "llama3 8b")),
        CatalogEntry("mistral-7b", "open_model", "Mistral 7B", ("mistral 7b",)),
        CatalogEntry("mistral/mistral-7b", "api_model", "", ("mistral-7b",)),
        CatalogEntry("h100-80gb", "gpu", "NVIDIA H100 80GB SXM", ("h100", "h-100")),
        CatalogEntry("a100-80gb", "gpu", "NVIDIA A100 80GB SXM", ("a100", "a100 80gb")),
    )
)


@pytest.fixture
def rules_alone(monkeypatch):
    """The intent families below pin what the rules read (the answer with ADVISOR_INTENT_MODEL=off):
    the learned model and the combiner that weighs the two are tested in
    test_understanding_model.py and measured on the labelled messages (bench/intent_cv.py,
    test_understanding_accuracy.py)."""
    from agent.understanding import core

    monkeypatch.setattr(core, "intent_model", lambda wait=True: None)


def quantities(text: str, catalog: NameCatalog = HAND) -> list[tuple]:
    u = understand(text, catalog=catalog)
    return [(q.kind, q.value, q.period, q.currency, q.side, q.low, q.high) for q in u.quantities]


# --------------------------------------------------------------------------------------------
# numbers
@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("2.5M", [2_500_000]),
        ("1.2bn", [1_200_000_000]),
        ("40,000 and ~1,500", [40_000, 1_500]),
        ("300 million", [300_000_000]),
        ("two million", [2_000_000]),
        ("a couple hundred thousand", [200_000]),  # couple = 2, x100, x1000
        ("half a million", [500_000]),
        ("one point five million", [1_500_000]),
        ("twenty-five", [25]),
        ("15.000 EUR", [15_000]),  # dot as thousands separator
        ("1.200.000", [1_200_000]),
        ("gpt-4o and 4o and h100", []),  # digits inside names are not numbers
        ("9" * 400, []),  # overflows a float: dropped, not inf
    ],
)
def test_find_numbers(text, values):
    assert [n.value for n in find_numbers(text)] == pytest.approx(values)


# --------------------------------------------------------------------------------------------
# quantities: every phrasing the issue lists
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5M tokens a day", [("token_volume", 2.5e6, "day", None, None, None, None)]),
        ("300 million tokens monthly", [("token_volume", 3e8, "month", None, None, None, None)]),
        ("token volume is 1.2bn/yr", [("token_volume", 1.2e9, "year", None, None, None, None)]),
        (
            "40k requests a day, ~1,500 tokens each",
            [
                ("request_volume", 4e4, "day", None, None, None, None),
                ("tokens_per_request", 1500, None, None, None, None, None),
            ],
        ),
        ("$40k a month", [("money", 40_000, "month", "USD", None, None, None)]),
        ("USD 1.2M per year", [("money", 1.2e6, "year", "USD", None, None, None)]),
        ("€30,000/mo", [("money", 30_000, "month", "EUR", None, None, None)]),
        (
            "$2.50 per million input tokens",
            [("price_per_token", 2.5, None, "USD", "input", None, None)],
        ),
        # $0.002 per 1K tokens = 0.002 * 1000 = $2 per million
        ("$0.002 per 1K", [("price_per_token", 2.0, None, "USD", None, None, None)]),
        ("growing 10% monthly", [("growth", 0.1, "month", None, None, None, None)]),
        (
            "doubling every year",
            [("growth", 1.0, "year", None, None, None, None)],
        ),  # x2 a year = +100%
        ("a 70B", [("model_size", 70, None, None, None, None, None)]),
        ("8 billion parameters", [("model_size", 8, None, None, None, None, None)]),
        (
            "8 H100s at $2.49/h",
            [
                ("gpu_count", 8, None, None, None, None, None),
                ("gpu_price", 2.49, None, "USD", None, None, None),
            ],
        ),
        ("over 3 years", [("duration", 36, None, None, None, None, None)]),  # 3 x 12 months
        ("18 months", [("duration", 18, None, None, None, None, None)]),
        ("half of it is output", [("output_share", 0.5, None, None, None, None, None)]),
        (
            "3:1 input to output",
            [("output_share", 0.25, None, None, None, None, None)],
        ),  # 1 / (3 + 1)
        # the value of a range is its midpoint: (20k + 30k) / 2
        ("between $20k and $30k", [("money", 25_000, None, "USD", None, 20_000, 30_000)]),
        ("what if it doubles", [("relative_change", 2, None, None, None, None, None)]),
        ("what if it triples", [("relative_change", 3, None, None, None, None, None)]),
        ("+30%", [("relative_change", 1.3, None, None, None, None, None)]),
        ("cut by a third", [("relative_change", 2 / 3, None, None, None, None, None)]),  # 1 - 1/3
        ("half as much", [("relative_change", 0.5, None, None, None, None, None)]),
        ("two million tokens per day", [("token_volume", 2e6, "day", None, None, None, None)]),
        (
            "a couple hundred thousand requests a week",
            [("request_volume", 2e5, "week", None, None, None, None)],
        ),
        ("latency under 300ms", [("latency", 300, None, None, None, None, None)]),
        (
            "what if prices fall 20%",
            [("relative_change", 0.8, None, None, None, None, None)],
        ),  # 1 - 0.20
    ],
)
def test_quantities_from_the_issue(text, expected):
    got = quantities(text)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0] and g[2:5] == e[2:5], (g, e)
        assert g[1] == pytest.approx(e[1])
        assert (g[5], g[6]) == pytest.approx((e[5], e[6])) if e[5] is not None else g[5] is None


def test_quantity_units_follow_the_kind_and_currency():
    u = understand(
        "€30,000/mo and $2.50 per million input tokens, 8 H100s at $2.49/h", catalog=HAND
    )
    units = {q.kind: q.unit for q in u.quantities}
    assert units == {
        "money": "EUR",
        "price_per_token": "USD/1M tokens",
        "gpu_count": "GPUs",
        "gpu_price": "USD/GPU-hour",
    }
    assert set(KIND_UNITS) >= {q.kind for q in u.quantities}


def test_quantity_span_points_at_the_words():
    u = understand("we pay USD 1.2M per year, roughly", catalog=HAND)
    (q,) = u.quantities
    assert u.message[q.span.start : q.span.end] == q.span.text == "USD 1.2M per year"


def test_numbers_inside_names_are_not_quantities():
    u = understand("compare llama 3 8b with gpt-4o on an h-100", catalog=HAND)
    assert u.quantities == ()
    assert [n.id for n in u.names] == ["llama-3-8b", "openai/gpt-4o", "h100-80gb"]


def test_approximate_is_noted():
    (q,) = understand("~1,500 tokens each", catalog=HAND).quantities
    assert q.approximate and q.kind == "tokens_per_request"


# --------------------------------------------------------------------------------------------
# names
@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("gpt4o", ["openai/gpt-4o"]),
        ("GPT-4o mini", ["openai/gpt-4o-mini"]),
        ("claude sonnet", ["anthropic/claude-3-5-sonnet"]),
        ("llama 3 8b", ["llama-3-8b"]),
        ("mistral 7b", ["mistral-7b"]),  # the open model wins over the API of the same name
        ("h-100", ["h100-80gb"]),
        ("A100 80 gig", ["a100-80gb"]),
        ("8 H100s", ["h100-80gb"]),
        ("gpt-4oo", ["openai/gpt-4o"]),  # a typo: fuzzy match, score below 1
        ("mistrall 7b", ["mistral-7b"]),  # a family one letter off still starts a name
    ],
)
def test_names_hand_catalogue(text, ids):
    u = understand(text, catalog=HAND)
    assert [n.id for n in u.names] == ids
    assert u.unknown_names == ()


def test_fuzzy_match_reports_its_score():
    (n,) = understand("gpt-4oo please", catalog=HAND).names
    assert 0.88 <= n.score < 1.0


def test_unknown_names_are_reported_not_guessed():
    u = understand("could we use falcon 180b or an MI300X?", catalog=HAND)
    assert u.names == ()
    assert [x.span.text for x in u.unknown_names] == ["falcon 180b", "MI300X"]


def test_fuzzy_never_changes_a_version_or_size():
    """'gpt-5.9 mini' is not gpt-5-mini: a typo may change letters, not digits."""
    u = understand("what about gpt-5.9 mini?")
    assert u.names == ()
    assert [x.span.text for x in u.unknown_names] == ["gpt-5.9 mini"]
    assert "openai/gpt-5-mini" in u.unknown_names[0].suggestions
    assert [n.id for n in understand("lama 3 8b").names] == ["llama-3-8b"]


def test_suggestions_stay_in_the_family_or_say_nothing():
    (grok,) = understand("what about grok-9 turbo").unknown_names
    assert grok.suggestions and all(s.startswith("x-ai/grok") for s in grok.suggestions)
    (falcon,) = understand("could we use falcon 180b").unknown_names
    assert falcon.suggestions == ()  # nothing in the catalogue is a falcon: no wild guess


def test_english_words_near_family_names_are_not_names():
    u = understand("see clause 3 of the contract, after a mistrial", catalog=HAND)
    assert u.names == () and u.unknown_names == ()


def test_a_bare_family_word_is_neither_matched_nor_unknown():
    u = understand("is a fine-tuned llama cheaper than claude?", catalog=HAND)
    assert u.names == () and u.unknown_names == ()


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("gpt4o", ["openai/gpt-4o"]),
        ("GPT-4o mini", ["openai/gpt-4o-mini"]),
        ("claude sonnet", ["anthropic/claude-3-5-sonnet"]),
        ("llama 3 8b", ["llama-3-8b"]),
        ("mistral 7b", ["mistral-7b"]),
        ("h-100", ["h100-80gb"]),
        ("A100 80 gig", ["a100-80gb"]),
        # Claude models by family and version, in either order of the id
        ("we run haiku 4.5 for triage", ["anthropic/claude-haiku-4-5"]),
        ("Opus 4.1 costs us $15 in", ["anthropic/claude-opus-4-1"]),
        (
            "is sonnet 4.5 worth it over sonnet 3.7?",
            ["anthropic/claude-sonnet-4-5", "anthropic/claude-3-7-sonnet-latest"],
        ),
        ("haiku 3.5", ["anthropic/claude-3-5-haiku-latest"]),
        ("opus 4", ["anthropic/claude-opus-4-0"]),
        # Gemini and GPT-4.1 variants by version alone, Gemini's also by variant first
        (
            "2.0 flash or 2.5 pro for the summaries?",
            ["google/gemini-2.0-flash", "google/gemini-2.5-pro"],
        ),
        ("move triage to 2.5 flash lite", ["google/gemini-2.5-flash-lite"]),
        ("swap the api to gemini flash 2.0", ["google/gemini-2.0-flash"]),
        ("we pay list for 4.1 nano", ["openai/gpt-4.1-nano"]),
        # a bare "4.1" is GPT-4.1 where a model would stand, a figure where a unit would
        ("same but with 4.1", ["openai/gpt-4.1"]),
        ("what are you assuming for 4.1 pricing?", ["openai/gpt-4.1"]),
        ("mostly gpt-4.1 mini, the rest to 4.1", ["openai/gpt-4.1-mini", "openai/gpt-4.1"]),
        ("volume grew 4.1% and 2.0 is our target", []),
        ("with 4.1 million tokens a day", []),
        ("what if the H100 is 4.1 an hour", ["h100-80gb"]),
        ("back to 4.1", []),  # a price or a model: not guessed
        # a "+" is part of the name, and a GPU's memory may come before it (session 15)
        ("and cohere's command r+?", ["cohere/command-r-plus"]),
        ("command r or command-r+", ["cohere/command-r", "cohere/command-r-plus"]),
        ("gpt-4o+rag vs command r+", ["openai/gpt-4o", "cohere/command-r-plus"]),  # "+" joins
        ("on the two 40 gig A100s", ["a100-40gb"]),
        ("a single 80GB A100", ["a100-80gb"]),
        ("the 40 gig H100s", ["h100-80gb"]),  # no such H100: the catalogue's one
    ],
)
def test_names_default_catalogue(text, ids):
    """The catalogue built from tools.prices and tools.compute."""
    assert [n.id for n in understand(text).names] == ids


def test_a_plural_unknown_gpu_is_reported_by_its_singular():
    u = understand("How many A10Gs would a 13b model need?", catalog=HAND)
    assert [x.span.text for x in u.unknown_names] == ["A10G"]


def test_default_catalogue_kinds():
    catalog = default_catalog()
    assert {"h100-80gb", "a100-80gb"} <= set(catalog.ids("gpu"))
    assert "llama-3-8b" in catalog.ids("open_model")
    assert "openai/gpt-4o" in catalog.ids("api_model")


# --------------------------------------------------------------------------------------------
# pillars and references
@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("we're a bank and data must stay on-prem", {"regulated": True, "on_prem": True}),
        ("outputs must be deterministic", {"consistency": True}),
        ("we have decades of proprietary research data", {"proprietary_data": True}),
        # "medical" describing the vocabulary says nothing about regulation (dev d689)
        ("lots of medical jargon", {"jargon": True}),
        ("we're a hospital, lots of medical jargon", {"jargon": True, "regulated": True}),
        ("latency has to be under 200 ms", {"latency": True}),
        ("we're not regulated and latency isn't critical", {"regulated": False, "latency": False}),
        ("our data is mostly public", {"proprietary_data": False}),
        ("what is the latency of gpt-4o?", {}),  # a question is not an answer
    ],
)
def test_pillar_signals(text, pillars):
    u = understand(text, catalog=HAND)
    assert {p.pillar: p.value for p in u.pillars} == pillars
    assert ("pillar_answer" in u.intent_ids) == bool(pillars)


def test_references_resolve_against_the_context():
    previous = understand("we do 2M tokens a day on gpt-4o", catalog=HAND)
    ctx = ConversationContext(last_scenario_fields=("api.model",)).with_turn(previous)
    same = understand("the same but with LoRA", context=ctx, catalog=HAND)
    assert [(r.kind, r.resolved_to) for r in same.references] == [("same_but", "api.model")]
    back = understand("go back", context=ctx, catalog=HAND)
    assert [r.kind for r in back.references] == ["go_back"] and "undo" in back.intent_ids
    it = understand("does it break even in 18 months?", context=ctx, catalog=HAND)
    assert [r.kind for r in it.references] == ["anaphora"]
    assert len(ctx.previous) == 1 and ctx.previous[0] == previous


def test_context_keeps_only_recent_turns():
    ctx = ConversationContext()
    u = understand("hi", catalog=HAND)
    for _ in range(15):
        ctx = ctx.with_turn(u, keep=10)
    assert len(ctx.previous) == 10


# --------------------------------------------------------------------------------------------
# intents
@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("hello", {"greeting_help"}),
        ("should we fine-tune?", {"recommend"}),
        ("compare the API with self hosting", {"compare"}),
        ("when do we break even?", {"break_even"}),
        ("what if volume doubles?", {"what_if"}),
        ("why is the API number so low?", {"explain_figure"}),
        ("what is QLoRA?", {"explain_concept"}),
        ("show me the assumptions", {"show_assumptions"}),
        ("set the GPU price to $2/h", {"change_assumption"}),
        ("start over", {"reset"}),
        ("undo", {"undo"}),
        ("we are a hospital", {"pillar_answer"}),
        ("run a sensitivity analysis", {"risk"}),
        ("who won the match yesterday", {"off_topic"}),
        ("we spend $40k a month on gpt-4o. worth fine-tuning?", {"change_assumption", "recommend"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_intents(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


def test_every_intent_id_is_known_and_confidences_are_bounded():
    u = understand(
        "hi! we're a bank spending $40k a month on gpt-4o; what if it doubles?", catalog=HAND
    )
    assert set(u.intent_ids) <= set(INTENT_IDS)
    fields = [*u.intents, *u.quantities, *u.pillars]
    assert fields and all(0.0 <= f.confidence <= 1.0 for f in fields)
    assert all(0.0 <= n.score <= 1.0 for n in u.names)
    assert all(i.evidence for i in u.intents)


# --------------------------------------------------------------------------------------------
# the result
def test_deterministic_and_frozen():
    text = "40k requests a day, ~1,500 tokens each, on claude sonnet; 3:1 input to output. should we fine tune?"
    a, b = understand(text, catalog=HAND), understand(text, catalog=HAND)
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()
    with pytest.raises(ValidationError):
        a.intents = ()  # type: ignore[misc]


def test_json_round_trip():
    u = understand("between $20k and $30k a month on gpt-4o, over 3 years", catalog=HAND)
    assert Understanding.model_validate(json.loads(u.model_dump_json())) == u


def test_no_heavy_imports():
    """Importing the module loads neither torch, sentence-transformers, gradio nor chromadb; using
    it loads torch only for the learned model (none with ADVISOR_INTENT_MODEL=off)."""
    heavy = "print(sorted(m for m in ('torch','sentence_transformers','gradio','chromadb') if m in sys.modules))"
    use = "understand('8 H100s at $2.49/h', catalog=NameCatalog((CatalogEntry('h100-80gb','gpu','H100',('h100',)),))); "
    imports = "import sys; from agent.understanding import understand, NameCatalog, CatalogEntry; "
    for code, env in ((imports + heavy, {}), (imports + use + heavy, {"ADVISOR_INTENT_MODEL": "off"})):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **env},
        )
        assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------
# the scorer the bench uses
def test_quantities_match_is_a_multiset_comparison():
    a = expected_quantity({"k": "money", "v": 40000, "c": "USD", "p": "month"})
    b = expected_quantity({"k": "gpu_count", "v": 8})
    assert quantities_match([a, b], [b, a])
    assert not quantities_match([a, a], [a, b])
    assert not quantities_match([a], [a, b])
    # ranges default to their midpoint; PyYAML hands "2.5e6" over as a string
    r = expected_quantity({"k": "token_volume", "lo": "1.0e6", "hi": "3.0e6", "p": "day"})
    assert r[1] == 2e6 and r[6:] == (1e6, 3e6)


# --------------------------------------------------------------------------------------------
# robustness and speed
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_unicode_never_raises(text):
    u = understand(text, catalog=HAND)
    assert u.intents  # always at least one intent, off_topic if nothing else
    # the message as read: NFKC-normalised ("㎮" becomes "rad∕s"), NULs blanked, capped in length
    expected = unicodedata.normalize("NFKC", text).replace("\x00", " ")[:MAX_CHARS]
    assert u.message == expected


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**400),
    st.sampled_from(
        [
            "{n} tokens a day",
            "${n}k a month",
            "{n}B",
            "{n}:{n} input to output",
            "+{n}%",
            "{n} H100s at ${n}/h",
            "between {n} and {n}",
        ]
    ),
)
def test_huge_numbers_never_raise(n, template):
    u = understand(template.format(n=n), catalog=HAND)
    assert all(q.value == q.value and abs(q.value) != float("inf") for q in u.quantities)


_FRAGMENTS = [m["text"] for m in load_labelled("dev")]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=4),
    st.sampled_from([" ", ". ", ", ", "\n", " and "]),
)
def test_spans_point_into_the_message(parts, joiner):
    """Whatever the mix of real messages, every span is the text it claims to cover."""
    u = understand(joiner.join(parts))
    for item in (*u.quantities, *u.names, *u.unknown_names, *u.pillars, *u.references):
        span = item.span
        assert 0 <= span.start <= span.end <= len(u.message)
        assert u.message[span.start : span.end] == span.text


@pytest.mark.parametrize("text", ["", " ", "\x00", "?" * 10, "⟦0⟧ ⟪g⟫ tokens", "$", "%", "1e309"])
def test_edge_strings(text):
    assert understand(text, catalog=HAND).intents


def test_100kb_input_is_bounded():
    text = (
        "we spend $40k a month on gpt-4o and want to know if a fine-tuned llama 3 8b is cheaper. "
        * 1200
    )[:100_000]
    t0 = time.perf_counter()
    u = understand(text, catalog=HAND)
    elapsed = time.perf_counter() - t0
    assert u.quantities and elapsed < 2.0


def _long_message() -> str:
    from bench.bench_understanding import long_message

    return long_message(2000)


def test_2000_char_message_parses_fast():
    """Strict figure (<= 50 ms median) in the bench; here a bound that only a runaway pattern
    breaks, on a loaded CI box or a slower CPU (~2.5x the bench's EPYC on a 2 GHz Xeon)."""
    text = _long_message()
    assert len(text) == 2000
    catalog = default_catalog()
    understand(text, catalog=catalog)
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        understand(text, catalog=catalog)
        runs.append(time.perf_counter() - t0)
    assert statistics.median(runs) < 0.5


def test_docstring_examples():
    import doctest

    from agent.understanding import core

    assert doctest.testmod(core).failed == 0


# --------------------------------------------------------------------------------------------
# Families from the tenth development batch (d541-d740), in our own wording: everyday pillar
# statements, pillar statements that carry a figure, "try X" what-ifs, questions about inputs,
# risk phrasings, undo, and off-subject questions. Expected values by the label conventions.
@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("the public cloud is totally fine for us", {"on_prem": False}),
        ("we can run on aws, cloud's not a problem", {"on_prem": False}),
        ("we're ok with a managed api if it stays in region", {"on_prem": False}),
        ("no patient data ever goes to an outside vendor", {"on_prem": True}),
        ("nothing leaves the plant network", {"on_prem": True}),
        ("results can't differ between runs, the regulator checks", {"consistency": True, "regulated": True}),
        ("our answers need to be repeatable", {"consistency": True}),
        ("the phrasing may vary, nobody minds", {"consistency": False}),
        ("identical outputs aren't that important to us", {"consistency": False}),
        ("zero regulatory burden, we sell garden furniture", {"regulated": False}),
        ("i'm from the compliance team, just looking around", {}),  # a job, not a situation
        ("clinical abbreviations all over the discharge notes", {"jargon": True}),
        ("our engineers use a shorthand nobody outside gets", {"jargon": True}),
        ("mostly plain english from the public", {"jargon": False}),
        ("we hold 2 million hand-labelled claim records", {"proprietary_data": True}),
        ("the dataset is ours alone", {"proprietary_data": True}),
        ("our product feed isn't secret, rivals copy it", {"proprietary_data": False}),
        ("each reply must land within 80 ms", {"latency": True}),
        ("every 200 milliseconds of delay loses us buyers", {"latency": True}),
        ("users won't wait more than a second", {"latency": True}),
        ("a delay of a few seconds is fine, it's an email digest", {"latency": False}),
        ("real-time isn't required for the nightly report", {"latency": False}),
    ],
)
def test_pillar_signals_in_everyday_wording(text, pillars):
    u = understand(text, catalog=HAND)
    assert {p.pillar: p.value for p in u.pillars} == pillars
    assert ("pillar_answer" in u.intent_ids) == bool(pillars)


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # a pillar statement with a figure in it is not a scenario input
        ("checkout answers need to come back in 120 ms", {"pillar_answer"}),
        ("we have 5 million annotated support tickets nobody else has", {"pillar_answer"}),
        ("the legal terminology trips up gpt-4o all the time", {"pillar_answer"}),
        # trying another option is a what-if
        ("try llama 3 8b as the open model", {"what_if"}),
        ("ok now try the 70b", {"what_if"}),
        ("same exercise with gpt-4o mini as the api side", {"what_if"}),
        ("give mistral 7b a go", {"what_if"}),
        # asking which input is in the scenario
        ("what utilisation figure are you working with", {"show_assumptions"}),
        ("what MFU are you plugging in", {"show_assumptions"}),
        ("what's your assumed price per gpu hour", {"show_assumptions"}),
        ("what have you got in there for electricity", {"show_assumptions"}),
        ("what salary do you have for the ml engineer", {"show_assumptions"}),
        # risk
        ("which input is the shakiest", {"risk"}),
        ("how likely is it that the payback slips past two years", {"risk"}),
        ("what keeps you up at night with this plan", {"risk"}),
        ("can I get a tornado chart", {"risk"}),
        ("what if we're wrong about the growth rate", {"risk"}),
        ("which input would flip your recommendation", {"risk"}),
        # reading the sensitivity chart is both (I8 + I11; the later dev labels, session 8)
        ("what does the tornado chart show", {"explain_figure", "risk"}),
        # undo
        ("ctrl+z", {"undo"}),
        ("take us back to where we were before the gpu change", {"undo"}),
        ("put the growth rate back", {"undo"}),
        # others
        ("how did you land on 6 gpus", {"explain_figure"}),
        ("the payback you gave looks way too rosy", {"explain_figure"}),
        ("when does the lora route break even vs the api", {"break_even"}),
        ("over 2 years which option wins, and when does it break even?", {"compare", "break_even"}),
        ("we expect traffic to go up fivefold by 2027", {"change_assumption"}),
        ("fine tune a 13b on 4 l40s, realistic?", {"recommend"}),
        ("my boss wants us on claude 3 haiku, is that the smarter move", {"recommend"}),  # I4, session 7
        ("hullo! is there any point training our own model", {"recommend"}),  # rule I1
        ("compare rag vs lora at 5k requests a day, 2k tokens each", {"compare", "what_if"}),  # I4
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_intent_families_of_the_tenth_batch(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "references"),
    [
        ("what if we hosted it on l4s instead", ["anaphora"]),
        ("and if they drop by a third?", ["anaphora"]),
        ("and at triple that?", ["anaphora"]),
        ("the break even you gave seems off", ["anaphora"]),
        ("set the volume back to what it was", ["go_back"]),
        ("back to where we were", ["go_back"]),
        ("same idea with qlora", ["same_but"]),
        ("how likely is it that prices fall", []),  # "is it that": no earlier turn
        ("we're on-prem - does that rule out a 70b?", []),  # "that" is the clause before
        (
            (
                "We do 3M tokens a day on gpt-4o at $2.50/M input and $10/M output, all in the EU. "
                "If we fine tune a smaller model, when does it pay back?"
            ),
            [],  # a message that sets out its own case: "it" is in it
        ),
    ],
)
def test_reference_families_of_the_tenth_batch(text, references):
    assert [r.kind for r in understand(text, catalog=HAND).references] == references


@pytest.mark.parametrize(
    ("word", "kept"),
    [
        ("there", "there"),
        ("inference", "inference"),
        ("totals", "totals"),
        ("cheeper", "cheaper"),
        ("computing", "computing"),  # not "comparing"
        ("costing", "costing"),  # not "hosting"
        ("inconsistent", "inconsistent"),  # not its opposite
        ("shouldnt", "shouldn't"),
    ],
)
def test_spelling_correction_leaves_real_words_alone(word, kept):
    from agent.understanding.intents import normalise_text

    assert normalise_text(word) == kept


@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("we're a credit union and member data stays with us", {"regulated": True, "on_prem": True}),
        ("we're under HIPAA so nothing can go to openai", {"regulated": True, "on_prem": True}),
        ("we're cool with aws bedrock", {"on_prem": False}),
        ("data must remain within our vpc", {"on_prem": True}),
        ("randomness in the answers is a dealbreaker", {"consistency": True}),
        ("a bit of variation is fine for marketing copy", {"consistency": False}),
        ("we don't need identical answers", {"consistency": False}),
        ("our call logs going back to 2011 are gold", {"proprietary_data": True}),
        ("our claims archive is something no competitor has", {"proprietary_data": True}),
        ("it's all from public filings", {"proprietary_data": False}),
        ("the contracts are full of legalese", {"jargon": True}),
        ("the agent is on the phone with the caller while it runs", {"latency": True}),
        ("latency's not a big deal for us", {"latency": False}),
        ("a reply within a couple of minutes is totally fine", {"latency": False}),
    ],
)
def test_more_everyday_pillar_wording(text, pillars):
    assert {p.pillar: p.value for p in understand(text, catalog=HAND).pillars} == pillars


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("what's the gpu price you're using for the h100", {"show_assumptions"}),
        ("which electricity cost did you bake in", {"show_assumptions"}),
        ("remind me what volume we're at", {"show_assumptions"}),
        ("how sensitive is the break even to the gpu price", {"risk"}),
        ("what are the chances self hosting never pays back", {"risk", "break_even"}),  # I11 + I7
        ("what happens if the api gets 30% cheaper", {"what_if"}),
        ("swap in gpt-4o mini and rerun", {"change_assumption"}),  # rule I3: an order sets it
        ("and for mistral large?", {"what_if"}),
        ("is there a volume at which self hosting wins", {"break_even"}),
        ("when does the lora path start paying off", {"break_even"}),
        ("what's your honest take", {"recommend"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_more_intent_phrasings(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


def test_sensitive_data_is_no_risk_cue():
    from agent.understanding.intents import normalise_text, rule_hits

    assert "risk" not in rule_hits(normalise_text("there's no sensitive data, it's marketing copy"))
    assert "risk" in rule_hits(normalise_text("how sensitive is the total to the gpu price"))


@pytest.mark.parametrize(
    ("text", "intents", "pillars"),
    [
        # eleventh batch (d741-d890) families, in our own wording
        ("we're a 25-person agency, is fine tuning worth it?", {"change_assumption", "recommend"}, {}),  # I3
        ("12 months payback sounds too good to be true", {"explain_figure"}, {}),
        ("which input, if wrong, flips it", {"risk"}, {}),
        ("from which volume does lora beat the api", {"break_even"}, {}),
        ("is it a stupid idea to self host", {"recommend"}, {}),
        ("interesting. why is qlora so much cheaper than lora", {"explain_figure"}, {}),
        ("the 'hosting' line includes what exactly", {"explain_figure"}, {}),
        ("we pay 2.10 an hour for h100s, is that what you have", {"change_assumption", "show_assumptions"}, {}),
        ("our notes use very specific terminology", {"pillar_answer"}, {"jargon": True}),
        ("latency isnt a thing here, it runs over night", {"pillar_answer"}, {"latency": False}),
        ("it must run in the customer's own data centre", {"pillar_answer"}, {"on_prem": True}),
        (
            "we are not a bank, data can be in the cloud",
            {"pillar_answer"},
            {"regulated": False, "on_prem": False},
        ),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_eleventh_batch_families(text, intents, pillars):
    u = understand(text, catalog=HAND)
    assert set(u.intent_ids) == intents
    assert {p.pillar: p.value for p in u.pillars} == pillars


# end of the tenth-batch block


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # a ratio told in a whole sentence is a fact (I3), not a what-if
        ("fyi the winter timetable runs about 1.3x the summer one", {"change_assumption"}),
        ("procurement got us 12% off list with anthropic", {"change_assumption"}),
        ("what if the winter timetable runs 1.3x the summer one?", {"what_if"}),
        ("our data team might double the corpus", {"what_if"}),
        ("pls list which rates ur using for claude haiku", {"show_assumptions"}),
        ("what token price do you have for gpt-4o, in vs out?", {"show_assumptions"}),
        ("over how many years do you amortise the hardware?", {"show_assumptions"}),
        ("how long would fine tuning on our three old a100s take for 20k tickets?", {"explain_figure"}),
        ("suppose we host it on 2 l40s - monthly cost?", {"explain_figure", "what_if"}),
        ("quantization in one sentence?", {"explain_concept"}),
        ("is vendor fine tuning really the same as doing it in house?", {"explain_concept"}),
        ("forget the price cut scenario, back to list price", {"undo"}),
        ("we'd run just one node, update it", {"change_assumption"}),
        ("which swings payback more, the gpu price or slower growth?", {"break_even", "risk"}),
        ("good morning from the finance team", {"greeting_help"}),
        ("is lora on mistral 7b enough for us or do we need the 70b?", {"recommend"}),
        ("shouldnt we just stay on the api", {"recommend"}),
        ("is the api more expensive than lora at our volume or about the same money?", {"compare"}),
        # rule I10: two techniques explained in general are no comparison of our options
        ("sft vs dpo, what's the actual difference?", {"explain_concept"}),
        ("what's a reserved instance vs a spot instance?", {"explain_concept"}),
        ("api vs lora, which is cheaper for us?", {"compare"}),
        # a ratio inside a question about a figure describes the figure (I8)
        ("why is the self-hosted line 4x the api one?", {"explain_figure"}),
        ("how did you arrive at $12,500 a month for hosting?", {"explain_figure"}),
        ("why would hosting go up 30% if we add a second region?", {"explain_figure", "what_if"}),
        # the options a question asks about are not the user's own setup (I3)
        ("compare haiku, gpt-4o mini and a self-hosted mistral 7b over 2 years", {"compare"}),
        ("qlora on a 70b on 2 h100s, is that overkill?", {"recommend"}),
        ("we run gpt-4o today, should we fine tune?", {"change_assumption", "recommend"}),
        # a yes/no on the verdict is recommend (I6); what would move it is risk (I11); whether
        # what was just said moves it is what_if too (I4, session 7)
        ("does that flip your recommendation?", {"recommend", "what_if"}),
        ("which input would change the answer the most?", {"risk"}),
        ("is a vendor fine tune even possible for us?", {"recommend"}),
        ("is self hosting a fantasy for a team like ours?", {"recommend"}),
        ("rag or fine-tune, or leave it alone?", {"recommend"}),
        ("what does lora rank even mean", {"explain_concept"}),
        # an industry named in passing states no pillar (I12); a regulation or "we're a ..." does
        ("hi, finance team at an insurer here, what can this tool do?", {"greeting_help"}),
        ("list the inputs for the hospital case", {"show_assumptions"}),
        ("we're a hospital, so patient data rules apply", {"pillar_answer"}),
        # "what's X?" about a term (I10), whatever the term
        ("whats a token bucket and why does it matter for our api limits?", {"explain_concept"}),
        ("what is prompt compression exactly?", {"explain_concept"}),
        ("fresh start please, new product line", {"reset"}),
        ("nah, bin that last edit", {"undo"}),
        ("merci, that's exactly what I needed", {"greeting_help"}),
        ("hello, head of procurement here, just looking around", {"greeting_help"}),
        ("hey can you book me a flight to rome", {"off_topic"}),
        ("so we're at roughly 2M tokens a day, correct?", {"change_assumption"}),
        ("payback in 9 months?? can't be right", {"explain_figure"}),
        ("why did the break-even move to 22 months?", {"explain_figure"}),
        ("could we get payback in 12 months?", {"break_even"}),
        ("how many concurrent chats can one h100 handle with a 13b?", {"explain_figure"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session5_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("the parts catalogue can go to a public cloud, nothing sensitive in it", "risk"),
        ("under the AI act our chatbot is not a high-risk system", "risk"),
        ("as CIO I must stress that answers have to be identical every time", "risk"),
        ("what's the monthly bill on 2 h100s?", "explain_concept"),
        ("what's your gpu price?", "explain_concept"),
        ("what's 20% of that?", "explain_concept"),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_words_that_only_look_like_an_intent_cue(text, intent):
    from agent.understanding.intents import normalise_text, rule_hits

    assert intent not in rule_hits(normalise_text(text))


@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("nobody waits on the weekly reports", {"latency": False}),
        ("no rush on the invoice summaries", {"latency": False}),
        ("the audit digests can take hours, fine by us", {"latency": False}),
        ("the style can drift a little, they're internal drafts", {"consistency": False}),
        ("the same invoice must always get the same category", {"consistency": True}),
        ("our dispatchers basically talk in codes", {"jargon": True}),
    ],
)
def test_session5_pillar_wording(text, pillars):
    assert {p.pillar: p.value for p in understand(text, catalog=HAND).pillars} == pillars


@pytest.mark.parametrize(
    ("text", "inferred", "intents"),
    [
        # only an industry named: the regulated signal is inferred, and states no pillar (I12)
        ("CFO office at the bank here, what does the API cost us?", True, {"explain_figure"}),
        # a regulation or a rule named anywhere in the message makes it stated
        ("at the bank here the model risk policy reviews every model", False, {"pillar_answer"}),
        ("MiFID II applies to everything we send out", False, {"pillar_answer"}),
        ("healthcare, and the data residency rules are strict", False, {"pillar_answer"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_regulated_signal_says_whether_only_an_industry_was_named(text, inferred, intents):
    u = understand(text, catalog=HAND)
    (signal,) = [p for p in u.pillars if p.pillar == "regulated"]
    assert (signal.value, signal.inferred) == (True, inferred)
    assert signal.confidence == (0.7 if inferred else 0.85)
    assert set(u.intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # a figure question takes its setup as parameters: no what_if (I8, session 6)
        ("what would 4 H100s at $2.10 cost us a month?", {"explain_figure"}),
        ("how many L40S would serve 30M tokens a day?", {"explain_figure"}),
        ("how long would a lora run take on 2 a100s for 40M tokens", {"explain_figure"}),
        ("does a 34b fit on two L4s?", {"explain_figure"}),
        # ... unless it marks a hypothetical or asks how a change moves a figure already given
        ("if we trained on 60M tokens, how long would it take on 8 h100s?", {"explain_figure", "what_if"}),
        ("would quantising it reduce that gpu count?", {"explain_figure", "what_if"}),
        ("what would those cost per month on gemini flash?", {"explain_figure", "what_if"}),
        ("and a 13b, how many cards would that need?", {"explain_figure", "what_if"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_figure_question_parameters_are_no_what_if(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # a hypothetical then the verdict again: recommend (I6), not which input drives it (I11)
        ("what if traffic triples - does that change your recommendation?", {"recommend", "what_if"}),
        ("which single assumption is most likely to change your answer?", {"risk"}),
        ("what's the one input most likely to flip the verdict?", {"risk"}),
        # a saving or a better deal is a cost difference (I5)
        ("how much would we save per month if we moved the batch work to a 7b?", {"compare"}),
        ("which of the two is the better deal over 2 years?", {"compare"}),
        # a worry (I11)
        ("what's speculative decoding and should we worry about it?", {"explain_concept", "risk"}),
        ("how badly would a week-long outage hurt us?", {"risk"}),
        ("what if the migration slips by a quarter?", {"risk", "what_if"}),
        # the verdict asked for in other words (I6)
        ("patient data stays in our building. is an on-prem model the only real option?", {"pillar_answer", "recommend"}),
        ("we're on sonnet, about 3M tokens a day, 2 ML engineers. go", {"change_assumption", "recommend"}),
        ("claude vs a self-hosted 8b, 2-year cost, go", {"compare"}),
        # no hypothetical: a fact, a deadline, a best case (I3, I4)
        ("we run it on gpt-4o mini and the bill is about $6k a month", {"change_assumption"}),
        ("lora or stay on the api? my cfo wants a yes/no by monday", {"recommend"}),
        ("what's the best case for self hosting if everything goes to plan?", {"risk"}),
        # a cost or a size asked for (I8)
        ("what would a LoRA on a 13b cost on 4 A100s?", {"explain_figure"}),
        ("what's the monthly cost of the claims bot on haiku?", {"explain_figure"}),
        ("how much does the security review add on top of your estimate?", {"explain_figure"}),
        ("how many tokens is a 30-page contract, roughly?", {"explain_figure"}),
        ("hm, that sounds way too fast to me", {"explain_figure"}),
        ("what would the cost be over 3 years for each option, side by side?", {"compare"}),
        # greetings, thanks and undo in other words (I1, I13)
        ("much appreciated, I'll share it with the board", {"greeting_help"}),
        ("hello, ops team at the port authority here. what can you help us work out?", {"greeting_help"}),
        ("nope, take the spot discount out again", {"undo"}),
        # verdicts and worries (I6, I11)
        ("what's speculative decoding and do we need it?", {"explain_concept", "recommend"}),
        ("the board caps us at $8k a month. can we stay under it?", {"change_assumption", "recommend"}),
        ("how solid is that payback figure?", {"risk"}),
        ("give me the rosy scenario for the lora path", {"risk"}),
        ("would three be enough for the claims workload?", {"explain_figure"}),
        ("with batch pricing on that, what happens to the sonnet bill?", {"explain_figure", "what_if"}),
        ("would caching cut that api cost much?", {"explain_figure", "what_if"}),
        ("do you size the cards for the peak or the average?", {"show_assumptions"}),
        # the user's own team inside a question is a fact (I3); not inside a figure question (I8)
        ("how risky is self hosting for a team of 2 engineers?", {"change_assumption", "risk"}),
        ("what would 3 engineers for 6 months cost us?", {"explain_figure"}),
        ("the reports aren't time sensitive, nobody reads them before noon", {"pillar_answer"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session6_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    "text",
    ["what's the play?", "where do we land?", "does fine tuning buy us anything?", "talk me through options"],
)
@pytest.mark.usefixtures("rules_alone")
def test_verdict_wordings_are_recommend_cues(text):
    # the cue itself (I6); weighed with the learned model, a rare wording may still be read otherwise
    from agent.understanding.intents import normalise_text, rule_hits

    assert "recommend" in rule_hits(normalise_text(text))


@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("the decisions are legally binding and can be appealed", {"regulated": True}),
        ("the DSA applies to our marketplace now", {"regulated": True}),
        ("the medical information team is 9 people", {}),  # a department, no pillar
        ("the reports go out weekly and the tone changes every time", {"consistency": True}),
        ("drafts can vary in wording, an editor fixes them", {"consistency": False}),
        ("the minutes aren't time sensitive", {"latency": False}),
        ("seller replies don't need to be instant", {"latency": False}),
        ("the kiosk has to answer in under two seconds", {"latency": True}),
        ("our planners write in council-speak nobody outside gets", {"jargon": True}),
        ("the agendas are published anyway, no secret sauce", {"proprietary_data": False}),
        ("cloud's fine for this one", {"on_prem": False}),
    ],
)
def test_session6_pillar_wording(text, pillars):
    assert {p.pillar: p.value for p in understand(text, catalog=HAND).pillars} == pillars


@pytest.mark.parametrize(
    "text, intents",
    [
        # the option a question weighs is its subject, not a change (I4, session 7)
        ("payback period for self-hosting a 7b on 2 L4s?", {"break_even"}),
        ("fine tune a 70b on 8 a100s, feasible?", {"recommend"}),
        ("could we use mixtral for this?", {"recommend"}),
        ("when does it pay back if we go lora on a 7b", {"break_even"}),
        ("biggest risk if we go with vendor fine tuning?", {"risk"}),
        ("our cto wants us on gemini flash, is that the better move", {"recommend"}),
        # ... but a scenario value, an event or "instead" with it is one (I4)
        ("when does it pay back if we go lora on a 7b and volume grows 5% a month?", {"break_even", "what_if"}),
        ("what could go wrong if we fine tune on tickets that later turn out to hold PII?", {"risk", "what_if"}),
        ("could we run it on L40S cards instead of H100s?", {"recommend", "what_if"}),
        # in a figure question "if" marks a change (I8)
        ("what would it cost per month if we self host a 70b on 4 h100s?", {"explain_figure", "what_if"}),
        # a follow-up on whether what was just said moves an answer (I4); not when the same
        # message states the fact (I3)
        ("does that change the recommendation?", {"recommend", "what_if"}),
        ("how much does that move the break-even?", {"break_even", "what_if"}),
        ("we can get H200s at $3.50 an hour, does that change your answer?", {"change_assumption", "recommend"}),
        # verdicts in other words (I6)
        ("does self hosting still stack up at 30% utilisation?", {"recommend", "what_if"}),
        ("we're on a classified network. does an API even come into it?", {"pillar_answer", "recommend"}),
        ("what's RAG and do we need it for the claims letters?", {"explain_concept", "recommend"}),
        ("what's an embedding, do we need it for RAG?", {"explain_concept"}),
        # figures asked or challenged (I8), a cost per unit for each option (I5 + I8)
        ("does that $9.1k include VAT?", {"explain_figure"}),
        ("can you break the self-hosted total down into hardware and staff?", {"explain_figure"}),
        ("cost per ticket on each path, please", {"compare", "explain_figure"}),
        ("surely one l40s is plenty?", {"explain_figure"}),
        # risk and compare in other words (I11, I5)
        ("is vendor fine tuning a trap for us?", {"risk"}),
        ("would a lora'd 8b do the triage for less?", {"compare"}),
        # latency stated in other words (I12)
        ("our p95 target is 800 ms", {"pillar_answer"}),
        ("a few seconds per answer is totally fine", {"pillar_answer"}),
        # a worry about an event in the scenario is a change to explore; the model's own output
        # failing is not (I11)
        ("what's the risk if our ML lead quits?", {"risk", "what_if"}),
        ("worst case if the base model gets deprecated next year?", {"risk", "what_if"}),
        ("what's the risk if the fine-tuned model invents a refund amount?", {"risk"}),
        # a figure question's setup and what someone else said about a figure are no facts of
        # ours (I8); someone's proposal is an idea to weigh (I3); a data set's size and a
        # relative clause belong to the pillar statement (I12)
        ("2 L40S at 60% utilisation, what's the monthly bill?", {"explain_figure"}),
        ("that seems off, we were told a 13b needs 2 cards", {"explain_figure"}),
        ("our aws rep keeps pushing trainium. worth a look?", {"recommend"}),
        ("we have 2 million resolved tickets, none of it public", {"pillar_answer"}),
        (
            "we hold 900k inspection reports from 20 years, which no vendor has ever seen",
            {"pillar_answer"},
        ),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session7_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    "text, intents",
    [
        # an event that would happen to the scenario is risk + what_if; the model's own wrong
        # answer or misrouting is risk only (I11)
        ("what if anthropic retires haiku in the middle of our contract?", {"risk", "what_if"}),
        ("what if the regulator says no to US-hosted APIs next year?", {"risk", "what_if"}),
        ("what if the tuned model tells a customer the refund is €90 when it's €40?", {"risk"}),
        ("worst case if the triage bot routes a gas leak report as low priority?", {"risk"}),
        # the status quo and "if ever" set no condition (I4)
        ("what could go wrong if we keep sending claims to a US api?", {"risk"}),
        ("when does the fine tune pay for itself, if ever?", {"break_even"}),
        # sensitivity in other words (I11); a tornado chart explained is both (I8 + I11)
        ("what's the biggest swing factor in that comparison?", {"risk"}),
        ("which matters more for us, the GPU rate or the volume?", {"risk"}),
        ("walk me through the tornado chart, what am I looking at?", {"explain_figure", "risk"}),
        # sizing and figures asked in other words (I8)
        ("would 3 of them be enough to serve a 70b?", {"explain_figure"}),
        ("can a self-hosted 8b even hit 300 ms?", {"explain_figure"}),
        ("the hosting line says $6.2k a month, where does that come from?", {"explain_figure"}),
        ("and what's in 'ops' there?", {"explain_figure"}),
        ("that's way more than I expected, is that right?", {"explain_figure"}),
        ("how much GPU would that need at 3M tokens a month?", {"explain_figure"}),
        # verdicts (I6), concepts (I10), a reset (I2)
        ("does the helpdesk bot really need a 70b or is a 7b plenty?", {"recommend"}),
        ("fine tune, or just write a better prompt for haiku?", {"recommend"}),
        ("is there a rule of thumb for how much data a LoRA needs?", {"explain_concept"}),
        ("how is an llm different from the rules engine we use today?", {"explain_concept"}),
        ("totally different case now, please clear out the hospital stuff", {"reset"}),
        # the option weighed includes where it runs (I4); a model and its card are no two options (I5)
        ("payback if we fine tune mistral 7b and self host it on 2 L4s?", {"break_even"}),
        ("would mistral 7b on 2 h100s be worth it, or is it overkill?", {"recommend"}),
        ("I need one number: how much do we save over 2 years by leaving gpt-4o?", {"compare"}),
        ("list the assumptions underpinning the cost comparison please", {"show_assumptions"}),
        # a pillar's own examples and samples set no input (I12)
        ("replies must quote the statutory amounts exactly, €150, €300 or €450 by case", {"pillar_answer"}),
        ("our engineers write 'VFD trip on AHU-2, RTU short cycling'. pure jargon", {"pillar_answer"}),
        ("dispatchers give up and phone if it takes more than 2 seconds, they call the depot instead", {"pillar_answer"}),
        ("we also have 9k hours of human-subtitled shows, could train on those", {"pillar_answer"}),
        ("speed is a non-issue here, next morning is plenty", {"pillar_answer"}),
        # from the session's second pair of dev batches
        ("what's a vendor fine tune going to cost on 4o mini?", {"explain_figure"}),
        ("how much of the self hosting cost is staff and how much is hardware?", {"explain_figure"}),
        ("how many h100s to serve 20k chats a day with a 70b", {"explain_figure"}),
        ("why is the break-even so far out?", {"explain_figure"}),
        ("our rep is pushing h200s, wait for those or go now?", {"recommend"}),
        ("whats RAG and do we need it for the claims letters", {"explain_concept", "recommend"}),
        ("would the cluster survive a traffic spike like that, or just melt?", {"risk"}),
        ("what if the vendor stops releasing new open models?", {"risk", "what_if"}),
        ("which growth rate did you use for that?", {"show_assumptions"}),
        ("which input would move the answer most if we got it wrong?", {"risk"}),
        ("two identical claims must get the same risk rating", {"pillar_answer"}),
        ("can anyone recommend decent running shoes?", {"off_topic"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session8_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    "text, pillars",
    [
        ("everything sits under PSD2 and the central bank's outsourcing guidelines", {"regulated": True}),
        ("we have no statutory obligation on the catalogue, it is an internal tool", {"regulated": False}),
        ("same house style every time, two lines of 42 characters max", {"consistency": True}),
        ("the roster data doesn't leave our network", {"on_prem": True}),
        ("our archivists use a proper cataloguing vocabulary the model keeps getting wrong", {"jargon": True}),
        ("response time really doesn't matter, same day is fine", {"latency": False}),
        ("we've got about 8 yrs of resolved cases in zendesk", {"proprietary_data": True}),
        ("member records fall under state privacy law", {"regulated": True}),
        ("answers must match the tariff rules word for word", {"consistency": True}),
        ("those letters were all written by our own people", {"proprietary_data": True}),
        ("the phone line can live with up to 1.5 seconds", {"latency": True}),
    ],
)
def test_session8_pillar_wording(text, pillars):
    assert {p.pillar: p.value for p in understand(text, catalog=HAND).pillars} == pillars


def test_rule_books_and_airliners_are_no_gpu_names():
    u = understand("PSD2, NIS2, EU261 and SOC2 apply; int4 on an A380 fleet", catalog=HAND)
    assert u.unknown_names == () and u.names == ()


def test_business_shorthand_is_no_model_name():
    u = understand("no regulator in our space, we're B2B and run everything on k8s", catalog=HAND)
    assert u.unknown_names == () and u.names == ()


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # session-9 dev families (d5241-d5540), in our own wording
        ("how does a reranker differ from plain retrieval, cost-wise?", {"explain_concept"}),
        ("whats the difference between distillation and training from scratch?", {"explain_concept"}),
        ("starting fresh: 900k tokens a day on claude sonnet", {"reset", "change_assumption"}),
        ("start over please", {"reset"}),
        ("recomendation?", {"recommend"}),
        ("what does 'output share' stand for?", {"explain_concept"}),
        ("what if the summariser hallucinates a dosage?", {"risk"}),
        ("is it cheaper to self-host or pay per token?", {"compare"}),
        ("our glossary is all acronyms - slips, MRCs, binders", {"pillar_answer"}),
        ("would L40S cards bring that down?", {"explain_figure", "what_if"}),
        ("does batching cut it?", {"explain_figure", "what_if"}),
        ("monthly hosting cost for a 13b on one A100?", {"explain_figure"}),
        ("would two do it?", {"explain_figure"}),
        ("the board wants to know: go or no-go?", {"recommend"}),
        ("what's the latency difference between the api and an in-house 8b?", {"compare"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session9_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # session-10 dev families (d5541-d5990), in our own wording
        ("what happens if the bot just makes up a delivery date?", {"risk"}),
        ("what happens if anthropic retires the model we tuned?", {"risk", "what_if"}),
        ("what if the ministry decides generated letters aren't acceptable?", {"risk", "what_if"}),
        ("suppose the base model is superseded next spring, are we stuck?", {"risk", "what_if"}),
        ("what if the depot closes in 18 months?", {"risk", "what_if"}),
        ("what if traffic doubles once the merger closes?", {"what_if"}),  # control: no event
        ("how many tickets an hour can one L4 handle with an 8b?", {"explain_figure"}),
        ("would 2x H100 cope with that load?", {"explain_figure"}),
        ("is 250 ms realistic for a 7b on our own box?", {"explain_figure"}),
        ("how many h100 would a 70b need?", {"explain_figure"}),
        ("is that enough to serve the model?", {"explain_figure"}),
        ("does that flip it?", {"recommend", "what_if"}),  # an answer under a change (I4)
        ("we got H100s at $1.90/h. Does the verdict flip?", {"change_assumption", "recommend"}),
        ("which of these inputs flips it?", {"risk"}),  # control: what drives the verdict
        ("recommendation then?", {"recommend"}),
        ("go/no-go on the pilot?", {"recommend"}),
        ("reranking - what is it and would it help us?", {"explain_concept", "recommend"}),
        ("payback in months, and how confident are you in it?", {"break_even", "risk"}),
        ("how confident are you in the payback month?", {"risk"}),  # control: one question
        ("could you show me how the hosting figure was worked out?", {"explain_figure"}),
        ("what'd the annual api bill be then?", {"explain_figure"}),
        ("which salaries you've got in there for ML engineers?", {"show_assumptions"}),
        ("what is the one thing that could sink it?", {"risk"}),
        ("how much would switching from sonnet to our own 8b save?", {"compare"}),
        ("we're happy on haiku today. do we even need to switch?", {"recommend"}),
        ("Start over. 2M tokens a day on gpt-4o. Recommendation?", {"reset", "change_assumption", "recommend"}),
        ("what if the tuned model approves a duplicate invoice?", {"risk"}),
        ("what if last year's labels were sloppy and the model learns them?", {"risk"}),
        ("when does an 8b on our own cards overtake the api?", {"break_even"}),
        ("at what daily ticket volume does self-hosting start to win?", {"break_even"}),
        ("okay reset, different team", {"reset"}),
        ("let's clear this out and begin with the warehouse numbers", {"reset"}),
        ("is that per year or per month?", {"explain_figure"}),
        ("that's lower than what procurement quoted", {"explain_figure"}),
        ("what request volume have you got for us?", {"show_assumptions"}),
        ("list the inputs you're working with", {"show_assumptions"}),
        # a follow-up on whether what was just said alters an answer adds what_if (I4)
        ("does that tip it towards self-hosting?", {"recommend", "what_if"}),
        ("how far does that push out the payback?", {"break_even", "what_if"}),
        ("does the price rise change your call?", {"recommend", "what_if"}),
        ("is the api still worth it with that?", {"recommend", "what_if"}),
        ("what if openai changes the usage terms on us?", {"risk", "what_if"}),
        ("what if the auditor says prompts can't contain names?", {"risk", "what_if"}),
        ("just tell me where to start", {"recommend"}),
        ("forget the last thing I typed", {"undo"}),
        ("back to before the growth change", {"undo"}),
        ("put the old token price back", {"undo"}),
        ("how do I change one of the numbers?", {"greeting_help"}),
        ("how do I change my password on the intranet", {"off_topic"}),  # control: not the tool
        ("70b on L40S - how many cards?", {"explain_figure"}),
        ("is that before or after tax?", {"explain_figure"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session10_intent_families(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("every triage decision has to be auditable by the inspectorate", {"regulated": True}),
        ("replies must match the style guide exactly every time", {"consistency": True}),
        ("the rigs are remote, so it has to run locally", {"on_prem": True}),
        ("product codes everywhere and the api keeps mangling them", {"jargon": True}),
        ("our claim codes trip up every model we've tested", {"jargon": True}),
        ("the base model keeps mixing them up: LDW, CDW, SLI", {"jargon": True}),
    ],
)
def test_session10_pillar_wording(text, pillars):
    assert {p.pillar: p.value for p in understand(text, catalog=HAND).pillars} == pillars


@pytest.mark.parametrize(
    ("source", "pieces"),
    [
        (r"\ba\b|(?:b|c)d|[|]e", [r"\ba\b", r"(?:b|c)d", r"[|]e"]),
        (r"x\|y|[]|]z|(?<!a|b)w", [r"x\|y", r"[]|]z", r"(?<!a|b)w"]),
        (r"[^]|]q|r", [r"[^]|]q", "r"]),
        ("plain", ["plain"]),
    ],
)
def test_a_rule_splits_only_at_its_top_level_bars(source, pieces):
    from agent.understanding.scan import _split_top_level

    assert _split_top_level(source) == pieces


@pytest.mark.parametrize(
    ("source", "need"),
    [
        (r"\bhow much\b", {"how much"}),
        (r"\b(?:what|which) (?:drives|moves) (?:it|the cost)", {"drives", "moves"}),
        (r"(?<!not )\brisk(?:s|y)?\b", {"risk"}),
        (r"\bwh(?:at|ich)?\b", {"wh"}),
        (r"\b(?:x|\w+ly) cheap", {" cheap"}),
        (r"(?:xy+zw)+", {"zw"}),
        (r"\d+%?", None),
        (r"(?:foo)?\w", None),
    ],
)
def test_a_rule_piece_knows_the_words_no_match_goes_without(source, need):
    from re import _parser

    from agent.understanding.scan import _required

    got = _required(_parser.parse(source))
    assert (set(got) if got is not None else None) == need


def test_the_prefiltered_scan_finds_what_one_alternation_finds():
    # independent reference: every rule of an intent in one alternation, searched once
    import random
    import re

    from agent.understanding.intents import RULES, normalise_text, rule_hits

    whole = {i: re.compile("|".join(f"(?:{p})" for p in ps)) for i, ps in RULES.items()}

    def reference(text: str) -> dict[str, str]:
        found = {i: p.search(text) for i, p in whole.items()}
        return {i: m.group(0).strip() or i for i, m in found.items() if m}

    texts = [normalise_text(m["text"]) for m in load_labelled("dev")]
    rng = random.Random(7)
    texts += [" ".join(rng.sample(texts, 12)) for _ in range(200)]  # long turns: leftmost hit wins
    mismatched = [t for t in texts if rule_hits(t) != reference(t)]
    assert not mismatched, mismatched[:3]
    # asked for some intents only, the scan reads their rules and finds what the reference does
    some = {"what_if", "risk", "explain_concept"}
    narrowed = [
        t
        for t in texts
        if rule_hits(t, only=some) != {i: w for i, w in reference(t).items() if i in some}
    ]
    assert not narrowed, narrowed[:3]


def test_the_pillar_rules_scan_finds_what_one_alternation_finds():
    # independent reference: each list of pillar rules as one alternation, searched once
    import random
    import re

    from agent.understanding.signals import _COMPILED, _REGULATION_STATED

    scans = [_REGULATION_STATED, *(scan for pair in _COMPILED.values() for scan in pair)]
    texts = [m["text"].lower() for m in load_labelled("dev")]
    rng = random.Random(11)
    texts += [" ".join(rng.sample(texts, 12)) for _ in range(100)]
    for scan in scans:
        whole = re.compile("|".join(f"(?:{s})" for s in scan.sources))
        for t in texts:
            got, want = scan.search(t), whole.search(t)
            assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0)))


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        # a scenario input as the condition of a break-even asked "how long / how many months"
        # (I4): not the sizing question "how many L40S to serve ..." (I8)
        (
            "how long till the reserved cards pay for themselves at 30% utilisation?",
            {"break_even", "what_if"},
        ),
        (
            "how many months until a tuned 8b pays off at 6M tokens a day?",
            {"break_even", "what_if"},
        ),
        ("how many L40S to serve a 13b at 20M tokens a day?", {"explain_figure"}),
        # ... unless the condition points back at values already given
        ("how many months until payback with those 4 cards?", {"break_even"}),
        # a volume a question is asked "for" is its condition too; a price basis is not
        (
            "does a self-hosted 8b still make sense for 5,000 requests a day?",
            {"recommend", "what_if"},
        ),
        ("which is cheaper for 300M tokens a month, haiku or a tuned 8b?", {"compare", "what_if"}),
        ("is haiku cheaper than 4o mini for 1M tokens?", {"compare"}),
    ],
)
@pytest.mark.usefixtures("rules_alone")
def test_session17_conditions_of_a_question(text, intents):
    assert set(understand(text, catalog=HAND).intent_ids) == intents


def test_a_rule_with_global_flags_stays_whole():
    from agent.understanding.scan import _pieces

    (pattern, need), *rest = _pieces(r"(?i)\bhello\b|world")
    assert not rest and need is None and pattern.search("WORLD")
    assert [need for _, need in _pieces(r"\bhello\b|world")] == [{"hello"}, {"world"}]
