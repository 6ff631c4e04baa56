"""``understand()``: one message (plus the conversation so far) -> a typed ``Understanding``."""

from __future__ import annotations

import collections
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from .intent_model import (
    BY_THE_RULES,
    OUTPUT_FAILURE,
    Combiner,
    intent_combiner,
    intent_model,
    rules_undecided,
)
from .intents import HYPOTHETICAL_LEAD, nearest_example_index, normalise_text, rule_hits
from .model import (
    ConversationContext,
    IntentScore,
    NameMatch,
    PillarSignal,
    Quantity,
    Understanding,
    UnknownName,
)
from .names import NameCatalog, default_catalog, find_names
from .quantities import extract_quantities
from .signals import find_pillars, find_references

#: Cosine similarity to the nearest example utterance above which its intent is taken outright,
#: and the lower bar used when the message is clearly about the advisor's topic.
KNN_SURE = 0.30
KNN_MAYBE = 0.15

#: Longer messages are understood from their first MAX_CHARS characters (a pasted document is not
#: a chat turn; this bounds the parse time of 100 KB inputs).
MAX_CHARS = 8_000

# Quantities that, stated as a fact, set a scenario input.
_FACT_KINDS = {
    "token_volume", "request_volume", "tokens_per_request", "money", "price_per_token", "gpu_price",
    "gpu_count", "growth", "model_size", "output_share", "percent", "headcount",
}  # fmt: skip
_QUESTION_START = re.compile(
    r"^(?:(?:ok|okay|so|and|hmm+|now|right|well|but|also|then)\W+)*"
    r"(?:what|what's|whats|wat|which|when|where|why|how|who|should|shld|would|could|can|is|are|"
    r"do|does|did|will|shall|any|isn't|aren't|won't)\b"
)
_RELATIVE = re.compile(
    r"(?:which|who|whom|whose)\s+(?:no|nobody|none|we|they|our|their|i|you|the|a|an|has|have|had|was"
    r"|were|makes|made|means|meant|took|takes|gives|gave|covers|includes)\b"
)
_ELLIPTIC = re.compile(
    r"(?:could|would|can|will|should)\s+(?!(?:we|i|you|they|it|this|that|these|those|the|a|an|our|my"
    r"|your|their|he|she|there|someone|anyone|one|any|u|y'?all|\d)\b)[a-z]+\b"
)
_CLAUSE_SPLIT = re.compile(r"(?<=[.?!;:])\s+|\s*[—–]\s*|\s+-\s+|,\s+|\n+")
_DOMAIN = re.compile(
    r"\b(?:tokens?|models?|llms?|gpus?|api|apis|fine|tun\w*|train\w*|cost\w*|price\w*|spend\w*|"
    r"budget|host\w*|rag|lora|qlora|inference|openai|anthropic|claude|gpt\S*|llama|mistral|"
    r"volume|scenario|break\s*even|payback|data|compliance|latency|deploy\w*|vendor\w*|cloud|"
    r"consisten\w*|explainab\w*|determinis\w*|hallucinat\w*|"
    r"on-?prem\w*|h100|a100|output\s+share|discount\s+rate|adapters?|distill\w*|embeddings?|quanti[sz]\w*|peft|sft|rlhf|mfu|tco|npv|"
    r"advisor|verdict|assumptions?|horizon|throughput|regulat\w*|self[ -]host\w*|custom|llm\w*|ai|"
    r"paths?|routes?|options?|cheap\w*|expensive|retrieval|augmented|generation|prompt\w*|agents?|"
    r"kv\s+cache|decoding|diari[sz]ation|few[\s-]shot|routing|forgetting|moat|baa|hallucinat\w*|"
    r"context\s+windows?|weights|parameters?|benchmarks?|evals?|mlops|dpia|batching|wacc|amorti[sz]\w*|"
    r"reserved|instances?|savings\s+plans?|committed|labou?r\s+rates?|preempt\w*|true-up|prefill|vram|"
    r"lock-in|depreciat\w*|capex|opex|irr|finops|spot)\b|[$€£]"
)
# In a message that asks something, these clauses set up the question rather than state facts:
# "at $0.5/M input, ...", "thinking about Qwen 72B on 2 H200s - viable?", "and a 405b model, ...?"
_PREMISE = re.compile(
    r"(?:(?:so|ok|okay|and|but|then)\s+)?(?:at|if|with|when|assuming|say)\b"
    r"|(?:(?:we'?re|we\s+are|we|i'?m|i\s+am|i)\s+)?(?:thinking\s+(?:about|of)|considering|contemplating|eyeing)\b"
    r"|and\s+(?:a|an|the|with|for|on)\b"
    # "fine tune llama 3 70b on 8 a100s, feasible?": the plan the question is about
    r"|(?:fine[\s-]?tun\w*|train\w*|self[\s-]?host\w*|host\w*|serv(?:e|ing)|deploy\w*|running|run)\b"
    # "our account manager wants us on o3-mini, is that the better move": someone else's idea
    r"|(?:our|my|the|their)\s+(?:[\w-]+\s+){0,2}(?:wants?|suggests?|suggested|recommends?|recommended|proposes?|proposed|is\s+pushing|pushes)\b"
)
_RECOMMEND_OTHER = re.compile(
    r"\brecommend (?:me )?(?:a|an|some|any|decent|good)\b|\b(?:anyone|anybody|someone) recommend\b"
)
_EXPLICIT_COMPARE = re.compile(
    r"^compare\b|\bcompare (?:the|all|every|both|them)\b|\bside by side\b"
)
# compare cues that a break-even question carries anyway: the two options it weighs
_IMPLIED_COMPARE = re.compile(r"(?:cheap\w*|better value|vs|versus|compar\w*)$")
_IMPERATIVES = {"set", "change", "update", "make", "use", "switch", "put", "assume"}
# "our spend doubled last quarter" reports what happened: a fact, not a what-if
_PAST_CHANGE = re.compile(r"(?:doubled|tripled|quadrupled|halved)$")
# A clause that only adds a figure to the one before it ("..., 3k tokens each"): no subject, no verb
_FRAGMENT = re.compile(
    r"^(?!.*\b(?:we|we'?re|we'?ve|our|i|i'?m|my|us|it'?s|they|their|is|are|was|were)\b)(?:\S+\s+){0,4}\S+$"
)
_V = TypeVar("_V")
#: Below this probability of the learned model, a rule's intent the combiner kept is dropped
#: anyway (never the last one). With the combiner fitted without the batch, on the rules' readings
#: of 3,587 dev messages as they arrived: none 86.5%, 0.05 86.6%, 0.1 86.9%, 0.2 87.0%, 0.3 86.7%.
#: With the session-13 encoder (rules on arrival, 5,209 / whole module out of fold, 6,848): none
#: 90.17 / 92.17%, 0.1 90.17 / 92.19%, 0.2 90.27 / 92.04%, 0.3 90.13 / 91.81% (session 14)
MODEL_RULES_OUT = 0.1
#: The longest labelled message is about 400 characters; beyond this the rules answer alone,
#: unless none of them recognised the message
MODEL_MAX_CHARS = 600
_EXPECTED = re.compile(
    r"\b(?:we|i)\s+(?:\w+\s+)?(?:expect|forecast|project|anticipate|predict)\b"
    r"|\b(?:will|is going to|are going to|is set to|should) (?:\S+\s+)?(?:double|triple|quadruple|halve|grow|rise|go up|jump|increase|drop|fall)\b"
    r"|\b(?:expected|forecast|projected|predicted|set|due)\s+to\b"
)
# "finance says we actually spend 3 times what I said": a correction, not a what-if
_CORRECTED = re.compile(r"\bactual(?:ly)?\b|\bin fact\b|\bturns out\b")
# "usage jumps ~1.5x in jan", "in enrollment weeks the questions go up 400%", "anthropic offered
# 15% off": how things move or what was offered, told as a fact
_STATED_MOVE = re.compile(
    r"\b(?:jumps|goes up|go up|spikes|rises|drops|falls|climbs|offered|offers|gave us|gives us)\b"
)
# Rule I4, a hypothetical condition inside a question: "does it still make sense if we only get
# 60% utilisation", "worst case if GPU prices spike" ("tell me if we should" asks, it sets nothing)
_ASKS = frozenset({"recommend", "break_even", "risk", "compare", "explain_figure"})
_IF_CONDITION = re.compile(
    r"(?=if|assuming|suppos|in case)"  # zero width like the look-behinds, and cheaper: tried first
    r"(?<!\bknow )(?<!\btell me )(?<!\bsee )(?<!\bcheck )(?<!\bsorry )(?<!\bwonder )(?<!\bwondering )"
    r"(?<!\bsure )(?<!\bout )(?<!\bask )(?<!\bdecide )(?<!\bus )(?<!\bme )(?<!\bwhether or )"
    r"\b(?:if|assuming|supposing|suppose|in case)\b(?!\s+(?:we|i|you)\s+(?:should|need)\b)(?!\s+wrong\b)"
    # "pay for itself, if ever?"; "what could go wrong if we just stay on the api?": the status quo
    r"(?!\s+(?:ever|at\s+all)\b)(?!\s+(?:we|i|you)\s+(?:got|get|have)\s+(?:it|that|this|them)\s+wrong\b)(?!\s+(?:we|i)\s+(?:just\s+)?(?:keep|stay|stick|continue|carry\s+on)\b(?![^?.!,;]*\d))"
    r"(?!\s+(?:everything|all|things)\s+go(?:es)?\s+(?:right|well|wrong|to\s+plan)\b)"
    r"(?!\s+(?:it'?s|it is|this is|that'?s|that is|there'?s)\s+(?:worth|a good|the right|smart|wise)\b)"
)
# "if" that names the option a question weighs is its subject, not a change (I4): "payback if we
# go lora on mistral 7b?"; not when a scenario value, an event or "instead" rides along
_OPTION_IF = re.compile(
    r"(?<!\bwhat )\bif\s+(?:we|i|they|you)\s+(?:just\s+)?"
    r"(?:go|went|use|used|moved?|switch\w*|run|ran|pick|choose|lora|fine.?tune\w*|buy|bought"
    r"|self.?host\w*|host|summari[sz]e|do|did|adopt\w*)\b"
    r"(?P<rest>[^?,.;!]*)"
)
_OPTION_IF_EVENT = re.compile(
    r"\b(?:and(?!\s+(?:self[\s-]?host\w*|host|run|serve|deploy)\b)|but|then|later|turns? out|instead|still|only"
    r"|keep\w*|grow\w*)\b|%"
)
# ... or a figure or a name the question is asked at: "cheapest option at 50M tokens a month?"
_MARKED_CONDITION = re.compile(
    # not "how did you arrive at $38,400", "hosting sits at 11.2k": where a figure stands
    r"(?:^|\b)(?<!arrive )(?<!arrived )(?<!arriving )(?<!sits )(?<!sitting )(?<!stands )"
    r"(?:at|with|w/|assuming|instead of|and a|and an)"
    # not "payback with those 2 cards?": a value already in the conversation (I4)
    r"\s+(?!(?:that|those|these)\s)(?:\S+\s+){0,3}$"
)
# a volume the question is asked for: "which is cheaper for 1.2bn tokens/month?" (I4)
_FOR_VOLUME = re.compile(r"\bfor\s+(?:about\s+|around\s+|roughly\s+)?[~≈]?$")
# a follow-up on whether what was just said alters an answer (I4): "does that change the
# recommendation?", "how much does that move the break-even?"
_CHANGES_ANSWER = re.compile(
    r"\b(?:does|do|would|will|did|could|might)\s+(?:that|this|it|those|these|the\s+[a-z]+s)\s+(?:\S+\s+){0,2}?"
    r"(?:change|move|flip|shift|kill|affect|alter|sway|swing)\b"
    # "does that tip it towards fine tuning?", "how far does that push out the payback?", "does the
    # spike change your call?", "does having those cards flip the answer?", "still worth it with that?"
    r"|\b(?:does|do|would|will|did|could|might)\s+(?:that|this|those|these)\s+(?:tip|push)\b"
    r"|\b(?:does|do|would|will|did)\s+(?:the\s+[a-z-]+(?:\s+[a-z-]+)?|having\s+(?:\S+\s+){1,2}?)\s*(?:change|flip|tip)\s+(?:the|your|our)\b"
    r"|\bstill\s+(?:\S+\s+){0,3}?(?:with|after|given)\s+(?:that|this|those)\s*\?"
)
# a worry about the model's own output, not a change to the scenario (I11): "what's the risk if
# the fine-tuned model misses an adverse event?"
_OUTPUT_FAILURE = re.compile(
    r"\band the model learns\b|"
    r"\bif (?:a|the|our|their|that|this) (?:[\w-]+ ){0,2}(?:model|bot|llm|assistant|adapter|tagger|summari[sz]er|classifier)s? "
    r"(?:\w+ )?(?:invent|make|makes|made|miss|misses|missed|hallucinat|get|gets|got|give|gives|say|says"
    r"|produce|produces|leak|leaks|output|outputs|mix|mixes|quote|quotes|drift|drifts|start|starts|tell|tells|told"
    r"|files?|filed|flags?|flagged|routes?|routed|misroute|classif|misclassif|mislabel|labels?|marks?|tags?"
    r"|puts?|approv|assigns?|assigned|writes?|wrote)\w*\b"
    r"(?! (?:deprecat|retir|pull|withdraw|sunset|discontinu|remov|replac|chang|updat)\w*)"
)
# "we might try a 7b", "we could go with claude": an option floated, not a fact about the setup
_TENTATIVE_PLAN = re.compile(r"\bwe (?:might|could|may) (?:try|use|go with|switch to|consider)\b")
# what someone else said about a figure: "our infra guy reckons 2 would do", "I read a 70b needs 8"
_HEARSAY = re.compile(
    r"\b(?:reckons?|we were told|i was told|(?:i|we)(?:'ve| have)? (?:read|heard)|someone said|claims?)\b"
)
# someone else's idea: "our account manager wants us on o3-mini", "our rep keeps pushing b200s"
_SOMEONE_ELSES = re.compile(
    r"\b(?:pushing|pitching|suggest(?:s|ed|ing)|propos(?:es|ed|ing)|recommend(?:s|ed|ing)"
    r"|wants?\s+us\s+(?:on|to\s+(?:use|try|switch))|keeps?\s+(?:pushing|mentioning|suggesting))\b"
)
# an order that sets an input: "halve the GPU price and show me again", "nope, 2x"
_SETTER = re.compile(
    r"^(?:(?:ok|okay|now|then|and|so|please|pls|right|fine)[,.!]?\s+)*"
    r"(halve|double|triple|bump|lower|raise|cut|increase|reduce|rerun|re-run|redo|recompute|recalculate"
    r"|set|change|update|make|switch|swap|apply"
    r"|(?:nope|no|nah|actually)(?=[,.!]?\s+\S+\W*$))\b"
)
_GREETING_LEAD = re.compile(
    r"^(?:hi|hello|hullo|hallo|hey|heya|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)"
    r"|morning|afternoon|evening)(?: there| all| team| again| folks)?\b[\s,.!:;-]*"
)
_HYPOTHESIS = re.compile(
    r"\b(?:if|what|suppose|imagine|pretend|hypothetically|say|assume|assuming|try|rerun|redo|and)\b"
)
# "our curation might double it", "stress it: traffic goes 8x": a change to explore
_MAYBE = re.compile(r"\b(?:might|could|would|may|stress|scenario)\b")
# "that monthly figure looks about 2x too high": a figure challenged, not a fact stated
_CHALLENGE = re.compile(r"\b(?:looks?|seems?|feels?|too (?:high|low)|(?:high|low) by)\b")
# an industry named in passing ("at the bank here", "the hospital scenario": an inferred regulated
# signal) states no pillar; a regulation, a rule book or an identity claim ("we're a bank") does
_WE_ARE = re.compile(r"\b(?:we'?re|we are|we work in|we operate in)\b")
# a payback the advisor gave: "14 months payback", "payback in 40 months", "the payback chart"
_PAYBACK_FIGURE = re.compile(
    r"\b\d[\d.,]*\s*-?\s*months?\s+(?:of\s+)?(?:payback|breakeven)\b"
    r"|\b(?:payback|breakeven)\s+(?:in|of|at|jump\w*\s+to|moved?\s+to|went\s+to|is|was)\s+"
    r"(?:under\s+|over\s+|about\s+|only\s+|just\s+)?(?:a|an|\d[\d.,]*)\s*-?\s*months?\b"
    r"|\b(?:payback|breakeven|roi)\s+(?:number|figure|chart|curve|line|date|band)\b"
)
_DOUBT = re.compile(r"\?\?|can'?t be right|cannot be right|\boff\b|fantasy|seriously|\blol\b|\blmao\b|\bdead\b")
_CAPACITY = re.compile(r"\benough\b|\b(?:fit|fits|run|runs) on\b|\bhandle\b|\bcope\b|\d\s*ms\b")
_CONFIRM = re.compile(
    r"^(?:ok |okay |right |hmm )?so\b[^?]*\?\s*$|(?:,\s*|\s)(?:right|correct|yes|yeah|yep)\s*\?\s*$"
)
# a clause about the user's own setup: "we run sonnet", "currently on 4o mini"
_OWN = re.compile(
    r"\b(?:we|we'?re|we'?ve|we'?d|our|ours|us|i|i'?m|i'?ve|my|currently|today|right now|at the moment"
    r"|in production|have|has|got)\b"
)
# what makes "X vs Y" a comparison of our options rather than two techniques explained
_COSTED = re.compile(r"\b(?:cost\w*|cheap\w*|pric\w+|spend|money|budget|tco|bill|for us|our)\b|[$€£]")
# "with 3x the volume", "but half the traffic": a fragment that swaps an input, not a statement
_FRAGMENT_LEAD = re.compile(r"^\W*(?:with|w/|at|and|but|same|for|or|plus|only|just|maybe)\b")
_DESCRIBING = re.compile(
    r"\b(?:is|are|was|were|looks?|seems?|feels?|should be|comes? out|came out|gets?|got|peaks?|at peak|in (?:your|the) table"
    r"|says?|said|beats?|costs?)\b"
)
# I8: what makes a figure question hypothetical ("if" is _IF_CONDITION)
_FIGURE_HYPOTHESIS = re.compile(r"\b(?:instead|imagine|say we|what if)\b")
# I8: a figure asked under a change to what was given: "does quantising the 70b change how many
# cards we need?", "how does that affect the maintenance costs?", "and a 405b, how many GPUs would
# that need?", "what would those cost per month on claude 3 haiku?"
_FIGURE_CHANGED = re.compile(
    r"(?<!\bwhy )\b(?:does|do|would|will|could|can)\s+(?:\S+\s+){0,4}?(?:change|reduce|cut|affect|alter|lower|shrink)\b|\bwhat happens to\b"
    r"|\bhow\s+(?:does|do|would|will)\s+(?:\S+\s+){0,3}?(?:change|affect|alter)\b"
    r"|^(?:(?:ok|okay|so|right)[,.!]?\s+)?and\s+(?:a|an|with|on)\b.*\b(?:that|those|it)\b"
    r"|\b(?:that|those|it)\s+(?:\S+\s+){0,6}?on\s+(?:a\s+)?(?:claude|gpt|gemini|haiku|sonnet|opus|llama|mistral|mixtral|qwen|gemma|h\d00s?|a100s?)\b"
)
# the crossing itself, not the break-even figure: "beats the api", "never pays back"
_CROSSING_EVENT = re.compile(r"\b(?:beats?|pays?|paid)\b")
_GO = re.compile(r"(?:^|[.!,;]\s*)go[.!]*$")
_SIZING = re.compile(r"\bhow (?:many|long)\b|^cost of\b")
_ADVISOR_FIGURE = re.compile(
    r"\byou(?:'re| are)?\s+(?:\w+\s+){0,2}(?:assum\w*|us(?:e|ed|ing)|gave|quoted|said|say|have|got|came up with)\b"
    r"|\byour (?:\w+\s+){0,2}(?:table|sizing|numbers?|figures?|estimates?|line|model|chart)\b|\bassumes\b"
    # "the training line says $4.3k one-off": a figure read off the advisor's table
    r"|\bthe\s+(?:[\w-]+\s+){0,2}(?:line|row|bar|figure|number|total|estimate)\s+(?:says|shows|reads)\b"
    # "tell me if it's worth keeping the haiku fallback": a request, not a statement of fact
    r"|^(?:(?:ok|so|now|pls|please)\s+)?(?:tell|show|give|walk|explain|help)\s+(?:me|us)\b"
)
_OUR_FIGURE = re.compile(r"\bour\s+(?:[a-z]+\s+)?$")
_TWO_OPTIONS = re.compile(r"\b(?:or|vs|versus|against|compared)\b")
# a follow-up that swaps one input: "and opus?", "what about llama 70b?", "how about on A100s"
_SWAP_FRAGMENT = re.compile(
    r"^(?:(?:ok|okay|hmm|eh|so|right)[,.!]?\s+)*(?:and|or|what about|how about)\b(?:\s+\S+){0,5}\s*\??$"
)
_NAMED_COMPARE = re.compile(
    r"\b(?:vs|versus|compared?|cheaper|pricier|more expensive|difference)\b"
)


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    text: str  # lower-case
    question: bool


