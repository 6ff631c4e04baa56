"""Quantities from free text by explicit rules, normalised with units (see ``model.KIND_UNITS``).

Each number is replaced by a placeholder (``⟦3⟧``) and each catalogue name by ``⟪g⟫`` (GPU) or
``⟪m⟫`` (model) in a lower-cased template, so the rules read the words around a number without
caring how the number was written ("2.5M", "two million", "2,500,000")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .model import KIND_UNITS, Quantity, Span
from .numbers import _SCALE_WORDS, NumberToken, find_numbers

_PERIODS = {
    "second": "second", "seconds": "second", "sec": "second", "secs": "second", "s": "second",
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour", "hourly": "hour",
    "day": "day", "days": "day", "d": "day", "daily": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week", "w": "week", "weekly": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month", "mth": "month",
    "mths": "month", "monthly": "month", "mom": "month", "pm": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year", "y": "year", "yearly": "year",
    "annually": "year", "annual": "year", "annum": "year", "pa": "year", "p.a.": "year",
    "p.a": "year", "yoy": "year", "m/m": "month", "y/y": "year", "q/q": "quarter", "p/m": "month",
    "p/a": "year", "per annum": "year", "qoq": "quarter",
    # normalised away in _Ctx.add: minutes to hours, quarters to months (or years for growth)
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "quarter": "quarter", "quarters": "quarter", "qtr": "quarter", "quarterly": "quarter",
    "fortnight": "fortnight", "fortnights": "fortnight", "fortnightly": "fortnight",
}  # fmt: skip
_MONTHS_PER = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0, "decade": 120.0}

_CUR_SYMBOL = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
               "bucks": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
               "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
               "₹": "INR", "inr": "INR", "rupee": "INR", "rupees": "INR", "rs": "INR",
               "r$": "BRL", "brl": "BRL", "real": "BRL", "reais": "BRL", "chf": "CHF", "franc": "CHF",
               "francs": "CHF", "¥": "JPY", "jpy": "JPY", "yen": "JPY", "cad": "CAD", "c$": "CAD",
               "aud": "AUD", "a$": "AUD"}  # fmt: skip

_N = r"⟦(\d+)⟧"
_CUR_BEFORE = re.compile(
    r"(us\$|r\$|c\$|a\$|\$|€|£|₹|¥|\busd|\beur|\bgbp|\binr|\brs\.?|\brupees?|\bbrl|\bchf|\bjpy|\bcad|\baud)\s?$"
)
_CUR_AFTER = re.compile(
    r"^\s?(usd|dollars?|bucks|eur|euros?|gbp|pounds?|€|\$|cents?|inr|rupees?|brl|reais|chf|francs?|jpy|yen|cad|aud|₹|¥)(?![a-z])"
)
_PERIOD_AFTER = re.compile(
    r"^\s*(?:each\s+)?(?:(?:fully\s+)?loaded\s+)?"
    r"(?:per\s+(?:engineer|head|person|fte|seat|user|card|gpu|rack|server|node|model|licen[cs]e)\s+)?"
    r"(?:/\s*|(?:per|an|a|each|every|in\s+a|in\s+an|for\s+the(?:\s+(?:whole|full|entire))?)\s+)"
    r"(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|fortnights?|months?|mos?|mths?|quarters?|qtr|years?|yrs?|y|annum)\b"
    r"|^\s*,?\s*(?:(?:loaded\s+)?per\s+(?:engineer|head|person|fte|seat|user|card|gpu|month\s+per)\s+)?"
    r"(hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annually|p\.a\.?|pa\b|mom\b|yoy\b|qoq\b|m/m|y/y|q/q|p/m|p/a|per\s+annum)"
    r"|^\s*,?\s*(year|month|week|quarter)[\s-]+(?:over|on)[\s-]+(?:year|month|week|quarter)\b"
)
_TOKENS_AFTER = re.compile(
    r"^[\s-]*(?:(?!and\b|or\b)[a-z]+\s+){0,2}?(?:(input|output|prompt|completion)\s+)?(?:tokens?|toks?)\b"
)
# the things a request volume counts, (singular, plural): "40k tickets a day", "~4k tokens per alert"
_REQUEST_NOUNS = (
    ("request", "requests"), ("req", "reqs"), ("call", "calls"), ("query", "queries"),
    ("conversation", "conversations"), ("convo", "convos"), ("ticket", "tickets"),
    ("message", "messages"), ("chat", "chats"), ("document", "documents"), ("doc", "docs"),
    ("question", "questions"), ("e?mail", "e?mails"), ("inquiry", "inquiries"),
    ("enquiry", "enquiries"), ("interaction", "interactions"), ("session", "sessions"),
    ("transaction", "transactions"), ("case", "cases"), ("claim", "claims"),
    ("completion", "completions"), ("invoice", "invoices"), ("order", "orders"),
    ("review", "reviews"), ("report", "reports"), ("contract", "contracts"), ("record", "records"),
    ("search", "searches"), ("summary", "summaries"), ("article", "articles"), ("form", "forms"),
    ("lookup", "lookups"), ("shipment", "shipments"), ("letter", "letters"), ("prompt", "prompts"),
    ("transcript", "transcripts"), ("example", "examples"), ("file", "files"), ("page", "pages"),
    ("note", "notes"), ("task", "tasks"), ("job", "jobs"), ("item", "items"), ("log", "logs"),
    ("declaration", "declarations"), ("answer", "answers"), ("event", "events"),
    ("contact", "contacts"), ("alert", "alerts"), ("notification", "notifications"),
    ("text", "texts"), ("sms", "sms"), ("submission", "submissions"), ("appeal", "appeals"),
    ("complaint", "complaints"), ("booking", "bookings"), ("turn", "turns"), ("check", "checks"),
    ("packet", "packets"), ("pack", "packs"), ("application", "applications"),
    ("abstract", "abstracts"), ("lease", "leases"), ("bid", "bids"), ("tender", "tenders"),
    ("listing", "listings"), ("thread", "threads"), ("episode", "episodes"), ("batch", "batches"),
)  # fmt: skip
_REQUEST_PLURALS = "|".join(p for _, p in _REQUEST_NOUNS)
_REQUEST_EITHER = "|".join(f"{s}|{p}" for s, p in _REQUEST_NOUNS)
_REQUESTS_AFTER = re.compile(
    # "2.4M product q&a answers", "750 incident and near-miss reports"
    r"^\s*(?:[a-z]+\s+(?:and|&)\s+[a-z][a-z-]*\s+|[a-z]+\s+)?(?:[a-z]+&[a-z]+\s+)?"
    rf"(?:{_REQUEST_PLURALS}|request|req|call)\b"
    # "10 more claims handlers", "40 support agents": people who work the requests
    r"(?!\s+(?:handlers?|adjusters?|agents?|reviewers?|processors?|officers?|examiners?|analysts?|managers?|staff))"
)
# a second kind of request counted with the first: "600 calls/chats per day", "3,400 member calls
# and emails a week"
_MORE_REQUESTS = re.compile(rf"^\s*(?:/|\+|&|and|or)\s*(?:{_REQUEST_PLURALS})\b")
_PER_REQUEST = re.compile(
    rf"^\s*(?:each|per\s+(?:[a-z]+\s+)?(?:{_REQUEST_EITHER})"
    r"|a\s+(?:request|call)|/\s*req\w*|all[\s-]in(?![\s-]+(?:a|per|each|every)\s))\b"  # "~900 tokens all in"
    # "at 3k tokens a question", "~3k tokens apiece"
    r"|^\s*(?:a\s+(?:question|ticket|chat|letter|document|message|conversation|case|contact)|apiece)\b"
)
# a side written as a label before a figure: "in: 3.2M tokens per day", "output = 800k"
_SIDE_LABEL = re.compile(
    r"(?:^|[.;,!?(\n]|\s[-–—])\s*(in|out|input|output)\s*[:=]\s*(?:about|around|roughly|~)?\s*$"
)
# words that may follow "per million in/out" ("$12 per million out after discount")
_SIDE_THEN = r"(?:after|before|with|at|but|so|plus|then|though|which|if|when|through|via)\b"
_PRICE_PER = re.compile(
    r"^\s*(?:(?:/|per|a|for|for\s+each)\s*(?:(?:every|1|one)\s*)?|(?=⟦))"
    r"(?:⟦(?P<mult>\d+)⟧|(?P<unit>million|mil|mtok|mtoks|m|thousand|k|token|tok)(?![a-z]))"
    rf"(?:\s*(?:on\s+|for\s+)?(?P<side>input|output|prompt|completion|in(?=\s*(?:and|,|;|/|\)|$|\.|for\b|on\b|{_SIDE_THEN}))"
    rf"|out(?=\s*(?:and|,|;|/|\)|$|\.|\?|on\b|for\b|{_SIDE_THEN}))))?"
    r"(?:\s*(?:tokens?|toks?))?"
    r"(?:\s*(?P<side2>input|output|prompt|completion))?"
)
# "$3 in", "$15 output," "0.35 USD for input": the side named right after a price
_SIDE_AFTER = re.compile(
    r"^\s*(?:for\s+)?(in|out|input|output)\s*(?=/|,|;|\)|$|[.?!](?!\d)|(?:and|with|on|for)\b)"
)
# "per 1k tokens", "per million input tokens" said before the prices it is the unit of (not the
# unit of a price before it, "$3 per million tokens", nor across a GPU's name)
_PER_TOKENS_LEAD = re.compile(
    r"(?<!⟧)(?<!⟧\s)\bper\s+(?:⟦(?P<mult>\d+)⟧|(?P<unit>million|thousand|token))\s*"
    r"(?:(?P<side>input|output)\s+)?(?:tokens?|toks?)\b(?:(?!⟪g⟫)[^.?!])*$"
)
_LEAD_UNITS = {"million": 1e6, "thousand": 1e3, "token": 1.0}
_GPU_HOUR = re.compile(
    r"^\s*(?:/|per|an|a|each)\s*(?:gpu[\s-]?)?(?:hour|hr|h)\b|^\s*/\s*gpu[\s-]?h(?:ou)?r?\b"
    r"|^\s*(?:/|per|a)\s*gpu\s*(?:/|per|an?)\s*(?:hour|hr|h)\b"
)
_DURATION_AFTER = re.compile(  # "for 2 more years"
    r"^[\s-]*(?:(?:more|extra|additional|further)\s+)?(years?|yrs?|y|months?|mos?|mths?|quarters?|weeks?|wks?)\b"
)
_LATENCY_MS = re.compile(r"^\s*(?:ms|msec|millis|milliseconds?)\b")
_LATENCY_S = re.compile(r"^\s*(?:s|secs?|seconds?)\b")
_LATENCY_MIN = re.compile(r"^\s*(?:mins?|minutes?)\b")
# words of waiting for an answer that make a time in minutes a latency ("replies within 5 minutes")
_WAIT_CUE = r"latenc|respon|under|within|repl|answer|wait|take|took|\bsla\b"
_LATENCY_MIN_CUE = re.compile(_WAIT_CUE)
# ...and for seconds, more: "the client's p95 target is 1.2 seconds", "has to pop up inside 2
# secs", "is 1.5s realistic", "like <5 sec", "up to 1.2 seconds to first word"
_LATENCY_S_CUE = re.compile(
    _WAIT_CUE + r"|inside|faster|below|instant|quick|slow|realistic|first (?:word|token)|<"
    r"|\bup to\b|\bat most\b|\bp(?:50|9[059])\b"
)
# minutes of something, not of waiting: "5 minutes of audio", "10 min calls", "a 30-minute-long meeting"
_MEDIA_LENGTH = re.compile(
    r"^[\s-]*(?:of\b|long\b|(?:audio|video|calls?|recordings?|meetings?|clips?|sessions?|episodes?)\b)"
)
# waits in minutes that are a job's run time, not an answer's: "training takes 90 minutes"
_RUN_TIME = re.compile(r"\b(?:train\w*|fine[\s-]?tun\w*|epochs?|index\w*|build\w*|deploy\w*)\b")
_PEOPLE = (
    r"(?:people|persons|engineers?|eng|ftes?|devs?|developers?|scientists?|"
    r"annotators?|label+ers?|staff|heads|contractors?|analysts?|person|employees?|members?|agents|"
    r"reps|representatives|workers|lawyers|clinicians|doctors|nurses|translators|writers|coders|"
    r"guys?|folks|ppl|devops|sres?|mles?|seniors?|juniors?|handlers|caseworkers|clinicians|underwriters|"
    r"dispatchers|reviewers|adjusters|interns?|students?|users|operators|moderators|paralegals|accountants|"
    r"recruiters|officers|managers|designers|researchers|teachers|pharmacists|advisors|advisers|auditors|"
    r"postdocs?|professors?|lecturers?|technicians?|sysadmins?|admins?|mlops|informaticists?|validators?|"
    r"assessors?|sellers|msls?|evaluators?|temps|copywriters?|dentists?|brokers?|estimators?|coordinators?|"
    r"agronomists?|radiologists?|physicians?|surgeons?|editors?|journalists?|planners?|clerks?|tellers?|"
    r"bankers?|traders?|consultants?|specialists?|mechanics?|drivers?|inspectors?|examiners?|paramedics?)\b"
)
# not an amount per period before a line item: "a 9k a month staff line" is money
_HEADCOUNT = re.compile(
    r"^(?![\s-]*(?:a|an|per|each)\s+(?:hour|day|week|month|quarter|year)\b)"
    r"[\s-]*(?:[a-z][a-z-]*\s+){0,2}?" + _PEOPLE
)
# people paid by the hour, named just before the rate: "3 temps at £18/h"
_WAGE_BEFORE = re.compile(
    r"\b" + _PEOPLE + r"\s+(?:at|@|cost(?:s|ing)?(?:\s+us)?|for)\s*(?:about|around|~)?\s*(?:us\$|\$|€|£)?\s*$"
)
# "30k CVs a day", "1.1M NPC turns/day": things counted per period
_COUNT_NOUN_AFTER = re.compile(
    r"^\s*(?:[a-z][a-z-]*\s+){0,2}?(?!(?:seconds|secs|minutes|mins|hours|hrs|days|weeks|wks|months|mos|years|yrs|gpus|cards|params"
    r"|parameters|dollars|euros|pounds|bucks|rupees|francs|reais|cents|percent|us|is|was|has|does|its|this"
    r"|less|unless|perhaps|always)\b)[a-z][a-z-]*s\b(?=\s*(?:/|(?:per|an?|each|every|in)\s))"
)
_FEW_GPUS = re.compile(
    # "a single L40S", "fit on single h100?", "case files, single l40s?"
    r"(?:\b(?:a|on|with) |(?<![\w\s])\s*|^)(single|lone|couple of|pair of)\s+"
    r"(?:[a-z][a-z-]*\s+)?(?:⟪g⟫|gpus?\b|cards\b)"
    r"(?!\s*(?:boxes|servers|nodes|machines))"
)
_GPU_AFTER = re.compile(
    r"^[\s-]*(?:x|×)?\s*(?:(?!the\b|as\b|more\b|our\b|gigs?\b|gb\b|months?\b|years?\b|weeks?\b)[a-z][a-z-]*\s+)?"
    r"(?:⟦\d+⟧\s*(?:gigs?|gb|g)\s+)?(?:⟪g⟫|gpus?\b|cards?\b)"  # "the two 40 gig A100s", "one card"
    r"(?![\s-]*(?:hours?|hrs?|h)\b)"  # "30 gpu hours" is compute time, not a count
)
_MODEL_B_AFTER = re.compile(r"^\s*(?:param(?:eter)?s?|model|llm|b\b)")
_TIMES_AFTER = re.compile(r"^\s*(?:x\b|×|times\b|-?fold\b)")
_SIDE_BEFORE = re.compile(
    r"\b(input|output|prompts?|completions?|answers?|responses?)\b(?!.*\b(?:input|output|prompts?|completions?)\b)"
)
_GROWTH_BEFORE = re.compile(
    r"\b(?:grow\w*|growth|increas\w*|rising|rises|up|slows?|slowed|slowing|stalls?|stalled|climbs?|climbing|compound\w*)"
    r"\s*(?:by|of|at|to|about|around|roughly|approximately|some|maybe|perhaps|probably|like|nearly|almost|close\s+to|~|\s)*$"
    r"|\bgrowth(?:\s+rate)?\s*(?:to|=|of|at|is|:)\s*(?:about|~)?\s*$"
)
_DOWN_BEFORE = re.compile(
    r"\b(?:cut\w*|reduc\w*|lower\w*|drop\w*|fall\w*|fell|decreas\w*|down|shrink\w*|declin\w*|"
    r"slash\w*|trim\w*|less|lose|loses|losing|lost|throws?\s+out|filters?\s+out)\s+(?:\S+\s+){0,3}?(?:by|of|about|~|\s)*$"
    r"|\b(?:down|less|lower|cut)\s*$"
)
# "up" of a phrasal verb ("does it stack up if utilisation is 30%") and "more like" ("more like
# 25%": about) are no increase
_NOT_UP = r"(?<!stack\s)(?<!stacks\s)(?<!add\s)(?<!adds\s)(?<!show\s)(?<!shows\s)(?<!sign\s)"
_MORE = r"more(?!\s+(?:like|or\s+less)\b)"
_UP_BEFORE = re.compile(
    rf"\b(?:increas\w*|rais\w*|ris\w*|{_NOT_UP}up|grow\w*|bump\w*|hik\w*|jack\w*|overrun\w*|jump\w*"
    rf"|spik\w*|surg\w*|{_MORE})\s+(?:\S+\s+){{0,4}}?(?:by|of|about|~|\s)*$|\b(?:{_NOT_UP}up|more)\s*$"
    # "add 20% to everything", "adds another 40%"
    r"|\badd(?:s|ed|ing)?\s+(?:another\s+|an?\s+extra\s+|extra\s+)?(?:about\s+|~\s*)?$"
)
_APPROX_BEFORE = re.compile(
    r"(?:~|≈|\babout|\baround|\broughly|\bapprox\w*|\bcirca|\blike|\bsome|\bca\.?)\s*$"
)
_VOLUME_BEFORE = re.compile(r"\b(?:token\s+)?(volume|usage|traffic|throughput)\b")
_TOKENS_PER_BEFORE = re.compile(
    r"\b(tokens?|requests?|calls?|queries)\s*(?:per|a|/|each)\s*(day|week|month|year|hour|yr|wk|mo)\s*"
    r"(?:is|are|[:=]|of|somewhere|between|\s)*(?:about|~|roughly|around)?\s*$"
)
# a side named by a per-request noun earlier in the sentence: "completions are short, maybe 80 tokens"
_SIDE_NOUN_BEFORE = re.compile(
    r"\b(prompts?|completions?|responses?|answers?|repl(?:y|ies)|outputs?)\b(?!.*\b(?:prompts?|completions?|responses?|answers?|repl(?:y|ies)|inputs?|outputs?)\b)"
)
# up to three plain words between a volume and its period: "tokens through the api every week"
_WORDS_GAP = re.compile(
    r"^(?:\s+(?!and\b|or\b|but\b|per\b|each\b)[a-z]+){1,3}?(?=\s+(?:per|a|an|each|every)\s)"
)
_PERIOD_ADVERB_BEFORE = re.compile(
    r"(?:^|[^\w\s]|\b(?:we|we're|is|are|get|do|have|about))\s*(hourly|daily|weekly|monthly|quarterly|yearly|annually)"
    r"\s*(?:[:=~]|about|around|roughly|approx\w*)?\s*$"
)
# "permit decision letters: ~3,100 a week". Narrower than _REQUEST_NOUN_IN on purpose: before a
# bare amount "invoices swing between 20 and 30k a month" is money and "sanity check: 6.5M/day"
# tokens (measured: the wider list turns both dev messages into request volumes)
_REQUEST_NOUN_BEFORE = re.compile(
    r"\b(?:requests?|calls?|queries|tickets|conversations|messages|chats|documents|emails|sessions|letters"
    r"|submissions|enquiries|inquiries|appeals|contacts)\b"
)
_REQUEST_NOUN_IN = re.compile(rf"\b(?:{_REQUEST_EITHER})\b")
# words that make a bare amount money
_MONEY_WORD = re.compile(
    r"[$€£¥₹]|\b(?:pay\w*|paid|spen[dt]\w*|cost\w*|budget\w*|bill\w*|invoic\w*|pric\w*|fees?|charg\w*"
    r"|usd|eur|gbp|chf|inr|dollars?|euros?|pounds?|bucks|salar\w*|wages?|tco|opex|capex)\b"
)
# an amount paid: "we pay about 1.5 mil a year to openai", "spending 40k a month"
_PAY_BEFORE = re.compile(
    r"\b(?:pay|pays|paying|paid|spend|spends|spending|spent|costs?|costing|bill(?:ed|s)?|budget(?:ed)?|invoiced?|charg\w*|tco)\b"
    r"(?:\s+(?!to\b|for\b)[a-z]+){0,3}?\s*(?:about|around|roughly|approximately|like|some|nearly|almost|over|under|~|\s)*$"
)
# the side named in a clause that continues a token count: "prompts ~1,500", "coming out is about 7k"
_CONTINUED_SIDE = re.compile(
    r"\b(prompts?|inputs?|outputs?|completions?|responses?|answers?|repl(?:y|ies))\b"
    r"|\b(?:going|goes)\s+(in)\b|\b(?:coming|comes)\s+(out)\b|\b(in|out)\s*:"
)
# a salary after the people it pays: "two ML engineers at 110k each", "one more hire at 150k"
_WAGE_LEAD = re.compile(
    r"\b(?:" + _PEOPLE + r"|hires?\b)\s+(?:at|on|costing|earning|paid)\s*(?:about|around|roughly|~|\s)*$"
)
# an amount for a cost line: "140k for data prep", "60k for labelling"
_FOR_COST_LINE = re.compile(
    r"^\s*for\s+(?:the\s+)?(?:data\s+prep\w*|training|labell?ing|annotation|hosting|compute|legal\s+review"
    r"|curation|inference|evals?|evaluation)\b"
)
# a scenario field named before its value: "set tokens per request to 2,400", "gpu count to 12"
_FIELD_BEFORE = re.compile(
    r"\b(?P<f>tokens?\s+(?:per|a|/)\s*(?:request|call|query|req)|request\s+size"
    r"|gpu\s+count|number\s+of\s+gpus|gpus|head\s*count|team\s+size"
    r"|team(?=\s+(?:grows|goes|shrinks)\b)"
    r"|(?:output|completion)\s+(?:tokens?\s+)?(?:share|ratio|fraction)|growth(?:\s+rate)?"
    r"|(?:hardware|hosting|gpu|infra\w*|training)\s+(?:cost|spend|budget))"
    # "tokens per request are between", "the team grows to 5", "growth drops to zero"
    r"\s*(?:(?:on|for|in)\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){1,3}?)?"
    r"(?:(?:is|are|grows|goes|drops|falls|shrinks|stays|stalls|slows)\s+)?"
    r"(?:to|=|:|is|at|of|from|between)\s*(?:about|~|roughly|around|just|more\s+like|closer\s+to)?\s*$"
)
_EACH_BEFORE = re.compile(
    r"\b(?:each(?:\s+one)?|per\s+request|avg|average|(?:every|a|one)\s+(?:full\s+|single\s+|typical\s+)?"
    r"(?:request|call|query|conversation|prompt|ticket|document|session|chat|letter|email|shipment))\b"
)
_REQUESTS_AVERAGE = re.compile(rf"\b(?:{_REQUEST_PLURALS})\s+(?:average|avg)\b")
# a bare "x to y" is a range where a volume's unit follows: "we do 2 to 3 million tokens a day",
# "2 to 3 thousand claims a day", "20 to 30k support tickets a week"
_BARE_TO_RANGE = re.compile(
    rf"^\s*(?:[a-z]+\s+)?(?:tokens?|{_REQUEST_EITHER})\b"
    r"|^\s*(?:per|a|an|each|every)\s+(?:day|week|month|year|hour)\b"
)
# a verb that changes a value: "cut 4 to 2", "goes from $2.49 to $3.20", "raise it from 1k to 1.5k"
_CHANGE_VERB = (
    r"(?:go|goes|going|went|gone|mov\w*|chang\w*|increas\w*|decreas\w*|rais\w*|ris(?:e|es|en|ing)"
    r"|rose|lower\w*|fall\w*|fell|cut\w*|drop\w*|jump\w*|bump\w*|scal\w*|grow\w*|grew|shrink\w*"
    r"|reduc\w*|upgrad\w*|downgrad\w*|switch\w*|updat\w*|set|setting|adjust\w*)"
)
# "x to y" after a change verb is a change, not a range: "cut 4 to 2", "scale it 2 to 4"
_CHANGE_LEAD = re.compile(rf"\b(?:{_CHANGE_VERB}|from)\s+(?:[a-z]+\s+){{0,3}}?\S*$")
# "x to y" after "<change verb> ... from": "goes from $2.49 to $3.20", "raise tpr from 1k to 1.5k"
_CHANGE_FROM = re.compile(rf"\b(?:{_CHANGE_VERB}|up|down)\s+(?:[a-z]+\s+){{0,4}}?from\s*\S*$")
_RANGE_NEXT = re.compile(r"^\s*(?:-|–|to|and|or)\s*(?:us\$|\$|€|£|usd\s?|eur\s?|gbp\s?)?⟦(\d+)⟧")
_RATIO = re.compile(
    r"⟦(\d+)⟧\s*[:/]\s*⟦(\d+)⟧\s*(?:ratio\s+)?(?:of\s+)?(input|in|prompt|output|out)\w*\s*(?:to|vs\.?|:|/)\s*(output|out|completion|input|in|prompt)"
)
_RATIO_AFTER = re.compile(
    r"\b(input|in|prompt|output|out)s?\s*(?:tokens?\s+)?(?:to|vs\.?|:|/)\s*(?:output|out|completion|input|in|prompt)s?\s*"
    r"(?:ratio\s+)?(?:is|=|:|of|at)?\s*(?:about|~|roughly)?\s*⟦(\d+)⟧\s*[:/]\s*⟦(\d+)⟧"
)
_BARE_RATIO = re.compile(r"(?<![\w⟧:])⟦(\d+)⟧\s*:\s*⟦(\d+)⟧(?![:\w⟦])")
_RATIO_BETWEEN = re.compile(
    r"\bratio\s*(?:is|of|:)?\s*(?:about|~)?\s*⟦(\d+)⟧\s*:\s*⟦(\d+)⟧\s*between\s+(?:the\s+)?"
    r"(inputs?|prompts?|questions?|outputs?|answers?|repl(?:y|ies)|responses?|completions?)\s+and\b"
)
_GPU_HOUR_BEFORE = re.compile(
    r"(?:\b(?:per|/|an?)\s*gpu[\s-]?h(?:ou)?rs?\b|\bgpu[\s-]?(?:hour|hr)(?:ly)?\s+(?:price|cost|rate)\b|"
    r"\bgpu\s+hourly\s+(?:price|cost|rate)\b"
    r"|(?:\bgpu|⟪g⟫)s?\s+(?:hourly\s+)?(?:price|cost|rate)\s*"
    r"(?:(?:drops?|dropped|falls?|fell|goes|went|rises?|rose|moves?|changes?|comes?\s+down|goes\s+up)\s+)?"
    r"(?:is|of|at|to|from|=|:)\s*(?:about|around|~)?\s*(?:us\$|\$|€|£|chf|usd|eur|gbp)?\s*$)"
    r"[^⟦]{0,20}$"
)
# the noun after a period adjective that makes the amount money: "monthly spend", "annual run-rate"
_MONEY_NOUN = re.compile(r"spend|bill|cost|budget|invoice|fee|prepay|run")
_ADJ_PERIOD_BEFORE = re.compile(
    r"(?:\b|(?<=\s)|^)(hourly|daily|weekly|monthly|quarterly|yearly|annual|p/m)\s+(?:(?!is\b|are\b|was\b)\S+\s+){0,2}?"
    r"(usage|volume|traffic|tokens|requests|calls|queries|spend|bill|cost|budget|invoices?|fees?|charges?|opex|prepay\w*"
    r"|run[\s-]?rate)"  # "current monthly run-rate on anthropic is approx EUR 12k"
    r"(?:\s+(?:for|on|with|from)\s+(?:the\s+|our\s+)?[\w&-]+(?:\s+[\w&-]+)?)?\s*"  # "budget for AI is"
    r"(?:is|are|was|were|of|at|=|:|~|about|around|roughly|approximately|approx\.?|ca\.?|circa|came\s+in|comes\s+in"
    r"|(?:comes?|came)\s+(?:out\s+)?(?:at|to)"
    r"|has\s+been|have\s+been|bouncing|bounces|swinging|swings|varies|hovers|between|somewhere|coming"
    r"|(?:rise|rises|grow|grows|go|goes|climb|climbs|drop|drops|fall|falls)\s+to|\s)*$"
)
# of an amount of money only: "monthly" as a noun ("why does your self-hosted monthly come out at
# €19,400?") or a period's total ("the annual total: $80k", "the monthly total comes to $12k")
_PERIOD_NOUN_BEFORE = re.compile(
    r"\b(hourly|daily|weekly|monthly|quarterly|yearly|annual)\s+(?:totals?\s*(?:[:=]|is|was|are|were)\s*"
    r"|(?:totals?\s+)?(?:comes?|came)\s+(?:out\s+)?(?:at|to))\s*(?:about|around|roughly|~)?\s*$"
)
# a period leading the sentence: "daily we push 2.1M input tokens", "per day we have approx. 4.5M"
_LEADING_PERIOD = re.compile(
    r"^\W*(?:(hourly|daily|weekly|monthly|quarterly|yearly|annually|p/m)|(?:per|each|every)\s+(hour|day|week|month|quarter|year))\b"
    r"(?!\s+(?:rate|price|limit|cap|quota)s?\b)"
)
# what the leading period qualifies when it is a cost: "monthly API cost at 40k requests/day"
_LEADS_A_COST = re.compile(rf"^\s+(?:[\w-]+\s+)?(?:{_MONEY_NOUN.pattern})")


def _leading_period(sentence: str, money: bool = False) -> str | None:
    """The period a sentence opens with; for a volume, not a cost's ("monthly spend is 40k")."""
    m = _LEADING_PERIOD.match(sentence)
    if m is None or (not money and _LEADS_A_COST.match(sentence[m.end() :])):
        return None
    return _PERIODS[m.group(1) or m.group(2)]


