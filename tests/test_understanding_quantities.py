"""Regression tests for quantity and name families found on the tenth dev batch (d541-d740).
Each case is a new phrasing of a family (not a dev message), with its expected value by hand."""

from __future__ import annotations

import time

import pytest

from agent.understanding.names import default_catalog, find_names
from agent.understanding.numbers import find_numbers
from agent.understanding.quantities import extract_quantities


def _parse(text: str):
    names, unknown = find_names(text, default_catalog())
    spans = [(n.span.start, n.span.end, n.kind) for n in names]
    spans += [(u.span.start, u.span.end, "unknown") for u in unknown]
    return names, unknown, extract_quantities(text, spans)


def quantities(text: str) -> list[tuple]:
    return [(q.kind, round(q.value, 4), q.period, q.side, q.currency) for q in _parse(text)[2]]


# --- new rules from d541-d740: quantities ------------------------------------------------------


_FAMILIES_D541 = [
    # "and a half" after a number word
    ("over two and a half years", [("duration", 30.0, None, None, None)]),
    ("one and a half million tokens a day", [("token_volume", 1.5e6, "day", None, None)]),
    ("two and three", []),  # "and" joins only after hundred/thousand
    # "percent" written as a word
    ("cache hit rate is 40 percent", [("percent", 0.4, None, None, None)]),
    ("we're growing 3 per cent a month", [("growth", 0.03, "month", None, None)]),
    # a period a few words after the volume
    (
        "we burn 3 million tokens on the api each day",
        [("token_volume", 3e6, "day", None, None)],
    ),
    # quarters become years (x4), as for growth
    ("we handle 1.2M tickets per quarter", [("request_volume", 4.8e6, "year", None, None)]),
    # a per-request side named by a noun earlier in the sentence
    ("answers run about 250 tokens", [("tokens_per_request", 250.0, None, "output", None)]),
    (
        "prompts average 3k tokens, completions maybe 400",
        [
            ("tokens_per_request", 3000.0, None, "input", None),
            ("tokens_per_request", 400.0, None, "output", None),
        ],
    ),
    (
        "each call is 2k tokens of input and 500 output",
        [
            ("tokens_per_request", 2000.0, None, "input", None),
            ("tokens_per_request", 500.0, None, "output", None),
        ],
    ),
    # paying verbs make an amount money
    ("we spend around 20k a month on it", [("money", 20000.0, "month", None, None)]),
    ("our bill is roughly 8k per month", [("money", 8000.0, "month", None, None)]),
    # growth with hedges, or a growth word earlier in the sentence
    ("traffic grows perhaps 3% week over week", [("growth", 0.03, "week", None, None)]),
    ("growth is modest, say 2% a month", [("growth", 0.02, "month", None, None)]),
    # requests named before "go up by N a day"
    ("calls rise by 5k a day", [("request_volume", 5000.0, "day", None, None)]),
    # a scenario field named before its value
    ("set the gpu count to 4", [("gpu_count", 4.0, None, None, None)]),
    ("change tokens per request to 900", [("tokens_per_request", 900.0, None, None, None)]),
    ("set growth rate to 0.05", [("growth", 0.05, None, None, None)]),
    ("output share to 0.3", [("output_share", 0.3, None, None, None)]),
    # token prices with in/out sides, with or without a currency
    (
        "$2/M in, $8/M out",
        [
            ("price_per_token", 2.0, None, "input", "USD"),
            ("price_per_token", 8.0, None, "output", "USD"),
        ],
    ),
    (
        "they charge 2.5 per million input tokens",
        [("price_per_token", 2.5, None, "input", None)],
    ),
    # latency in seconds with words of waiting
    ("users expect answers in 2 seconds", [("latency", 2000.0, None, None, None)]),
    # headcount: "N-person", more job words
    ("we have a 40-person support team", [("headcount", 40.0, None, None, None)]),
    ("about 300 reps use it daily", [("headcount", 300.0, None, None, None)]),
    # relative changes in words
    ("what if requests go up by a third", [("relative_change", 1.3333, None, None, None)]),
    ("what if the price drops by a fifth", [("relative_change", 0.8, None, None, None)]),
    ("what if traffic drops by two thirds", [("relative_change", 0.3333, None, None, None)]),
    ("at a third of the price", [("relative_change", 0.3333, None, None, None)]),
    ("same again at half the volume", [("relative_change", 0.5, None, None, None)]),
    ("costs could jump 3-fold", [("relative_change", 3.0, None, None, None)]),
    ("usage grows fivefold", [("relative_change", 5.0, None, None, None)]),
    ("what if we had 5x the gpus", [("relative_change", 5.0, None, None, None)]),
    ("4 x H100", [("gpu_count", 4.0, None, None, None)]),  # a count, still
    # "drops to 20%" is the new level, "drops by 20%" the change
    ("if the hit rate falls to 20%", [("percent", 0.2, None, None, None)]),
    ("if the price falls by 20%", [("relative_change", 0.8, None, None, None)]),
    # output shares as fractions in words
    ("make the input share three quarters", [("output_share", 0.25, None, None, None)]),
    ("two thirds of the tokens are output", [("output_share", 0.6667, None, None, None)]),
    # a shift of one period
    ("the launch slipped by a month", [("duration", 1.0, None, None, None)]),
    # growth as a factor a period; growth stated without a period, and against another
    ("we grow 2x per year", [("growth", 1.0, "year", None, None)]),
    (
        "what if growth is 10% instead of 5%",
        [("growth", 0.1, None, None, None), ("growth", 0.05, None, None, None)],
    ),
    # digits continued in words; half a second
    (
        "around 3 and a half million tokens a week",
        [("token_volume", 3.5e6, "week", None, None)],
    ),
    ("replies within half a second", [("latency", 500.0, None, None, None)]),
    # a side's fraction of all tokens
    ("output is about a quarter of all tokens", [("output_share", 0.25, None, None, None)]),
    # cents are hundredths of a dollar; a price per 1k tokens in cents
    ("it costs us 3 cents per request", [("money", 0.03, None, None, "USD")]),
    ("we pay 15 cents per 1k tokens", [("price_per_token", 150.0, None, None, "USD")]),
    # a period adjective before the amount, with the currency before the number
    ("monthly spend ~ $30k", [("money", 30000.0, "month", None, "USD")]),
    ("the yearly budget for llms is 50k EUR", [("money", 50000.0, "year", None, "EUR")]),
    ("our reserved instances are $1.5/gpu/hour", [("gpu_price", 1.5, None, None, "USD")]),
    ("output tokens make up 40% of traffic", [("output_share", 0.4, None, None, None)]),
    ("we do 300 qps at peak", [("request_volume", 300.0, "second", None, None)]),
    # "from A to B" after a change verb: two values, each in the unit of the other
    (
        "raise tokens per request from 1k to 1.5k",
        [
            ("tokens_per_request", 1000.0, None, None, None),
            ("tokens_per_request", 1500.0, None, None, None),
        ],
    ),
    (
        "the price went from $10 to $5 per million",
        [
            ("price_per_token", 10.0, None, None, "USD"),
            ("price_per_token", 5.0, None, None, "USD"),
        ],
    ),
    (
        "set gpu count to 8 and tokens per request to 900",
        [("gpu_count", 8.0, None, None, None), ("tokens_per_request", 900.0, None, None, None)],
    ),
    ("assume the gpu rate is 2.10", [("gpu_price", 2.1, None, None, None)]),
    # compute time, not a count of GPUs: a plain number, as "2,000 GPU hours" always was
    ("training takes 30 gpu hours", [("number", 30.0, None, None, None)]),
    ("we want answers in under a second", [("latency", 1000.0, None, None, None)]),
    (
        "about 4 million tokens a day, 70% of which is input",
        [("token_volume", 4e6, "day", None, None), ("output_share", 0.3, None, None, None)],
    ),
    # eleventh-batch families (d741-d890), new phrasings
    ("about 3 lakh calls a month", [("request_volume", 3e5, "month", None, None)]),
    ("the L4 is 0,85 EUR per hour", [("gpu_price", 0.85, None, None, "EUR")]),
    ("yearly tokens ~ 2,5 million", [("token_volume", 2.5e6, "year", None, None)]),
    ("a term of thirty-six (36) months", [("duration", 36.0, None, None, None)]),
    ("weekly cloud vendor bill was USD 9,000", [("money", 9000.0, "week", None, "USD")]),
    ("between EUR 5k and 7k a month", [("money", 6000.0, "month", None, "EUR")]),
    ("a 15% discount from the vendor", [("relative_change", 0.85, None, None, None)]),
    ("use a 12% discount rate", [("percent", 0.12, None, None, None)]),
    ("off by a factor of 3", [("relative_change", 3.0, None, None, None)]),
    ("we handle 40k invoices a day", [("request_volume", 40000.0, "day", None, None)]),
    ("the output side is maybe 20 percent", [("output_share", 0.2, None, None, None)]),
    ("output share is closer to a quarter", [("output_share", 0.25, None, None, None)]),
    ("users hang up after a second", []),  # "after" is no bound on latency
    ("anything above a second is too slow", [("latency", 1000.0, None, None, None)]),
    ("signups are +25% MoM", [("growth", 0.25, "month", None, None)]),
    ("assume 5% yearly growth", [("growth", 0.05, "year", None, None)]),
    ("weekly ~ 3k tickets", [("request_volume", 3000.0, "week", None, None)]),
    ("what if we rent a100s for $1.20 instead", [("gpu_price", 1.2, None, None, "USD")]),
    (
        "we have 9 devs, 2 of them know pytorch",
        [("headcount", 9.0, None, None, None), ("headcount", 2.0, None, None, None)],
    ),
    (
        "you assumed 16 GPUs, we'd need only 4",
        [("gpu_count", 16.0, None, None, None), ("gpu_count", 4.0, None, None, None)],
    ),
    ("is the 30k a year right", [("money", 30000.0, "year", None, None)]),
    ("x4?", [("relative_change", 4.0, None, None, None)]),
    ("and half?", [("relative_change", 0.5, None, None, None)]),
    ("if we send half the requests to the small model", [("percent", 0.5, None, None, None)]),
    # "more than one gpu" sets no count
    ("does a 7b really need more than one gpu", [("model_size", 7.0, None, None, None)]),
]