def _clauses(message: str) -> list[_Clause]:
    lowered = message.lower()
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(lowered):
        if m.start() > pos:
            pieces.append((pos, m.start()))
        pos = m.end()
    if pos < len(lowered):
        pieces.append((pos, len(lowered)))
    merged: list[list[int]] = []
    for s, e in pieces:
        head = lowered[s:e].lstrip()
        if merged and (
            re.match(r"(?:but|instead|except|only)\b", head)
            or re.fullmatch(
                r"(?:roughly|approx\w*|ballpark|more or less|right|correct|pls|please)\W*", head
            )
        ):
            merged[-1][1] = e  # "same scenario, but on H200s" is one thought
        else:
            merged.append([s, e])
    out = []
    for s, e in merged:
        text = lowered[s:e].strip()
        question = text.endswith("?") or bool(_QUESTION_START.match(normalise_text(text)))
        if question and out and not text.endswith("?") and (
            _RELATIVE.match(text) or _ELLIPTIC.match(text)
        ):
            # "..., which no commercial vendor has ever had": a relative clause; "..., could train
            # on those": a statement whose subject is the clause before
            question = False
        out.append(_Clause(s, e, text, question))
    return out


def _in(span_start: int, clause: _Clause) -> bool:
    return clause.start <= span_start < clause.end