# an unknown name that is a GPU: "4x MI300X", "1 rtx 4090"
_GPU_LIKE = re.compile(
    r"(?i)^(?:mi\d{3}\w*|g?b[12]\d{2}\w*|gaudi\s?\d|tpu\s?v?\d\w*|rtx\s?a?\d{4}\w*|a\d{1,3}g?|t4|[vpk]\d{2,3})$"
)
# a period adjective on a cost noun earlier in the text: "monthly ops/monitoring ...? $4-6k"
_COST_PERIOD_NEAR = re.compile(
    r"\b(monthly|annual|yearly|weekly)\s+(?:[a-z&/-]+\s+){0,2}?(?:ops|opex|costs?|spend|bill|budget|invoices?|fees?)\b[^⟦]*$"
)
# a cost over one named period: "spend last month was A$11.4k", "the bill this quarter came to"
_COST_OVER_PERIOD = re.compile(
    r"\b(?:spend|spent|bill|invoice|costs?)\s+(?:last|this|per|each|every)\s+(week|month|quarter|year)\s+"
    r"(?:was|is|came\s+to|comes\s+to|hit|of|were|totall?ed)\s*(?:about|around|roughly|~)?\s*$"
)
_SHARE_BEFORE = re.compile(
    r"\b(output|input|completion|prompt)s?\s+(?:tokens?\s+)?(?:share|ratio|fraction|portion|part|percentage)\s*"
    r"(?:(?:on|for|in)\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){1,3}?)?"  # "share on the call summaries is"
    r"(?:(?:goes|go|going|moves?|rises?|drops?|falls?|climbs?|changes?)\s+)?"  # "share goes to 45%"
    r"(?:to|=|of|is|at|:)?\s*(?:about|~|roughly|more\s+like|closer\s+to|nearer|like)?\s*$"
)
_SIDE_IS_PCT = re.compile(
    r"\b(output|input|completion|prompt)s?\s+(?:tokens?\s+|part\s+|portion\s+|side\s+)?"
    r"(?:(?:make\s+up|makes\s+up|accounts?\s+for|compris\w*|represent\w*|are|is)\s*(?:about|~|roughly|around|maybe|only|like|more\s+like)?"
    r"|(?:about|~|roughly|around))\s*$"  # "output about 30%"
)
_SHARE_AFTER = re.compile(
    r"^\s*%\s*(?:of\s+(?:the\s+|our\s+)?(?:tokens?|it|them|traffic|volume|which|those|these|that"
    r"|what\s+(?:we|it|they)\s+(?:generate|produce|send|process)s?)\s+)?"  # "40% of what we generate is output"
    r"(?:(?:are|is|being)\s+)?(?:tokens?\s+|the\s+)?(input|output|prompt|completion"
    r"|(?:bot|model|assistant)\s+(?:talking|speaking|writing|answering))\b"
)
# "output is about 40% of tokens", "the replies are short, maybe 15% of tokens"
_SIDE_THEN_SHARE = re.compile(
    r"\b(output|input|prompts?|completions?|replies|answers|responses)\s+(?:are|is)\s+(?:\w+\s+){0,4}?$"
)