def test_model_size_range():
    (q,) = _parse("something in the 30-70B range")[2]
    assert (q.kind, q.value, q.low, q.high) == ("model_size", 50.0, 30.0, 70.0)


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, known, unknown",
    [
        ("could we run it on a few a6000s", [], ["a6000"]),  # a plural names the card
        ("we run some trainium chips", [], ["trainium"]),
        ("what about running on tpus", [], ["tpu"]),
        ("gaudi 2 nodes are cheap", [], ["gaudi 2"]),
        ("we are on gpt-4.1, not the mini one", ["openai/gpt-4.1", "openai/gpt-4.1-mini"], []),
        ("gpt-4o or the pro plan", ["openai/gpt-4o"], []),  # "pro plan" is no model
        ("a fine-tuned llama would do", [], []),  # a bare family names nothing
        ("or claude opus?", ["anthropic/claude-3-opus-latest"], []),
        ("x3?", [], []),  # a factor, not a GPU
    ],
)
def test_name_families(text, known, unknown):
    names, unk, _ = _parse(text)
    assert [n.id for n in names] == known
    assert [u.span.text.lower() for u in unk] == unknown


def test_long_message_stays_fast():
    """A bound only a runaway pattern breaks; the strict figures are in bench_understanding."""
    text = ("we spend around 20k a month, prompts average 3k tokens, up by a third. " * 30)[:2000]
    _parse("warm up the catalogue")
    start = time.perf_counter()
    _parse(text)
    assert time.perf_counter() - start < 0.5
    assert find_numbers("two and a half")[0].value == 2.5


# --- new rules from the dev batches d2241-d2840: quantities -----------------------------------