def understand(
    message: str, context: ConversationContext | None = None, catalog: NameCatalog | None = None
) -> Understanding:
    """Intents, quantities, names, pillar signals and references in one stakeholder message.

    >>> u = understand("we push 2.5M tokens a day through gpt-4o. worth fine-tuning?")
    >>> u.intent_ids
    ('change_assumption', 'recommend')
    >>> [(q.kind, q.value, q.period) for q in u.quantities]
    [('token_volume', 2500000.0, 'day')]
    >>> [n.id for n in u.names]
    ['openai/gpt-4o']
    """
    if not isinstance(message, str):
        message = "" if message is None else str(message)
    text = unicodedata.normalize("NFKC", message).replace("\x00", " ")[:MAX_CHARS]
    if catalog is None:
        try:
            catalog = default_catalog()
        except ImportError:  # the tools' catalogues are not installed: names can only be unknown
            catalog = NameCatalog(())

    names, unknown = find_names(text, catalog)
    name_spans = [(n.span.start, n.span.end, n.kind) for n in names]
    name_spans += [(u.span.start, u.span.end, "unknown") for u in unknown]
    quantities = extract_quantities(text, name_spans)
    clauses = _clauses(text)
    pillars = [p for p in find_pillars(text) if not _clause_of(p.span.start, clauses).question]
    references = find_references(text, context)
    intents = _intents(
        text, clauses, quantities, names, unknown, pillars, {r.kind for r in references}
    )
    return Understanding(
        message=text,
        intents=tuple(intents),
        quantities=tuple(quantities),
        names=tuple(names),
        unknown_names=tuple(unknown),
        pillars=tuple(pillars),
        references=tuple(references),
        is_question=any(c.question for c in clauses),
    )