@dataclass
class _Ctx:
    text: str  # the message (normalised)
    tmpl: str  # lower-cased template
    ostart: list[int]
    oend: list[int]
    nums: list[NumberToken]
    npos: list[tuple[int, int]]  # template span of each number placeholder
    has_gpu: bool
    consumed: set[int]
    out: list[Quantity]

    def before(self, i: int, width: int = 40) -> str:
        s = self.npos[i][0]
        return self.tmpl[max(0, s - width) : s]

    def clause_before(self, i: int) -> str:
        s = self.npos[i][0]
        head = self.tmpl[max(0, s - 160) : s]  # bounded: rules search it once per number
        cut = max(
            head.rfind(","), head.rfind(";"), head.rfind("."), head.rfind(" and "), head.rfind("?")
        )
        return head[cut + 1 :] if cut >= 0 else head

    def sentence_before(self, i: int) -> str:
        """The words of the sentence before number ``i``, after any earlier number."""
        s = self.npos[i][0]
        head = self.tmpl[max(0, s - 160) : s]
        cut = max(
            head.rfind("."), head.rfind(";"), head.rfind("?"), head.rfind("!"), head.rfind("⟧")
        )
        return head[cut + 1 :]

    def sentence_head(self, i: int) -> str:
        """The sentence before number ``i``, across earlier numbers."""
        s = self.npos[i][0]
        head = self.tmpl[max(0, s - 160) : s]
        return head[max(head.rfind("."), head.rfind(";"), head.rfind("?"), head.rfind("!")) + 1 :]

    def after(self, i: int) -> str:
        e = self.npos[i][1]
        return self.tmpl[e : e + 240]  # bounded: the rules read a few words after a number

    def span(self, t_start: int, t_end: int) -> Span:
        a, b = self.ostart[t_start], self.oend[t_end - 1]
        return Span(start=a, end=b, text=self.text[a:b])

    def add(
        self,
        kind,
        value,
        idx: list[int],
        t_end: int,
        *,
        period=None,
        currency=None,
        side=None,
        low=None,
        high=None,
        confidence=0.9,
        t_start=None,
    ) -> None:
        unit = KIND_UNITS[kind].replace("{cur}", currency or "USD")
        value, low, high, period = _normalise_period(kind, value, low, high, period)
        approx = bool(_APPROX_BEFORE.search(self.before(idx[0], 12)))
        start = self.npos[idx[0]][0] if t_start is None else t_start
        if currency is not None and (
            cm := _CUR_BEFORE.search(self.tmpl[max(0, start - 5) : start])
        ):
            start -= len(cm.group(0))  # the span includes "$" / "USD "
        self.out.append(
            Quantity(
                kind=kind,
                value=_clean(value),
                unit=unit,
                period=period,
                currency=currency,
                side=side,
                low=None if low is None else _clean(low),
                high=None if high is None else _clean(high),
                approximate=approx,
                span=self.span(start, max(t_end, self.npos[idx[-1]][1])),
                confidence=confidence,
            )
        )
        self.consumed.update(idx)


# periods kept as another: (the period kept, how many of the kept period one of them is)
_PERIOD_AS = {"minute": ("hour", 60.0), "fortnight": ("week", 0.5), "quarter": ("year", 4.0)}


def _normalise_period(kind, value, low, high, period):
    """Keep periods to second/hour/day/week/month/year: "per minute" x60 per hour, "per quarter"
    x4 per year, "per fortnight" halved per week; growth is compounded instead ("5% a quarter" is
    21.6% a year), and a range's ends go the same way as its value."""
    if period not in _PERIOD_AS:
        return value, low, high, period
    period, factor = _PERIOD_AS[period]

    def convert(v):
        if v is None:
            return None
        return (1 + v) ** factor - 1 if kind == "growth" else v * factor

    return convert(value), convert(low), convert(high), period


def _clean(v: float) -> float:
    """Round away float noise (0.1 * 3 -> 0.3) so equal inputs print and compare equal."""
    return float(f"{v:.10g}")


def _period_at(text: str) -> tuple[str | None, int]:
    m = _PERIOD_AFTER.match(text)
    if not m:
        return None, 0
    word = (m.group(1) or m.group(2) or m.group(3)).rstrip(".")
    return _PERIODS.get(word, _PERIODS.get(word.rstrip("s"))), m.end()


# the dot of an abbreviation ends no sentence: "per day we have approx. 4,5 Mio tokens"
_ABBREVIATION_DOT = re.compile(
    r"(?:(?<=\bca)|(?<=\bvs)|(?<=\bavg)|(?<=\best)|(?<=\bapprox))\.(?=\s)"
)
_GPU_HOURS_HYPHEN = re.compile(r"(?<=gpu)-(?=h(?:ou)?rs?\b)")
_PERCENT_WORD = re.compile(r"\s?(percent|per\s?cent|pct)\b")
_PLACEHOLDER_CHARS = str.maketrans("⟦⟧⟪⟫", "[]<>")


def build_template(message: str, name_spans: list[tuple[int, int, str]]):
    """The lower-cased template, its index maps, and the numbers kept (those outside names)."""
    # placeholders typed by the user must not pass for ours (same length keeps the spans)
    lowered = message.lower().translate(_PLACEHOLDER_CHARS)
    lowered = _ABBREVIATION_DOT.sub(" ", lowered)  # "approx. 4.5M" is one sentence
    lowered = _GPU_HOURS_HYPHEN.sub(" ", lowered)  # "900 GPU-hours" as "900 GPU hours"
    nums = [
        n
        for n in find_numbers(message)
        if not any(s < n.end and n.start < e for s, e, _ in name_spans)
    ]
    marks: list[tuple[int, int, str]] = [(n.start, n.end, f"⟦{k}⟧") for k, n in enumerate(nums)]
    marks += [(s, e, "⟪g⟫" if kind == "gpu" else "⟪m⟫") for s, e, kind in name_spans]
    for n in nums:  # "60 percent", "5 per cent", "12 pct" read as "60 %"
        if pm := _PERCENT_WORD.match(lowered, n.end):
            marks.append((pm.start(1), pm.end(1), "%"))
    marks.sort()
    tmpl: list[str] = []
    ostart: list[int] = []
    oend: list[int] = []
    npos: list[tuple[int, int]] = [(0, 0)] * len(nums)
    pos = 0
    size = 0  # len of the template so far
    for s, e, rep in marks:
        if s < pos:
            continue
        tmpl += (lowered[pos:s], rep)
        ostart += range(pos, s)
        oend += range(pos + 1, s + 1)
        ostart += [s] * len(rep)
        oend += [e] * len(rep)
        t0 = size + s - pos
        size = t0 + len(rep)
        if rep.startswith("⟦"):
            npos[int(rep[1:-1])] = (t0, size)
        pos = e
    tmpl.append(lowered[pos:])
    ostart += range(pos, len(lowered))
    oend += range(pos + 1, len(lowered) + 1)
    return "".join(tmpl), ostart, oend, nums, npos


def extract_quantities(message: str, name_spans: list[tuple[int, int, str]]) -> list[Quantity]:
    """Every quantity in ``message``; ``name_spans`` are (start, end, kind) of names found first."""
    # an unknown GPU reads as one: "mi300x on oracle at 2.50/h", "4x MI300X", "a single rtx 4090"
    name_spans = [
        (s, e, "gpu" if k == "unknown" and _GPU_LIKE.match(message[s:e]) else k)
        for s, e, k in name_spans
    ]
    tmpl, ostart, oend, nums, npos = build_template(message, name_spans)
    has_gpu = "⟪g⟫" in tmpl or bool(re.search(r"\bgpus?\b", tmpl))
    ctx = _Ctx(message, tmpl, ostart, oend, nums, npos, has_gpu, set(), [])
    _ratios(ctx)
    _one_in(ctx)
    _price_pairs(ctx)
    for pattern in _FRACTION_PHRASES:  # "three quarters of it is input" is no duration
        for m in pattern.finditer(tmpl):
            ctx.consumed.update(k for k, (a, _b) in enumerate(npos) if m.start() <= a < m.end())
    for i in range(len(nums)):
        if i not in ctx.consumed:
            _one_number(ctx, i)
    _phrases(ctx)
    ctx.out.sort(key=lambda q: q.span.start)
    return _other_side(_stated_currency(message, _inherit_units(message, ctx.out)))


# the currency of a message's figures, said once: "3.6 per million output, in euros", "we pay 40k/mo
# in dollars", "the figures are in GBP: 40k a month" (not "from dollars to euros")
_IN_CURRENCY = re.compile(
    r"\bin\s+(usd|dollars|eur|euros?|gbp|pounds|chf|francs|inr|rupees)\b(?!\s+(?:to|into)\b)"
)


def _stated_currency(message: str, found: list[Quantity]) -> list[Quantity]:
    """Amounts without a currency take the one the message names with "in euros" (if only one)."""
    said = {_CUR_SYMBOL[m.group(1)] for m in _IN_CURRENCY.finditer(message.lower())}
    if len(said) != 1:
        return found
    (currency,) = said
    return [
        q.model_copy(update={"currency": currency, "unit": q.unit.replace("USD", currency)})
        if q.kind in ("money", "price_per_token", "gpu_price") and q.currency is None
        else q
        for q in found
    ]


def _inherit_units(message: str, found: list[Quantity]) -> list[Quantity]:
    """ "from $2.49 to $3.20/h", "from $10 to $5 per million": the first amount is in the unit
    of the second; "from 1k tokens per request to 1.5k": the second is in the unit of the first."""
    out = list(found)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        between = message[a.span.end : b.span.start].lower()
        if not (
            re.fullmatch(r"\s*(?:to|->|→)\s*(?:about|around|roughly|approx\w*|~)?\s*", between)
            and re.search(
                r"\bfrom\s*\S*$", message[max(0, a.span.start - 20) : a.span.start].lower()
            )
        ):
            continue
        if a.kind == "number" and b.kind in (
            "token_volume",
            "request_volume",
            "tokens_per_request",
        ):
            # "from 1.2M to roughly 2M tokens a day"
            update = {"kind": b.kind, "unit": b.unit, "period": b.period}
            out[k] = a.model_copy(update=update)
        elif (
            a.kind in ("money", "number")
            and a.period is None
            and b.kind in ("gpu_price", "money", "price_per_token")
        ):
            update = {"kind": b.kind, "unit": b.unit, "period": b.period, "side": b.side}
            if a.kind == "number":
                update["currency"] = b.currency
            out[k] = a.model_copy(update=update)
        elif b.kind == "number" and a.kind not in ("number", "percent"):
            out[k + 1] = b.model_copy(
                update={
                    "kind": a.kind,
                    "unit": a.unit,
                    "period": a.period,
                    "side": a.side,
                    "currency": a.currency,
                }
            )
    # "at 2M and 20M tokens a day", "11k, 13k and 16k USD": a list shares the unit of its last item
    for k in range(len(out) - 2, -1, -1):
        a, b = out[k], out[k + 1]
        if (
            a.kind == "number"
            and b.kind in _LISTABLE
            # not "the 230k case files, a single l40s?"
            and not re.match(r"\s*(?:a\s+)?(?:single|lone|couple|pair)\b", b.span.text.lower())
            and re.fullmatch(
                r"\s*(?:,|and|or|&|, and)\s*", message[a.span.end : b.span.start].lower()
            )
        ):
            update = {"kind": b.kind, "unit": b.unit, "period": b.period, "currency": b.currency}
            out[k] = a.model_copy(update=update)
    return out


def _other_side(found: list[Quantity]) -> list[Quantity]:
    """Two token counts of one request, one of them named the output ("tickets avg ~2,200 tokens,
    replies ~350"): the other is the input (and the other way round)."""
    per_request = [k for k, q in enumerate(found) if q.kind == "tokens_per_request"]
    if len(per_request) != 2:
        return found
    sides = [found[k].side for k in per_request]
    if None not in sides or sides == [None, None]:
        return found
    known = next(s for s in sides if s is not None)
    out = list(found)
    k = per_request[sides.index(None)]
    out[k] = out[k].model_copy(update={"side": "input" if known == "output" else "output"})
    return out


_LISTABLE = frozenset(
    {"token_volume", "request_volume", "money", "tokens_per_request", "gpu_count"}
)


# "$2.5/$10 per M", "$0.15/$0.60 per 1M in/out": an input and an output price
_PRICE_PAIR = re.compile(
    r"(?P<c1>us\$|\$|€|£)?⟦(?P<a>\d+)⟧\s*/\s*(?P<c2>us\$|\$|€|£)?⟦(?P<b>\d+)⟧\s*(?:usd|eur|gbp)?\s*"
    r"(?:per|/)\s*(?:1\s*)?(?:⟦(?P<mult>\d+)⟧|(?P<unit>million|mil|mtok|m|k|thousand)(?![a-z]))"
    r"(?:\s*tokens?)?(?P<io>\s*(?:in|input)\s*/\s*(?:out|output)\b)?"
)


# "$3 in / $15 out per million", "$15 output, $3 input per 1M": each price names its side
_PRICE_PAIR_SIDES = re.compile(
    r"(?P<c1>us\$|\$|€|£)?⟦(?P<a>\d+)⟧\s*(?P<s1>in|input|out|output)\s*(?:/|,|and|&)\s*"
    r"(?P<c2>us\$|\$|€|£)?⟦(?P<b>\d+)⟧\s*(?P<s2>in|input|out|output)\s*(?:tokens?\s*)?"
    r"(?:per|/)\s*(?:1\s*)?(?:⟦(?P<mult>\d+)⟧|(?P<unit>million|mil|mtok|m|k|thousand)(?![a-z]))"
)