_FAMILIES_D2241 = [
    # things counted per period are requests
    ("we parse ~2.5k loan applications a day", [("request_volume", 2500.0, "day", None, None)]),
    ("400k chess moves/day", [("request_volume", 400000.0, "day", None, None)]),
    ("up to 500/min on launch day", [("request_volume", 30000.0, "hour", None, None)]),
    # a period named by an adjective elsewhere in the clause
    (
        "the monthly invoice from azure is about $12k",
        [("money", 12000.0, "month", None, "USD")],
    ),
    ("annual AI budget for HR & legal: EUR 250k", [("money", 250000.0, "year", None, "EUR")]),
    ("about £80k per engineer per year", [("money", 80000.0, "year", None, "GBP")]),
    ("what weekly opex do you assume? ours is $2-3k", [("money", 2500.0, "week", None, "USD")]),
    ("we pay 25 k€ per month", [("money", 25000.0, "month", None, "EUR")]),
    # European number formats
    ("each ticket is around 2.300 tokens", [("tokens_per_request", 2300.0, None, None, None)]),
    ("120 000 requests per day", [("request_volume", 120000.0, "day", None, None)]),
    # headcounts of roles
    (
        "40 moderators and 3 interns",
        [("headcount", 40.0, None, None, None), ("headcount", 3.0, None, None, None)],
    ),
    ("about 20 thousand users", [("headcount", 20000.0, None, None, None)]),
    (
        "what if we go from 4 to 6 H100s",
        [("gpu_count", 4.0, None, None, None), ("gpu_count", 6.0, None, None, None)],
    ),
    (
        "A100s run $1.80/h, we'd need about 3",
        [("gpu_price", 1.8, None, None, "USD"), ("gpu_count", 3.0, None, None, None)],
    ),
    ("8x MI250X", [("gpu_count", 8.0, None, None, None)]),
    # relative changes
    ("what if traffic goes x3.5", [("relative_change", 3.5, None, None, None)]),
    ("if usage is multiplied by three", [("relative_change", 3.0, None, None, None)]),
    ("and if onboarding takes twice as long?", [("relative_change", 2.0, None, None, None)]),
    ("if it grows half as fast", [("relative_change", 0.5, None, None, None)]),
    ("if we lose 20% of traffic", [("relative_change", 0.8, None, None, None)]),
    ("a classifier filters out 40% of tickets", [("relative_change", 0.6, None, None, None)]),
    ("how accurate is it, +/- 20%?", [("percent", 0.2, None, None, None)]),
    # shares, growth and fractions
    (
        "avg prompt ~300 tok, reply ~90",
        [
            ("tokens_per_request", 300.0, None, "input", None),
            ("tokens_per_request", 90.0, None, "output", None),
        ],
    ),
    (
        "output share for the legal summaries is about 12%",
        [("output_share", 0.12, None, None, None)],
    ),
    ("ratio 4:1 between prompt and completion", [("output_share", 0.2, None, None, None)]),
    ("prompts are long, call it 5:1", [("output_share", 0.1667, None, None, None)]),
    ("set growth 5%", [("growth", 0.05, None, None, None)]),
    ("maybe 20% a year then", [("growth", 0.2, "year", None, None)]),
    ("the boxes sit idle half the day", [("percent", 0.5, None, None, None)]),
    ("a quarter of them are duplicates", [("percent", 0.25, None, None, None)]),
    ("and if it holds for another year?", [("duration", 12.0, None, None, None)]),
    ("anything over a second and a half is too slow", [("latency", 1500.0, None, None, None)]),
    (
        "$0.0004/1k in and $0.0016/1k out on the new deal",
        [
            ("price_per_token", 0.4, None, "input", "USD"),
            ("price_per_token", 1.6, None, "output", "USD"),
        ],
    ),
]


@pytest.mark.parametrize(
    "text, kind, value, low, high",
    [
        ("error rate is 5-7%", "percent", 0.06, 0.05, 0.07),
        ("answers within roughly 2 to 3 seconds", "latency", 2500.0, 2000.0, 3000.0),
        # a bare "x to y" before any of the request nouns, one word between allowed (session 14)
        ("we get 2 to 3 thousand claims a day", "request_volume", 2500.0, 2000.0, 3000.0),
        ("we handle 20 to 30k support tickets a week", "request_volume", 25000.0, 2e4, 3e4),
    ],
)
def test_ranges_keep_their_unit(text, kind, value, low, high):
    (q,) = _parse(text)[2]
    assert (q.kind, round(q.value, 4), q.low, q.high) == (kind, value, low, high)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("£5k a fortnight on openai", [("money", 2500.0, "week", None, "GBP")]),
        ("we spend about $8k fortnightly", [("money", 4000.0, "week", None, "USD")]),
        ("1.2M tokens per fortnight", [("token_volume", 6e5, "week", None, None)]),
        ("growing 21% a fortnight", [("growth", 0.1, "week", None, None)]),  # 1.1 x 1.1 = 1.21
    ],
)
def test_a_fortnight_is_two_weeks(text, expected):
    assert quantities(text) == expected


@pytest.mark.parametrize(
    "text, period, low, high",
    [
        # each end compounded like the value: 1.1^4 = 1.4641 and 1.21^4 = 2.14358881 a year
        ("traffic growing 10-21% a quarter", "year", 0.4641, 1.14358881),
        ("costs up 10-21% every quarter", "year", 0.4641, 1.14358881),
        # and per fortnight to a week: sqrt(1.21) = 1.1
        ("usage growing 10-21% a fortnight", "week", 0.0488088482, 0.1),
    ],
)
def test_a_growth_range_converts_both_ends_with_its_period(text, period, low, high):
    (q,) = _parse(text)[2]
    assert (q.kind, q.period) == ("growth", period)
    assert (q.low, q.high) == pytest.approx((low, high), abs=1e-9)
    assert q.low < q.value < q.high


@pytest.mark.parametrize(
    "text, expected",
    [
        # the unit said first: $0.00015 per 1k tokens is $0.15 per million (was read per million)
        (
            "price per 1k tokens from our azure deal is $0.00015 in, $0.0006 out",
            [
                ("price_per_token", 0.15, None, "input", "USD"),
                ("price_per_token", 0.6, None, "output", "USD"),
            ],
        ),
        ("per 1K tokens we pay $0.002", [("price_per_token", 2.0, None, None, "USD")]),
        ("price per 1k tokens: $0.002", [("price_per_token", 2.0, None, None, "USD")]),  # was money
        ("our price per 1M input tokens is $3", [("price_per_token", 3.0, None, "input", "USD")]),
        # a unit after a price is that price's, not the next one's; a GPU's rate stays a GPU's
        (
            "at $3 per million tokens, with 8 H100s at $2",
            [
                ("price_per_token", 3.0, None, None, "USD"),
                ("gpu_count", 8.0, None, None, None),
                ("gpu_price", 2.0, None, None, "USD"),
            ],
        ),
    ],
)
def test_a_token_unit_said_before_the_prices_applies_to_them(text, expected):
    assert [(q.kind, q.value, q.period, q.side, q.currency) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "stack up", "add up": a phrasal verb's "up"; "more like": about. Levels, not increases
        ("does self hosting still stack up if utilisation is only 30%?", [("percent", 0.3)]),
        ("does it add up if only 20% of them need it", [("percent", 0.2)]),
        ("our real MFU would be more like 25%, please set it to that", [("percent", 0.25)]),
        # increases still read as such
        ("what if traffic is up 30%", [("relative_change", 1.3)]),
        ("and if it goes up by 30%?", [("relative_change", 1.3)]),
        ("what if prices are 20% more", [("relative_change", 1.2)]),
    ],
)
def test_up_and_more_mean_an_increase_only_when_they_say_one(text, expected):
    assert [(q.kind, q.value) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, value, period",
    [
        # "monthly" as a noun, and a period's total: the amount is per that period (was none)
        ("why does your self-hosted monthly come out at €19,400?", 19400.0, "month"),
        ("the monthly comes out at $5k", 5000.0, "month"),
        ("annual total: $80k", 80000.0, "year"),
        ("the weekly totals were $2k", 2000.0, "week"),
    ],
)
def test_a_periods_total_is_money_per_that_period(text, value, period):
    (q,) = _parse(text)[2]
    assert (q.kind, q.value, q.period) == ("money", value, period)