def _if_condition(norm: str, lowered: str, quantities: list[Quantity], figure_only: bool) -> bool:
    """An "if" that sets a condition, other than one that only names the option a verdict,
    comparison, payback or risk question asks about (in a figure question, I8, "if" marks one)."""
    if not _IF_CONDITION.search(norm):
        return False
    if figure_only:
        return True
    raw_ifs = list(_IF_CONDITION.finditer(lowered))
    for m in raw_ifs:
        option = _OPTION_IF.match(lowered, m.start())
        if option is None or _OPTION_IF_EVENT.search(option.group("rest")) or any(
            option.start() <= q.span.start < option.end()
            and q.kind not in ("gpu_count", "model_size")
            for q in quantities
        ):
            return True
    # every "if" of the raw text names an option; one only the normalised text has still counts
    return not raw_ifs


# a clause whose own words ask for one of these states no scenario fact
_CLAUSE_ASKS = frozenset(
    {
        "show_assumptions",
        "what_if",
        "compare",
        "break_even",
        "risk",
        "explain_figure",
        "explain_concept",
    }
)


def _clause_of(pos: int, clauses: list[_Clause]) -> _Clause:
    for c in clauses:
        if _in(pos, c):
            return c
    return clauses[-1] if clauses else _Clause(0, 0, "", False)