def _price_pairs(ctx: _Ctx) -> None:
    for m in (*_PRICE_PAIR.finditer(ctx.tmpl), *_PRICE_PAIR_SIDES.finditer(ctx.tmpl)):
        a, b = int(m.group("a")), int(m.group("b"))
        cur = m.group("c1") or m.group("c2")
        sides = m.groupdict().get("s1"), m.groupdict().get("s2")
        if not (cur or m.groupdict().get("io") or sides[0]) or {a, b} & ctx.consumed:
            continue
        if sides[0] is not None and _side(sides[0]) == _side(sides[1]):
            continue
        if m.group("mult") is not None:
            per = ctx.nums[int(m.group("mult"))].value
        else:
            per = 1e3 if m.group("unit") in ("k", "thousand") else 1e6
        if per not in (1e3, 1e6):
            continue
        currency = _CUR_SYMBOL[cur.rstrip(".")] if cur else None
        used = [a, b] + ([int(m.group("mult"))] if m.group("mult") is not None else [])
        scale = 1e6 / per
        start = ctx.npos[a][0]
        for k, side in zip((a, b), map(_side, sides) if sides[0] else ("input", "output")):
            end = ctx.npos[k][1] if k == a else m.end()
            ctx.add(
                "price_per_token",
                ctx.nums[k].value * scale,
                [k],
                end,
                currency=currency,
                side=side,
                t_start=start if k == a else ctx.npos[b][0],
            )
        ctx.consumed.update(used)


def _ratios(ctx: _Ctx) -> None:
    for m in _RATIO_AFTER.finditer(ctx.tmpl):  # "input to output is 4:1"
        a, b = int(m.group(2)), int(m.group(3))
        x, y = ctx.nums[a].value, ctx.nums[b].value
        if x + y <= 0 or {a, b} & ctx.consumed:
            continue
        output = y if m.group(1) in ("input", "in", "prompt") else x
        ctx.add("output_share", output / (x + y), [a, b], m.end(), t_start=m.start())
    for m in _RATIO_BETWEEN.finditer(ctx.tmpl):  # "ratio 3:1 between question and answer"
        a, b = int(m.group(1)), int(m.group(2))
        x, y = ctx.nums[a].value, ctx.nums[b].value
        if x + y <= 0 or {a, b} & ctx.consumed:
            continue
        output = x if _side(m.group(3)) == "output" else y
        ctx.add("output_share", output / (x + y), [a, b], m.end(), t_start=m.start())
    for m in _RATIO.finditer(ctx.tmpl):
        a, b = int(m.group(1)), int(m.group(2))
        x, y = ctx.nums[a].value, ctx.nums[b].value
        if x + y <= 0:
            continue
        first_is_input = m.group(3) in ("input", "in", "prompt")
        output = y if first_is_input else x
        ctx.add("output_share", output / (x + y), [a, b], m.end(), t_start=m.start())
    for m in _BARE_RATIO.finditer(ctx.tmpl):  # "call it 3:1", "4:1 not 3:1": input to output
        a, b = int(m.group(1)), int(m.group(2))
        x = ctx.nums[a].value
        if ctx.nums[b].text == "1" and 1 <= x <= 20 and not {a, b} & ctx.consumed:
            ctx.add("output_share", 1 / (x + 1), [a, b], m.end(), t_start=m.start())


def _one_in(ctx: _Ctx) -> None:
    """ "1 in 8 of them" 0.125; "set the output share to 1 in 5", "one in five tokens is output"."""
    for m in _ONE_IN.finditer(ctx.tmpl):
        a, b = int(m.group(1)), int(m.group(2))
        x, y = ctx.nums[a].value, ctx.nums[b].value
        if not (0 < x < y <= 1000 and x == int(x) and y == int(y)) or {a, b} & ctx.consumed:
            continue
        share = _SHARE_BEFORE.search(ctx.clause_before(a)) or re.match(
            r"^[^.?!⟦]{0,40}?\b(?:is|are)\s+(output|input)\b", ctx.tmpl[m.end() :]
        )
        if share:
            output = _side(share.group(1)) == "output"
            ctx.add("output_share", x / y if output else 1 - x / y, [a, b], m.end())
        else:
            ctx.add("percent", x / y, [a, b], m.end())


def _money_period_before(ctx: _Ctx, i: int) -> str | None:
    """The period of amount ``i`` when none follows it, from the words before it."""
    clause = _CUR_BEFORE.sub("", ctx.clause_before(i))
    if adjective := _ADJ_PERIOD_BEFORE.search(clause) or _PERIOD_NOUN_BEFORE.search(clause):
        return _PERIODS[adjective.group(1)]  # "monthly spend is $40k", "the monthly comes to $5k"
    start = ctx.npos[i][0]
    if near := _COST_PERIOD_NEAR.search(ctx.tmpl[max(0, start - 120) : start]):
        return _PERIODS[near.group(1)]  # "monthly ops/monitoring on a self-hosted stack? ... $4-6k"
    if re.search(r"\b(?:this|next|last|per|a|the|each|for)\s+fy\b|\bfy\s?\d", clause):
        return "year"  # "budget for this FY is EUR 600k"
    if over := _COST_OVER_PERIOD.search(clause):
        return _PERIODS[over.group(1)]
    if period := _leading_period(ctx.sentence_head(i), money=True):
        return period  # "p/m spend on sonnet right now is about $7.5k"
    if rate := re.search(r"\b(day|hour|week)\s+rates?\b", clause):
        return rate.group(1)  # "set the engineer day rate to £650"
    return None