def test_a_periods_total_without_a_currency_is_not_guessed_a_volume():
    assert [(q.kind, q.period) for q in _parse("daily total is about 40k")[2]] == [("number", None)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # thousands a month with the requests named earlier in the sentence and no money word
        (
            "we answer seller tickets with gpt-4.1, about 95k a month",
            [("request_volume", 95000.0, "month", None)],
        ),  # was $95k a month
        ("we spend about 95k a month", [("money", 95000.0, "month", None)]),
        ("tickets cost us 14k a month", [("money", 14000.0, "month", None)]),
        ("the chatbot runs ~40k/mo on sonnet", [("money", 40000.0, "month", None)]),
        # "rupees" before the amount names the currency, as after it does
        ("we are paying rupees 9 lakh monthly", [("money", 900000.0, "month", "INR")]),
    ],
)
def test_a_bare_amount_per_month_is_money_unless_requests_are_named(text, expected):
    assert [(q.kind, q.value, q.period, q.currency) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, sides",
    [
        ("vendor says $3 per million in, $12 per million out after discount", ["input", "output"]),
        ("$3 per million in with $15 per million out", ["input", "output"]),
        ("$3 per million in the EU region", [None]),  # "in" of a place: no side
    ],
)
def test_a_side_after_per_million_may_be_followed_by_more_words(text, sides):
    got = _parse(text)[2]
    assert [q.kind for q in got] == ["price_per_token"] * len(sides)
    assert [q.side for q in got] == sides


@pytest.mark.parametrize(
    "text, sides",
    [
        ("in: 3.2M tokens per day. out: about 800k", ["input", "output"]),  # "in:" had no side
        ("volumes - in: 2M tokens a day, out: 500k tokens a day", ["input", "output"]),
        ("input = 2M tokens a day", ["input"]),
        ("we log in: 3M tokens a day", [None]),  # a verb's "in", not a label
    ],
)
def test_a_side_written_as_a_label_before_a_daily_volume(text, sides):
    got = _parse(text)[2]
    assert [(q.kind, q.period) for q in got] == [("token_volume", "day")] * len(sides)
    assert [q.side for q in got] == sides


@pytest.mark.parametrize(
    "text, expected",
    [
        # a bare number set against a percentage is a percentage of the same kind and period
        (
            "growth should be 3%/month, not 10",
            [("growth", 0.03, "month"), ("growth", 0.1, "month")],
        ),
        ("error rate is 5%, not 10", [("percent", 0.05, None), ("percent", 0.1, None)]),
        ("30% output, not 50", [("output_share", 0.3, None), ("output_share", 0.5, None)]),
    ],
)
def test_a_bare_number_against_a_percentage_is_one(text, expected):
    assert [(q.kind, q.value, q.period) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, factor",
    [
        ("actually closer to 4.2k, I double counted the amendments", None),
        ("our copy is full of jargon - double-faced crepe, bias cut", None),
        ("growth in double digits", None),
        ("what if volume doubles", 2.0),
        ("double the gpus", 2.0),
    ],
)
def test_double_as_a_word_of_another_meaning_is_no_change(text, factor):
    changes = [q.value for q in _parse(text)[2] if q.kind == "relative_change"]
    assert changes == ([] if factor is None else [factor])


@pytest.mark.parametrize(
    "text, expected",
    [
        # the other side's price with its sign left out (was 0.3 tokens per request)
        (
            "flash costs us $0.075 per million input and 0.30 output, 20% of tokens are output",
            [
                ("price_per_token", 0.075, "input", "USD"),
                ("price_per_token", 0.3, "output", "USD"),
                ("output_share", 0.2, None, None),
            ],
        ),
        (
            "we pay €2.00/M in and 8 out",
            [("price_per_token", 2.0, "input", "EUR"), ("price_per_token", 8.0, "output", "EUR")],
        ),
        (
            "we negotiated $2.00/M in and $8/M out through azure",  # the second had no side
            [("price_per_token", 2.0, "input", "USD"), ("price_per_token", 8.0, "output", "USD")],
        ),
        # a count of tokens stays one
        (
            "$3 per million input and 500 tokens output",
            [
                ("price_per_token", 3.0, "input", "USD"),
                ("tokens_per_request", 500.0, "output", None),
            ],
        ),
    ],
)
def test_a_second_price_by_side_keeps_the_first_ones_currency(text, expected):
    assert [(q.kind, q.value, q.side, q.currency) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # an amount per period before a line item's name is money, not people
        (
            "why does the self-hosted option carry a 9k a month staff line?",
            [("money", 9000.0, "month")],
        ),  # was 9,000 people
        ("we have 3 ML engineers", [("headcount", 3.0, None)]),
        ("and 2 more data scientists", [("headcount", 2.0, None)]),
    ],
)
def test_an_amount_per_period_before_staff_is_money(text, expected):
    assert [(q.kind, q.value, q.period) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, latency_ms",
    [
        ("email triage is a batch job though, nobody cares if it takes 10 min", 600_000.0),
        ("replies within 5 minutes are fine", 300_000.0),
        ("a reply within a minute is fine", 60_000.0),
        ("seller replies don't need to be instant, even a minute is totally fine", 60_000.0),
        ("analysts can wait half a minute", 30_000.0),
        # not an answer's wait: a job's run time, an idiom, a rate
        ("training takes 90 minutes", None),
        ("wait a minute, that cost is wrong", None),
        ("we get 300 requests a minute", None),
        ("each call takes 5 minutes of audio to transcribe", None),  # minutes of something
    ],
)
def test_an_answer_may_wait_minutes(text, latency_ms):
    waits = [q.value for q in _parse(text)[2] if q.kind == "latency"]
    assert waits == ([] if latency_ms is None else [latency_ms])