def _intents(
    text: str,
    clauses: list[_Clause],
    quantities: list[Quantity],
    names: list[NameMatch],
    unknown: list[UnknownName],
    pillars: list[PillarSignal],
    reference_kinds: set[str],
) -> list[IntentScore]:
    norm = normalise_text(text)
    lead = _GREETING_LEAD.match(norm)
    if lead and len(norm[lead.end() :].split()) >= 2:
        hits = rule_hits(norm[lead.end() :])  # rule I1: "hey can you do my expense report"
    else:
        hits = rule_hits(norm)
    is_question = any(c.question for c in clauses)
    scores: dict[str, tuple[float, str]] = {i: (0.9, w) for i, w in hits.items() if i != "thanks"}

    has_references = bool(reference_kinds)
    has_pillars = bool(pillars)
    if has_pillars and (
        not all(p.inferred for p in pillars)
        or _WE_ARE.search(norm)
    ):  # "we're a bank", "healthcare, HIPAA applies"; not "CFO office at the bank here"
        scores.setdefault("pillar_answer", (0.85, "pillar signal"))
    lowered = text.lower()
    # a figure question takes its setup as parameters, not as a change to explore (I8): "what
    # would 8 H100s at $2.20 cost a month?"; only a marked hypothetical adds what_if
    figure_only = scores.keys() & _ASKS == {"explain_figure"}
    q_clauses = [(q, _clause_of(q.span.start, clauses)) for q in quantities]
    if (
        (is_question or _EXPLICIT_COMPARE.search(norm))
        and scores.keys() & _ASKS
        and not norm.startswith(
            "why"
        )  # "why is hosting the same at 2M and 20M?" asks about a figure
        and (
            _if_condition(norm, lowered, quantities, figure_only)
            or figure_only
            and _FIGURE_HYPOTHESIS.search(norm)
            or not figure_only
            # "how many L40S to serve a 13b at that load?"; not "how long until qlora pays for
            # itself at 4M tokens a day?", a break-even under a condition (I4)
            and not (_SIZING.search(norm) and "break_even" not in scores)
            and any(
                q.kind != "duration"  # "over 3 years" is the window of the question, not a change
                and (
                    clause.question
                    or _EXPLICIT_COMPARE.search(clause.text)
                    or is_question
                    and _PREMISE.match(clause.text)
                )
                # not the GPUs the option runs on: "payback for mistral 7b on 2 L4s?" (I4)
                and (
                    _MARKED_CONDITION.search(lowered, max(0, q.span.start - 40), q.span.start)
                    or q.kind in ("token_volume", "request_volume")
                    and q.period is not None
                    and _FOR_VOLUME.search(lowered, max(0, q.span.start - 20), q.span.start)
                )
                for q, clause in q_clauses
            )
        )
    ):  # rule I4: "payback with 10% monthly growth?", "worst case if GPU prices spike?"
        scores.setdefault("what_if", (0.75, "a condition to explore"))
    if "same_but" in reference_kinds:
        scores.setdefault("what_if", (0.8, "the same but ..."))
    if (
        "explain_figure" in scores
        and "compare" not in scores
        and not norm.startswith("why")
        and _FIGURE_CHANGED.search(norm)
    ):
        # "would H200s reduce that number?", "what would those cost on haiku?" (I8)
        scores.setdefault("what_if", (0.75, "a figure under a change"))
    if not (  # "why does full ft cost 6x lora?", "do ur numbers include the 50% discount?"
        scores.keys() & {"explain_figure", "show_assumptions"}
        and not (_IF_CONDITION.search(norm) or _MAYBE.search(norm))
    ) and any(
        q.kind == "relative_change"
        and not _stated_change(q, clause)
        and not _described_change(q, clause)
        for q, clause in q_clauses
    ):
        scores.setdefault("what_if", (0.8, "relative change"))
    kinds = collections.Counter(n.kind for n in {n.id: n for n in names}.values())
    if (
        len({n.id for n in names} | {u.span.text.lower() for u in unknown}) >= 2
        and _TWO_OPTIONS.search(norm)
        # not "would llama 3.1 70b on 4 h100s be worth it or is it overkill?": a model and its card
        and (unknown or any(c >= 2 for c in kinds.values()) or not kinds.keys() & {"gpu"})
    ):
        scores.setdefault("compare", (0.75, "two named options"))

    if is_question and any(
        q.kind in ("money", "token_volume", "request_volume")
        and _OUR_FIGURE.search(lowered, max(0, q.span.start - 12), q.span.start)
        for q in quantities
    ):
        scores.setdefault("change_assumption", (0.7, "our figure inside the question"))
    # a statement that carries scenario facts sets them
    if "change_assumption" not in scores:
        set_up = False  # the previous clause set up a question or a request
        after_pillar = False  # the previous clause stated a pillar
        for clause in clauses:
            if set_up and _FRAGMENT.match(clause.text):
                continue  # "compare X vs Y at 20k requests a day, 3k tokens each"
            # "replies must quote the amounts exactly, €250, €400 or €600": the pillar's examples
            pillar_examples = after_pillar and bool(
                _FRAGMENT.match(clause.text) or re.match(r"[$€£]?\d", clause.text)
            )
            set_up = True
            after_pillar = pillar_examples or any(
                _in(p.span.start, clause) and not p.inferred for p in pillars
            )
            if clause.question:
                continue
            if figure_only and (_FRAGMENT.match(clause.text) or _HEARSAY.search(clause.text)):
                continue  # "4 H100s at 50% utilisation, what's the bill?", "we were told a 70b needs 8 cards" (I8)
            if any(
                q.kind == "relative_change"
                and _in(q.span.start, clause)
                and not _stated_change(q, clause)
                for q in quantities
            ):
                continue  # "lower the H100 price 20%": a what-if about that input
            if is_question and _PREMISE.match(clause.text):
                continue
            if _ADVISOR_FIGURE.search(clause.text.lower()) or _TENTATIVE_PLAN.search(
                clause.text.lower()
            ):
                continue  # "our real numbers are nowhere near the 40% you seem to assume"
            if rule_hits(normalise_text(clause.text), only=_CLAUSE_ASKS):
                continue
            set_up = False
            facts = [
                q
                for q in quantities
                if _in(q.span.start, clause)
                and (_is_fact(q, clause.text) or _stated_change(q, clause))
            ]
            if hits.keys() & {"compare", "break_even", "risk", "explain_figure"}:
                facts = [q for q in facts if q.kind != "duration"]  # the window of the comparison
            if pillar_examples:
                facts = [q for q in facts if q.kind not in ("money", "number") or q.period]
            named = [n for n in (*names, *unknown) if _in(n.span.start, clause)]
            if any(_in(p.span.start, clause) for p in pillars):
                named = []  # "the chemistry nomenclature trips up gpt-4o": a pillar, not a setup
            elif any(p.pillar == "jargon" for p in pillars):
                # "notes like 'AHU-3 VFD fault, RTU short cycling'. pure jargon": samples of it
                named = [n for n in named if not any(n is u for u in unknown)]
            # "p95 target is 1.2 seconds", "2 million proprietary drawings": a pillar's own numbers set no input
            if pillars:  # ... and "3.5 million call transcripts" counts a data set, not a rate
                facts = [
                    q
                    for q in facts
                    if q.kind not in ("latency", "number", "duration", "percent")
                    and not (q.kind in ("request_volume", "token_volume") and q.period is None)
                ]
            if named and (_TWO_OPTIONS.search(clause.text) or _SOMEONE_ELSES.search(clause.text)):
                named = []  # "our nvidia rep keeps pushing b200s": an idea to weigh, not our setup
            if scores.keys() & _ASKS and not _OWN.search(clause.text):
                # "compare opus, sonnet and a fine-tuned llama 70b", "lora on a 70b on 4 h100s,
                # overkill?": the options asked about, not what the user runs
                named = []
                facts = [q for q in facts if q.kind not in ("model_size", "gpu_count")]
            if facts or named:
                what = facts[0].kind if facts else named[0].span.text
                scores["change_assumption"] = (0.75, f"stated: {what}")
                break

    # one cue is often inside another's phrasing: keep the more specific reading
    if (
        "break_even" in scores
        and "compare" in scores
        and not _EXPLICIT_COMPARE.search(norm)
        and _IMPLIED_COMPARE.match(scores["compare"][1])
    ):
        del scores["compare"]  # "cheaper than the API", "lora vs api" inside a break-even question
    imperative = scores.get("change_assumption", (0, ""))[1].split(" ")[0] in _IMPERATIVES
    if imperative and scores.get("what_if", (0, ""))[1] == "instead":
        del scores["what_if"]  # "use H200 instead of H100 from now on" sets, not explores
    if "risk" in scores and (
        doubt := re.search(
            r"\bhow (?:sure|confident|certain|reliable|likely|solid)\b|\b(?:chances?|odds|probability|likelihood) (?:that|of)\b"
            r"|\bhow (?:much|far) (?:do|can|should|would) (?:i|we|you) (?:trust|believe|rely on)\b"
            r"|\bwhat are the (?:odds|chances)\b|\bhow wrong\b|\bhow sensitive\b",
            norm,
        )
    ):
        for other in ("recommend", "break_even", "compare", "explain_figure"):
            if other == "break_even" and _CROSSING_EVENT.search(scores.get(other, (0, ""))[1]):
                continue  # "what are the odds the LoRA beats the API?" asks about the crossing
            if other not in scores:
                continue
            asked = norm.find(scores[other][1])
            if 0 <= asked < doubt.start() and re.search(
                r"(?:[,;]\s*and|\?)\s+$", norm[asked : doubt.start()]
            ):
                continue  # "what's the break-even in months, and how sure are you of it?": two asks
            scores.pop(other, None)  # "how confident should I be in the break-even month?"
    if (
        "what_if" in scores
        and re.search(
            r"\b(?:gets?|got|becomes?|became|goes|went|turns?)\s+(?:\S+\s+)?(?:cheaper|more expensive|pricier)\b",
            norm,
        )
        and _IMPLIED_COMPARE.match(scores.get("compare", (0, "x"))[1])
    ):
        del scores[
            "compare"
        ]  # "what if the api gets 50% cheaper": a price change, not a comparison
    if (
        "explain_concept" in scores
        and re.search(r"\bwhy (?:would|is|does|do|are)\b", norm)
        and "explain_figure" not in scores
    ):
        scores.pop("compare", None)
    if "explain_concept" in scores and scores.get("compare", (0, ""))[1] in ("vs", "versus"):
        del scores["compare"]  # "explain tokens vs words"
    if "explain_concept" in scores and re.search(
        r"\b(?:mean|stand for|in general|in plain terms)\b", norm
    ):
        scores.pop("explain_figure", None)  # "what does 'amortised' mean in your table"
        scores.pop("compare", None)
    if "explain_figure" in scores:
        scores.pop("explain_concept", None)
        if re.match(r"(?:\S+\s+){0,2}why\b", norm):
            scores.pop("compare", None)  # "why is LoRA cheaper than full?" asks about a figure
    if (
        "show_assumptions" in scores
        and scores["show_assumptions"][1] in scores.get("explain_concept", (0, ""))[1]
    ):
        del scores["explain_concept"]  # "what's in there for electricity": one question, an input
    output_failure = bool(_OUTPUT_FAILURE.search(norm))
    if output_failure and re.search(HYPOTHETICAL_LEAD, norm):
        scores.setdefault("risk", (0.75, OUTPUT_FAILURE))  # I11
    if "risk" in scores and not re.match(
        r"(?:list|show)\b", scores.get("show_assumptions", (0, ""))[1]
    ):
        if re.search(r"\b(?:in|of|from|behind) (?:that|this|the) comparison\b", norm):
            scores.pop("compare", None)  # "the biggest swing factor in that comparison": its risk
        scores.pop("show_assumptions", None)  # "what assumptions drive the number most" asks a risk
        if re.search(r"recommendation|answer|verdict", scores["risk"][1]):
            scores.pop("recommend", None)  # "which input would flip your recommendation"
        if re.search(r"\bwhat if (?:\S+\s+){0,3}wrong\b", norm) and not any(
            q.kind == "relative_change" for q in quantities
        ):
            scores.pop("what_if", None)  # "what if we're wrong about the volume": a risk question
        if output_failure:
            scores.pop("what_if", None)  # "what if the fine-tuned model invents a dosing number?" (I11)
    if re.search(
        r"\byou (?:just )?(?:gave|quoted|showed|came up with|got|computed|calculated) "
        r"|\btoo (?:good|high|low|optimistic|cheap|expensive|rosy)\b"
        r"|^(?:that|this|it) (?:seems|looks|sounds|feels) (?:\S+\s+)?(?:optimistic|pessimistic|off|wrong|high|low)\b",
        norm,
    ) and ("explain_figure" in scores):
        for other in ("break_even", "risk", "compare", "recommend"):
            scores.pop(other, None)  # "the break even you gave seems too optimistic": that figure
    if (quantities or names) and (setter := _SETTER.match(norm)):
        # rule I3: "halve the GPU price and show me again", "rerun it with 16 GPUs", "nope, 2x"
        scores.pop("what_if", None)
        scores["change_assumption"] = (0.8, "set: " + setter.group(1))
    if (
        "recommend" in scores
        and re.search(
            r"\b(?:change|affect|alter|flip)s? (?:your|the|our) (?:recommendation|answer|verdict)\b"
            r"|\b(?:the|our|your) (?:recommendation|answer|verdict) (?:still )?(?:change|flip)",
            norm,
        )
        # not "which input would...", "the single assumption most likely to change your answer"
        and not re.search(r"\bwhich\b|\b(?:assumption|input|factor|variable)s?\b", norm)
    ):
        scores.pop(
            "risk", None
        )  # "does that change your recommendation?" asks for the verdict again
    if (
        "recommend" in scores
        and scores.get("compare", (0, ""))[1] == "two named options"
        and re.search(
            r"\byour (?:\w+ )?(?:take|call|pick|recommendation|view)\b|\bwhat would you (?:pick|choose|do)\b",
            norm,
        )
    ):
        scores.pop("compare", None)  # "llama 4 scout or llama 3.1 70b, what's your take?"
    if (
        "risk" in scores
        and re.search(r"\bwhat(?:'s| is)? (?:moves?|drives?|driving) \S+", norm)
        and re.search(r"\b(?:more|most|or)\b", norm)
    ):  # "what moves the break-even more, the gpu rate or the volume?" asks a risk question
        scores.pop("explain_figure", None)
        scores.pop("break_even", None)
    if (
        "risk" in scores
        and "break_even" in scores
        and re.search(r"\bsensitive to\b|\bdrives? (?:\S+\s+){0,3}most\b|\bmost sensitive\b", norm)
    ):
        del scores["break_even"]  # "which inputs is the lora payback most sensitive to?"
    if (
        "compare" in scores
        and any(q.kind == "relative_change" for q in quantities)
        and re.search(r"\d\s*%?\s*(?:cheaper|more expensive|pricier)\b", lowered)
        and not re.search(r"\bthan\b", norm)
    ):
        del scores["compare"]  # "and spot pricing, say 55% cheaper?": a price change to explore
    if "reset" in scores:
        scores.pop("undo", None)
    if "undo" in scores or "reset" in scores:
        cue = scores.get("reset", (0, ""))[1]
        at = lowered.find(cue) if cue else -1
        cue_end = at + len(cue) if at >= 0 else len(lowered)
        if not any(
            q.kind != "relative_change" and q.span.start >= cue_end + 2 for q in quantities
        ):  # "starting fresh: 2.5M tokens a day ..." states the new scenario after the reset; an
            # undo's figure is the value it goes back to ("put it back to 27b")
            scores.pop("change_assumption", None)
        scores.pop("what_if", None)  # "undo that 10x thing": the change named is the one undone
    if "break_even" in scores and re.search(
        r"^two named options$|\b(?:beat|undercut)\b", scores.get("compare", (0, ""))[1]
    ):  # "at what monthly spend does owning the summariser beat the batch API?"
        del scores["compare"]  # "when does lora on llama 8b pay back against gpt-4o-mini?"
    if "difference between" in scores.get("explain_concept", (0, ""))[1] and re.search(
        r"\b(?:tco|cost|costs|price|prices|spend|cheaper|saving|savings|latency)\b", norm
    ):  # "the 5-year TCO difference between the API and self-hosting"
        scores.pop("explain_concept")
        scores.setdefault("compare", (0.8, "cost difference"))
    if re.search(r"\bdifference in\b|\bcost difference\b", scores.get("compare", (0, ""))[1]):
        scores.pop("explain_concept", None)  # "what is difference in price between sonnet and 4o"
    if (
        "pillar_answer" in scores
        and scores.keys() & {"explain_concept", "show_assumptions"}
        and all(_clause_of(p.span.start, clauses).question for p in pillars)
    ):
        del scores["pillar_answer"]  # "explain LoRA like I'm a compliance officer": a topic

    if (
        _SWAP_FRAGMENT.match(norm)
        and (names or unknown or quantities)
        and not _NAMED_COMPARE.search(norm)
    ):
        # rule I5: "and opus?" reruns the scenario with one input swapped
        scores.pop("compare", None)
        scores.pop("change_assumption", None)
        scores.setdefault("what_if", (0.75, "one input swapped"))
    if "same_but" in reference_kinds and not _SETTER.match(norm):
        scores.pop("change_assumption", None)  # "same thing again, only over 18 months"
    if (
        "explain_concept" in scores
        and re.fullmatch(r"(?:\S+ )?(?:vs|versus)\s*", scores.get("compare", (0, ""))[1])
        and not _COSTED.search(norm)
    ):  # rule I10: "qlora vs lora, what's the actual difference" explains two techniques
        del scores["compare"]
    off_subject = not _DOMAIN.search(norm) and not (quantities or names or has_pillars)
    if (
        "break_even" in scores
        and _PAYBACK_FIGURE.search(norm)
        and ("explain_figure" in scores or _DOUBT.search(norm))
    ):  # "14 months payback?? this cannot be right", "why did break-even jump to 19 months?" (I8)
        del scores["break_even"]
        scores.setdefault("explain_figure", (0.8, "a payback figure questioned"))
    if "explain_figure" in scores and (
        (scores["explain_figure"][1] == "is plenty" and not is_question)  # "next morning is plenty"
        or (scores["explain_figure"][1] == "one number" and "compare" in scores)
    ):  # "I need one number: how much do we save by moving off gpt-4.1?" asks the comparison
        del scores["explain_figure"]
    if not is_question and any(not p.inferred for p in pillars):
        # "home standby vs airport standby", "...they just ring crew control instead": a pillar's telling
        if scores.get("compare", (0, ""))[1] == "vs":
            del scores["compare"]
        if scores.get("what_if", (0, ""))[1] == "instead":
            del scores["what_if"]
    if "risk" in scores and re.match(r"in (?:your|the) ", scores.get("explain_figure", (0, ""))[1]):
        del scores["explain_figure"]  # "what's the single biggest risk in your numbers"
    if not is_question and scores.get("recommend", (0, ""))[1] == "advice":
        del scores["recommend"]  # "...got different spray timing advice": a statement
    if re.search(r"\d+b even hit\b", scores.get("explain_figure", (0, ""))[1]) and re.search(
        r"\beven$", scores.get("recommend", (0, ""))[1]
    ):
        del scores["recommend"]  # "can a self hosted 8b even hit that on L40S cards?" (I8)
    if re.match(r"why\b", scores.get("explain_figure", (0, ""))[1]) and scores.get(
        "break_even", (0, "")
    )[1] == "breakeven":
        del scores["break_even"]  # "why is the break-even so far out?" asks about that figure
    if scores.get("compare", (0, ""))[1] == "vs" and re.search(
        r"\bbuild (?:vs|versus|or) buy (?:answer|decision|question|call|verdict)\b", norm
    ):
        del scores["compare"]  # "does that change the build vs buy answer?": the verdict
    if not scores and re.match(
        r"(?:(?:oh|ah|sorry|oops)\W+)?(?:it'?s |that'?s |all )?in (?:euros?|dollars?|pounds|usd|eur|gbp|chf|francs|rupees|yen)\b",
        norm,
    ) and len(norm.split()) <= 6:
        scores["change_assumption"] = (0.7, "the currency")  # "in euros, forgot to say" (I3)
    if "show_assumptions" in scores and scores.get("compare", (0, ""))[1] == "comparison":
        del scores["compare"]  # "list the assumptions underpinning the cost comparison"
    if not is_question and scores.get("compare", (0, ""))[1] == "cheaper" and quantities:
        del scores["compare"]  # "~6 lakh INR per head, much cheaper than US salaries": a fact
    if "break_even" in scores and re.match(r"fine[\s-]?tun", scores.get("recommend", (0, ""))[1]):
        del scores["recommend"]  # "what's the payback if we put 40 grand into a fine tune?"
    if "explain_concept" in scores and "rule of thumb" in scores["explain_concept"][1]:
        scores.pop("explain_figure", None)  # "a rule of thumb for how many examples you need"
    if "recommend" in scores and re.search(r"\bneed (?:a|an|the) \S+ or\b", scores["recommend"][1]):
        scores.pop("explain_figure", None)  # "need a 70b or is an 8b plenty?" asks which to pick
    if "explain_figure" in scores and _CAPACITY.search(scores["explain_figure"][1]):
        scores.pop("recommend", None)  # "would a 14b even fit on those l4s?" asks for sizing (I8)
    if (quantities or names) and not scores.keys() & _ASKS and _GO.search(norm):
        # "EUR 12k a month today, 3 yrs horizon, 5% monthly growth. go": the verdict on those facts
        scores["recommend"] = (0.7, "go")
    if quantities and not scores and _CONFIRM.search(norm):
        # "so we grow ~20% monthly, correct?": the user's own figure restated to confirm it (I3)
        scores["change_assumption"] = (0.7, "a figure to confirm")
    if (
        lead
        and off_subject
        and not scores
        and len(norm[lead.end() :].split()) <= 10
        and not re.search(r"\?|\b(?:can|could|would|will) you\b|\banyone\b", norm)
    ):
        # "hello from the IT service desk", "hey, PM from the growth squad, back with more questions"
        scores["greeting_help"] = (0.7, "a greeting")
    if off_subject and "recommend" in scores and _RECOMMEND_OTHER.search(norm):
        scores = {"off_topic": (0.7, "a recommendation outside the advisor's topic")}
    if off_subject and scores and set(scores) <= {"explain_concept", "compare"}:
        scores = {
            "off_topic": (0.7, "a question outside the advisor's topic")
        }  # "the history of rome"
    if "greeting_help" in scores and re.search(r"\bhow (?:should|do|can) i use\b", norm):
        scores.pop("recommend", None)  # "how should I use this advisor?"
    if len(scores) > 1:
        scores.pop("greeting_help", None)  # rule I1: "hi! should we fine tune?" asks for a verdict
    if not scores:  # no rule recognised the message: the example matcher's guess
        if "thanks" in hits:
            scores["greeting_help"] = (0.8, hits["thanks"])
        else:
            label, sim = nearest_example_index().nearest(norm)
            on_topic = bool(_DOMAIN.search(norm) or quantities or names or has_references)
            evidence = f"nearest example ({sim:.2f})"
            if not on_topic:
                if label == "greeting_help" and sim >= 0.5:
                    scores[label] = (round(min(sim, 0.7), 3), evidence)
                else:
                    scores["off_topic"] = (0.7, "no advisor topic")
            elif label != "off_topic" and sim >= KNN_SURE:
                scores[label] = (round(min(sim, 0.7), 3), evidence)
            elif label != "off_topic" and sim >= KNN_MAYBE:
                scores[label] = (round(min(sim, 0.6), 3), evidence)
            else:
                scores["greeting_help"] = (0.4, "unclear: offer help")
    scores = exclusive(scores)
    if not scores.keys() & {"what_if", "explain_figure", "greeting_help", "off_topic"} and any(
        q.kind == "headcount" and clause.question for q, clause in q_clauses
    ):  # "does fine-tuning make sense for a team of 5?": the team is the user's own (I3)
        scores.setdefault("change_assumption", (0.7, "our team inside the question"))
    if (
        scores.keys() & {"recommend", "break_even", "compare", "risk", "explain_figure"}
        and not scores.keys() & {"change_assumption", "pillar_answer", "explain_concept"}
        and not norm.startswith("why")
        and _CHANGES_ANSWER.search(norm)
    ):  # "does that change the recommendation?"; not "we can get H200s at $3.50, does that change
        # it?"
        scores.setdefault("what_if", (0.75, "an answer under a change"))
    # the rules' reading is complete (it is the answer with ADVISOR_INTENT_MODEL=off)
    scores = exclusive(_combined(text, scores))
    order = {i: k for k, i in enumerate(("greeting_help", "pillar_answer", "change_assumption"))}
    ranked = sorted(scores.items(), key=lambda kv: (order.get(kv[0], 9), -kv[1][0], kv[0]))
    return [IntentScore(intent=i, confidence=c, evidence=w) for i, (c, w) in ranked]