def _one_number(ctx: _Ctx, i: int) -> None:
    num = ctx.nums[i]
    value = num.value
    idx = [i]
    before = ctx.before(i)
    if re.search(r"\bper\s*$", before) and value in (1e3, 1e6):
        return  # "cost per 1k chats", "cheaper per 1M blended": the unit of a rate, no quantity
    # a range "between $20k and $30k", "1M to 3M", "$20-30k", "roughly 1 to 2 seconds"
    low = high = None
    after = ctx.after(i)
    rng = _RANGE_NEXT.match(after)
    if rng and int(rng.group(1)) not in ctx.consumed:
        j = int(rng.group(1))
        conn = after[: rng.start(1)].strip()
        is_range = (
            "-" in conn or "–" in conn
            or (("to" in conn.split() or "or" in conn.split()) and re.search(r"\b(from|between)\s*(?:(?:usd|eur|gbp)\s*)?\S*$", before))
            or ("and" in conn.split() and re.search(r"\bbetween\s*(?:(?:usd|eur|gbp)\s*)?\S*$", before))
            or ("to" in conn.split() and re.search(r"(?:\broughly|\babout|\baround|~)\s*$", before))
            or ("to" in conn.split() and _BARE_TO_RANGE.match(after[rng.end() :]) and not _CHANGE_LEAD.search(before))
        )  # fmt: skip
        if is_range and _CHANGE_FROM.search(before):
            is_range = False  # "goes from $2.49 to $3.20/h" is a change, not a range
        if is_range:
            other = ctx.nums[j]
            lo_v, hi_v = value, other.value
            if (
                num.scale is None
                and other.scale is not None
                and not other.from_words
                and lo_v < 1000
            ):
                lo_v *= _SCALE_WORDS.get(other.scale.lower(), 1.0)  # "between 3 and 3,5 bn"
            if lo_v <= hi_v:
                low, high = lo_v, hi_v
                value = (lo_v + hi_v) / 2
                idx = [i, j]
                after = ctx.after(j)
    # "go from 8 to 12 L40S cards", "staff ... to go from 400 to about 1,500": two counts of one thing
    ft = re.match(r"^\s*to\s*(?:about|around|roughly|~)?\s*⟦(\d+)⟧", after)
    if ft and low is None and num.scale is None and re.search(r"\bfrom\s*$", before):
        j = int(ft.group(1))
        after_j = ctx.after(j)
        gc = _GPU_AFTER.match(after_j)
        kind = "gpu_count" if gc else None
        if kind is None and (
            _HEADCOUNT.match(after_j)
            or re.search(r"\b" + _PEOPLE, ctx.sentence_head(i))
            and not re.search(r"\b(?:cost|spend|bill|price|salar)|[$€£]", ctx.sentence_head(i))
        ):
            kind = "headcount"
        if (
            kind
            and j not in ctx.consumed
            and value == int(value)
            and ctx.nums[j].value == int(ctx.nums[j].value)
        ):
            ctx.add(kind, value, [i], ctx.npos[i][1])
            ctx.add(kind, ctx.nums[j].value, [j], ctx.npos[j][1] + (gc.end() if gc else 0))
            return
    last = idx[-1]
    t_after = ctx.npos[last][1]
    if after.startswith("+") and re.match(r"^\+\s*[a-z]", after):
        after = " " + after[1:]  # "100k+ requests" (same length keeps the offsets)
    cur_m = _CUR_BEFORE.search(before)
    currency = _CUR_SYMBOL[cur_m.group(1).rstrip(".")] if cur_m else None
    cm = _CUR_AFTER.match(after)
    if cm and cm.group(1) in "$€£¥₹" and re.match(r"\s*⟦", after[cm.end() :]):
        cm = None  # "the premium one $0.03/1k": the sign belongs to the next number
    if cm and cm.group(1).startswith("cent"):  # "3 cents per request": hundredths of a dollar
        if currency is not None or num.scale is not None:
            cm = None
        else:
            currency = "USD"
            value /= 100
            low = None if low is None else low / 100
            high = None if high is None else high / 100
    elif cm and currency is None:
        currency = _CUR_SYMBOL.get(
            cm.group(1).rstrip("s") if cm.group(1) not in _CUR_SYMBOL else cm.group(1)
        )
    rest = after[cm.end() :] if cm else after
    rest_off = t_after + (cm.end() if cm else 0)
    kw = {"low": low, "high": high}
    offset = ctx.npos[i][0] - len(before)

    # --- "doubles every 6 months": growth compounded to a year
    # "doubling-every-six-months" too
    every = re.search(r"\b(doubl|tripl|quadrupl)\w*[\s-]+every[\s-]*$", before)
    dm0 = _DURATION_AFTER.match(after) if every else None
    if every and dm0 and value > 0:
        unit = dm0.group(1).rstrip("s") if dm0.group(1).rstrip("s") in _PERIODS else dm0.group(1)
        months = value * _MONTHS_PER[_PERIODS[unit]]
        factor = {"doubl": 2.0, "tripl": 3.0, "quadrupl": 4.0}[every.group(1)]
        growth = factor ** (12.0 / months) - 1 if months >= 0.5 else None
        if growth is not None and math.isfinite(growth):
            ctx.add(
                "growth",
                growth,
                idx,
                t_after + dm0.end(),
                period="year",
                t_start=offset + every.start(),
            )
            return
    # --- "cost per GPU hour is 3.10 EUR", "GPU hourly rate: $2.10"
    # not "$2.20 per GPU-hour on a 12-month term", nor the count in "$2.49 per GPU hour on 8 H100s"
    if (
        _GPU_HOUR_BEFORE.search(before)
        and not _DURATION_AFTER.match(after)
        and not _GPU_AFTER.match(after)
    ):
        ctx.add("gpu_price", value, idx, t_after + (cm.end() if cm else 0), currency=currency, **kw)
        return

    # --- "on a 1yr reserve at $2.20", "vs on-demand at 3.90?", "reserved rate is 2.30": GPU rates
    if (
        num.scale is None
        and value < 20
        and re.search(
            r"\b(?:reserv\w*|on[\s-]?demand|spot)(?:\s+(?:rate|price|pricing|instances?))?\s*"
            r"(?:is|was|at|of|@|=|:)\s*(?:about|around|~)?\s*(?:us\$|\$|€|£)?\s*$",
            before,
        )
    ):
        gm = _GPU_HOUR.match(rest)
        ctx.add(
            "gpu_price", value, idx, rest_off + (gm.end() if gm else 0), currency=currency, **kw
        )
        return
    # --- price per token: "$2.50 per million input tokens", "$0.002 per 1K", "$10/M"
    pm = _PRICE_PER.match(rest)
    if pm:
        per = None
        used = list(idx)
        if pm.group("mult") is not None:
            j = int(pm.group("mult"))
            # "three dollars a million in": the "a" went into the number
            glued = pm.group(0).lstrip().startswith("⟦")
            if (
                ctx.nums[j].value in (1e3, 1e6, 1.0)
                and j not in ctx.consumed
                and (not glued or ctx.nums[j].text.lower().startswith(("a ", "an ")))
            ):
                per = ctx.nums[j].value
                used.append(j)
        else:
            unit = pm.group("unit")
            if unit in ("million", "mil", "mtok", "mtoks"):
                per = 1e6
            elif unit in ("thousand", "k"):
                per = 1e3
            elif unit in ("token", "tok"):
                per = 1.0
            elif unit == "m" and value < 100 and (currency or "token" in ctx.tmpl):
                per = 1e6
        per_request = _REQUESTS_AFTER.match(rest[pm.end() :])
        if per is not None and per_request and currency is not None:
            # "$0.31 per 1k requests": a cost per batch of requests is money
            ctx.add(
                "money", value, used, rest_off + pm.end() + per_request.end(), currency=currency
            )
            return
        tokenish = per is not None and (
            currency is not None
            or "tok" in pm.group(0)
            or "price" in ctx.tmpl
            or bool(pm.group("side") or pm.group("side2"))
        )
        if tokenish:
            side = pm.group("side") or pm.group("side2")
            if side is None:
                sb = _SIDE_BEFORE.search(ctx.clause_before(i))
                side = sb.group(1) if sb else None
            side = _side(side)
            scale = 1e6 / per
            ctx.add(
                "price_per_token",
                value * scale,
                used,
                rest_off + pm.end(),
                currency=currency,
                side=side,
                low=None if low is None else low * scale,
                high=None if high is None else high * scale,
            )
            return
    # --- "price per 1k tokens is $0.00015 in, $0.0006 out", "per 1M input tokens we pay $3": the
    # unit said before the prices, in the same sentence
    lead = _PER_TOKENS_LEAD.search(ctx.tmpl[max(0, ctx.npos[i][0] - 160) : ctx.npos[i][0]])
    if lead and currency is not None and num.scale is None and not _GPU_HOUR.match(rest):
        per = _LEAD_UNITS.get(lead.group("unit") or "")
        if lead.group("mult") is not None:
            per = ctx.nums[int(lead.group("mult"))].value
        scale = 1e6 / per if per in (1.0, 1e3, 1e6) else 0.0  # to a price per million
        io = _SIDE_AFTER.match(rest)
        if 0 < value * scale <= 1000 and _period_at(rest)[0] is None:  # not "$400 a month"
            ctx.add(
                "price_per_token",
                value * scale,
                idx,
                rest_off + (io.end() if io else 0),
                currency=currency,
                side=_side(io.group(1) if io else lead.group("side")),
                low=None if low is None else low * scale,
                high=None if high is None else high * scale,
            )
            return
    # --- GPU price: "$2.49/h", "2.10 an hour" with a GPU in sight
    gm = _GPU_HOUR.match(rest)
    if (
        gm
        and "gpu" not in gm.group(0)
        and _WAGE_BEFORE.search(ctx.clause_before(i))
    ):  # "3 temps at £18/h", "annotators at $14 an hour": people paid by the hour
        ctx.add("money", value, idx, rest_off + gm.end(), period="hour", currency=currency, **kw)
        return
    # "$2.35/hr on a 1 yr reserve": a reservation is of GPUs; "we get them at €1.15/h": people cost more
    if gm and (
        ctx.has_gpu
        or "gpu" in gm.group(0)
        or value < 20
        or re.search(r"\b(?:reserv\w*|spot|on-demand|instances?)\b", ctx.tmpl)
    ):
        ctx.add("gpu_price", value, idx, rest_off + gm.end(), currency=currency, **kw)
        return
    if (
        currency is not None
        and ctx.has_gpu
        and value < 20
        and num.scale is None
        and re.search(r"\b(?:rent\w*|hir(?:e|ing)|lease|leasing)\b", ctx.clause_before(i))
    ):  # "rent h100s for $1.99 instead": a GPU's hourly price
        ctx.add("gpu_price", value, idx, rest_off, currency=currency, **kw)
        return
    if (
        num.scale is None
        and value < 20
        and (
            re.search(r"⟪g⟫s?\s+(?:at|@|for)\s*(?:us\$|\$|€|£)?\s*$", before)
            or value != int(value)
            and re.match(r"^\s*(?:for|on)\s+(?:the\s+|our\s+)?(?:⟪g⟫|gpus?\b|cards\b)", after)
            or (
                currency is not None
                or value != int(value)
                and (
                    not re.match(r"^\s*(?!(?:on|for|with|vs|or|instead|if|and)\b)[a-z%$€£]", after)
                    or re.search(r"\bthe\s*$", before)
                )
            )
            and any(q.kind == "gpu_price" for q in ctx.out)
        )
    ):  # "h200 at 3.10 or h100 at 2.10", "$2.10/hr ..., coreweave came in at $2.35", "1.29/h, on-demand 2.05",
        # "use 1.65 for the h100s", "2.10 usd/hr on 1y, 1.65 on 3y", "the 0.71 needed a 3-year commit"
        ctx.add("gpu_price", value, idx, rest_off, currency=currency, **kw)
        return
    # --- "a discount rate of 850bps": basis points
    if re.match(r"^\s*(?:bps|bp|basis\s+points?)\b", after):
        ctx.add("percent", value / 10000, idx, t_after + re.match(r"^\s*\w+", after).end())
        return
    # --- "over 24m", "and on 36m?", "horizon to 30m", "on a 12m deal": months, not millions
    months = value / 1e6
    if (
        currency is None
        and num.scale == "m"
        and months == int(months)
        and 1 <= months <= 120
        and (
            re.search(
                r"\b(?:over|on|within|across|horizon\s+(?:to|of|at|is|=))\s+(?:a\s+|the\s+)?$",
                before,
            )
            and re.match(r"^\s*(?:[?.!,;)]|$|(?:and|or|vs|instead)\b)", after)
            or re.match(r"^[\s-]*(?:deal|term|contract|commit\w*|horizon|window)\b", after)
        )
    ):
        ctx.add("duration", months, idx, t_after)
        return
    # --- "6.5M/day at $2.50 in / $10 out": token prices by side
    # "$0.15 per million in and $0.60 out", "0.35 USD for one million input token, 1.40 USD for output"
    io = _SIDE_AFTER.match(rest)
    if (
        io
        and currency is not None
        and value < 100
        and (
            any(q.kind in ("token_volume", "price_per_token") for q in ctx.out)
            or "token" in ctx.tmpl
        )
    ):
        ctx.add(
            "price_per_token",
            value,
            idx,
            rest_off + io.end(),
            currency=currency,
            side=_side(io.group(1)),
        )
        return
    # --- "$0.075 per million input and 0.30 output": the other side's price, its sign left out
    last = ctx.out[-1] if ctx.out else None
    if (
        io
        and currency is None
        and num.scale is None
        and value < 100
        and last is not None
        and last.kind == "price_per_token"
        and last.side not in (None, _side(io.group(1)))
    ):
        ctx.add(
            "price_per_token",
            value,
            idx,
            rest_off + io.end(),
            currency=last.currency,
            side=_side(io.group(1)),
        )
        return
    # --- money: any amount with a currency
    if currency is not None or num.scale == "grand":  # "35 grand a month" is money
        period, pend = _period_at(rest)
        period = period or _money_period_before(ctx, i)
        ctx.add("money", value, idx, rest_off + pend, period=period, currency=currency, **kw)
        return
    # --- "a 50k budget", "15k setup", "monthly 1.2k hosting fee": an amount named by the noun after it
    if (num.scale is not None or value >= 100) and re.match(
        r"^\s*(?:[a-z]+\s+)?(?:budget|spend|bill|invoice|setup|fees?|charges?)\b", after
    ):
        adj = re.search(r"\b(monthly|annual|yearly|weekly)\s*$", before)
        ctx.add("money", value, idx, t_after, period=adj and _PERIODS[adj.group(1)], **kw)
        return
    # --- a field named before the value: "set the gpu count to 12"
    if _field_value(ctx, idx, value, num, before, after, t_after, kw):
        return
    # --- output share before plain percentages: "20% of tokens are output", "70% input"
    ss = (
        _SIDE_THEN_SHARE.search(ctx.sentence_before(i).replace(",", ""))
        if re.match(r"^\s*%\s*of\s+(?:the\s+|all\s+)?tokens\b", after)
        else None
    )
    if ss:
        side = _side(ss.group(1)) or (
            "output" if re.match(r"repl|answ|resp|compl", ss.group(1)) else "input"
        )
        ctx.add(
            "output_share",
            value / 100 if side == "output" else 1 - value / 100,
            idx,
            t_after + len(after) - len(after.lstrip()) + 1,
        )
        return
    sm = _SHARE_AFTER.match(after)
    if sm:
        share = value / 100
        side = _side(sm.group(1))
        ctx.add("output_share", share if side == "output" else 1 - share, idx, t_after + sm.end())
        return
    # --- tokens: per period, per request, or with a side
    tm = _TOKENS_AFTER.match(after)
    if tm:
        period, pend = _period_at(after[tm.end() :])
        if period is None:  # "45 million tokens through the api every week"
            gap = _WORDS_GAP.match(after[tm.end() :])
            if gap:
                period, pend = _period_at(after[tm.end() + gap.end() :])
                pend = pend and pend + gap.end()
        adj = _ADJ_PERIOD_BEFORE.search(before) if period is None else None
        if adj and not _MONEY_NOUN.match(adj.group(2)):
            period = _PERIODS[adj.group(1)]  # "daily volume ~ 800k tokens"
        if period is None:
            period = _leading_period(ctx.sentence_head(i))
        end = t_after + tm.end() + pend
        clause = ctx.clause_before(i)
        side = _side(tm.group(1))
        side_after = re.match(
            r"^\s*(?:of\s+(?:the\s+)?)?(prompts?|inputs?|answers?|completions?|outputs?|responses?|repl(?:y|ies)|in|out)\b",
            after[tm.end() :],
        )
        side_noun = _SIDE_NOUN_BEFORE.search(ctx.sentence_before(i)) if period is None else None
        if period is not None:
            if side is None and (label := _SIDE_LABEL.search(ctx.sentence_before(i))):
                side = _side(label.group(1))  # "in: 3.2M tokens per day"
            ctx.add("token_volume", value, idx, end, period=period, side=side, **kw)
        elif (
            _PER_REQUEST.match(after[tm.end() :])
            or _EACH_BEFORE.search(ctx.sentence_before(i))
            # "our invoices average 3 pages, ~2,200 tokens": what each one averages
            or _REQUESTS_AVERAGE.search(ctx.sentence_head(i))
            or (ctx.out and ctx.out[-1].kind == "request_volume")  # "20k requests/day at 2k tokens"
            or side_after
            or side
            or side_noun
        ):
            if side_after:
                side = _side(side_after.group(1))
                end += side_after.end()
            elif side is None and side_noun:  # "our prompts are about 6k tokens"
                side = _side(side_noun.group(1))
            elif side is None:
                sb = _SIDE_BEFORE.search(clause)
                side = _side(sb.group(1)) if sb else None
            pr = _PER_REQUEST.match(after[tm.end() :])
            ctx.add(
                "tokens_per_request", value, idx, end + (pr.end() if pr else 0), side=side, **kw
            )
        else:
            ctx.add("token_volume", value, idx, end, **kw)
        return
    sf = re.match(r"^\s*(input|output|prompt|completion)s?\b", after)
    if sf and num.scale != "b" and re.search(r"\btok(?:en)?s?\b", after[: sf.end() + 40]):
        # "~1.2k input and 300 output tokens": the unit comes after the list
        period, pend = _period_at(after[sf.end() :])
        kind = "token_volume" if period else "tokens_per_request"
        ctx.add(
            kind,
            value,
            idx,
            t_after + sf.end() + pend,
            period=period,
            side=_side(sf.group(1)),
            **kw,
        )
        return
    rps = re.match(r"^\s*(rps|qps|rpm|qpm)\b", after)
    if rps:  # "300 qps at peak"
        period = "second" if rps.group(1).endswith("s") else "minute"
        ctx.add("request_volume", value, idx, t_after + rps.end(), period=period, **kw)
        return
    rm = _REQUESTS_AFTER.match(after)
    if rm:
        more = _MORE_REQUESTS.match(after[rm.end() :])
        rend = rm.end() + (more.end() if more else 0)  # the nouns' end
        period, pend = _period_at(after[rend :])
        gap = _WORDS_GAP.match(after[rend :]) if period is None else None
        if gap:  # "2.4M answers generated per month"
            period, pend = _period_at(after[rend + gap.end() :])
            pend = pend and pend + gap.end()
        if period is None and (pa := _PERIOD_ADVERB_BEFORE.search(before)):
            period = _PERIODS[pa.group(1)]  # "daily ~ 90k calls"
        if period is None and (adj := _ADJ_PERIOD_BEFORE.search(before)):
            period = _PERIODS[adj.group(1)]  # "our monthly traffic is about 2M calls"
        if period is None:
            period = _leading_period(ctx.sentence_head(i))
        if period is None and (
            pk := re.search(
                r"\b(?:peak|typical|normal|average|busy|quiet|bad|good)\s+(hour|day|week|month)\b",
                ctx.clause_before(i),
            )
        ):
            # "peak hour is around 9,000 calls", "a typical day is 150k events"
            period = pk.group(1)
        if period is None and (
            lw := re.match(
                r"^\s*(?:[a-z]+\s+){0,2}?(?:last|this|in\s+the\s+last|over\s+the\s+last)\s+(day|week|month|year)\b",
                after[rend :],
            )
        ):  # "the inbox hit 52k emails last week"
            period, pend = lw.group(1), lw.end()
        if period is None and num.from_words and value == 1:
            return  # "what does one summarised call cost": no volume
        if period is None and not re.search(r"\b(?:requests?|reqs?|calls?|queries)\b", after[:rend]):
            if num.from_words and value < 10:
                return  # "if two identical listings get different outcomes": no figure
            # "50k labelled invoices", "4 mil support tickets": a count of records, not a rate
            ctx.add("number", value, idx, t_after + rend, **kw)
            return
        ctx.add("request_volume", value, idx, t_after + rend + pend, period=period, **kw)
        return
    cn = _COUNT_NOUN_AFTER.match(after)
    if (
        cn
        and (num.scale is not None or value >= 10)  # "~90 appeals a day", "60 meetings a month"
        and not num.glued_b
        and not _HEADCOUNT.match(after)
    ):
        period, pend = _period_at(after[cn.end() :])
        if period is not None:  # "30k CVs a day", "1.1M NPC turns/day", "35k times a day"
            ctx.add("request_volume", value, idx, t_after + cn.end() + pend, period=period, **kw)
            return
    if (
        num.scale is None
        and re.search(r"\ball\s*$", before)
        and re.match(r"^\s*(?:are|r)\s+(?:on|using|onboard|live)\b", after)
    ):  # "once all 240 r on it"
        ctx.add("headcount", value, idx, t_after)
        return
    if (
        (num.scale is not None or value >= 100)
        and not after.lstrip().startswith("%")
        and (
            _PAY_BEFORE.search(ctx.clause_before(i))
            or re.search(r"\bspen[dt]\w*\s+(?:a|one)\s+(?:year|month)\s+and\s*$", before)
            or (num.scale is not None and not num.glued_b and _WAGE_LEAD.search(before))
            or (num.scale is not None and not num.glued_b and _FOR_COST_LINE.match(after))
        )
    ):  # "we pay about 1.5 mil a year to openai", "we spend a year and two million building this"
        period, pend = _period_at(after)
        period = period or _money_period_before(ctx, i)  # "monthly spend bounces between 9 and 14k"
        currency = _currency_later(after[pend:])
        ctx.add("money", value, idx, t_after + pend, period=period, currency=currency, **kw)
        return
    # --- "tokens per day: 7.5M", "volume is roughly 1.2bn/yr", "completions ~300"
    adjective = _ADJ_PERIOD_BEFORE.search(before)
    if adjective:  # "monthly token usage is about 250 million"
        noun = adjective.group(2)
        kind = "request_volume" if re.match(r"req|call|quer", noun) else "token_volume"
        if _MONEY_NOUN.match(noun):
            kind = "money"
        ctx.add(kind, value, idx, t_after, period=_PERIODS[adjective.group(1)], **kw)
        return
    tb = _TOKENS_PER_BEFORE.search(before)
    if tb:  # "tokens per day: 7.5M", "requests per day: 40k"
        kind = "token_volume" if tb.group(1).startswith("tok") else "request_volume"
        ctx.add(kind, value, idx, t_after, period=_PERIODS[tb.group(2)], **kw)
        return
    period, pend = _period_at(after)
    if period is not None and not after.lstrip().startswith("%"):
        clause = ctx.clause_before(i)
        previous = ctx.out[-1].kind if ctx.out else None
        kind = None
        # "10K/day requests", "18k a day for the letters"
        for_the = re.sub(r"^\s*for\s+(?:the|our|all)\b", "", after[pend:])
        noun_after = _REQUESTS_AFTER.match(for_the) or re.match(
            r"^\s*(?:of\s+)?(?:tokens?|toks?)\b", after[pend:]
        )
        if noun_after:
            kind = "token_volume" if "tok" in noun_after.group(0) else "request_volume"
            ctx.add(kind, value, idx, t_after + pend + noun_after.end(), period=period, **kw)
            return
        if _VOLUME_BEFORE.search(clause) or "token" in clause:
            # "claims volume: 2k/day", "our chat volume is 40k a month": the volume of a countable thing
            kind = (
                "request_volume"
                if re.search(
                    r"\breq|\bcalls?\b|\b(?:chat|claims?|ticket|email|message|call|letter|case)s?\s+(?:volume|traffic)\b",
                    clause,
                )
                else "token_volume"
            )
        elif _REQUEST_NOUN_BEFORE.search(clause):
            kind = "request_volume"
        elif previous in ("token_volume", "request_volume") and num.scale is not None:
            kind = previous  # a list: "900k/day in, 300k/day out"
        elif re.match(
            r"^[^.?!⟦]{0,20}⟦\d+⟧\s*(?:tokens?|toks?)\s+(?:each|per\s+\w+)", after[pend:]
        ):
            kind = "request_volume"  # "job ads, 200k a yr, ~700 tokens each"
        elif period in ("minute", "second"):
            kind = "request_volume"  # "pushes that to 300/min"
        elif re.search(r"\b(?:opex|costs?|spend|bill|budget|invoices?|fees?)\b", clause):
            kind = "money"  # "the 'other opex' bucket of 6,800 a month"
        if kind is not None:
            sm2 = re.match(r"^\s*(in|input|out|output|prompts?|completions?)\b", after[pend:])
            side = (
                _side({"in": "input", "out": "output"}.get(sm2.group(1), sm2.group(1)))
                if sm2
                else None
            )
            ctx.add(
                kind,
                value,
                idx,
                t_after + pend + (sm2.end() if sm2 else 0),
                period=period,
                side=side,
                **kw,
            )
            return
    side_before = re.search(
        r"\b(prompts?|inputs?|completions?|outputs?|answers?|responses?|repl(?:y|ies))\s*"
        r"(?:is|are|of|[:=]|run|average|averaging|typically|usually|maybe|perhaps|about|around"
        r"|roughly|like|under|below|over|above|to|~|\s)*$",  # "completions under 200", "the prompt to 3k"
        before,
    )
    if (
        side_before
        and num.scale in (None, "k")
        and value < 100_000
        and not after.lstrip().startswith("%")
    ):
        ctx.add("tokens_per_request", value, idx, t_after, side=_side(side_before.group(1)))
        return
    # --- percentages: growth, relative change, plain percent
    if after.lstrip().startswith("%"):
        pkw = {k: None if v is None else v / 100 for k, v in kw.items()}  # "8-12%"
        pct_end = t_after + after.index("%") + 1
        tail = ctx.tmpl[pct_end:]
        share_before = _SHARE_BEFORE.search(ctx.clause_before(i)) or (
            None if re.search(r"\brate\b", ctx.clause_before(i)) else _SIDE_IS_PCT.search(before)
        )  # not "cache hit rate on the system prompts is around 65%"
        if share_before:  # "reduce the output share to 25%"
            share = value / 100
            is_output = _side(share_before.group(1)) == "output"
            ctx.add("output_share", share if is_output else 1 - share, idx, pct_end)
            return
        pre = ctx.tmpl[: ctx.npos[i][0]]
        # "25% more chats every year"
        gper, gend = _period_at(
            re.sub(r"^\s*(?:growth|increase|more(?:\s+[a-z]+(?=\s+every\b))?)\b", "", tail)
        )
        growth_word = re.match(r"^\s*(?:growth|increase)\b", tail)
        if gper is None:
            gm2 = re.match(
                r"^\s*(?:mom|month[- ]over[- ]month|monthly|yoy|year[- ]over[- ]year|annual|yearly|a year|a month)\s+(?:growth|increase)",
                tail,
            )
            if gm2:
                gper = _PERIODS.get(gm2.group(0).split()[0]) or (
                    "month" if "month" in gm2.group(0) else "year"
                )
                gend = gm2.end()
                growth_word = gm2
        if gper is not None and not growth_word:
            growth_word = re.match(r"^\s*(?:growth|increase)\b", tail[gend:])
            if growth_word:  # "10% monthly growth"
                gend += growth_word.end()
            elif re.match(
                r"^\s*,?\s*(?:yoy|mom|qoq|(?:year|month|quarter|week)[\s-]+(?:over|on))\b", tail
            ):
                growth_word = True  # "+60% YoY": a growth rate by its period
        if gper is not None and (
            _GROWTH_BEFORE.search(pre[-30:])
            or growth_word
            or re.search(r"\b(?:grow\w*|growth)\b", ctx.sentence_before(i))
            or not _DOWN_BEFORE.search(pre[-30:])  # "more like 35% a year": a rate per period
        ):
            ctx.add("growth", value / 100, idx, pct_end + gend, period=gper, **pkw)
            return
        against = re.search(r"\b(?:instead\s+of|rather\s+than|or|vs\.?|versus)\s*$", pre[-20:])
        if gper is None and against and ctx.out and ctx.out[-1].kind in ("growth", "percent"):
            prev = ctx.out[-1]  # "growth at 10% instead of 5%": the same kind
            ctx.add(prev.kind, value / 100, idx, pct_end, period=prev.period)
            return
        gb = re.search(
            r"(?:\b(monthly|weekly|quarterly|yearly|annual)\s+)?\bgrowth(?:\s+rate)?\s*"
            r"(?:(?:[a-z]+\s+){0,2}?(?:to|=|of|at|is|:|hits?|reach(?:es)?))?\s*(?:about|around|roughly|~)?\s*$",
            pre[-40:],
        )  # "what if growth is 10% instead of 5%", "set growth 0%", "growth flattens out at 3%",
        # "enrolment growth hits 10%", "set monthly growth to 15%"
        slows = re.search(
            r"\b(?:slows?|slowed|slowing)\s+(?:down\s+)?to\s*(?:about|~)?\s*$", pre[-30:]
        )
        # "same but 2% growth", "and if that slows to 2%?"
        if gper is None and (gb or slows or re.match(r"^\s*growth\b", tail)):
            period = _PERIODS[gb.group(1)] if gb and gb.group(1) else None
            gadd = re.match(r"^\s*growth\b", tail)
            ctx.add(
                "growth",
                value / 100,
                idx,
                pct_end + (gadd.end() if gadd else 0),
                period=period,
                **pkw,
            )
            return
        if re.search(r"(?:\+\s*/\s*-|±)\s*$", pre):  # "+/- 10%": an error margin
            ctx.add("percent", value / 100, idx, pct_end)
            return
        if pre.rstrip().endswith("+"):
            ctx.add("relative_change", 1 + value / 100, idx, pct_end, t_start=len(pre.rstrip()) - 1)
            return
        if pre.rstrip().endswith("-") and not re.search(r"\d\s*-\s*$", pre[-30:]):
            ctx.add("relative_change", 1 - value / 100, idx, pct_end, t_start=len(pre.rstrip()) - 1)
            return
        down_after = re.match(
            r"^\s*(lower|less|cheaper|smaller|fewer|down|drop|cut|reduction|decrease|off|below|under"
            r"|(?:[\w-]+\s+){0,2}(?:discount(?!\s+rate)|cut|reduction|decrease|drop))\b",
            tail,
        )
        up_after = re.match(
            r"^\s*(higher|more|bigger|larger|up|increase|pricier|dearer|above|on\s+top"
            r"|(?:[\w-]+\s+){0,2}(?:increase|hike|rise|uplift|surcharge|markup|mark-up))\b",
            tail,
        )
        to_level = re.search(r"\b(?:to|at|=)\s*(?:about|around|roughly|~)?\s*$", pre[-30:])
        # "discount is 37% for 3 yrs, 20% for 1 yr"
        discount = re.search(r"\bdiscounts?\s+(?:is|are|of)\b", ctx.sentence_head(i)) and re.search(
            r"\b(?:discounts?\s+(?:is|are|of)|and)\s*$|,\s*$", pre[-20:]
        )
        if down_after or (_DOWN_BEFORE.search(pre[-30:]) and not to_level) or discount:
            ctx.add(
                "relative_change",
                1 - value / 100,
                idx,
                pct_end + (down_after.end() if down_after else 0),
            )
            return
        # "raises fine-tuned inference prices by 25%"
        if up_after or (_UP_BEFORE.search(pre[-45:]) and not to_level):
            ctx.add(
                "relative_change",
                1 + value / 100,
                idx,
                pct_end + (up_after.end() if up_after else 0),
            )
            return
        ctx.add("percent", value / 100, idx, pct_end, **pkw)
        return
    # --- "and with zero growth?"
    if value == 0 and (zg := re.match(r"^\s*growth\b", after)):
        ctx.add("growth", 0.0, idx, t_after + zg.end())
        return
    # --- "14 sites", "a 300-store chain", "400 client companies": counts of places and parties
    if (
        num.scale is None
        and not num.from_words  # not "if two customers ask the same question"
        and value == int(value)
        and re.match(
            r"^(?:\s+(?:[a-z&/]+\s+)?(?:sites|languages|jurisdictions|countries|stores|branches|depots|offices"
            r"|locations|hospitals|clinics|markets|regions|brands|customers|clients|groups|companies"
            r"|quotes|bids|tenders|shifts"  # "3 competitive quotes", "300 O&D markets", "3 shifts of chat"
            r"|gpu\s+(?:hours|hrs)"  # "900 GPU-hours for training": compute time, counted
            r"|affiliates|authorities|committees|agencies|departments|subsidiaries|municipalities|ministries)"
            r"|-(?:store|site|branch|office|location|hospital|clinic|country|page))\b",  # "a 40-page report"
            after,
        )
    ):
        ctx.add("number", value, idx, t_after)
        return
    # --- "how risky is self hosting for a team of 3?", "team of 6, 2 of them have shipped models"
    if (
        num.scale is None
        and value == int(value)
        and 0 < value < 100_000
        and not num.glued_b
        and not after.lstrip().startswith("%")
        and not _GPU_AFTER.match(after)
        and not _HEADCOUNT.match(after)  # "a team of 4 engineers": read by the people rule below
        and (
            re.search(r"\b(?:team|squad|crew|staff|workforce)\s+of\s*(?:about|around|~|just|only)?\s*$", before)
            or re.match(r"^\s*of\s+(?:them|those|us)\b", after)
            and ctx.out
            and ctx.out[-1].kind == "headcount"
        )
    ):
        ctx.add("headcount", value, idx, t_after)
        return
    # --- "a platform engineer costs $165k a year and we'd need 2 of them"
    if (
        num.scale is None
        and value == int(value)
        and 0 < value < 100
        and re.match(r"^\s*of\s+(?:them|those)\b", after)
        and not any(q.kind in ("headcount", "gpu_count") for q in ctx.out)
        and re.search(r"\b" + _PEOPLE, ctx.sentence_head(i))
    ):
        ctx.add("headcount", value, idx, t_after)
        return
    # --- GPU counts: "8 H100s", "4 x H100", "16 GPUs", "h100 at $2.99/h, 8 of them"
    # "on 2 of those?": with no people in the message, a few of those (in digits) are GPUs
    gc = _GPU_AFTER.match(after)
    of_them = re.match(r"^\s*of\s+(?:them|those|these)\b(?!\s+(?:an?|per|each|every)\s)", after)
    if gc is None and of_them:
        no_people = (
            not num.from_words and 1 < value < 100 and not re.search(r"\b" + _PEOPLE, ctx.tmpl)
        )
        gc = of_them if ctx.has_gpu or no_people else None
    if gc and num.scale is None and value == int(value):
        ctx.add("gpu_count", value, idx, t_after + gc.end())
        return
    if (  # "would 6 be enough for the monday peak?", "would 3 do it?": a sizing asked about
        num.scale is None
        and value == int(value)
        and 1 <= value <= 64
        and re.search(r"(?:^|[.?!,]\s*)(?:so\s+|and\s+)?(?:would|will|could)\s*$", before)
        and re.match(
            r"^\s*(?:of\s+(?:them|those)\s+)?(?:be\s+(?:enough|plenty)|do\s+it|cut\s+it|suffice)\b",
            after,
        )
    ):
        ctx.add("gpu_count", value, idx, t_after, **kw)
        return
    if (
        ctx.has_gpu
        and num.scale is None
        and value == int(value)
        and re.search(r"\bneed\w*\s+(?:maybe|about|around|~|like|only|just)?\s*$", before)
        and not re.match(r"^\s*(?:[%$€£]|[a-z])", after)
    ):  # "H200s at ~$3.40/GPU-h, we'd need maybe 4-6"
        ctx.add("gpu_count", value, idx, t_after, **kw)
        return
    # --- "multiplied by four"
    if re.search(r"\bmultipl\w*\s+by\s*$", before) and 1 < value <= 1000:
        ctx.add("relative_change", value, idx, t_after)
        return
    # --- "by a factor (of) 5"
    if re.search(r"\bfactor\s+(?:of\s+)?(?:about\s+|~\s*)?$", before) and 1 < value <= 1000:
        ctx.add("relative_change", value, idx, t_after)
        return
    # --- "10x the volume", "3 times"
    xm = _TIMES_AFTER.match(after)
    if xm and value <= 1000 and not re.match(r"^\s*(?:x|×|times)\s*⟦", after):  # not "17 times 23"
        gp = re.match(r"^\s*(?:a|per|each|every)\s+(year|month|quarter|week)\b", after[xm.end() :])
        if gp and value > 1 and re.search(r"\b(?:grow\w*|growth)\b", ctx.sentence_before(i)):
            # "we grow 2x per year": growth of (factor - 1) a period
            per = _PERIODS[gp.group(1)]
            ctx.add("growth", value - 1, idx, t_after + xm.end() + gp.end(), period=per)
            return
        ctx.add("relative_change", value, idx, t_after + xm.end())
        return
    # --- model size: "70B", "8 billion parameters", "30-70B"
    last = ctx.nums[idx[-1]]
    if (
        num.glued_b
        or last.glued_b
        or (num.scale in ("billion", "bn") and re.match(r"^\s*param", after))
    ):
        mb = _MODEL_B_AFTER.match(after)
        ctx.add(
            "model_size",
            value / 1e9,
            idx,
            t_after + (mb.end() if mb else 0),
            low=None if low is None else low / 1e9,
            high=None if high is None else high / 1e9,
        )
        return
    # --- a duty cycle: "12 hours a day", "5 days a week"
    duty = re.match(
        r"^\s*(hours?|hrs?|h|days?)\s*(?:a|per|/|each|every)\s*(day|night|week)\b", after
    )
    if duty and num.scale is None:  # "6 hours a night" too
        per = 7.0 if duty.group(2) == "week" else 24.0
        if duty.group(1).startswith("d") == (duty.group(2) == "week") and 0 < value <= per:
            ctx.add("percent", value / per, idx, t_after + duty.end())
            return
    # --- "spike in month 1", "put the horizon back, 36 was right": a month count
    if (
        num.scale is None
        and value == int(value)
        and 0 < value <= 120
        and (
            re.search(r"\bmonth\s*$", before)
            or value >= 6
            and re.search(r"\bhorizon\b", ctx.sentence_head(i))
            and re.match(r"^\s*(?:[?.!,;]|$|(?:was|is)\b)", after)
        )
    ):
        ctx.add("duration", value, idx, t_after)
        return
    # --- durations: "over 3 years", "18 months", "5 yrs"
    dm = _DURATION_AFTER.match(after)
    if (
        dm and num.scale is None and not re.search(r"(?:/|\bper)\s*$", before)
    ):  # "retrain every 6 months"
        unit = _PERIODS[
            dm.group(1).rstrip("s") if dm.group(1).rstrip("s") in _PERIODS else dm.group(1)
        ]
        ctx.add("duration", value * _MONTHS_PER[unit], idx, t_after + dm.end(), **kw)
        return
    # --- latency: "300ms", "under 2 seconds"
    lm = _LATENCY_MS.match(after)
    if lm:
        ctx.add("latency", value, idx, t_after + lm.end(), **kw)
        return
    ls = _LATENCY_S.match(after)
    if ls and after.startswith("s") and value >= 1000 and value == int(value):
        return  # "4090s under the desks", "the 1990s": a plural, no latency
    if ls and _LATENCY_S_CUE.search(ctx.tmpl):
        mkw = {k: None if v is None else v * 1000 for k, v in kw.items()}
        ctx.add("latency", value * 1000, idx, t_after + ls.end(), **mkw)
        return
    lmin = _LATENCY_MIN.match(after)
    if (
        lmin
        and _LATENCY_MIN_CUE.search(ctx.tmpl)
        and not _RUN_TIME.search(ctx.tmpl)
        and not _MEDIA_LENGTH.match(after[lmin.end() :])
    ):  # "nobody cares if it takes 10 min", "replies within 5 minutes are fine"
        mkw = {k: None if v is None else v * 60_000 for k, v in kw.items()}
        ctx.add("latency", value * 60_000, idx, t_after + lmin.end(), **mkw)
        return
    hm = _HEADCOUNT.match(after)
    if hm and value < 1_000_000:  # "14k staff", "~2,300 staff", "between 250 and 400 clinicians"
        ctx.add("headcount", value, idx, t_after + hm.end(), **kw)
        return
    # --- "Token volume was 310M in March and 355M in April"
    if num.scale in ("m", "mn", "mil", "million", "bn", "b", "billion") and re.search(
        r"\btoken\s+(?:volume|usage|count|consumption)\b|\btokens\s+(?:in|for|last|this)\s+[a-z]+\s+(?:was|were)\b",
        ctx.sentence_head(i),  # "tokens in oct were 1.9bn, nov came in at 2.2bn"
    ):
        ctx.add("token_volume", value, idx, t_after, **kw)
        return
    # --- "700 tokens in and 250 out": a bare number with a side continues the previous quantity
    # "$3 per million input tokens, fifteen for output": a second price
    side_next = re.match(
        r"^\s*(?:for\s+)?(out|output|in|input|completions?|prompts?|responses?|answers?|replies|reply)\b",
        after,
    )
    if (
        side_next
        and num.scale in (None, "k")
        and re.search(r"\btok(?:en)?s\b[^⟦]*$", ctx.clause_before(i))
        and not (ctx.out and ctx.out[-1].kind in ("tokens_per_request", "token_volume"))
    ):  # "agent-assist tokens are 2,100 in and 180 out per call", "tokens per request: 700 in"
        ctx.add(
            "tokens_per_request",
            value,
            idx,
            t_after + side_next.end(),
            side=_side(side_next.group(1)),
        )
        return
    if (
        side_next
        and ctx.out
        and ctx.out[-1].kind in ("tokens_per_request", "token_volume", "price_per_token")
    ):
        prev = ctx.out[-1]
        ctx.add(
            prev.kind,
            value,
            idx,
            t_after + side_next.end(),
            period=prev.period,
            currency=prev.currency,
            side=_side(side_next.group(1)),
        )
        return
    # --- a bare small count continuing a count: "12 ppl, 3 of them ...", "8 GPUs?? we'd need maybe 2"
    prev_count = next((q for q in reversed(ctx.out) if q.kind in ("headcount", "gpu_count")), None)
    if (
        prev_count is not None
        and num.scale is None
        and value == int(value)
        and 0 < value < 1000
        and not re.match(r"^\s*(?:[%$€£]|[a-z]+\s*(?:%|tokens?|requests?))", after)
        and (
            re.match(  # "why 6 GPUs?? ... 2 would do", "burst onto 6 more"
                r"^\s*(?:of\s+(?:them|those|these|us)|with|who|that|once|when|later|eventually|more"
                r"|(?:would|will|should|could)\s+do|(?:is|are|would\s+be)\s+enough)\b",
                after,
            )
            or re.search(r"\b(?:need|needs|want|only|maybe|just|more\s+like|at\s+most)\s*$", before)
        )
        and not _DURATION_AFTER.match(after)
    ):
        ctx.add(prev_count.kind, value, idx, t_after)
        return
    # --- "peak is ~1.2k requests an hour, rest of the day maybe 200": a volume continued
    prev = ctx.out[-1] if ctx.out else None
    sentence = ctx.sentence_before(i)
    if (
        prev is not None
        and prev.kind in ("request_volume", "token_volume")
        and prev.period is not None
        and (
            re.search(r"\b(?:maybe|about|around|roughly|only|like)\s*$|~\s*$", before)
            and re.match(r"^\s*(?:[.,;!?]|$)", after)
            or num.scale is not None  # "10k req/h in the asia session, 2.5k in london, 6k in ny"
            and re.search(r",\s*$", before)
            and re.match(r"^\s*(?:in|for|at|on)\s+(?:the\s+)?[a-z]+\s*(?:[.,;!?]|$)", after)
        )
        and "," in sentence
    ):
        ctx.add(prev.kind, value, idx, t_after, period=prev.period, **kw)
        return
    # a figure set against another: "5 years instead of 3" (read below)
    against = re.search(
        r"\b(?:instead\s+of|rather\s+than|or|not|vs\.?|versus)\s*(?:all\s+)?$", before
    )
    # --- "answers ~200 tokens, prompts with the snippets ~1,500", "out: about 800k": a token count
    # continued in a later clause, on the side named last before it (or just after it)
    if (
        prev is not None
        and prev.kind in ("tokens_per_request", "token_volume")
        and (num.scale in ("k", "thousand", "m", "mil", "million") or num.separated or value >= 100)
        and not num.from_words
        and re.search(r"[,.;:]|\band\b", sentence)
        and re.match(
            r"^\s*(?:[.,;!?)]|$|of\s+(?:\w+\s+)?(?:input|output|prompt|completion)|with\b|off[\s-]peak\b)",
            after,
        )
        and not against
    ):
        side_after = re.match(r"^\s*of\s+(?:\w+\s+)?(input|output|prompt|completion)", after)
        sides = list(_CONTINUED_SIDE.finditer(sentence))
        if side_after:
            word = side_after.group(1)
        else:
            word = next((g for g in sides[-1].groups() if g), None) if sides else None
        ctx.add(prev.kind, value, idx, t_after, period=prev.period, side=_side(word), **kw)
        return
    # --- "5 years instead of 3": a bare number takes the unit of the quantity it stands against
    if (
        prev is not None
        and against
        # "10,000 students instead of all 22k", "10k enquiries/mo instead of 3.2k"
        and (num.scale is None or prev.kind in ("headcount", "request_volume", "token_volume"))
        and not re.match(r"^\s*[a-z%$€£]", after)
    ):
        # not "30k requests a day, not 40k": a number corrected away is no volume
        if (
            prev.kind in ("request_volume", "token_volume")
            and num.scale is not None
            and against.group(0).strip() != "not"
        ):
            ctx.add(prev.kind, value, idx, t_after, period=prev.period)
            return
        if prev.kind == "duration":  # "12 weeks not 10": in the unit of the first
            unit = re.search(
                r"(?<=[\d\s])(years?|yrs?|y|quarters?|weeks?|wks?)\b", prev.span.text.lower()
            )
            per = (
                _PERIODS.get(unit.group(1).rstrip("s"), _PERIODS.get(unit.group(1)))
                if unit
                else "month"
            )
            ctx.add("duration", value * _MONTHS_PER[per], idx, t_after)
            return
        if prev.kind in ("gpu_count", "headcount", "model_size"):
            ctx.add(prev.kind, value, idx, t_after)
            return
        shares = ("growth", "percent", "output_share")
        if prev.kind in shares and num.scale is None and value <= 100:
            # "growth should be 3%/month, not 10": per cent, over the first one's period
            ctx.add(prev.kind, value / 100, idx, t_after, period=prev.period)
            return
    # --- "$0.31 per 1k requests ... our own benchmark says ~0.18": a second unit cost
    unit_cost = next((q for q in reversed(ctx.out) if q.kind == "money"), None)
    if (
        unit_cost is not None
        and unit_cost.value < 10
        and unit_cost.period is None
        and value != int(value)
        and value < 10
        and num.scale is None
        and re.match(r"^\s*(?:[.,;!?)]|$)", after)
    ):
        ctx.add("money", value, idx, t_after)
        return
    # --- "the 14k a month": thousands a month or year with no noun are an amount of money
    period, pend = _period_at(after)
    if (
        period in ("month", "year")
        and (
            ctx.nums[idx[-1]].scale in ("k", "thousand", "grand")  # "between 20 and 30k a month"
            or ctx.nums[idx[-1]].separated  # "3,970 a month for the reserved option"
        )
        and not re.search(
            r"\b(?:tok|req|(?<!-)call|quer|user|ticket|message|chat(?!bot))", ctx.clause_before(i)
        )  # "the chatbot runs ~40k/mo on sonnet" is money
        and not re.search(
            r"\b(?:tok|req|(?<!-)call|quer|user|ticket|message|chat)", after[pend : pend + 30]
        )
    ):
        currency = _currency_later(after[pend:])
        head = ctx.sentence_head(i)
        if (
            currency is None
            and _REQUEST_NOUN_IN.search(head)
            and not _MONEY_WORD.search(head)
            and not any(q.kind in ("request_volume", "token_volume") for q in ctx.out)
        ):  # "we answer seller tickets with gpt-4.1, about 95k a month": the tickets, not money
            ctx.add("request_volume", value, idx, t_after + pend, period=period, **kw)
            return
        ctx.add("money", value, idx, t_after + pend, period=period, currency=currency, **kw)
        return
    # --- "make that 450 a day", "maybe 400 a month, 8-12k tokens each", "~150 of them a month":
    # a plain count per period with no noun counts requests, unless money is in sight
    them = re.match(r"^\s*of\s+(?:them|those|these)\b", after)
    period, pend = _period_at(after[them.end() :] if them else after)
    if (
        period in ("hour", "day", "week", "month", "year")
        # "the 42k a day we started with"; thousands a month or a year are money (above)
        and (
            num.scale is None
            or (num.scale in ("k", "thousand") and period in ("hour", "day", "week"))
        )
        and not num.from_words
        and value == int(value)
        and not re.search(
            r"[$€£]|\b(?:pay\w*|spen[dt]\w*|cost\w*|budget\w*|bill\w*|invoic\w*|usd|eur|gbp|salar\w*|wage\w*)\b",
            ctx.clause_before(i) + after[:40],
        )
    ):
        end = t_after + pend + (them.end() if them else 0)
        ctx.add("request_volume", value, idx, end, period=period, **kw)
        return
    # --- "$1.1k/mo ..., finance sees 20k+", "31k/mo when the gpus are only ~9k of it": thousands after an amount
    if (
        num.scale in ("k", "thousand")
        and any(q.kind == "money" for q in ctx.out)
        and not re.search(r"\b(?:not|or|vs\.?|versus|instead\s+of|rather\s+than)\s*$", before)
        and re.match(r"^\s*\+?\s*(?:of\s+(?:it|that)\b)?\s*(?:[.,;!?]|$)", after)
    ):
        ctx.add("money", value, idx, t_after, **kw)
        return
    # --- "the hosting line stays flat at 14.2k", "can't be north of 20k" (at our rate): an amount
    if (
        (num.scale in ("k", "thousand") or num.separated)
        and re.search(
            r"(?:\bnorth\s+of|\bsouth\s+of|\bflat\s+at|\bbe|\bat)\s*(?:about|around|only|~)?\s*$",
            before,
        )
        and re.search(
            r"\b(?:hosting|cost\w*|rate|price\w*|bill|spend|invoice|fees?|line)\b",
            ctx.sentence_head(i),
        )
        and re.match(r"^\s*(?:[.,;!?]|$|(?:when|while|but|though|and)\b)", after)
    ):
        ctx.add("money", value, idx, t_after, **kw)
        return
    # --- "~8M/day", "3.5M a day": millions per period with no noun are tokens, unless paid
    if num.scale in ("m", "mm", "mn", "mil", "mill", "mln", "mio", "million", "bn", "b", "billion"):
        period, pend = _period_at(after)
        if period is not None:
            paid = re.search(
                r"\b(?:pay\w*|afford\w*|spend\w*|spent|cost\w*|budget\w*|bill\w*|invoice\w*)",
                ctx.clause_before(i) + after[pend : pend + 40],
            )
            ctx.add(
                "money" if paid else "token_volume", value, idx, t_after + pend, period=period, **kw
            )
            return
    # --- "6.2 lakh", "120k ... can we afford": an amount of money
    if num.scale in ("lakh", "crore") or (
        num.scale in ("k", "thousand") and re.search(r"\b(?:afford|budget)\b", ctx.tmpl)
    ):
        ctx.add("money", value, idx, t_after, **kw)
        return
    # --- a bare scaled number: "5M", "14,600"
    plain_year = (
        num.scale is None and not num.separated and 1900 <= value <= 2100 and value == int(value)
    )
    if (num.scale is not None or num.separated or value >= 1000) and not plain_year:
        ctx.add("number", value, idx, t_after, confidence=0.5, **kw)