@pytest.mark.parametrize(
    "text, expected",
    [
        # the dot of "approx." ends no sentence: the leading period still reaches the volume
        ("per day we have approx. 4,5 Mio tokens", [("token_volume", 4.5e6, "day")]),
        ("per day we have approx 4.5M tokens", [("token_volume", 4.5e6, "day")]),
        # a real sentence end still ends it
        (
            "It costs $5k. Per day we push 2M tokens",
            [("money", 5e3, None), ("token_volume", 2e6, "day")],
        ),
    ],
)
def test_an_abbreviations_dot_ends_no_sentence(text, expected):
    assert [(q.kind, q.value, q.period) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a fraction written with a slash reads as one written in words
        ("1/4 of it is output", [("output_share", 0.25)]),
        ("1/3 of them are duplicates", [("percent", 0.3333)]),
        ("what if prices drop by 1/3", [("relative_change", 0.6667)]),
        # not a fraction: above one, a date
        ("24/7 support", []),
        ("on 3/4 we launch", []),
    ],
)
def test_a_fraction_with_a_slash_reads_as_in_words(text, expected):
    assert [(q.kind, round(q.value, 4)) for q in _parse(text)[2]] == expected


@pytest.mark.parametrize(
    "text",
    [
        "output is maybe a third of total tokens",  # "total" was not read
        "output is about a third",  # nor a share ending the sentence
        "output is a third of the tokens",
    ],
)
def test_output_is_a_third_is_an_output_share(text):
    assert [(q.kind, round(q.value, 4)) for q in _parse(text)[2]] == [("output_share", 0.3333)]


@pytest.mark.parametrize("verb", ["rises", "rose", "jumps", "went up", "was raised"])
def test_a_value_changed_from_x_to_y_is_two_values_not_a_range(verb):
    text = f"the H100 rate {verb} from $2.49 to $3.20 an hour"
    assert quantities(text) == [
        ("gpu_price", 2.49, None, None, "USD"),
        ("gpu_price", 3.2, None, None, "USD"),
    ]


# --- families from the fresh dev batches d2841-d3440 --------------------------------------------


_FAMILIES_D2841 = [
    # counts per period named by the thing after the period
    (
        "about 4k a day for the invoices",
        [("request_volume", 4000.0, "day", None, None)],
    ),
    ("each analyst sends 60 req each per week", [("request_volume", 60.0, "week", None, None)]),
    # a whole request in tokens
    ("the reports run ~1.5k tokens all in", [("tokens_per_request", 1500.0, None, None, None)]),
    ("completions below 300", [("tokens_per_request", 300.0, None, "output", None)]),
    # a count continued
    (
        "you said 4 GPUs but one box would do, maybe 3 would do",
        [("gpu_count", 4.0, None, None, None), ("gpu_count", 3.0, None, None, None)],
    ),
    (
        "a data engineer is $140k a year and we'd need 3 of them",
        [("money", 140000.0, "year", None, "USD"), ("headcount", 3.0, None, None, None)],
    ),
    ("we operate in 9 countries", [("number", 9.0, None, None, None)]),
    # growth phrasings
    ("what if growth reaches 8%?", [("growth", 0.08, None, None, None)]),
    ("with 10% more tickets every month", [("growth", 0.1, "month", None, None)]),
    ("and if growth falls to zero?", [("growth", 0.0, None, None, None)]),
    ("same again with 4% growth", [("growth", 0.04, None, None, None)]),
    ("set weekly growth to 1%", [("growth", 0.01, "week", None, None)]),
    ("assume 10% QoQ", [("growth", 0.4641, "year", None, None)]),
    # "24m" as months when it is a horizon or a term
    ("what does it look like over 18m?", [("duration", 18.0, None, None, None)]),
    ("they offered a 24m contract", [("duration", 24.0, None, None, None)]),
    ("why is there a bump in month 9?", [("duration", 9.0, None, None, None)]),
    # relative changes
    ("suppose volume is x4 by then", [("relative_change", 4.0, None, None, None)]),
    ("what if it's half price", [("relative_change", 0.5, None, None, None)]),
    (
        "what if hosting ends up twice what you modelled",
        [("relative_change", 2.0, None, None, None)],
    ),
    ("and with gpu prices down a quarter?", [("relative_change", 0.75, None, None, None)]),
    ("what if traffic lands 10% below forecast", [("relative_change", 0.9, None, None, None)]),
    ("aws gives a 30% discount", [("relative_change", 0.7, None, None, None)]),
    (
        "the savings plan discount is 25% for 3 yrs, 15% for 1 yr",
        [
            ("relative_change", 0.75, None, None, None),
            ("duration", 36.0, None, None, None),
            ("relative_change", 0.85, None, None, None),
            ("duration", 12.0, None, None, None),
        ],
    ),
    # basis points, shares, duty cycles
    ("use a hurdle of 900bps", [("percent", 0.09, None, None, None)]),
    (
        "maybe 25% of what we send is output",
        [("output_share", 0.25, None, None, None)],
    ),
    ("the nightly job runs 3 hours a night", [("percent", 0.125, None, None, None)]),
    # money without a currency sign where a cost is meant
    (
        "the reserved line stays flat at 9.5k when volume grows",
        [("money", 9500.0, None, None, None)],
    ),
    ("where does 2,450 a month come from?", [("money", 2450.0, "month", None, None)]),
    ("we spend three hundred grand a year on apis", [("money", 300000.0, "year", None, None)]),
    (
        "self-host comes to $0.40 per 1k calls",
        [("money", 0.4, None, None, "USD")],
    ),
    # GPU prices in GPU context
    ("what about spot at 1.10?", [("gpu_price", 1.1, None, None, None)]),
    ("use 2.75 for the a100s", [("gpu_price", 2.75, None, None, None)]),
    ("mi250 on lambda at 1.90/h", [("gpu_price", 1.9, None, None, None)]),
    # plurals of GPU names are no latency
    ("can we run it on 3090s?", []),
]