def exclusive(scores: dict[str, _V]) -> dict[str, _V]:
    """Rules I1 and I2: a greeting beside a request is not labelled; off-topic is never combined
    (the other reading wins)."""
    if len(scores) > 1:
        rest = {i: v for i, v in scores.items() if i not in ("greeting_help", "off_topic")}
        # exactly a greeting and off-topic: the greeting is the other reading (I2)
        return rest or {i: v for i, v in scores.items() if i == "greeting_help"}
    return scores


def choose_intents(
    combiner: Combiner,
    rules: Mapping[str, str],
    prescribed: Collection[str],
    undecided: bool,
    probs: dict[str, float],
) -> dict[str, float]:
    """The intents the combiner gives (its likeliest set, each with its combined probability) from
    the rules' reading (intent -> evidence); then a rule's intent below MODEL_RULES_OUT on the
    model alone goes (unless a rule prescribed it), and so does a what-if the rules did not read
    beside a worry about the model's output (I11): never the last intent."""
    combined = combiner.probabilities(rules, prescribed, undecided, probs)
    kept = {i: combined[i] for i in sorted(combiner.likeliest_set(combined))}
    if not undecided:  # a rule's intent the model all but rules out goes, unless prescribed
        ruled_out = {
            i for i in kept if i in rules and i not in prescribed and probs[i] < MODEL_RULES_OUT
        }
        if rules.get("risk") == OUTPUT_FAILURE and "what_if" not in rules:
            # "what happens if the model makes up a deadline?": the model's "what if" reading of
            # the lead goes (6 of 9 such dev messages mended out of fold, none lost)
            ruled_out.add("what_if")
        kept = {i: p for i, p in kept.items() if i not in ruled_out} or kept
    return kept