def _field_value(
    ctx: _Ctx,
    idx: list[int],
    value: float,
    num: NumberToken,
    before: str,
    after: str,
    t_after: int,
    kw: dict,
) -> bool:
    """A bare number after the scenario field it sets: "set tokens per request to 2,400"."""
    # wide enough for "set the number of GPUs in the self-hosted configuration to 2"
    fm = _FIELD_BEFORE.search(ctx.before(idx[0], 80))
    if not fm or re.match(
        # "MSL headcount goes to 180 after the launch"
        r"^\s*(?!(?:to|and|or|instead|rather|vs|versus|then|but|if|so|please|now|once|when|after|before|by"
        r"|from|starting)\b)"
        r"(?:[a-z%$€£]|/\s*[a-z])",
        after,
    ):
        return False  # a unit follows: the other rules read it
    field = fm.group("f")
    if field.startswith(("token", "request")):
        kind = "tokens_per_request"
    elif "gpu" in field:
        if value != int(value) or num.scale is not None:
            return False
        kind = "gpu_count"
    elif field.startswith(("head", "team")):
        kind = "headcount"
    elif field.endswith(("cost", "spend", "budget")):
        kind = "money"  # "set hardware cost to zero"
    elif field.startswith("growth"):
        if value >= 1:  # "growth to 8" is no fraction anyone means
            return False
        kind = "growth"
    else:
        if value > 100:
            return False
        kind = "output_share"
        if value > 1:  # "output share to 30": percent points
            value /= 100
            kw = {k: None if v is None else v / 100 for k, v in kw.items()}
    ctx.add(kind, value, idx, t_after, **kw)
    return True