# families from the dev batches d4041-d4340 (airline, carmaker after-sales, university IT)
_FAMILIES_D4041 = [
    # durations in words
    ("compare the options over a decade", [("duration", 120.0, None, None, None)]),
    ("what if the rollout slips a month?", [("duration", 1.0, None, None, None)]),
    ("could we stay on the api for 3 more years?", [("duration", 36.0, None, None, None)]),
    # people
    ("the one data engineer who built it is leaving", [("headcount", 1.0, None, None, None)]),
    (
        "we have 3 sysadmins and 2 postdocs",
        [("headcount", 3.0, None, None, None), ("headcount", 2.0, None, None, None)],
    ),
    (
        "what about 200 clinicians instead of all 1.2k?",
        [("headcount", 200.0, None, None, None), ("headcount", 1200.0, None, None, None)],
    ),
    # GPU counts
    ("and if we only use 3 of those?", [("gpu_count", 3.0, None, None, None)]),
    ("on the four 80 gig H100s", [("gpu_count", 4.0, None, None, None)]),
    ("we have 2 rtx 3090 in the lab", [("gpu_count", 2.0, None, None, None)]),
    # shares and changes
    ("about 1 in 4 of them escalate", [("percent", 0.25, None, None, None)]),
    ("make the output share 1 in 4", [("output_share", 0.25, None, None, None)]),
    ("she spends a third of her time on it", [("percent", 0.3333, None, None, None)]),
    ("what if they knock a quarter off?", [("relative_change", 0.75, None, None, None)]),
    ("what if google cuts gemini flash by half", [("relative_change", 0.5, None, None, None)]),
    ("traffic spikes 40% at christmas", [("relative_change", 1.4, None, None, None)]),
    ("and if output share drops to 15%?", [("output_share", 0.15, None, None, None)]),
    # counts, rates and units of a rate
    ("legal wants 2 bids for anything that size", [("number", 2.0, None, None, None)]),
    ("what's the cost per 1k tickets?", []),
    (
        "we write 300k summaries generated per month",
        [("request_volume", 300000.0, "month", None, None)],
    ),
    ("a yearly support charge of $9,000", [("money", 9000.0, "year", None, "USD")]),
    ("colo is $900 per rack per month", [("money", 900.0, "month", None, "USD")]),
    ("20k setup plus the cards", [("money", 20000.0, None, None, None)]),
    (
        "the bill says $4k/mo but our ledger shows 6k",
        [("money", 4000.0, "month", None, "USD"), ("money", 6000.0, None, None, None)],
    ),
    (
        "set tokens per request for the triage flow to 900",
        [("tokens_per_request", 900.0, None, None, None)],
    ),
    ("if the L4 rate goes to EUR 0.80", [("gpu_price", 0.8, None, None, "EUR")]),
]


# --- new rules from d4341-d4640: quantities ----------------------------------------------------


_FAMILIES_D4341 = [
    # countable things per period from ten up, request nouns named before the count, new roles
    ("each reviewer clears ~40 appeals a day", [("request_volume", 40.0, "day", None, None)]),
    ("permit submissions: about 2,400 a week", [("request_volume", 2400.0, "week", None, None)]),
    ("we only run 16 hrs a day", [("percent", 0.6667, None, None, None)]),
    ("we have 45 MSLs in the field", [("headcount", 45.0, None, None, None)]),
    ("30 evaluators score calls", [("headcount", 30.0, None, None, None)]),
    # an hourly price under 20 is a GPU's, a person's is more
    ("we get them at $1.80/h from the lab", [("gpu_price", 1.8, None, None, "USD")]),
    ("contractors bill $120/h", [("money", 120.0, "hour", None, "USD")]),
    # a second token price by side
    (
        "we pay $0.40 per million in and $1.60 out",
        [
            ("price_per_token", 0.4, None, "input", "USD"),
            ("price_per_token", 1.6, None, "output", "USD"),
        ],
    ),
    (
        "haiku costs us one dollar a million in, five out",
        [
            ("price_per_token", 1.0, None, "input", "USD"),
            ("price_per_token", 5.0, None, "output", "USD"),
        ],
    ),
    # token counts by side after "tokens", per a singular noun
    (
        "summary tokens are 900 in and 150 out",
        [
            ("tokens_per_request", 900.0, None, "input", None),
            ("tokens_per_request", 150.0, None, "output", None),
        ],
    ),
    ("say 2k tokens a ticket", [("tokens_per_request", 2000.0, None, None, None)]),
    # fractions of a count, of capacity
    ("what if a quarter of claims need a human?", [("percent", 0.25, None, None, None)]),
    ("the cards idle at a third of capacity", [("percent", 0.3333, None, None, None)]),
    # latency named by a percentile or "inside"
    ("p99 target is 0.8 seconds", [("latency", 800.0, None, None, None)]),
    # counts of parties; a "40-page" document
    ("we report to 25 regulatory authorities", [("number", 25.0, None, None, None)]),
    ("a 60-page contract", [("number", 60.0, None, None, None)]),
    # a volume instead of another keeps its unit; a headcount field with a time after it
    (
        "what about 40k chats/day instead of 25k?",
        [
            ("request_volume", 40000.0, "day", None, None),
            ("request_volume", 25000.0, "day", None, None),
        ],
    ),
    ("headcount goes to 40 after the merger", [("headcount", 40.0, None, None, None)]),
    # "single l40s", zero growth, an undone change is no change
    ("would a fine-tune fit on single h100?", [("gpu_count", 1.0, None, None, None)]),
    ("what about zero growth", [("growth", 0.0, None, None, None)]),
    ("revert the doubling please", []),
    # a slowing rate is growth; a raise a few words before its percentage; money periods and codes
    ("and if it slows to 1%?", [("growth", 0.01, None, None, None)]),
    (
        "what if openai raises its fine-tuned model prices by 20%",
        [("relative_change", 1.2, None, None, None)],
    ),
    ("our monthly run-rate is about $9k", [("money", 9000.0, "month", None, "USD")]),
    ("we spend ~15k/mo GBP on it", [("money", 15000.0, "month", None, "GBP")]),
    # "a team of N" is people, and so are "N of them" after it; GPUs stay GPUs
    ("how risky is self hosting for a team of 3?", [("headcount", 3.0, None, None, None)]),
    ("a small team of four, no MLOps", [("headcount", 4.0, None, None, None)]),
    (
        "team of 6, 2 of them have shipped models before",
        [("headcount", 6.0, None, None, None), ("headcount", 2.0, None, None, None)],
    ),
    ("a cluster of 12 GPUs", [("gpu_count", 12.0, None, None, None)]),
]