def _combined(text: str, scores: dict[str, tuple[float, str]]) -> dict[str, tuple[float, str]]:
    """What the rules found, weighed with the learned model's probabilities by the combiner (see
    ``intent_model.Combiner``) and chosen by ``choose_intents``. A rule's intent that stays keeps
    the rule's evidence; the example matcher's guesses, and what the model adds, carry the
    model's."""
    evidence = {i: e for i, (_, e) in scores.items()}
    undecided = rules_undecided(evidence)
    if len(text) > MODEL_MAX_CHARS and not undecided:
        return scores  # longer than any message the model learned from (a pasted page)
    learned = intent_model(wait=undecided)  # a decided message is not held up by a model build
    combiner = intent_combiner()
    if learned is None or combiner is None:  # unavailable, or being built by a warm-up
        return scores
    prescribed = {i for i, e in evidence.items() if e in BY_THE_RULES}
    probs = learned.probabilities(text)
    kept = choose_intents(combiner, evidence, prescribed, undecided, probs)
    out: dict[str, tuple[float, str]] = {}
    for intent, p in kept.items():
        if intent in scores and not undecided:
            out[intent] = scores[intent]
        else:
            out[intent] = (round(p, 3), f"intent model ({p:.2f})")
    return out


def _stated_change(q: Quantity, clause: _Clause) -> bool:
    """A relative change reported or forecast as a fact ("our spend doubled", "we expect usage
    to go up tenfold"), not one to explore."""
    if q.kind != "relative_change":
        return False
    if _PAST_CHANGE.search(q.span.text):
        return True
    lowered = clause.text.lower()
    return not clause.question and bool(
        _EXPECTED.search(clause.text)
        or _CORRECTED.search(clause.text)
        or (
            not _HYPOTHESIS.search(lowered)
            # "the summer schedule runs ~1.4x winter", "procurement negotiated 15% off list":
            # a whole sentence that reports a ratio, not a fragment to explore
            and (
                _STATED_MOVE.search(lowered)
                or (
                    len(lowered.split()) >= 4
                    and not _FRAGMENT_LEAD.match(lowered)
                    and not _MAYBE.search(lowered)
                    and not _CHALLENGE.search(lowered)
                )
            )
        )
    )


def _described_change(q: Quantity, clause: _Clause) -> bool:
    """A ratio that describes how things are, in a statement: "2x that at peak", "the number looks
    double what openai quoted", "we get 20% off", "6x LoRA in your table"."""
    if clause.question or _HYPOTHESIS.search(clause.text.lower()):
        return False
    return bool(_DESCRIBING.search(clause.text.lower()))


def _is_fact(q: Quantity, clause: str) -> bool:
    if q.kind in _FACT_KINDS:
        return True
    if q.kind == "relative_change" and _PAST_CHANGE.search(q.span.text):
        return True
    if q.kind == "duration":
        return bool(
            re.search(
                r"\b(?:horizon|over|look at|next|timeframe|time frame|for|commitment|every|takes|cycle)\b",
                clause,
            )
        )
    return False