def _currency_later(rest: str) -> str | None:
    """A currency named at the end of the clause: "30k a month on openai, usd", "~40k/mo USD"."""
    m = re.match(r"^(?:[^⟦.?!]{0,30}?,)?\s*(usd|eur|gbp|chf|inr)\b", rest)
    return _CUR_SYMBOL[m.group(1)] if m else None


def _side(word: str | None) -> str | None:
    if not word:
        return None
    w = {"in": "input", "out": "output"}.get(word.lower(), word.lower())
    if w.startswith(("input", "prompt")):
        return "input"
    if w.startswith(
        ("output", "completion", "answer", "response", "repl", "bot", "model", "assistant")
    ):
        return "output"
    return None


_AS_ADJ = r"(?:much|many|big|large|long|fast|quick(?:ly)?|slow(?:ly)?|high|often|expensive)\b"
_WORD_RELATIVE = [
    (
        re.compile(
            r"\b(?:doubl(?:e|es|ed|ing))\b(?![\s-]+(?:every|each|per|a\s+year|a\s+month|yearly|annually|monthly))"
            # "double-check", "double counted", "double-faced crepe", "double digits": no change
            r"(?![\s-]+(?:check|count|click|digit|shift|book)\w*)(?!-[a-z])"
        ),
        2.0,
    ),
    # "twice as long", "grows twice that fast"
    (
        re.compile(rf"\btwice\s+(?:(?:as|that|this)\s+{_AS_ADJ}|the|what)\b"),
        2.0,
    ),  # "twice what you assumed"
    (re.compile(r"\bhalf[\s-]price\b"), 0.5),
    (re.compile(r"\b(?:tripl(?:e|es|ed|ing))\b(?!\s+(?:every|each|per))"), 3.0),
    (re.compile(r"\b(?:quadrupl(?:e|es|ed|ing))\b(?!\s+(?:every|each|per))"), 4.0),
    (
        re.compile(
            rf"\bhalv(?:e|es|ed|ing)\b|\bhalf\s+(?:as|that)\s+{_AS_ADJ}|\b(?:cut|reduc\w*|drop\w*)\s+(?:\w+\s+){{0,3}}?(?:in|by)\s+half\b"
        ),
        0.5,
    ),
    (
        re.compile(
            r"\b(?:cut|reduc\w*|lower\w*|drop\w*|decreas\w*|shrink\w*|slash\w*)\s+(?:\w+\s+){0,4}?by\s+(?:a|one)\s+third\b"
        ),
        2 / 3,
    ),
    (
        re.compile(
            r"\b(?:cut|reduc\w*|lower\w*|drop\w*|decreas\w*|shrink\w*|slash\w*)\s+(?:\w+\s+){0,4}?by\s+(?:a|one)\s+quarter\b"
        ),
        0.75,
    ),
    (
        re.compile(
            r"\b(?:increas\w*|rais\w*|grow\w*|bump\w*)\s+(?:\w+\s+){0,4}?by\s+(?:a|one)\s+third\b"
        ),
        4 / 3,
    ),
    (re.compile(r"\b(?:increas\w*|rais\w*|grow\w*|bump\w*)\s+(?:\w+\s+){0,4}?by\s+half\b"), 1.5),
    # "at half the token price", "same but half the traffic" (not "half the time"),
    # "if usage is half that", "what if only half of them actually adopt it"
    (
        re.compile(
            r"\bhalf\s+(?:of\s+)?(?:the|our|its|their|current)\s+(?!time\b|day\b|team\b)"
            r"|\bhalf\s+that\b|\bonly\s+half\s+of\s+(?:them|those)\b"
        ),
        0.5,
    ),
]
_UP_VERB = r"(?:increas\w*|rais\w*|grow\w*|bump\w*|ris(?:e|es|ing)|rose|up|jump\w*|climb\w*|more)"
_DOWN_VERB = (
    r"(?:cut\w*|reduc\w*|lower\w*|drop\w*|decreas\w*|shrink\w*|slash\w*|fall\w*|fell|down|less)"
)
# a fraction in words ("half", "a third", "two thirds": number words are placeholders by now)
# "a third", "two thirds" (⟦2⟧ thirds), "1/4" (⟦1⟧/⟦4⟧)
_FRAC = r"(?:half|(?:a|one|⟦\d+⟧)\s+(?:half|third|quarter|fifth|tenth)s?|⟦\d+⟧\s?/\s?⟦\d+⟧)"
_PARTS = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fifth": 1 / 5, "tenth": 1 / 10}
# "goes up by a quarter" -> 1.25, "drops by a fifth" -> 0.8
_PART_CHANGE = re.compile(
    rf"\b(?:(?P<up>{_UP_VERB}|high(?:er)?)|{_DOWN_VERB})\s+(?:[\w⟪⟫]+\s+){{0,4}}?"  # "cuts haiku by a third"
    # "prices down a third", "feels high by about a third"
    rf"(?:by\s+(?:about\s+|around\s+|roughly\s+)?|(?<=down\s)|(?<=up\s))(?P<frac>{_FRAC})(?!\w)"
)
# "at a third of the price": a what-if at a fraction of a figure
_PART_OF = re.compile(
    rf"(?<!\w)(?P<frac>{_FRAC})\s+of\s+(?:the|our|its|their|that|this)\s+(?:\w+\s+){{0,2}}?"
    r"(?:price|prices|cost|costs|volume|traffic|usage|spend|bill|load)\b"
    # "what about a quarter of that?", "and half of it?": a fraction of the figure just given
    rf"|(?<!\w)(?P<frac2>{_FRAC})\s+of\s+(?:that|this|it)\s*(?:\?|$)"
    # "volume falls to a third after the trial", "drops to half"
    rf"|\b(?:fall|falls|fell|drop|drops|dropped|shrinks?|shrank|goes\s+down|went\s+down|comes\s+down)"
    rf"\s+to\s+(?:about\s+|around\s+|roughly\s+|maybe\s+)?(?P<frac3>{_FRAC})(?!\w)"
)
# what becomes of that part: lost ("a third of the volume goes") or described ("... is extracts")
_PART_LOST = re.compile(
    r"^\s+(?:goes|go|went|disappears?|disappeared|vanish\w*|leaves|left|walks|moves\s+(?:away|elsewhere)"
    r"|(?:is|are|gets?)\s+(?:lost|gone|removed|cut|dropped)|drops?\s+(?:off|away|out))\b"
)
_LOSE_PART = re.compile(
    r"\b(?:cut|cuts|cutting|lose|loses|losing|lost|remove|removes|shave|shaves|trim|trims|drop|drops)"
    r"(?:\s+off)?\s+$"
)
_PART_IS = re.compile(r"^\s+(?:is|are)\s+(?!lost|gone|removed|cut|dropped)")
# "tenfold", "ten-fold"
_FOLD = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)[\s-]?fold\b"
)
_FOLD_N = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100}  # fmt: skip
# "make the output share a fifth"
_SHARE_PART = re.compile(
    r"\b(output|input|completion|prompt)s?\s+(?:tokens?\s+)?(?:share|ratio|fraction|portion)\s*"
    r"(?:to|=|of|is|at|:)?\s*(?:about|~|roughly|around|maybe|like|more\s+like|closer\s+to)?\s*"
    rf"(?P<frac>{_FRAC})(?!\w)"
)
# figures said in words: "no growth" (growth 0), "half an MLOps engineer" (0.5 of a person),
# "retrain once per half year" (every 6 months)
_NO_GROWTH = re.compile(r"\bno\s+growth\b")
_HALF_PERSON = re.compile(r"\bhalf\s+an?\s+(?:[a-z-]+\s+)?" + _PEOPLE)
_HALF_YEARLY = re.compile(r"\b(?:every|per|each|once\s+a)\s+half[\s-]year\b")
# latencies said in words: "half a second", "has to answer under a second"
_HALF_SECOND = re.compile(r"\bhalf\s+a\s+sec(?:ond)?\b")
_ONE_SECOND = re.compile(r"\b(?:under|within|below|than|in|over|above)\s+a\s+sec(?:ond)?\b")
# "a reply within a minute is fine", "even a minute is totally fine", "can wait half a minute"
# (not "wait a minute, that's wrong")
_A_MINUTE = re.compile(
    r"\b(?:(?P<half>half\s+)?a\s+min(?:ute)?\b(?=\s+(?:is|would\s+be|'?s)\s+(?:\w+\s+)?(?:fine|ok|okay|acceptable))"
    r"|(?:under|within|(?:can|could|would|will|'ll|to)\s+wait)\s+(?P<half2>half\s+)?a\s+min(?:ute)?\b)"
)
_TIMES_GLUED = re.compile(
    r"\b(?:volume|traffic|usage|load|spend|requests|tokens|demand|it'?s|it\s+is|be|becomes?)\s+"
    r"(?:goes\s+|go\s+|went\s+|gets\s+|is\s+)?[x×]\s?(\d+(?:\.\d+)?)\b"  # "what if it's x5"
)
# "slips by a year", "reserve them for a year", "holds for another year"
_BY_ONE_PERIOD = re.compile(
    r"\bby\s+(?:a|one)\s+(year|month|week)\b"
    r"|\b(?:(?:for|over|within|closer\s+to)\s+(?:a|one|another)|another)\s+(year|month)\b"
    # "wait a year for prices to fall", "we spend a year and two million building this"
    r"|\b(?:wait\w*|spend|spends|spent|spending|takes?|took)\s+(?:a|one|another)\s+(year|month)\b"
    # "the launch slips a year", "cancelled after a year", "slows to 5% after first year"
    r"|\b(?:slip\w*|delay\w*|after)\s+(?:a|one|the\s+first|first)\s+(year|month)\b"
    r"|\b(?:over|for|within|in|across)\s+(?:a|one)\s+(decade)\b"  # "TCO over a decade"
    r"|\b(?:a|one)\s+(year|month)\s+from\s+now\b"  # "and a year from now if we double"
)
_SECOND_AND_HALF = re.compile(r"\ba\s+second\s+and\s+a\s+half\b")
# "a third of the day", "a quarter of them are retries", "half the acronyms are ours"
_PART_SHARE = re.compile(
    rf"(?<!\w)(?P<frac>{_FRAC})\s+(?:of\s+)?(?:the\s+day\b|(?:it|them|those|these)\s+(?:are|is|still)\b"
    # "half our chats r in cebuano", "a quarter of their time", "no internet half the time"
    r"|(?:the|our|their)\s+(?:[a-z]+\s+)?[a-z]+\s+(?:are|is|r)\b|(?:the|their|our|his|her|my)\s+time\b"
    # "a third of listings need a second pass", "at a quarter of capacity", "two thirds of 45k notes"
    r"|[a-z]+s\s+(?:need|needs|go|get|are|require)\b|capacity\b|(?=⟦))"
)
# "knock a third off at renewal"
_PART_OFF = re.compile(
    rf"\b(?:knock\w*|tak(?:e|es|ing)|shav\w*)\s+(?:about\s+|around\s+|roughly\s+)?(?P<frac>{_FRAC})\s+off\b"
)
# "we could get a quarter of them"
_PART_OF_THEM = re.compile(
    rf"\b(?:get|use|take|have|give\s+us)\s+(?:about\s+|around\s+|roughly\s+|maybe\s+)?(?P<frac>{_FRAC})\s+of\s+"
    r"(?:them|those|these)\b"
)
# "the one engineer who knows the cluster": one person
_THE_ONE = re.compile(r"\bthe\s+one\s+(?:[a-z-]+\s+){0,3}?" + _PEOPLE)
# "1 in 8 of them", "one in five tokens we send is output": a share
_ONE_IN = re.compile(
    r"(?<![\w⟧])⟦(\d+)⟧\s+in\s+(?:every\s+)?⟦(\d+)⟧"
    r"(?!\s*(?:%|(?:[a-z]+\s+)?(?:years?|months?|weeks?|days?|hours?)\b))"  # not "1 in 5 years"
)
_WORD_GROWTH = re.compile(
    r"\b(doubl|tripl)\w*\s+(?:every|each|per|a)\s+(year|month|quarter)\b|\b(doubl|tripl)\w*\s+(yearly|annually|monthly)\b"
    r"|\b(doubl|tripl)\w*\s+(?:by|in|within|over)\s+(?:the\s+)?(?:next|a|one|this|coming)\s+(year|month)\b"
)
_HALF_SHARE = re.compile(
    rf"(?<!\w)(?P<frac>{_FRAC})\s+(?:of\s+)?"
    r"(?:it|them|that|the\s+tokens|tokens|the\s+traffic|our\s+tokens)?\s*(?:is|are|being)\s+(?:the\s+)?"
    r"(output|input|completions?|prompts?|answers?|repl(?:y|ies)|responses?)\b"
)
# "output is about a quarter of all tokens"
_SIDE_IS_PART = re.compile(
    r"\b(output|input|completions?|prompts?)\s+(?:tokens?\s+)?(?:is|are|makes?\s+up|accounts?\s+for)\s+"
    rf"(?:(?:about|around|roughly|maybe|only|just)\s+|~\s*)*(?P<frac>{_FRAC})(?:\s+of\s+"
    r"(?:all\s+|the\s+|our\s+|total\s+)*(?:tokens?|traffic|volume|it|them|everything)\b"
    r"|(?=\s*(?:[.,;!?)]|$)))"  # "output is maybe a third of total tokens", "... about a third."
)
_FRACTION_PHRASES = (
    _HALF_SHARE, _SHARE_PART, _PART_CHANGE, _PART_OF, _SIDE_IS_PART, _PART_SHARE, _PART_OFF, _PART_OF_THEM
)  # fmt: skip