# session 10 (d5541-d5990): token prices that each name their side, a total cost of ownership,
# a cost over one named period, "from X to Y <unit>"
_FAMILIES_D5541 = [
    (
        "they quote us $2 in / $8 out per million",
        [
            ("price_per_token", 2.0, None, "input", "USD"),
            ("price_per_token", 8.0, None, "output", "USD"),
        ],
    ),
    (
        "€12 output and €4 input per 1M tokens",
        [
            ("price_per_token", 12.0, None, "output", "EUR"),
            ("price_per_token", 4.0, None, "input", "EUR"),
        ],
    ),
    (
        "list price is $10 per million output and $2.50 input.",
        [
            ("price_per_token", 10.0, None, "output", "USD"),
            ("price_per_token", 2.5, None, "input", "USD"),
        ],
    ),
    (
        "where does a 5-year TCO of 900k come from",
        [("duration", 60.0, None, None, None), ("money", 900000.0, None, None, None)],
    ),
    (
        "the bill last quarter was £27k",
        [("money", 108000.0, "year", None, "GBP")],
    ),  # a quarter is 3 months
    ("we have about $75k for the year", [("money", 75000.0, "year", None, "USD")]),
    (
        "we'll go from 600k to roughly 900k tokens a day",
        [
            ("token_volume", 600000.0, "day", None, None),
            ("token_volume", 900000.0, "day", None, None),
        ],
    ),
    (
        "output share is more like 35%, the agents write long",
        [("output_share", 0.35, None, None, None)],
    ),
    # a count of GPUs the catalogue does not carry is still a GPU count, not a "3x" change
    ("we run 3x A10G today", [("gpu_count", 3.0, None, None, None)]),
    ("our chat volume is 40k a month", [("request_volume", 40000.0, "month", None, None)]),
    # people paid by the hour are a wage, not a GPU price, even with GPUs in the message
    (
        "labelling: 3 temps at £18/h, hosting on 2 H100s at $2.10/h",
        [
            ("headcount", 3.0, None, None, None),
            ("money", 18.0, "hour", None, "GBP"),
            ("gpu_count", 2.0, None, None, None),
            ("gpu_price", 2.1, None, None, "USD"),
        ],
    ),
    # the corrected figure stays a plain number (the labelling convention)
    (
        "sorry, 25k calls a day, not 52k",
        [("request_volume", 25000.0, "day", None, None), ("number", 52000.0, None, None, None)],
    ),
]

# session 11: latency with its cue elsewhere in the message, fractions of the figure just given,
# uplifts that are added, a year from now
_FAMILIES_S11 = [
    (
        "is 800 ms realistic on one A10?",
        [("latency", 800.0, None, None, None), ("gpu_count", 1.0, None, None, None)],
    ),
    ("is 2.5s realistic for the drafts?", [("latency", 2500.0, None, None, None)]),
    ("agents tolerate <3 sec, no more", [("latency", 3000.0, None, None, None)]),
    ("callers accept up to 1.8 seconds to first token", [("latency", 1800.0, None, None, None)]),
    ("and a fifth of that?", [("relative_change", 0.2, None, None, None)]),
    ("in winter it's about half of that", [("relative_change", 0.5, None, None, None)]),
    ("what if traffic drops to a quarter next year", [("relative_change", 0.25, None, None, None)]),
    ("add 15% to the hosting line", [("relative_change", 1.15, None, None, None)]),
    (
        "legal wants another 10% on top for contingency",
        [("relative_change", 1.1, None, None, None)],
    ),
    ("where do we land a month from now?", [("duration", 1.0, None, None, None)]),
    # tokens per item: per a document noun, or "each ..." earlier in the sentence
    ("~12k tokens per transcript", [("tokens_per_request", 12000.0, None, None, None)]),
    (
        "each claim file is long, 9-11k tokens",
        [("tokens_per_request", 10000.0, None, None, None)],
    ),
    # request volumes whose period is a "last week" or a "typical day"
    ("support got 8.5k emails last week", [("request_volume", 8500.0, "week", None, None)]),
    ("a normal day is roughly 40k alerts", [("request_volume", 40000.0, "day", None, None)]),
    # a salary after the people it pays, an amount for a cost line: money without a currency
    (
        "what about three data engineers at 95k each?",
        [("headcount", 3.0, None, None, None), ("money", 95000.0, None, None, None)],
    ),
    ("60k for labelling sounds high", [("money", 60000.0, None, None, None)]),
    (
        "is 8B enough or do we need 70B for legal text?",
        [("model_size", 8.0, None, None, None), ("model_size", 70.0, None, None, None)],
    ),
    # more roles count people; "claims handlers" are people, not claims
    (
        "we have 12 brokers and 3 estimators",
        [("headcount", 12.0, None, None, None), ("headcount", 3.0, None, None, None)],
    ),
    ("say we add 5 more claims handlers", [("headcount", 5.0, None, None, None)]),
    ("5k claims a month", [("request_volume", 5000.0, "month", None, None)]),
    # a plain count per period with no noun counts requests, unless money is in sight
    ("make it 320 a day", [("request_volume", 320.0, "day", None, None)]),
    ("~90 of those a week", [("request_volume", 90.0, "week", None, None)]),
    ("we pay 450 a month for it", [("money", 450.0, "month", None, None)]),
    ("back to the 30k a day we had", [("request_volume", 30000.0, "day", None, None)]),
    # a token count continued in a later clause, on the side named there
    (
        "replies run ~300 tokens, prompts with the retrieved chunks ~2,400",
        [
            ("tokens_per_request", 300.0, None, "output", None),
            ("tokens_per_request", 2400.0, None, "input", None),
        ],
    ),
    (
        "about 4M tokens a day at peak, ~500k off-peak",
        [("token_volume", 4e6, "day", None, None), ("token_volume", 500000.0, "day", None, None)],
    ),
    # a sizing asked about with a bare count, and one card
    ("would 4 be enough for the launch week?", [("gpu_count", 4.0, None, None, None)]),
    ("could 2 do it?", [("gpu_count", 2.0, None, None, None)]),
    (
        "try the 13b on one card",
        [("model_size", 13.0, None, None, None), ("gpu_count", 1.0, None, None, None)],
    ),
    ("would 3 weeks be enough?", [("duration", 0.6923, None, None, None)]),
    # controls: a share of it stays a share, a plain "10% of tickets" stays a percent
    ("half of it is output", [("output_share", 0.5, None, None, None)]),
    ("10% of tickets escalate", [("percent", 0.1, None, None, None)]),
]

