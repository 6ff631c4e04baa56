"""Intent cues: explicit rules over a spelling-normalised message, and example utterances for the
messages no rule recognises.

Those messages go to the learned model in ``intent_model.py`` (MiniLM embeddings plus TF-IDF,
trained on the development messages and the examples below); where torch or scikit-learn is
missing, a character n-gram TF-IDF nearest neighbour over the examples answers instead. Importing
sentence-transformers costs about 10 s, so it happens on the first such message, never at import.
The example utterances below are our own phrasings and share no text with the labelled messages."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from .scan import Alternation

# ---------------------------------------------------------------------------------------------
# spelling: chat shorthand and near-miss spellings of the words the rules look for
_SHORTHAND = {
    "shld": "should", "shd": "should", "shud": "should", "shuld": "should", "wat": "what", "wht": "what", "whch": "which", "wich": "which",
    "ur": "your", "u": "you", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "ty": "thanks", "tnx": "thanks", "whats": "what's", "wats": "what's", "hows": "how's",
    "cant": "can't", "dont": "don't", "shouldnt": "shouldn't", "doesnt": "doesn't", "isnt": "isn't", "wouldnt": "wouldn't",
    "lets": "let's", "im": "i'm", "ive": "i've", "wed": "we'd", "b4": "before", "abt": "about",
    "w/": "with", "vs.": "vs", "v.": "vs", "btw": "by the way", "tbh": "to be honest",
    "fintuning": "finetuning", "finetunning": "finetuning", "fine-tuning": "fine tuning",
    "fine-tune": "fine tune", "finetune": "fine tune", "fine-tuned": "fine tuned",
    "finetuned": "fine tuned", "self-hosting": "self hosting", "self-hosted": "self hosted",
    "selfhost": "self host", "self-host": "self host", "break-even": "breakeven",
    "why's": "why is", "what're": "what are", "how's": "how is",
    "break even": "breakeven", "pay-back": "payback",
}  # fmt: skip
_VOCAB = sorted(
    {
        "assumption",
        "assumptions",
        "assume",
        "assumed",
        "recommend",
        "recommendation",
        "recommendations",
        "advise",
        "advice",
        "cheaper",
        "cheapest",
        "compare",
        "comparison",
        "comparing",
        "expensive",
        "difference",
        "between",
        "explain",
        "explanation",
        "sensitivity",
        "sensitive",
        "scenario",
        "breakeven",
        "payback",
        "deterministic",
        "consistent",
        "proprietary",
        "regulated",
        "regulation",
        "latency",
        "jargon",
        "reset",
        "undo",
        "revert",
        "previous",
        "options",
        "option",
        "versus",
        "worth",
        "should",
        "which",
        "where",
        "what",
        "would",
        "could",
        "tuning",
        "finetuning",
        "hosting",
        "figure",
        "number",
        "numbers",
        "total",
        "chart",
        "breakdown",
        "quantization",
        "concept",
        "meaning",
        "define",
        "definition",
        "inputs",
        "parameters",
        "confidence",
        "confident",
        "uncertainty",
        "risks",
        "assuming",
        "suppose",
        "imagine",
        "instead",
        "calculate",
        "calculated",
        "estimate",
        "estimates",
    }
)
_WORD = re.compile(r"[a-z0-9'$€£%./-]+|[^\sa-z0-9]")
# Real words one or two edits away from a cue word: never "corrected" into it
_REAL_WORDS = frozenset(
    "there their these those where inference different differ shoulder regulator regulators "  # noqa: SIM905
    "risky consistency worthy wealth heater conference costing posting computing competing north "
    "forth world clearest adoption rises inconsistent consistently dumber".split()
)


def _inflection(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) :] in ("s", "es", "d", "ed", "ing")


@cache
def _correct(word: str) -> str:
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    if len(word) < 5 or not word.isalpha() or word in _VOCAB or word in _REAL_WORDS:
        return word
    limit = 1 if len(word) < 8 else 2
    best = None
    for v in _VOCAB:
        if abs(len(v) - len(word)) > limit:
            continue
        if _inflection(word, v):
            continue  # an inflection ("totals", "compared"): a word in its own right
        d = Levenshtein.distance(word, v, score_cutoff=limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, v)
    return best[1] if best else word


def normalise_text(message: str) -> str:
    """Lower-case, expand shorthand ("shld", "thx"), fix near-miss spellings of cue words."""
    lowered = message.lower().replace("’", "'")
    for multi in ("break even", "w/"):
        lowered = lowered.replace(multi, _SHORTHAND[multi])
    out = []
    for m in re.finditer(r"\S+", lowered):
        raw = m.group(0)
        core = raw.strip(".,!?;:()\"'")
        if not core:
            out.append(raw)
            continue
        fixed = _correct(core)
        out.append(raw.replace(core, fixed, 1) if fixed != core else raw)
    return " ".join(out)


# ---------------------------------------------------------------------------------------------
# rules: intent -> patterns over the normalised text

#: The lead of a hypothetical: "what if ...", "what happens to us if ...", "suppose ..."
HYPOTHETICAL_LEAD = r"\b(?:what if|what happens (?:\S+\s+){0,4}?if|suppose)\b"

# "would H200s bring that down?", "does QLoRA cut that?": a figure under a swapped option, both
# what_if and explain_figure (I8)
_FIGURE_UNDER_A_SWAP = (
    r"^(?:and |so )?(?:would|does|do|could|will|can) (?:\S+\s+){1,3}(?:bring|cut|reduce|lower|shrink|halve)s? (?:that|it|this|those)\b"
)
RULES: dict[str, list[str]] = {
    "greeting_help": [
        # "how do I change one of the inputs in here?": using the tool
        r"\bhow do i (?:change|edit|update|enter|add|remove|delete) (?:a|an|one|the|my) (?:of the )?(?:\w+ )?(?:inputs?|numbers?|values?|assumptions?|figures?|scenario|settings?)\b",
        # "can I export this to excel?", "what sort of stuff do you need from me to get started",
        # "how do i feed my numbers in?", "what kinds of things can you calculate?"
        r"\bexport (?:this|it|that|the \w+)\b|\bwhat (?:sort|kinds?|types?) of (?:stuff|things|info\w*|data|numbers) (?:do|would) you need\b",
        r"\bhow (?:do|can|should) i (?:feed|enter|put|give|type|get) (?:my|the|our|in)\b|\bwhat (?:sort|kinds?|types?) of things can you\b",
        r"\bwho'?s (?:this|the) (?:tool|advisor|app|thing|bot) (?:meant |made |built )?for\b",
        r"^(?:hi|hello|hullo|hallo|hey|heya|hiya|howdy|yo|greetings|(?:good\s+)?(?:morning|afternoon|evening))\b",
        r"^help\W*$|\bhelp me (?:use|understand how)\b|\bhow (?:does|do) (?:this|you) (?:thing\s+)?work\b",
        r"\bwhat (?:can|do) you (?:actually\s+)?do\b|\bwhat (?:(?:kinds?|sorts?|types?) of )?(?:questions|things) can i ask\b",
        r"\bhow do i use (?:this|you)\b|\bwho are you\b|\bhow should i use (?:this|you)\b",
        # "kindly guide how to use this tool", "what this advisor can do?", "what exactly I can ask
        # here?", "how do i export this to excel", "nice to meet you", "guten morgen", "oi!"
        r"\bhow to use (?:this|the|your) (?:tool|advisor|app|thing|chat)\b|\bwhat (?:this|the) (?:advisor|tool|app|thing) can do\b",
        r"\bwhat (?:exactly )?(?:i can|can i) ask\b|\bhow (?:do|can) i (?:export|download|save|print)\b",
        r"^(?:guten (?:morgen|tag)|bonjour|hola|ol[áa]|oi|namaste|konnichiwa|ciao|salut|hej|moin|gm)\b|\bnice to meet you\b",
        # "what can this thing actually do for us?", "what is this thing for?", "hello? are you still
        # there", "hello again, it's me", "hey, back again", "platform team checking in"
        r"\bwhat can (?:this|the) (?:\w+ )?(?:thing|tool|advisor|app|bot) (?:actually |really )?do\b|\bwhat is (?:this|the) (?:thing|tool|advisor|app) (?:actually |really )?for\b",
        r"\bwhat (?:kinds?|sorts?|types?) of questions can (?:this|the|you)\b|\bwhat this tool (?:is|does)\b|\bhow (?:the|this) tool (?:works|operates|functions)\b",
        r"^good day\b|^(?:yo|hey|hi)[,!]? quick (?:q|question)\W*$",
        r"\bare you (?:still )?there\b|\b(?:back again|hello again|it'?s me again)\b|^(?:it'?s )?me again\b|\bchecking in\W*$",
        r"\bwhat (?:do|would) you need (?:from me|to know)\b|\bwhat (?:information|info|inputs?|data) do you need\b",
        r"\bwhat are (?:the|my|our) options\b|\b(?:we'?re|i'?m|we are|i am) (?:\w+ )?(?:lost|confused)\b",
        # "what can you help us work out?", "mornin' folks"
        r"\bwhat can you help (?:us|me) (?:with|work out|figure out)\b|^mornin'?\b",
    ],
    "thanks": [
        r"\bmuch appreciated\b",
        # "ok I go to meeting now, tchau", "vielen dank", "ta", "have a good weekend" (merci, danke...
        # are with the other languages' thanks below)
        r"\b(?:tchau|ciao|adeus|tsch[üu]ss|au revoir|vielen dank)\b|^ta\W*$",
        r"\bhave a (?:good|nice|great|lovely) (?:day|weekend|evening|one|week)\b",
        r"^(?:thanks|thank you|cheers|great|perfect|ok thanks|awesome)\b|\b(?:thanks|thank you|many thanks|cheers)\b",
        r"\b(?:bye|goodbye|good bye|see you|see ya|talk (?:to you )?later|catch you later)\b",
        r"\bthat'?s all for now\b|\b(?:speak|talk|chat) (?:tomorrow|soon|next week)\b",
        r"\bstep away\b|\breturn shortly\b|\bbe right back\b|\bbrb\b|^appreciate(?:d| it)\b|\bsigning off\b|\bappreciate (?:the|your) (?:patience|help|time)\b|\bgood ?night\b|\benough for (?:one day|today)\b",
        # other languages' thanks and farewells: "merci beaucoup, à bientôt", "danke schön"
        r"\b(?:merci|danke|gracias|grazie|obrigad[oa]|arigat[oō]|dank je)\b|\b[àa] bient[ôo]t\b",
    ],
    "recommend": [
        # "what's vLLM and do we need it", "do we need both?", "do we need it for the permit letters?"
        # (not "for RAG?": a component of a technique), "can we stay under it?", "does the
        # fine-tune case get any better?"
        r"\bdo (?:we|they|i) (?:even |really |actually )?need (?:it|one|both|them|this)\b(?! for (?:rag|lora|qlora|fine[\s-]?tun\w*|training|inference|retrieval|embeddings?|search|it|that|this)\b)|\bcan we stay (?:under|within|below)\b",
        r"\bdoes the (?:\S+\s+){0,2}case (?:get|look) (?:any )?(?:better|worse|stronger|weaker)\b",
        # "talk me through options?", "what's the play?", "where do we land?", "does fine tuning buy
        # us anything?", "is self-hosting our only real option then?": the verdict asked for (I6)
        r"\btalk (?:me|us) through (?:the |our |my )?options\b|\bwhat(?:'s| is) the play\b|\bwhere do (?:we|i) land\b|\b(?:serve|suit) us better\b|\bbuy us anything\b|\bonly (?:real |viable |sensible )?option\b",
        # "is self hosting even realistic for them?", "can we even do a vendor fine tune inside EUR
        # 12k?", "is self hosting a fantasy for us?", "fine-tune or leave it?", "build, buy, or wait?"
        r"^(?:\S+\s+){0,4}?(?:is|are|does|do|can|could|would) (?:\S+\s+){0,5}?even\b(?! (?:mean|means|more|less|cheaper|higher|lower|hit \d+|absorb|handle|cope|survive|keep up)\b)",
        r"(?:^|[.!?;:]\s+)(?!.*\b(?:payback|breakeven)\b)(?:\S+\s+){0,3}?(?:is|are) (?!there\b)(?:\S+\s+){1,6}?(?<!more )(?<!less )(?:doable|realistic|viable|feasible|a fantasy|a joke|a no-brainer)\b",
        r"\bfine[ -]?tune,? or (?:just |simply )?(?:not|leave|keep|stay|prompt|stick)\b|\bbuild,? (?:or )?buy\b|\bor (?:leave|keep) it (?:as is|alone)?\W*$",
        # "does that change your recommendation?", "would that kill the self-hosting case entirely?",
        # "does that rule out the vendor API?"
        r"\b(?:does|do|would|will|could|can|did) (?:\S+\s+){0,6}?(?:change|flip|overturn|reverse|kill|rule out) (?:the|our|your|that) (?:\S+\s+){0,2}(?:recommendation|verdict|answer|conclusion|case|advice|option|api)\b",
        # "is fine tuning even the right tool or should it be RAG?", "any good for that?", "enough for
        # us or do we need the 70b"
        r"\bshould (?:it|this|that) be\b|\bany good(?: for\b|\W*$)|\benough for us\b|\bor do we need (?:the|a|an) \S+",
        r"\bshould(?:n't)? (?:we|i|our|they)\b(?! (?:\S+ )?(?:worry|be worried|be concerned)\b)",
        r"\bis it (?:smarter|wiser|better|sensible|sane) to\b|\bor (?:just )?(?:stick|stay|keep|carry on)\b",
        r"\b(?:if|whether) (?:we|i) should\b|\bwhether to\b|\bhelp (?:me|us) (?:decide|figure out|choose|pick)\b",
        r"\boverkill\b|\bsafe (?:bet|choice|option)\b|\bright (?:call|choice|move|approach|tool)\b|\bgood fit\b",
        r"\b(?:could|can|would|will) (?:\S+\s+){1,4}(?:handle|cope with|do the job|manage)\b",
        r"\b(?:viable|feasible|realistic|doable|sensible)\s*\?|\bwould (?:that|it|this) work\b",
        r"\bworth (?:it|the|building|doing|fine|paying)\b|\bis (?:\w+\s+){0,2}worth\b",
        r"\bwhat(?:'s| is) (?:the|your) (?:recommendation|verdict|call|advice|answer)\b|\bfine tune or not\b",
        r"\brecomm?end(?:s|ed)?\b|^\W*recomm?endations?\W*$|\b(?:a|your|give me|need|want|get) (?:\w+ )?recommendation\b",
        r"\badvi[sc]e\b|\bverdict\b|\byour (?:\w+ )?(?:call|take|opinion)\b|\bbetter off\b",
        r"\bbuild (?:or|vs) buy\b|\bapi or (?:a |an |our )?(?:own|custom|fine tuned|private|in house)\b|\bown model\b.*\?",
        r"\bbottom line\b|\b(?:build|train) or (?:rent|buy|stay)\b",
        r"\b(?:better|smarter|wiser|smart|wise) (?:call|choice|move|bet)\b",
        r"\bpush(?:es)? (?:us|me) (?:to|towards?|into)\b",
        r"\bin (?:our|my) shoes\b|\bwhat would you do\b",
        r"\byes or no\b|\bgo\s*(?:or|/)\s*no[- ]?go\b",
        r"\bis there (?:any |much |really any |even any )?point\b|\bwhat'?s the point\b|\bwhere do (?:we|i) stand\b",
        r"\bdo we (?:actually |really )?need (?:a|our own|to)\b",
        r"\bcan we afford\b|\b(?:good|bad|stupid|dumb|crazy|silly) idea\b|\benough\s*\?|\bconfirm (?:that )?we (?:should|stay|go|stick)\b|\bmake sen[cs]e\b|\bgo for it\b",
        r"\b(?:would|will|is|could|are) (?:\S+\s+){0,4}?(?:be )?(?:good )?enough\b",
        r"\bwhere do (?:i|we) (?:even )?(?:start|begin)\b|^should\b|\bfine tune or (?:nah|no|what)\b",
        # "ok choice?", "is it intelligent to fine-tune ...?", "or better to buy?", "makes any sense"
        r"\b(?:ok|okay|good|right|wise|smart|sensible) (?:choice|pick|option|call)\s*\?|\bbetter to \w+\s*\?",
        # "keep renting or start building?", "so what now, api or build?", "madness or genius", "sell
        # me on this", "which would you take to the board", "worth waiting for them?", "on the table"
        r"\bor (?:start |go )?(?:build|building|buy|buying|rent|renting)\b\W*$|\b(?:api|rent|renting|buy|buying) or (?:build|building|own)\b",
        r"\bwould you do (?:that|it|this)\b|\bon the table\b|\bmadness or genius\b|\bworth \w+ing\b|\bconvince me\b|\bsell me on\b",
        r"\bwhich (?:one |option |path |route )?would you (?:pick|take|choose|recommend|go with|back)\b|\bchange anything\b|\bbother with\b|\bwhat now\b",
        r"\b(?:recommendation|verdict|answer) (?:still )?(?:remain|hold|stand)\w*\b|\bcase for (?:\S+\s+){1,3}still hold\b|\bwhich would you endorse\b|\bany case at all\b",
        r"\bwould (?:quality|it|that) (?:still )?hold\b|\bor do we have to\b|\bwould (?:a |an )?[\w-]+(?: [\w-]+)? fix\b|\bany merit\b",
        r"\b(?:viable|feasible|realistic|doable|sensible|prudent|defensible|sane)\b(?: for us)?(?: at all)?\s*\?|\b(?:viable|sane|sensible|realistic) alternative\b",
        r"\bis it (?:intelligent|clever|reasonable|prudent) (?:for us )?to\b|\bmakes? (?:any|much|more) sense\b|\bbest (?:compromise|choice|option|bet|fit|pick)\b",
        # "does a fine tune help with the sign-off problem?", "wait for those or go now?", "can we do
        # the guides on 4.1 mini within that cap?"
        r"\bdo we (?:still )?(?:stay|stick) (?:on|with)\b|\bdoes (?:a|the) fine[\s-]?tune help\b|\bwait for (?:those|them|it|that|the \S+) or (?:go|buy|start|move)\b|\bcan we do (?:the|our|it|this|that) (?:\S+\s+){0,3}(?:on|with|within|under)\b",
        r"\b(?:is|are) the api (?:fine|enough|ok)\b|\bfine[\s-]?tun\w*,? or (?:just |simply )?(?:write|use|stick|stay|keep|improve|do|go)\b|\bbasically pointless\b|\bis (?:\S+\s+){1,4}pointless\b",
        # "does the crew bot really need a 70b or is an 8b plenty?": a choice of size, a verdict
        r"\b(?:does|do) (?:the|our|it|we|this|that) (?:\S+\s+){0,2}?(?:really |actually |even )?need (?:a|an|the) \S+ or\b",
        r"^(?:fine tune|self host)\b.*\?$|\bfine tune\?$",
        r"\bpossible\s*\?|\benough\b(?: for [^?]{1,40})?\?|\b(?:tilt|tip)\w* (?:it|us|things|the \w+) towards?\b|\brelevant (?:to|for) us\b",
        r"\b(?:look|looks) better\b|\bstill (?:ok|okay|fine|good|sensible)\b|\bno[\s-]brainer\b|(?<![\w-])(?:dumb|stupid|crazy|silly|smart|wise)\s*\?",
        r"\bworth a (?:look|try|shot)\b|\bcould (?:it|this|that) replace\b|\b(?:does|would|will|did) (?:the|our|your) (?:recommendation|answer|verdict) (?:still )?(?:change|flip|hold)\b",
        r"\b(?:does|would|will|did|could) (?:that|this|it) (?:\S+\s+)?(?:change|affect|alter|flip) (?:our) (?:recommendation|verdict|answer)\b",
        r"\bcan (?:we|they|i|our \S+) (?:\S+\s+){0,2}afford\b|\b(?:safer|safest) (?:bet|move|choice|option|call|route|path)\b|\byes\s*/\s*no\b",
        r"\bdoes the (?:math|maths|business case|numbers?) (?:work|add up|stack up)\b|\bprove me wrong\b",
        r"\b(?:does|would|will|did|could) (?:that|this|it) (?:\S+\s+)?(?:change|affect|alter|flip) (?:your|the) (?:recommendation|verdict|answer)\b",
        # "does self hosting still stack up?", "does an API even come into it?", "is vendor fine
        # tuning even an option?", "can we even justify a gpu contract", "is distillation something
        # we could use", "self host or API?"
        r"\bstill (?:stacks? up|makes? sense)\b|\bcome into it\b|\beven an? (?:option|possibility)\b",
        r"\bjustify (?:a|an|the|fine|self|our|owning|building|it)\b|\bsomething (?:we|you) (?:could|should|can) (?:use|try|do)\b",
        r"\bself[ -]?host\w* or (?:the |an? )?api\b|\boverthink\w*\b",
        r"\bstill worth\b|\bworth self[ -]?host\w*\b|\b(?:route|path|option|plan) gets? (?:us )?there\b",
        # "does a 2x jump in token prices flip the answer?", "what happens to the recommendation if
        # DAU halves?", "would you still say stay on the API?", "is it the moment to fine tune?"
        r"\b(?:flip|change|alter)s? (?:the|your|our) (?:answer|recommendation|verdict)\b",
        r"\bwhat happens to (?:the|your|our) (?:recommendation|answer|verdict)\b",
        r"\bhow (?:does|would|will) (?:the|your|our) (?:recommendation|answer|verdict) change\b",
        r"\bwould you (?:still )?(?:say|recommend|back)\b",
        r"\bwhich (?:one|option|path|route) (?:you'?d|you would) (?:back|pick|choose|go with)\b",
        r"\b(?:the (?:right )?)?(?:moment|time) to (?:fine tune|self host|switch|build|train)\b",
        r"\bstill (?:the )?(?:api|rag|prompting|lora)\s*\?|\bworth (?:keeping|switching|moving|trying|going|running|hosting|training)\b",
        r"\b(?:could|can) we (?:just |even |actually |realistically )?(?:use|run|do (?:it|this|that)|serve|host|get away)\b(?! (?:the|those|these) numbers)",
        # "does that flip it?", "does the call flip?" ("which input flips it" is a risk question),
        # "recommendation now?", "what's quantization, and would it help in our case?"
        r"\b(?:does|do|would|will|could|did) (?:that|this|it|the (?:call|answer|verdict|recommendation|decision)) (?:still )?flip\b",
        r"(?:^|[.!?:]\s+)(?:\S+\s+){0,2}recommendations?(?: now| then| please| pls)?\s*\?|\bdo we (?:even |really )?need to (?:change|switch|move)\b",
        r"\bwhere (?:to|should we|do we|would you|do i|should i) start\b|\bwould (?:it|that|this) help (?:us|in our case|our|with our|for us)\b|\bstill recommend(?:ing)? (?:the|a|an|going|staying|to)\b",
    ],
    "compare": [
        # "how much per month we save?", "which of those two is the better deal": a cost difference
        r"\bhow much (?:\S+\s+){0,4}save\b|\bhow much would (?:moving|switching|going) from (?:\S+\s+){1,10}?save\b|\b(?:would|do|could|can|will) we save\b|\bbetter (?:deal|value)\b",
        # "more expensive than RAG or roughly the same money?"
        r"\bmore expensive than\b|\bthe same money\b",
        # "does a self-hosted 70b actually undercut that?", "is that better than the azure reserve?",
        # "would a fine-tuned 8b do the scoring for less?", "and the gap if growth is zero?"
        r"\bundercut\w*\b|\bis (?:that|this|it) (?:any )?(?:better|worse) than\b|\bfor less\s*\?|^(?:and |so )?the (?:gap|delta)\b",
        r"\b(?:difference|differ\w*) in (?:price|cost|costs|pricing|spend)\b|\bcost difference\b|\bcompar(?!able\b)\w*\b|(?<!\bin )(?<!\binput )\bvs\b(?! (?:out|output)\b)|\bversus\b|\bside by side\b|(?<!\bstill )\bstack up\b|\bhead to head\b|\bput (?:\S+\s+){1,6}next to\b",
        r"\bwhich (?:\w+\s+){0,2}(?:is |would be |gets )?(?:cheap\w*|better|best|more expensive|lower)\b",
        r"(?<!\bsomething )(?<!\banything )(?:(?<!\bthat )(?<!\bthis )\bcheap(?:er|est)\b|\bcheaper than\b)|\bbetter value\b|\b(?:each|every|both|all) (?:\w+ )?(?:options?|paths?|routes?)\b",
        r"\b(?:api|self hosting|rag|vendor) (?:vs|against) \b",
        r"(?<!\bat )\bwhich (?:\w+\s+){0,2}(?:wins|comes out (?:ahead|on top)|is ahead)\b|\bstill wins?\b",
        # "does owning beat paying the api?", "does vendor fine-tuning still lose to the api?", "is that
        # better than the azure reserve?", "does a self-hosted 70b actually undercut that?"
        r"\b(?:does|do|would|will|can) (?:\S+\s+){1,5}(?:still )?(?:beat|undercut|lose to|outperform)\b|\bbetter (?:deal )?than\b|\bhow much would (?:we|i) save\b",
        r"\b(?:does|would|will) (?:\S+\s+){1,3}(?:still )?win\b|\bholds? up better\b|\bbeat\w* (?:\S+\s+){0,3}on (?:cost|price)\b",
    ],
    "break_even": [
        r"\bwhen (?:would|will|does|do|could) (?:\S+\s+){1,4}?catch up\b|\bwhen (?:would|will|does|do) (?:\S+\s+){1,6}?(?:overtake|overtakes)\b",
        r"\bwhen (?:would|will|does|do) (?:\S+\s+){1,6}?beat (?:\S+\s+){1,4}?on (?:cost|price)\b|\bat what (?:\S+\s+){1,3}(?:volume|spend|scale) (?:does|do|would|will)\b",
        r"\bnever (?:\S+\s+)?(?:pays?|paid) (?:\S+\s+)?back\b|\bnever pays? (?:for )?itself\b|\bnever pays? off\b",
        r"\broi\b|\bbreakeven\b|\bpay(?:s|ing)? (?:for )?itself\b|\bpay(?:s|ing)? off\b|\bpayback\b|\bpay back\b",
        r"\bat (?:what|which) (?:volume|point|scale|usage|level)\b|\bat how (?:many|much)\b|\bfrom (?:which|what) (?:volume|point|scale|usage|level|spend)\b|\b(?:a|the) (?:volume|point|scale|usage|level) (?:at which|where)\b",
        r"\bbreak(?:s|ing)? even\b",
        r"\b(?:ever|eventually|at some point) (?:get|become|be|end up|turn) cheaper\b",
        r"\bhow many (?:\S+\s+){0,3}before (?:\S+\s+){0,4}(?:wins?|pays?|beats?|becomes? cheaper)\b",
        r"\bhow (?:fast|soon|quickly) (?:\S+\s+){0,4}(?:becomes?|gets?|turns?|is) cheaper\b|\bhow (?:many months|long) (?:until|till|before)\b|\bafter how (?:many months|long)\b",
        r"\b(?:does|do|will|would) (?:\S+\s+){1,4}(?:become|get|turn) cheaper\b",
        r"\bbeat(?:s)? the api\b|\bcross(?:over| over)\b",
        r"\bwhen (?:do|does|would|will) (?:\w+\s+){0,3}(?:get |become |be )?cheaper\b",
        # "at what token price per million does vendor fine-tuning stop making sense?"
        r"\bat (?:what|which) (?:\S+\s+)?(?:price|rate|spend|cost)\b|\bstops? (?:making sense|paying off|being cheaper)\b",
        # "at what daily volume does a self-hosted 7b beat 4o mini?", "what weekly token volume would
        # we need before hosting becomes more cost-effective?"
        r"\bat (?:what|which) (?:\S+\s+)?(?:volume|scale|level|usage|traffic)\b|\bwhat (?:\S+\s+){0,3}volume (?:would|do|does|should) (?:we|you|it) need\b",
    ],
    "what_if": [
        r"\bwhat (?:if|about|happens if)\b|\band if\b|\bsuppos\w+\b|\bimagine\b|\bhow about\b",
        r"\bin the event that\b|^were (?:that|the|our|it|they)\b|\bshould the \S+(?: \S+)? (?:rise|fall|drop|increase|double|triple|grow|slow)\b",
        r"\blet'?s say\b|\bhypothetic\w*\b|\bin a world where\b",
        r"(?:^|[.;,!] )(?:(?:ok|okay|now|then|and|so|please|let'?s|can you|could you)\s+)*(?:try|rerun|redo)\b(?! (?:again|harder)\b)",
        r"\b(?:try|redo|rerun) (?:(?:it|that|this|the numbers) )?(?:with|on|using|at)\b|(?<!\bwe )(?<!\bi )\brun (?:it|that|this|the numbers) (?:with|on|using|at)\b",
        r"\binstead\b|\bin place of\b",
        r"\b(?:the )?same (?:[\w,]+\s+){0,2}?but\b",
        r"\bsame (?:idea|scenario|setup|set up|config|configuration|case|numbers|assumptions|inputs|exercise|q|question) (?:with|on|using|for|at|over)\b",
        r"\bthe same (?:thing |setup |scenario |again )?(?:with|on|using|for)\b|\bsame (?:as before|again)\b",
        r"\band with\b|^(?:ok |okay |so )?and (?:for|on|at|using|over) ",
        r"\bhalve\b|\bdouble (?:the )?(?:volume|usage|traffic|price)\b",
        r"\bgive (?:\S+\s+){1,4}a (?:go|try|shot|spin|whirl)\b",
        r"\b(?:and|then) (?:rerun|re-run|redo|recompute|recalculate)\b|\blet'?s see (?:\S+\s+){0,2}(?:with|on|using|at|if)\b",
        _FIGURE_UNDER_A_SWAP,
    ],
    "explain_figure": [
        # "show me how the data prep cost was calculated", "how do you calculate API spend", "what'd
        # the monthly hosting be then?"
        # "how many cards?", "how many A100 80GB cards to serve 60M tokens a day?", "how much would that
        # run per month?", "is that before or after the volume discount?"
        r"\bhow many (?:cards|gpus|nodes)\s*\?|\bhow much would (?:that|it|this) run\b|\b(?:before|after) or (?:before|after)\b",
        # "how many L4s to serve 42k emails", "how many A100 80GB cards for a 70b"
        r"\bhow many (?:(?:[\w-]+\s+){0,2}(?:cards|gpus|nodes)|gpu|l4s?|l40s|h\d+s?|a\d+s?) (?:to|for)\b",
        r"\b(?:is|was) (?:that|this|it) per (?:month|year|day|week|hour) or per\b|\b(?:higher|lower|more|less) than (?:what )?(?:\S+\s+){0,2}(?:told|said|quoted|budgeted)\b",
        r"\bhow (?:the |that |this |our |you )?(?:\S+\s+){0,3}(?:was|were|is|are|got) (?:calculated|computed|worked out|derived)\b|\bhow do you (?:calculate|compute|work out)\b",
        r"\bwhat(?:'d| would) (?:the |our )?(?:monthly |annual |yearly |total )?(?:hosting|training|api|gpu|data prep)(?: \w+)? (?:be|come to|cost)\b",
        # "cost per month for hosting mistral 7b on two L4s?", "what's the monthly hosting cost for
        # ...", "would 3 do it?": a figure or a sizing (I8)
        r"\bcost per (?:month|year|day) (?:for|of)\b|^\W*(?:what'?s |what is )?(?:the )?(?:monthly |yearly |annual )(?:hosting|gpu|inference|serving|training) (?:cost|bill)\b",
        r"^\W*(?:would|will|could|does|do) (?:\d+|one|two|three|four|five|six|eight) (?:of them |gpus |cards |nodes )?(?:do it|do|cut it|suffice)\W*$",
        _FIGURE_UNDER_A_SWAP,
        # "would two be enough for the workload?", "what happens to the haiku bill?", "would batch
        # cut that API cost much?"
        r"\b(?:would|will|are|is)\s+(?:one|two|three|four|five|six|eight|\d+)\s+(?:of them\s+|\w+\s+)?(?:be\s+)?enough\b",
        # "does that €14.2k include VAT", "break the on-prem total into hardware, power and staff",
        # "cost per request on each path", "what would the totals look like at half the price",
        # "that seems optimistic", "surely one h200 is plenty?", "could an 8b on one L40S hit that?"
        r"\bwhat'?s? (?:is )?in the ['\"]?[\w -]{1,30}['\"]? line\b|\b(?:does|is) (?:that|this) (?:[$€£]?\d\S*|number|figure|total|estimate) includ\w*\b|\bbreak (?:the|that|this|it) (?:\S+\s+){0,3}(?:into|down)\b",
        r"\b(?:cost|price|spend) per \w+ (?:on|in|for|of) each\b(?![^.?!]*\bside by side\b)|\bper \w+ for each (?:option|path|route)\b",
        r"\bwhat would (?:the|our|that|those|this) (?:\S+\s+){0,2}look like\b|\b(?:seems?|looks?|sounds?|feels?) (?:\w+ )?optimistic\b",
        # "what's vendor fine tuning going to cost", "what would it run us a month", "how much of the
        # self hosting cost is people", "how many L4s to serve 42k emails", "1 A100 80GB enough?"
        r"\bwhat'?s (?:\S+\s+){1,4}going to cost\b|\bwhat would (?:it|that|this) run us\b|\bhow much of (?:the|that|our) (?:\S+\s+){0,3}(?:cost|bill|total|spend)\b|\b\d+\s*gb\s+enough\b",
        # "could they serve a 7b model?" (our idle cards), "show me what the LoRA route would cost per month"
        r"\b(?:could|can|would|will) (?:they|those|these) (?:even )?(?:serve|host|run|handle) (?:a|an|the|our) |\bwhat (?:the|a|an|our|that) (?:\S+\s+){0,3}(?:would|will|might) cost\b",
        # "way less than I expected", "on 4.1 mini what's that per report?", "how much GPU would that take"
        r"\b(?:more|less|higher|lower|cheaper|pricier) than (?:i|we) (?:expected|thought|assumed)\b|\bwhat'?s (?:that|this|it) per \w+|\bhow much (?:gpu|compute|hardware|vram|memory) (?:would|will|does|do)\b|\blet (?:us|me) run (?:the |a |an )?\S+ on\b",
        # "what's in 'engineering' there?", "how much does the triage bill go up?", "what's that cost on 4o mini?"
        r"\bwhat'?s? (?:is )?in ['\"][\w -]{1,30}['\"]|\bhow much (?:does|would|will|did) (?:the|our|that|this) (?:\S+\s+){0,2}(?:bill|cost|spend|total) (?:go up|rise|increase|grow|jump|drop|fall|go down)\b|\bwhat'?s (?:that|this|it) cost\b",
        r"\bis plenty\b|\ban? (?:[\w-]+\s+){0,2}?\d+b\b[^?.!]*\bhit (?:that|\d|under|sub)|^(?:y|why) (?:\d+|one|two|three|four|six|eight) (?:gpus?|cards?|h\d+s?)\b|^y (?:is|are|does|do)\b",
        r"\bwhat happens to (?:the|our|that|this) (?:\S+\s+){0,2}(?:bill|cost|costs|total|spend|number|figure)\b",
        r"\b(?:cut|reduce|lower|raise|increase)\s+(?:that|the|our|this)\s+(?:\S+\s+){0,2}(?:cost|bill|spend|number|figure|total)\b",
        # a cost or a size asked for (I8): "what would a full fine tune of an 8b cost on 8 A100s?",
        # "what's the yearly cost of the bot?", "how much does validation add on top of your
        # estimate?", "one number: the 5-year TCO", "how many tokens is a 40-page report?",
        # "training time for an adapter, single l40s?", "that feels backwards"
        r"\bwhat (?:does|do|would|will|did) (?:\S+\s+){1,10}?cost\b(?! (?:of|more|less|effective)\b)(?![^.?!]*\b(?:compared?|versus|vs|side by side)\b)|\bwhat(?:'s| is) the (?:\S+\s+)?cost of\b",
        r"\bhow much (?:does|would|will|do) (?:\S+\s+){1,6}?add\b|\bone number\b|\bhow many tokens (?:is|are|does|would|will)\b",
        r"^(?:\S+\s+){0,2}training time\b|\bfeels? backwards\b|\bdoesn'?t add up\b",
        # hardware sizing asked as yes/no (rule I8): "are 4 H100s enough to serve a 70b?", "2 gpus
        # enough?", "does a 13b fit on one L4?", "how many concurrent users can one l40s handle"
        r"\b(?:gpus?|cards?|h\d+s?|a\d+s?|l\d+s?|l40s|box|boxes|nodes?|servers?)\s+(?:be\s+)?enough\b",
        r"\b(?:\d+(?:\.\d+)?b|model|it)\s+(?:even\s+)?(?:fit|fits|run|runs)\s+on\b|\bhow many (?:concurrent )?(?:users|requests|chats|sessions)\b[^?.!]*\bhandle\b",
        # "how many returns per day can an L40S handle", "would 2x L40S cope with 40 estimators",
        # "is 300ms latency realistic for a 13b?", "is that enough to run the model?"
        r"\bhow many [\w-]+ (?:(?:per|a|an|each) \w+ )?(?:can|could|would|will) (?:\S+\s+){1,4}?(?:handle|cope with)\b",
        r"\b(?:\d+\s*x\s*|\d+ |one |two |a |an )(?:gpus?|cards?|h\d+s?|a\d+s?|l\d+s?|l40s|t4s?|nodes?|servers?)\s+(?:\d+\s*gb\s+)?(?:cope|keep up)\b",
        r"\b(?:is|are) \d+\s*ms (?:\S+\s+){0,2}?(?:realistic|doable|achievable|possible)\b",
        r"\benough to (?:run|serve|host) (?:the|our|a|an|it|this|that)\b",
        # "suppose we serve it on 4 h200s - monthly cost?": a figure asked for in a fragment
        r"(?:^|[-:,]\s*)(?:the |our |its )?(?:monthly|yearly|annual|weekly|daily|total|hourly) (?:cost|bill|spend|price)\s*\?",
        r"\bwhy (?:is|are|does|do|did) (?:the|that|this|our)\b|\bwhy is it so\b|\bexplain why\b",
        r"\bwhat(?:'s| is) (?:driving|behind)\b|\bwhat drives (?:the|this|that|our)\b(?!.*\b(?:most|more)\b)",
        r"\bhow many (?:gpus?|h\d+s?|a\d+s?|l\d+s?|cards|nodes|replicas|servers|machines) (?:would|do|will|does|did|are)\b",
        r"\bin (?:your|the) (?:table|chart|results|numbers|breakdown|plot)\b",
        r"\bhow did you (?:get|calculate|arrive|come|land|reach|end up|work|figure|compute|derive|size)\b|\bwhere (?:does|did) (?:the|that|this) (?:\S+\s+){0,2}(?:figure|number|total|estimate)\b",
        r"\bexplain (?:that|this|the|these|those) (?:\S+\s+){0,2}(?:numbers?|figures?|charts?|plots?|graphs?|totals?|results?|costs?|breakdown|estimates?|curves?|rows?|columns?)\b",
        r"^(?:\S+\s+){0,2}why (?:is|are|does|do|did|would|will)\b(?!.*\bmatter)",
        r"\bexplain (?:that|this)\s*$|(?:^|[.!?]\s*)(?:pls |please )?explain(?: pls| please)?\W*$",
        r"\bbreak (?:down|out)\b|\bbreakdown\b|\bwhat'?s in (?:that|the|this) (?:total|number|figure|cost)\b",
        r"\bwhat (?:does|do|is) the (?:\S+\s+){0,3}(?:chart|plot|graph|line|bar|curve|table|p\d\d|figure)\b",
        r"\b(?:chart|plot|graph)\b.*\bmean\b|\bon the (?:\S+\s+)?(?:chart|plot|graph)\b",
        r"\bi don'?t (?:get|understand) why\b",
        r"\b(?:row|line|column|total|figure|number)'?\s+(?:includes?|contains?|covers?)\b",
        r"\byou (?:just )?(?:gave|quoted|showed|came up with|got|computed|calculated) (?:\S+\s+){0,4}(?:seems?|looks?|feels?|sounds?)\b",
        r"\b(?:sounds?|seems?|looks?|feels?) (?:way |far |much |a bit |a little )?too (?:good|high|low|optimistic|cheap|expensive|small|big|rosy|many|much|few|little|quick|fast|slow|long|short)\b|^too (?:high|low|much|cheap|expensive)\W*$",
        r"\bhow much would (?:the |it )?(?:\S+\s+){0,3}cost\b",
        r"\bhow many engineers (?:would|do|will|does|did)\b",
        r"\bwhy (?:do |did )?(?:you|u) (?:say|said|assume|pick|picked|use|used|think)\b|\bthe (?:\S+\s+){0,3}(?:number|figure|estimate)\b(?! of)(?=.*\?)",
        r"\bhow you (?:got|get|arrived|came|landed|calculated|computed|sized|worked)\b|\bwhat does your (?:\S+\s+){0,2}(?:say|show)\b",
        r"\bwhy does your\b|\bwhat would (?:\S+\s+){1,8}come to\b",
        r"\b(?:gpu|card|node|replica)\s+count\b[^.?!]*\?|\bhow many gpu[\s-]?hours\b|\brough(?:ly)?\s+(?:cost|training time|price|estimate|sizing)\b",
        r"\bwhat (?:does|would|will) (?:\S+\s+){1,8}(?:actually\s+)?cost (?:us|them|me)\b",
        # sizing and cost questions (rule I8): "how many L40S you need for the mixtral", "how many
        # a100 40gb would a 13b need", "h200 count needed", "how many l4s for a 7b at 50 req/s",
        # "how long takes the training", "how much is costing the self hosted option", "what will
        # be the cost per month"
        r"\bhow many (?:of (?:those|them|these) )?(?:\S+\s+){0,6}?need\b|\bcount (?:needed|required)\b",
        r"\bhow many (?:of (?:those|them|these) |[\w-]+ )(?:for|to (?:serve|run|host|handle)) (?:a|an|the|that|our) \S+",
        r"\bhow long (?:would|will|does|do|did) (?:\S+\s+){0,12}?(?:take|train)\b(?!.*\b(?:pay ?back|pay off|break even|breakeven)\b)|\bhow long takes\b",
        r"\bhow much (?:is|are|would|will) (?:\S+\s+)?cost(?:ing)?\b|\bwhat (?:will|would) be the (?:\S+\s+)?cost\b",
        r"\bexplain how (?:\S+\s+){0,5}(?:computed|calculated|derived|worked out|built)\b|\bhow do you get (?:from|to)\b",
        r"\b(?:number|figure|total|estimate|price) (?:is|looks|seems) (?:not right|wrong|off)\b|\bpas possible\b|\bcan'?t be right\b",
        r"\bwhat means the (?:\S+\s+){0,2}(?:bar|line|band|number|figure|colou?r|curve)\b",
        # "hmm that looks low", "seems way over the top", "what's that annualised?", "explain the 41%
        # in the utilisation row", "where does it come from?", "what am i looking at", "what's the
        # monthly GPU bill on that setup?", "how long are we talking"
        r"\b(?:that|this|it|the|your) (?:\S+\s+){0,2}?(?:looks?|seems?|sounds?) (?:way |far |a bit |really |pretty |rather |quite |very )?(?:low|high|off|wrong|insane|crazy|nuts|over the top|excessive)\b",
        # "seems low??", "I do not believe that figure", "what would that cost per month on haiku",
        # "rough number for gemini flash instead?", "so what's the yearly spend on 4o mini for
        # that", "how many L40S cards would be needed", "how long to train a lora on 40k alarms"
        r"^(?:seems?|looks?|sounds?) (?:way |too |rather |a bit )?(?:low|high|off)\b|\b(?:don'?t|do not) (?:believe|buy) (?:that|this|the|your) (?:figure|number|estimate|total)\b",
        r"\bwhat would (?:\S+\s+){0,3}cost\b(?!.*\b(?:each|both|all|side by side)\b)|\brough (?:number|figure|idea|total)\b|\bhow long to (?:train|fine tune|run)\b",
        r"\bwhat(?:'s| is) the (?:\S+\s+){0,2}(?:spend|bill|total)\b(?!.*\b(?:vs|versus|difference|between|compar\w*|each|both|all)\b)|\bhow many (?:\S+\s+){0,3}(?:would be|are|is) (?:needed|required)\b",
        r"\bwhat (?:does|do|will) (?:\S+\s+){1,8}come to\b|\bannuali[sz]ed\b|\bexplain (?:the|that|this) [\d$€£]|\bwhere does (?:it|that) come from\b",
        r"\bwhat am i looking at\b|\bmeant to (?:be|show)\b|\bwhat(?:'s| is| are) (?:the|our|we) (?:\S+\s+){0,3}(?:bill|paying)\b(?!.*\b(?:vs|versus|against|compared)\b)|\bhow long are we talking\b",
        r"\b(?:can'?t|cannot|can not) be right\b|\b(?:seems?|looks?) (?:way |a bit )?off\b|\bis (?:pure )?fantasy\b|\blaughed at\b",
    ],
    "explain_concept": [
        # "distillation - what is it and would it help us?": a term, then the question about it
        r"^[a-z][\w'-]*(?: [\w'-]+){0,2}\s*[-:–]+\s*what(?:'s| is) (?:it|that|this)\b",
        # "whats wacc?", "what's a 'student model'?", "what is few-shot exactly", "what's vLLM and do
        # we need it", "what is a DPIA anyway", "what do you mean by output share" (rule I10)
        r"(?:^|[.?!:]\s+)(?:\S+\s+){0,3}?what(?:'s| is| are)(?: an?)? (?!(?:the|your|our|my|his|her|their|this|that|these|those|it|its|we|you|they|there|here|next|left|new|up|going|included|in|on|at|for|with|to|of|so|more|less|better|best|worse|cheaper|good|bad|reasonable|realistic|typical|sensible|fair|rough|ballpark|likely|options?|\d\S*)\b)['\"]?[a-z][\w-]*(?:[ -](?!(?:at|on|for|with|our|your|the|per|in|of|to|vs|if|when|from|over|under|by|here|there|now)\b)[\w-]+){0,3}?['\"]?(?:\s+(?:exactly|anyway|actually|again|really|even|in (?:practice|plain \w+|this context|a nutshell|simple words|simple terms))\b|\s+and (?:why|how|what|does|do|is|should|would|could|can|where|when)\b|\s*[?,]|\s*$)",
        r"\bwhat do (?:you|u) mean by\b|\bwdym\b|\brule of thumb\b",
        # "how is an llm different from the solver we use?", "how does fine tuning actually change a model?"
        r"\bhow (?:is|are) (?:an? |the )?\S+ different from\b|\bhow (?:does|do) (?:fine[\s-]?tun\w*|lora|qlora|rag|training|distillation|quanti[sz]ation|an? (?:llm|model)) (?:actually |really )?(?:work|change|affect)\b",
        # "qlora vs lora, whats the actual difference", "prefill vs decode?", "are they the same thing?"
        r"\b(?:what'?s|whats) (?:the )?(?:actual |real |practical )?(?:difference|diff)\b|\bwhat'?s (?:actually |really )?different\b|\bare they the same thing\b",
        r"^(?:what'?s|whats|what is) (?:a |an )?[\w-]+(?: [\w-]+)? vs\b",
        # "rag in one sentence pls", "in plain words", "is vendor fine tuning basically the same thing
        # as training it ourselves"
        r"^(?:[\w-]+\s+){1,2}in (?:one|a|two) (?:sentence|line)\b|\bin plain (?:words|english|terms)\b|\b(?:basically|really|just) the same (?:thing )?as\b",
        r"\bwhat(?: exactly| actually)?(?:'s| is| are| does)(?: exactly| actually)? (?:a |an |the )?(?:difference|lora|qlora|rag|token|tokens|mfu|tco|npv|quantization|fine tuning|finetuning|data moat|inference|embedding|embeddings|context window|distillation|peft|sft|rlhf|mixture of experts|moe|throughput|vllm|a gpu|gpu hours?)\b(?!\s+(?:of|for|per)\b)",
        r"\bexplain (?:what |how )?(?:lora|qlora|rag|mfu|tco|npv|quantization|fine tuning|finetuning|tokens?|inference|peft|sft|rlhf|distillation|embeddings?)\b",
        r"\bdifference between\b|\bhow (?:does|do|is) (?!this\b|you\b|it\b)(?:\S+\s+){1,4}?(?:actually\s+|really\s+)?(?:differ|work)\b|\b\S+ mean\??$",
        r"^(?:\S+\s+){0,2}what(?:'s| is| are)(?: exactly| actually)? (?:a |an )?(?!the\b|your\b|our\b|my\b|this\b|that\b|it\b|we\b|you\b|going\b|happening\b|new\b|next\b|best\b|worst\b|current\b)[a-z][\w-]*(?: [a-z][\w-]*){0,3}\s*\??$",
        r"\bexplain what (?:a |an |the )?[\w-]+(?: [\w-]+)? (?:is|are|means|does)\b",
        r"\b(?:tell me|teach me|learn) (?:more )?about\b|\bwhat do you mean by\b|\bwhat did you mean by\b",
        r"\bdefine\b|\bdefinition\b|\bin plain english\b|\blike i'?m (?:a |an |five)\b|\beli5\b",
        r"\bwhat(?:'s| is) (?:a )?reasonable\b|\bwhy does it matter\b",
        r"\bwhat (?:does|do) ['\"]?[\w' -]{1,40}?['\"]? (?:mean|stand for)\b|\bin (?:general|plain terms)\b",
        # "what is a BAA, in plain words?", "what do they mean by it", "what means 'catastrophic
        # forgetting'?", "mfu = ? never heard it before", "whats speculative decoding, briefly?",
        # "is qlora just lora but squished?", "is a token like a syllable or what"
        r"\bwhat(?:'s| is| are) (?:a |an )?[\w' -]{1,40},? in one sentence\b|\bfor the non[\s-]\w+\b|\bhelp me understand\b|\bwhat'?s the diff\b|\bexplain [\w-]+ (?:vs|versus) [\w-]+|\bwhat is meant by\b",
        r"\bin (?:plain|simple|easy) (?:words|terms|language)\b|\bwhat (?:do|does) (?:they|you|people|he|she) mean by\b",
        r"\bwhat means (?!the\b)|\bnever heard (?:of )?(?:it|this|that|the term)\b|=\s*\?",
        r"^(?:\S+\s+){0,2}what(?:'s| is| are) (?:a |an )?[a-z][\w-]*(?: [a-z][\w-]*){0,2},? (?:briefly|exactly|in short|in a nutshell|quickly)\s*\??$",
        r"(?:^|[:,] ?)is (?!that\b|this\b|it\b|the\b|there\b|our\b|your\b)(?:a |an )?[\w-]+(?: [\w-]+)? (?:just|basically|like|roughly|the same as) (?:a |an )?[\w-]+",
    ],
    "show_assumptions": [
        # "list the GPU prices you've got in there", "what's the per-token price you've got for gpt-4.1"
        r"\b(?:prices?|rates?|salar\w+|costs?) you'?ve got (?:in there|for|in)\b|\bwhat (?:\S+\s+){1,3}have you got (?:for|in)\b",
        r"\b(?:numbers|figures|inputs|assumptions|values) you'?re (?:working|running) with\b",
        # "which output share did you use for that?"
        r"\b(?:which|what) (?:\S+\s+){1,3}did you (?:use|take|pick|plug in)\b",
        # "do you size the GPUs for the peak or the average?", "the per-token prices you have for it"
        r"\bdo you size\b|\bprices? you (?:have|use|are using|assume)\b",
        # "what's your per-million input price for 4.1 mini", "list everything you've got in the
        # scenario", "over how many months do you spread the training cost?"
        r"\bwhat'?s your (?:\S+\s+){0,2}(?:price|rate|figure)s? (?:for|on)\b|\blist (?:everything|all|what) you'?(?:ve| have) got\b",
        r"\bdo you (?:spread|amorti[sz]e|depreciate|write off)\b",
        r"\bassumptions?\b|\bassum(?:e|ed|ing) (?:for|on)\b|\bwhat (?:\S+\s+){0,3}did you assume\b|\bdid you assume\b",
        r"\b(?:what|which) (?:\S+\s+){0,4}(?:are|is|were) you (?:using|working with|plugging in|assuming|going with|running with|applying|baking in|putting in)\b",
        r"\bwhat (?:\S+\s+){0,3}(?:do|did) you have (?:in |down )?(?:for|as)\b|\bwhat'?s in there for\b",
        r"\bbaked? in(?:to)?\b|\bbaked into\b|\b(?:your|the) assumed\b|\bwhat (?:have|did|do) you (?:got|get|put|have|plug(?:ged)?)(?: in)?(?: there| here)? (?:for|as)\b",
        r"\bwhat (?:\S+\s+){0,3}(?:are|is) you using\b|\bwhich (?:numbers|figures|prices|rates|values) (?:are|did) you\b",
        r"\bwhy do you assume\b|\byou(?:'re| are)? assum\w+\b",
        r"\b(?:in|from) your (?:data|numbers|figures|catalogue|catalog|price list)\b|\bwhat (?:\S+\s+){0,3}did you (?:use|pick|take|plug in)\b|\b(?:rate|price|figure|number|value)s? (?:did|do|are) you (?:use|using|assume|assuming)\b",
        r"\bwhere (?:are|is|do|did) (?:your|the) (?:\S+\s+){0,2}(?:prices|rates|numbers|figures|assumptions|data|costs)(?: come)? from\b",
        r"\bwhere do (?:your|the) (?:\S+\s+){0,2}(?:prices|rates|numbers|figures|assumptions) come from\b|\bsources?\b",
        # "which token price you are considering for gpt-4.1 mini?", "which electricity price you
        # take", "list every price ur using", "does your cost model include anything for X"
        r"\bwhich (?:\S+\s+){0,2}(?:price|rate|figure|value|number)s? (?:do )?(?:you|your) (?:are )?(?:consider\w*|take|taking|use|using|apply|applying)\b",
        # "do you account for ...", "what inputs have you got loaded", "which price list are you
        # pulling", "the 4o mini price you use", "does your build option assume", "where's it from"
        r"\b(?:do|does) (?:you|your \w+) account for\b|\binputs? (?:have you|do you have|you'?ve) (?:got )?(?:loaded|in|set)\b|\bthe inputs,? i mean\b",
        r"\b(?:do|does) (?:you|your \w+) factor\b|\bprice you have\b|\bwhat did you plug in\b|\bhow do you treat\b|\bin your model\s*=",
        r"\bconfirm the (?:\S+\s+){0,2}(?:prices?|rates?|inputs?|figures?) you\b|\bwhich (?:\S+\s+){0,6}are you (?:using|applying|assuming)\b",
        r"\bprice list\b|\bprice (?:you use|you'?re using)\b|\bdoes your (?:\S+\s+){0,3}assume\b|\bwhere'?s (?:it|that) from\b|\bare you charging\b",
        r"\blist (?:every|all|each) (?:\S+\s+)?(?:prices?|rates?|inputs?|numbers?|figures?)\b|\b(?:does|do) your (?:cost )?(?:model|numbers|figures|calculation) (?:include|cover|account for)\b",
        r"\b(?:list|show)(?: me)? (?:the |every |all )?(?:\S+\s+)?(?:inputs?|assumptions|parameters|scenario)\b",
        r"\bwhat(?:'s| is| are)? (?:\S+\s+){0,4}(?:you'?re|you are) (?:using|assuming|working with|plugging in|applying|going with)\b",
        r"\bis (?:that|this|it) what you(?:'ve)? (?:have|got|use|used|assume|assumed)\b|\bremind me (?:what|which|of)\b|\binputs? you\b|\bcurrent scenario\b|\bwhat(?:'s| is) in the scenario\b",
    ],
    "change_assumption": [
        # "we'd only use two of them, change it"
        r"[,;]\s*(?:please |pls )?(?:change|update|adjust|fix) (?:it|that)(?: (?:then|please|pls))?\W*$",
        r"^(?:set|change|update|make|use|switch|assume|let'?s assume)\b(?!.*\bwhat if\b)",
        r"\b(?:set|change|update) (?:the |our )?\S+(?: \S+)? (?:to|=)\b",
        r"\bactually (?:it'?s|we|our|the)\b|\bcorrection\b|^(?:\S+\s+)?typo\b|\b\d\S* not \d\S*\W*$",
        r"\b(?:horizon|time frame|timeframe) (?:should be|is|of)\b|\buse an? \S+ (?:year|month) horizon\b",
        r"\blook at it over\b|\brun the numbers for\b",
    ],
    "reset": [
        # "fresh start please", "restart the whole analysis", "clear it", "new slate"
        r"\bclear out the \S+ (?:stuff|bits|numbers|inputs|scenario)\b|\bfresh start\b|\brestart (?:the|this|our|my|everything|it|from)\b|^(?:\S+\s+)?clear (?:it|this)\W*$|\b(?:clean|new|blank) slate\b",
        r"^reset\b|^(?:ok(?:ay)?|right|fine|so)[\s,]+reset\b|\bclear (?:this|it|everything) out\b|\breset (?:it|everything|all|the (?:scenario|numbers|inputs|assumptions)|to (?:the )?defaults?)\b|\breset\W*$",
        r"\bstart(?:ing)? (?:over|again|afresh|fresh|from scratch)\b|(?<!training )(?<!train )(?<!trained )(?<!build )(?<!built )\bfrom scratch\b|\bbegin again\b|\b(?:begin|start) (?:from|at) (?:zero|square one|the beginning)\b",
        r"\bclear (?:the|my|our) (?:scenario|inputs|numbers|assumptions|chat|conversation|slate)\b",
        r"\bforget (?:all|everything|it all)\b|\bstart an? (?:fresh|new|clean) (?:scenario|analysis|one)\b",
        r"\bafresh\b|\bscrap (?:this|the) (?:whole )?scenario\b|\bscrap the lot\b|\bstart clean\b|\bnuke (?:it|everything|all)\b|\bfresh scenario\b|\bclear (?:everything|all|it all)\b|\bnew scenario\b|\b(?:back )?to (?:the )?defaults\b|\bscrap (?:all|everything|it)\b|\bwipe\b",
    ],
    "undo": [
        # "forget the last thing i said", "back to before the H200 thing", "put the old GPU price back"
        r"\bforget (?:the|my) last (?:thing|change|step|message|one|bit)\b|^(?:\S+\s+)?back to before\b|\bput the (?:old|previous|original) (?:\S+\s+){0,2}?back\b",
        # "nope, bin that edit", "scrap both, back to the original"
        r"\b(?:bin|ditch|drop|scrap|kill|lose) (?:that|the|this|my|both|those) (?:last )?(?:edit|change|tweak|update)s?\b|\bback to the original\b",
        # "forget the subsidy scenario, back to CHF 2.60", "scrap the purchase option, back to rented cards"
        r"\b(?:scrap|forget|drop|ditch|lose) (?:the|that|this) [^.?!]{0,40}\bback to\b",
        r"^(?:(?:ok|okay|so|right|fine|hmm)[,.!]?\s+)?(?:go\s+)?back to (?:the |our )?(?:\S+\s+){0,3}(?:case|scenario|numbers?|version|one|setup|\d\S*)\W*$",
        r"\btake (?:the|that|this) (?:\S+\s+){0,3}out again\b|\bundo\b|\brevert\b|\bgo back\b|\bput it back\b|\broll ?back\b|\bhow it was\b|\btake (?:that|it) back\b",
        r"\bprevious (?:numbers|scenario|values|version|inputs|settings)\b|\bcancel (?:that|the last)\b",
        r"\b(?:ctrl|cmd|control)[ +-]?z\b|\bback to (?:where|how|what) (?:we|it|things|they) (?:were|was|had)\b|\bthe way (?:it|things) (?:was|were)\b",
        r"\b(?:put|set|change|turn|switch) (?:it|that|this|them|the \S+(?: \S+)?) back\b",
        # "put back as before", "reverse the last edit", "scrap the 10x", "back to the
        # doubling-every-six-months case please"
        r"\bstep back\b|\bback one step\b|\bone step back\b|\bprevious \S+(?: \S+)? back\b|\bswitch back to the\b",
        r"\bscratch that\b|\broll (?:that|it|this)(?: one)? back\b|\bput \S+ back\W*$|\bput (?:\S+ )?back (?:as|like|to how|where)\b|\b(?:reverse|drop|scrap|remove) (?:the|my|that) (?:last|previous) (?:edit|change|step)\b",
        r"\bback (?:where|how|what) (?:it|they) (?:was|were)\b|^(?:\S+\s+){0,2}back to the [\w-]+(?: [\w-]+)? (?:case|scenario|setup|version)\b",
    ],
    "risk": [
        r"\brosy (?:scenario|case|picture|version)\b",
        # "would our own GPUs survive a spike like that, or just melt?", "what happens to all our fine
        # tuning work if..."
        r"\b(?:survive|withstand|cope with) (?:a|the|that) (?:\S+\s+){0,2}(?:spike|surge|peak|burst)\b|\bjust melt\b|\bwhat happens to (?:all )?(?:our|the) (?:\S+\s+){0,3}work\b",
        # "is vendor fine-tuning a trap?", "which option holds up better?", "what happens to our
        # service if...", "whether it compromises accuracy"
        r"\ba trap\b|\bholds? up (?:better|best)\b|\bwhat happens to (?:our|the) (?:service|users|customers|operations|sla|uptime)\b|\bcompromis\w* (?:the )?(?:accuracy|quality)\b",
        # "should it concern an authority such as ours?", "how badly would that affect us?", "what
        # could bite them", "what if the build slips by 6 months?": a worry (I11)
        r"\bshould (?:we|i|it|that|this|they) (?:\S+\s+)?(?:worry|concern)\b|\bworry about\b|\bhow bad(?:ly)? (?:would|will|could|does|is|might)\b|\b(?:could|would|might|will) bite\b",
        # ... "what if the standards board changes guidance?", "...if meta stops putting out models"
        (
            HYPOTHETICAL_LEAD
            + r"[^.?!]*\b(?:slips?|rejects?|fails?|withdr\w+|turns out|too dumb|goes down|outage|cancel\w*|retir\w+|deprecat\w+|discontinu\w+|sunsets?|says no|bans?|attack\w*"
            r"|pulls? (?:the |our |its )?(?:funding|budget|plug)|superseded|decides?|aren'?t acceptable"
            r"|(?:mine|plant|site|office|branch|factory|depot|warehouse|vendor|provider|supplier)s? (?:\S+\s+)?(?:closes?|shuts? down)"
            r"|rate[\s-]?limits?\w*|(?:regulator|authority|ministry|government|auditor)s? (?:says|rules|decides|requires)"
            r"|changes? (?:its |the |their )?(?:\w+ )?(?:guidance|rules|policy|pricing|terms)|stops? (?:putting out|releasing|supporting|selling|offering))\b"
        ),
        # "the biggest swing factor", "absorb a spike without falling over", "what matters more for us"
        r"\bswing factors?\b|\bfall(?:s|ing)? over\b|\bwhat matters more\b",
        # "what's driving it?", "the biggest thing that could wreck the self-host case", "which moves
        # payback more, a swing in the gpu rate or a miss on growth?"
        r"\b(?:could|would|might|will) sink (?:it|us|this|that)\b|\b(?:answer|result|verdict|recommendation) swings?\b|\bwhat would make you (?:change|switch|flip)\b",
        r"\bwhat'?s driving (?:it|this|that)\b|\b(?:what|which|thing|things|anything)\b[^.?!]*\b(?:wreck|sink|derail|torpedo|kill)s? (?:the|our|this|that) (?:\S+\s+){0,2}case\b",
        r"\bwhich (?:\S+\s+){0,3}(?:moves|matters|affects|drives|swings|hits) (?:\S+\s+){0,3}more\b",
        r"(?<!\bhigh-)(?<!\blow-)\brisks?\b(?! (?:committee|team|department|officer|function|management|polic\w+|category|class|tier|system|ratings?|scores?|scoring))|\brisky\b|\bsensitivit\w*\b|(?<!\bnothing )(?<!\bnot )(?<!\bnon )(?<!\bnon-)(?<!\btime )(?<!\btime-)\bsensitive\b(?! (?:data|info\w*|documents?|records|material|content|customer|personal|client|patient)\b)|\bworst[ -]case\b|\bbest[ -]case\b|\bdownside\b",
        r"\bhow (?:sure|confident|certain|reliable)\b|\bconfidence\b|\buncertain\w*\b|\btrust (?:those|these|the|that)\b",
        r"\bblows? up\b|\bexplode\w*\b|\bspiral\w*\b|\bpessimistic\b|\boptimistic\b|\brobust\w*\b",
        # "which input would change the answer the most": what drives the verdict ("does that change
        # your recommendation?" asks for the verdict itself, rule I6)
        r"\b(?:which|what)\b(?! if\b)[^.?!]*\b(?:flip|change|overturn|reverse)s? (?:the|our|your) (?:recommendation|verdict|answer|result|conclusion)\b",
        r"\bassumptions?\b[^.?!]*\b(?:flip|change|overturn|reverse)s? (?:the|our|your) (?:recommendation|verdict|answer|result|conclusion)\b",
        r"\bwhat could go wrong\b|\bwhat can go wrong\b|\bhow bad (?:could|can|would|might|does|will) (?:it|this|things|that) get\b",
        r"\b(?:matters?|moves?|drives?|swings?|affects?) (?:\S+\s+){0,4}(?:most|the most)\b",
        r"\bwhat(?:'s| is)? (?:moves?|drives?|driving) (?:\S+\s+){0,5}(?:more|most)\b|\bwhat(?:'s| is)? driving (?:\S+\s+){1,5}\S+ or \S+",
        r"\b(?:guy|person|engineer|lead|expert|admin)\b[^.?!]{0,40}\b(?:leaves|quits)\b",
        r"\b(?:screwed|doomed|in trouble)\b|\ba catch\b|\bsmall print\b|\bhidden costs?\b|\bgotchas?\b|\bbet on (?:it|that)\b|\bwhich (?:input|assumption|factor|variable)s? (?:matters?|moves?|drives?)\b|\bwhat drives\b.*\bmore\b|\bexpos(?:ure|ed)\b",
        r"\bshak(?:y|ier|iest)\b|\bweak(?:est|er)? (?:link|assumption|point|spot)s?\b|\bfragile\b|\bleast (?:certain|reliable|solid|robust)\b",
        r"\bhow likely\b|\b(?:chances?|odds|probability|likelihood) (?:that|of)\b|\bslip(?:s|page)?\b(?!,)",
        r"\bkeeps? (?:you|me|us) up at night\b|\bworr(?:y|ies|ied) (?:you|me)\b|\bwhat worries\b",
        r"\btornado\b|\bstress[ -]?test\w*\b|\berror bars?\b|\bconfidence intervals?\b|\bmonte carlo\b",
        # "is self hosting too dangerous?", "the riskiest part", "how accurate is this saving?"
        r"\b(?:too |how )?dangerous\b|\bthe danger\b|\briskiest\b|\bhow (?:accurate|precise|solid)\b",
        # "what breaks first", "is it safe for a bank?", "what do we give up", "lose sleep over",
        # "the catch", "the worst that happens", "the one number that swings this whole decision"
        r"\b(?:biggest|main|largest|greatest) (?:driver|influence|lever|factor)\b|\bgreatest influence\b",
        r"(?<!\bmust )(?<!\bto )(?<!\bi )\bstress (?:it|that|this)\b|\bwhat breaks\b|\bis it safe\b|\bwhat do (?:we|i) (?:give up|lose)\b|\blose sleep\b|\bscar(?:y|ier|iest|iness)\b|\bthe catch\b",
        r"\bworst that (?:happens|could happen)\b|\bswings? (?:the|this|our) (?:whole )?(?:decision|answer|verdict|result)\b|\bany different\b",
        r"\bworst (?:that|thing that) (?:could|can|might)\b|\bhow (?:well )?(?:does|would|will) (?:this|it|that|the \w+) hold up\b",
        r"(?<!\bdoes that )(?<!\bdoes this )(?<!\bwould that )(?<!\bwould this )\bflips? it\b|\bbreak (?:the|your|our) (?:recommendation|verdict)\b|\bif wrong\b",
        r"\bwhat are the (?:odds|chances)\b|\bhow wrong\b|\b(?:most|more) wrong\b|\bcould (?:you|we|this|it) be wrong\b",
        r"\bwhat if (?:\S+\s+){0,3}wrong\b|\b(?:we'?re|we are|i'?m|i am|you'?re|you are) wrong about\b",
        r"(?<!-)\b(?:quit|quits|resign|resigns)\b|\bleaves? (?:the company|us|the team)\b|\bhit by a bus\b",
    ],
}


# each intent's rules, parsed on the first message (about 0.3 s here), not at import
_SCANS = {intent: Alternation(rules) for intent, rules in RULES.items()}


def rule_hits(text: str, only: Collection[str] | None = None) -> dict[str, str]:
    """intent -> the words of the first rule that fired, over a normalised message (the rules of
    the intents in ``only``, when given)."""
    present: dict[str, bool] = {}
    hits: dict[str, str] = {}
    for intent, rules in _SCANS.items():
        if only is not None and intent not in only:
            continue
        if first := rules.search(text, present):
            hits[intent] = first.group(0).strip() or intent
    return hits


# ---------------------------------------------------------------------------------------------
# nearest-neighbour fallback over example utterances (our own wording, not the labelled sets)
EXAMPLES: dict[str, list[str]] = {
    "recommend": [
        "is it a good idea for us to train our own model",
        "which way should our company go",
        "tell me whether building a custom model pays",
        "what is your advice on custom models",
        "own model or keep the hosted api",
        "help me decide between building and buying",
        "would a custom model be the right move for us",
        "is the hosted api the sensible choice",
        "is that model a good fit for our use case",
        "can a small model handle our task",
        "is a big model overkill for this job",
        "what do you suggest we do",
        "is building in house a safe choice",
        "which approach fits a team like ours",
        "does training our own llm make sense",
        "should a company our size bother with fine tuning",
    ],
    "compare": [
        "how do the options differ in cost",
        "put the paths next to each other",
        "which route costs less overall",
        "api against self hosted totals",
        "rank the approaches by price",
        "contrast the hosted api with our own gpus",
        "show totals for every approach",
        "which of the paths wins on cost",
        "lay out the options side by side",
    ],
    "break_even": [
        "how long before the investment returns",
        "point where owning the model costs less",
        "months to recover the training spend",
        "from which month on is self hosting ahead",
        "at what usage does training become worth it",
        "how soon would the upfront cost be earned back",
        "when does the custom model overtake the api on cost",
    ],
    "what_if": [
        "try a different scenario with more traffic",
        "rerun with another model",
        "same setup on other gpus",
        "what would change with a smaller model",
        "play it out with lower prices",
        "and with a longer horizon",
        "how would things look with half the traffic",
        "picture the case where prices rise",
    ],
    "explain_figure": [
        "why is that cost so large",
        "where did this amount come from",
        "walk me through the monthly cost line",
        "what makes up the hosting total",
        "how was the training figure computed",
        "talk me through the numbers in the table",
        "what is behind the jump in month one",
        "how much would training cost on those gpus",
    ],
    "explain_concept": [
        "what is parameter efficient fine tuning",
        "teach me about retrieval augmented generation",
        "meaning of model flops utilisation",
        "how does low rank adaptation work",
        "what does quantisation do to a model",
        "what are embeddings used for",
        "explain the idea of a context window",
        "what is the difference between prompting and training",
        "what do you mean by total cost of ownership",
        "what is inference in plain terms",
        "how do adapters work",
    ],
    "show_assumptions": [
        "which prices did you plug in",
        "what rates are baked into the model",
        "show the figures you started from",
        "list the values behind the estimate",
        "what salary are you assuming for engineers",
        "which gpu rate is in the scenario",
        "what inputs is this based on",
    ],
    "change_assumption": [
        "our volume is higher than that",
        "we use a different model in production",
        "the price we pay is lower",
        "we are a small team with a tight budget",
        "our traffic is mostly in the daytime",
        "we already own some hardware",
        "we plan to use a mid sized open model",
    ],
    "reset": [
        "wipe the slate clean",
        "forget everything we said",
        "begin a fresh analysis",
        "clear out all the inputs",
        "throw it all away and restart",
        "back to square one",
    ],
    "undo": [
        "take back the last edit",
        "return to the earlier version",
        "cancel my last change",
        "restore what we had before",
        "that change was a mistake remove it",
    ],
    "pillar_answer": [
        "our sector has strict rules on data",
        "the servers must be ours",
        "the outputs must never vary",
        "our records are unique to us",
        "we are audited by a financial regulator",
        "the data cannot go to an outside vendor",
        "every answer must be repeatable",
        "nobody else has data like ours",
        "our field uses very specialised vocabulary",
        "answers have to come back instantly",
        "response time does not matter for this job",
    ],
    "risk": [
        "how wrong could this be",
        "what are the uncertainties",
        "how much could the outcome swing",
        "what would make this go badly",
        "how stable is the result if our guesses are off",
        "show me a bad case",
        "what are the dangers of building our own",
        "which unknowns worry you most",
    ],
    "greeting_help": [
        "how can you help me",
        "what is this tool for",
        "thank you very much",
        "see you later",
        "what should i ask you",
    ],
    "off_topic": [
        "what is the weather tomorrow",
        "tell me a funny story",
        "who won the football match",
        "book a table for two",
        "what is the capital of peru",
        "write a song about cats",
        "how do i fix my printer",
        "translate this sentence into spanish",
        "what time is it in tokyo",
        "recommend a movie for tonight",
        "what is the stock price of apple",
        "how tall is mount everest",
    ],
}


# Function words carry no intent; left in, their n-grams make unrelated sentences look alike.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "and",
        "or",
        "but",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "we",
        "us",
        "our",
        "i",
        "me",
        "my",
        "you",
        "your",
        "they",
        "them",
        "their",
        "he",
        "she",
        "so",
        "if",
        "then",
        "than",
        "as",
        "not",
        "no",
        "yes",
        "just",
        "very",
        "really",
        "about",
        "into",
        "over",
        "under",
        "up",
        "down",
        "out",
        "can",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "having",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "each",
        "every",
        "one",
        "own",
        "same",
        "such",
        "too",
        "only",
        "also",
        "like",
        "going",
        "get",
        "got",
    ]
)


def _ngrams(text: str) -> dict[str, float]:
    grams: dict[str, float] = {}
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS]
    for word in words:
        padded = f" {word} "
        for n in (3, 4, 5):
            for k in range(max(1, len(padded) - n + 1)):
                g = padded[k : k + n]
                grams[g] = grams.get(g, 0.0) + 1.0
        grams["w:" + word] = grams.get("w:" + word, 0.0) + 1.0
    return grams


class _TfIdf:
    def __init__(self, examples: dict[str, list[str]]):
        self.labels: list[str] = []
        docs: list[dict[str, float]] = []
        for intent, texts in examples.items():
            for t in texts:
                self.labels.append(intent)
                docs.append(_ngrams(t))
        vocab: dict[str, int] = {}
        df: dict[str, int] = {}
        for d in docs:
            for g in d:
                vocab.setdefault(g, len(vocab))
                df[g] = df.get(g, 0) + 1
        n = len(docs)
        self.vocab = vocab
        self.idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in vocab], dtype=np.float64)
        m = np.zeros((n, len(vocab)))
        for r, d in enumerate(docs):
            for g, c in d.items():
                m[r, vocab[g]] = (1 + math.log(c)) * self.idf[vocab[g]]
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        self.matrix = m / np.where(norms == 0, 1, norms)

    def nearest(self, text: str) -> tuple[str, float]:
        v = np.zeros(len(self.vocab))
        for g, c in _ngrams(text).items():
            k = self.vocab.get(g)
            if k is not None:
                v[k] = (1 + math.log(c)) * self.idf[k]
        norm = np.linalg.norm(v)
        if norm == 0:
            return "off_topic", 0.0
        sims = self.matrix @ (v / norm)
        best = int(np.argmax(sims))  # argmax takes the first maximum: deterministic
        return self.labels[best], float(sims[best])


@cache
def nearest_example_index() -> _TfIdf:
    return _TfIdf(EXAMPLES)