def _fraction(ctx: _Ctx, words: str) -> float | None:
    """ "half" 0.5, "a third" 1/3, "⟦2⟧ thirds" (two thirds) 2/3, "⟦1⟧/⟦4⟧" 1/4; None above one."""
    w = re.sub(r"\s+", " ", words.strip())
    if w == "half":
        return 0.5
    if slash := re.fullmatch(r"⟦(\d+)⟧ ?/ ?⟦(\d+)⟧", w):
        top, bottom = (ctx.nums[int(k)] for k in slash.groups())
        whole = all(n.scale is None and n.value == int(n.value) for n in (top, bottom))
        return top.value / bottom.value if whole and 0 < top.value < bottom.value <= 10 else None
    head, part = w.split(" ", 1)
    if head in ("a", "one"):
        n = 1.0
    else:
        n = ctx.nums[int(head.strip("⟦⟧"))].value
    value = n * _PARTS[part.rstrip("s")]
    return value if 0 < value <= 1 else None


def _phrases(ctx: _Ctx) -> None:
    """Quantities written without digits: "doubling every year", "cut by a third", "half of it is output"."""
    taken = [(q.span.start, q.span.end) for q in ctx.out]

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    def add(kind, value, m, **kw):
        span = ctx.span(m.start(), m.end())
        if free(span.start, span.end):
            unit = KIND_UNITS[kind].replace("{cur}", "USD")
            ctx.out.append(
                Quantity(
                    kind=kind, value=_clean(value), unit=unit, span=span, confidence=0.85, **kw
                )
            )
            taken.append((span.start, span.end))

    for m in _WORD_GROWTH.finditer(ctx.tmpl):
        factor = 2.0 if (m.group(1) or m.group(3) or m.group(5)) == "doubl" else 3.0
        word = m.group(2) or m.group(4) or m.group(6)
        period = {"quarter": None}.get(word, _PERIODS.get(word))
        if word == "quarter":
            add("growth", factor**4 - 1, m, period="year")
        else:
            add("growth", factor - 1, m, period=period)
    for m in _HALF_SHARE.finditer(ctx.tmpl):
        if (share := _fraction(ctx, m.group("frac"))) is not None:
            add("output_share", share if _side(m.group(2)) == "output" else 1 - share, m)
    for m in _SIDE_IS_PART.finditer(ctx.tmpl):
        if (share := _fraction(ctx, m.group("frac"))) is not None:
            add("output_share", share if _side(m.group(1)) == "output" else 1 - share, m)
    for m in _SHARE_PART.finditer(ctx.tmpl):
        if (share := _fraction(ctx, m.group("frac"))) is not None:
            add("output_share", share if _side(m.group(1)) == "output" else 1 - share, m)
    for m in _PART_CHANGE.finditer(ctx.tmpl):
        if (part := _fraction(ctx, m.group("frac"))) is not None:
            add("relative_change", 1 + part if m.group("up") else 1 - part, m)
    for m in _PART_OF.finditer(ctx.tmpl):
        frac = m.group("frac") or m.group("frac2") or m.group("frac3")
        if (part := _fraction(ctx, frac)) is None:
            continue
        rest = ctx.tmpl[m.end() : m.end() + 40]
        lead = ctx.tmpl[max(0, m.start() - 20) : m.start()]
        lost = _PART_LOST.match(rest) or _LOSE_PART.search(lead)
        if m.group("frac") and lost:  # "a third of the volume goes", "we lose half of the traffic"
            add("relative_change", 1 - part, m)
        elif m.group("frac") and _PART_IS.match(rest):  # "a third of our volume is extracts"
            add("percent", part, m)
        else:
            add("relative_change", part, m)
    for m in _PART_OFF.finditer(ctx.tmpl):
        if (part := _fraction(ctx, m.group("frac"))) is not None:
            add("relative_change", 1 - part, m)
    for m in _PART_OF_THEM.finditer(ctx.tmpl):
        if (part := _fraction(ctx, m.group("frac"))) is not None:
            add("percent", part, m)
    for m in _THE_ONE.finditer(ctx.tmpl):
        add("headcount", 1.0, m)
    for m in _FOLD.finditer(ctx.tmpl):
        add("relative_change", float(_FOLD_N[m.group(1)]), m)
    for m in _PART_SHARE.finditer(ctx.tmpl):
        if (part := _fraction(ctx, m.group("frac"))) is not None:
            add("percent", part, m)
    for m in _SECOND_AND_HALF.finditer(ctx.tmpl):  # "slower than a second and a half"
        add("latency", 1500.0, m)
    for m in _HALF_SECOND.finditer(ctx.tmpl):
        add("latency", 500.0, m)
    for m in _NO_GROWTH.finditer(ctx.tmpl):
        add("growth", 0.0, m)
    for m in _HALF_PERSON.finditer(ctx.tmpl):
        add("headcount", 0.5, m)
    for m in _HALF_YEARLY.finditer(ctx.tmpl):
        add("duration", 6.0, m)
    for m in _ONE_SECOND.finditer(ctx.tmpl):  # "answers in under a second"
        add("latency", 1000.0, m)
    for m in _A_MINUTE.finditer(ctx.tmpl):
        add("latency", 30_000.0 if m.group("half") or m.group("half2") else 60_000.0, m)
    for m in _FEW_GPUS.finditer(ctx.tmpl):  # "a single L40S", "a couple of L4s"
        add("gpu_count", 2.0 if m.group(1) in ("couple of", "pair of") else 1.0, m)
    for m in _TIMES_GLUED.finditer(ctx.tmpl):  # "volume x5", "traffic ×3"
        add("relative_change", float(m.group(1)), m)
    for m in _BY_ONE_PERIOD.finditer(ctx.tmpl):
        add("duration", _MONTHS_PER[next(g for g in m.groups() if g)], m)
    for pattern, factor in _WORD_RELATIVE:
        for m in pattern.finditer(ctx.tmpl):
            if re.search(
                r"\b(?:undo|revert|before|forget|drop|scrap|ignore)\s+the\s+$",
                ctx.tmpl[max(0, m.start() - 30) : m.start()],
            ):
                continue  # "undo the tripling", "back to before the triple thing": no new change
            if factor == 0.5 and re.search(
                r"\b(?:mov\w*|send\w*|sent|rout\w*|shift\w*|put|switch\w*|migrat\w*|offload\w*)\s+(?:\w+\s+)?$",
                ctx.tmpl[max(0, m.start() - 30) : m.start()],
            ):
                add("percent", 0.5, m)  # "if we moved half the traffic to a small model"
            else:
                add("relative_change", factor, m)
    # a one-word follow-up: "half", "x3?"
    whole = re.fullmatch(
        r"\s*(?:and\s+|or\s+|what\s+about\s+)?(?:(half)|[x×]\s?(\d+(?:\.\d+)?))\s*[?!.]*\s*",
        ctx.tmpl,
    )
    if whole:
        add("relative_change", 0.5 if whole.group(1) else float(whole.group(2)), whole)