_FAMILIES_S12 = [
    # a period leading the sentence; a volume's, not a cost's
    (
        "weekly it swings from 20 to 30 million tokens",
        [("token_volume", 25e6, "week", None, None)],
    ),
    (
        "daily we push 2M input tokens and about 500k output",
        [("token_volume", 2e6, "day", "input", None), ("token_volume", 5e5, "day", "output", None)],
    ),
    ("p/m spend on the bot is about $7.5k", [("money", 7500.0, "month", None, "USD")]),
    (
        "monthly API cost at 40k requests/day with 1,200 tokens each?",
        [
            ("request_volume", 40000.0, "day", None, None),
            ("tokens_per_request", 1200.0, None, None, None),
        ],
    ),
    ("set the engineer day rate to £650", [("money", 650.0, "day", None, "GBP")]),
    # a bare "x to y" before a volume's unit is a range; after a verb of change it is not
    ("we do 2 to 3 million tokens a day", [("token_volume", 2.5e6, "day", None, None)]),
    (
        "each workpaper is long, 20 to 25k tokens",
        [("tokens_per_request", 22500.0, None, None, None)],
    ),
    ("cut it 4 to 2 million tokens a day", [("token_volume", 2e6, "day", None, None)]),
    # the request nouns are one list, plural after a count, either after "per"
    ("we bid on about 40 tenders a month", [("request_volume", 40.0, "month", None, None)]),
    ("~4k tokens per lookup", [("tokens_per_request", 4000.0, None, None, None)]),
    # a salary after any of the roles that count people
    (
        "and two paralegals at 65k each",
        [("headcount", 2.0, None, None, None), ("money", 65000.0, None, None, None)],
    ),
    # a small count in words of records is no figure; in digits it is
    ("two letters for the same case facts must read the same", []),
    ("we take on another 900 leases", [("number", 900.0, None, None, None)]),
    # a part of a figure that goes, and a part that is described
    ("what if a third of the volume goes?", [("relative_change", 0.6667, None, None, None)]),
    ("we'd cut a quarter of the cost", [("relative_change", 0.75, None, None, None)]),
    ("about a third of our volume is scanned forms", [("percent", 0.3333, None, None, None)]),
    # two token counts of a request, one named the output: the other is the input
    (
        "tickets avg ~2,200 tokens incl. the policy snippets, replies ~350",
        [
            ("tokens_per_request", 2200.0, None, "input", None),
            ("tokens_per_request", 350.0, None, "output", None),
        ],
    ),
]


_FAMILIES_S16 = [
    # two kinds of request counted together keep the period after them
    ("~600 grower calls/chats per day", [("request_volume", 600.0, "day", None, None)]),
    ("3,400 member calls and emails a week", [("request_volume", 3400.0, "week", None, None)]),
    ("we get 500 tickets and calls", [("request_volume", 500.0, None, None, None)]),
    # "X and Y <requests>": two words joined before the noun
    (
        "about 750 incident and near-miss reports a month",
        [("request_volume", 750.0, "month", None, None)],
    ),
    ("we manage ~420 office and logistics leases", [("number", 420.0, None, None, None)]),
    ("~11M QA-scored call transcripts", [("number", 1.1e7, None, None, None)]),
    # "for the whole year" is a period
    ("our budget is £25k for the whole year", [("money", 25000.0, "year", None, "GBP")]),
    ("we spend 3k for the full month", [("money", 3000.0, "month", None, None)]),
    # the currency said once, "in euros", for the amounts that have none
    (
        "we pay 0.9 per million input tokens and 3.6 per million output, in euros",
        [
            ("price_per_token", 0.9, None, "input", "EUR"),
            ("price_per_token", 3.6, None, "output", "EUR"),
        ],
    ),
    ("the figures are in GBP: 40k a month", [("money", 40000.0, "month", None, "GBP")]),
    ("we pay $40k/mo, in euros that's less", [("money", 40000.0, "month", None, "USD")]),
    # a period adjective before the count of requests
    ("our monthly traffic is about 2M calls", [("request_volume", 2e6, "month", None, None)]),
    (
        "Subject: costs\n'Monthly volume ~850k requests",
        [("request_volume", 8.5e5, "month", None, None)],
    ),
    # what each request averages, after another figure; the output's size
    (
        "our invoices average 3 pages, ~2,200 tokens after OCR",
        [("number", 3.0, None, None, None), ("tokens_per_request", 2200.0, None, None, None)],
    ),
    (
        "the output is a summary of ~1.2k tokens",
        [("tokens_per_request", 1200.0, None, "output", None)],
    ),
    # figures in words: no growth, half a person, every half year
    (
        "3M tokens a day on gpt-4.1, no growth",
        [("token_volume", 3e6, "day", None, None), ("growth", 0.0, None, None, None)],
    ),
    ("we'd put half an MLOps engineer on it", [("headcount", 0.5, None, None, None)]),
    ("retrain once per half year", [("duration", 6.0, None, None, None)]),
    ("set the horizon to two and a half years", [("duration", 30.0, None, None, None)]),
    # GPU hours are compute time, counted; a count of GPUs after a price per GPU hour stays a count
    ("how did you arrive at 900 GPU-hours?", [("number", 900.0, None, None, None)]),
    (
        "at $2.49 per GPU-hour on 8 H100s",
        [("gpu_price", 2.49, None, None, "USD"), ("gpu_count", 8.0, None, None, None)],
    ),
    ("cost per GPU hour is 3.10 EUR", [("gpu_price", 3.1, None, None, "EUR")]),
    # two currencies named: none is guessed
    (
        "we pay 30k a month in usd and 5k in eur",
        [("money", 30000.0, "month", None, None), ("number", 5000.0, None, None, None)],
    ),
]


@pytest.mark.parametrize(
    "text, expected",
    _FAMILIES_D541
    + _FAMILIES_D2241
    + _FAMILIES_D2841
    + _FAMILIES_D4041
    + _FAMILIES_D4341
    + _FAMILIES_D5541
    + _FAMILIES_S11
    + _FAMILIES_S12
    + _FAMILIES_S16,
)
def test_quantity_families(text, expected):
    assert quantities(text) == expected
