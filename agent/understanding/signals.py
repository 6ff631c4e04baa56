"""Pillar signals (regulation, on-prem, consistency, proprietary data, jargon, latency) and
references to earlier turns ("it", "that figure", "the same but with LoRA", "go back")."""

from __future__ import annotations

import re

from .model import ConversationContext, PillarSignal, Reference, Span
from .scan import Alternation

# Per pillar: patterns that say it does NOT apply (checked first), then patterns that say it does.
_PILLARS: dict[str, tuple[list[str], list[str]]] = {
    "regulated": (
        [
            r"\b(?:not|aren'?t|isn'?t|never been|no longer)\s+(?:in\s+)?(?:a\s+|an\s+)?(?:\w+\s+)?regulated\b",
            r"\bunregulated\b|\bnot\s+(?:a\s+)?(?:bank|hospital|fintech|insurer)\b",
            r"\b(?:nothing|zero|none|non)[\s-]+(?:\w+\s+)?(?:regulat\w*|compliance)\b|\bno\s+regulators?\b",
            r"\bno\s+(?:real\s+)?(?:regulatory|regulation|compliance)\b",
            r"\b(?:no|(?:don'?t|do\s+not)\s+have\s+any)\s+(?:statutory|regulatory|legal)\s+(?:obligations?|requirements?|duty|duties)\b",
            r"\b(?:regulation|compliance|regulatory)\s+(?:is\s+)?(?:not|isn'?t)\s+(?:an?\s+)?(?:issue|concern|problem)\b",
        ],
        [  # a regulation, a regulator or a rule stated
            # "legally binding decisions under the planning act", "fixed by statute", "the DSA
            # applies to us", "off-label wording is a breach"
            r"\blegally\b|\bstatut(?:e|es|ory)\b|\b(?:dsa|dma)\b|\bunder\s+the\s+(?:\w+\s+){1,3}act\b|\boff[\s-]label\b",
            r"\bregulat(?:ed|ion|ions|ory|or|ors)\b",
            r"\bcomplian(?:ce|t)\b",
            r"\b(?:hipaa|gdpr|sox|pci(?:[\s-]dss)?|fedramp|finra|sec\s+rules|mifid|basel|fca|ema|fda)\b",
            r"\bdata\s+residency\b|\baudit\s+trail\b|\bvalidation\s+package\b",
            # "the inspectorate wants every classification to be auditable", "ECOA and Reg B"
            r"\bauditable\b|\binspectorate\b|\badverse\s+actions?\b|\becoa\b|\breg(?:ulation)?\s+b\b",
            r"\b(?:gxp|gmp|glp|dpdp|nis\s?2|eu\s+ai\s+act|cnil|lgpd|pipl|dora|ferpa|ccpa|appi)\b",
            # "we sit under PSD2 and the central bank's outsourcing guidelines", "EU261 amounts", "EASA FTL"
            r"\b(?:psd\s?[23]|eu\s?261|easa|faa|caa|ombudsman)\b|\bcentral\s+bank'?s?\b|\boutsourcing\s+guidelines\b",
            r"\baudited\s+by\b|\bauditors\s+(?:test|check|sample|review|inspect)\b",
            # "fall under state privacy law", "federal transit safety rules say a certified inspector signs off"
            r"\b(?:privacy|data[\s-]protection)\s+laws?\b|\b(?:federal|state|safety)\s+(?:rules|regulations?|laws?)\b|\bpcaob\b",
            r"\bleave\s+the\s+(?:eu|uk|us|usa|country|region|eea)\b",
            r"\bsupervis(?:ion|ed|ory)\b|\bsolvency\s+ii\b|\b(?:eiopa|bafin|finma|occ|fdic|ecb|mas|apra)\b",
            r"\bofficial\s+secrets\b|\b(?:acpr|pra|oversight|tax\s+secrecy|secrecy\s+laws?|accredited|classified|official[\s-]sensitive)\b",
            r"\bmodel\s+risk\s+polic\w+\b|\bindependent\s+validation\b|\b(?:failed|passed|pass)\s+(?:a|an|the|our)\s+(?:\w+\s+)?audit\b",
        ],
    ),
    "on_prem": (
        [
            r"\bcloud\s+is\s+(?:fine|ok|okay|allowed|acceptable)\b",
            r"\bcloud'?s\s+(?:fine|ok|okay|allowed|acceptable)\b",
            r"\bcloud(?:'s|\s+is)\s+(?:not|never)\s+(?:an?\s+)?(?:issue|problem|concern|blocker)\b",
            r"\bcloud\s+(?:\w+\s+)?(?:is|'s)\s+(?:totally\s+|perfectly\s+|completely\s+)?(?:fine|ok|okay|allowed|acceptable|no\s+(?:problem|issue))\b",
            r"\b(?:we\s+)?(?:can|could|may|are\s+allowed\s+to)\s+(?:use|go\s+to|run\s+on)\s+(?:the\s+)?(?:public\s+)?(?:cloud|azure|aws|gcp|google\s+cloud)\b",
            r"\b(?:data|it|everything)\s+(?:can|may|is\s+allowed\s+to)\s+(?:go|be\s+sent|live|be\s+processed|be)\s+(?:to|in|on|by)\s+(?:the\s+|a\s+)?(?:cloud|api|vendor|provider|third[\s-]part\w*)\b",
            r"\b(?:don'?t|do\s+not|doesn'?t)\s+need\s+(?:to\s+be\s+)?on[\s-]?prem",
            r"\bno\s+(?:need\s+for\s+)?on[\s-]?prem",
            r"\bnothing\s+(?:needs|has)\s+to\s+(?:sit|be|run|live|stay)\s+on[\s-]?prem",
            r"\b(?:fine|ok|okay|happy|cool|comfortable)\s+with\s+(?:\w+\s+)?(?:aws|azure|gcp|bedrock|vertex|openai|anthropic)\b",
            r"\b(?:fine|ok|okay|happy|cool|comfortable)\s+(?:with|using)\s+(?:the\s+|a\s+)?(?:hosted\s+|public\s+|managed\s+|third[\s-]party\s+|vendor\s+)?(?:cloud|api|saas)\b",
            r"\b(?:ok|okay|fine|happy|comfortable)\s+(?:with\s+)?(?:sending|using|putting|hosting)\s+(?:\w+\s+){0,4}(?:cloud|api|provider|vendor|saas)\b",
        ],
        [
            r"\bon[\s-]?prem(?:ise|ises)?\b",
            r"\b(?:can'?t|cannot|can\s+not|must\s+not|mustn'?t|never|won'?t|shouldn'?t)\s+(?:ever\s+)?(?:leave|go\s+to|be\s+sent|go\s+outside|leave\s+the)\b",
            r"\b(?:not\s+allowed\s+to|can'?t|cannot|mustn'?t|must\s+not|may\s+not)\s+use\s+(?:any\s+|an\s+|a\s+)?(?:external|third[\s-]party|public|cloud|outside|hosted)\b",
            r"\bdata\s+(?:stays|remains|lives|is\s+kept|has\s+to\s+stay|must\s+stay)\s+(?:with\s+us|in[\s-]house|on[\s-]site)\b",
            r"\b(?:stay|stays|kept|keep\s+it|remain|remains)\s+(?:in[\s-]?house|inside|internal|on\s+our|in\s+our|within\s+our)\b",
            r"\bair[\s-]?gapped\b",
            r"\bnothing\s+(?:can|may|is\s+allowed\s+to|should)\s+(?:ever\s+)?leave\b",
            r"\bnever\s+leaves\b|\bthird[\s-]party\s+\w+\s+(?:are|is)\s+(?:a\s+)?no[\s-]go\b",
            r"\bno\s+data\s+(?:may|can|should|must|is\s+allowed\s+to)\s+leave\b|\bnot\s+(?:leave\s+)?our\s+(?:building|premises|site)\b",
            r"\b(?:our|their|its|the\s+customer'?s)\s+own\s+(?:servers|data\s*cent(?:er|re)s?|hardware|infra\w*)\b",
            r"\b(?:no|not\s+(?:to\s+)?any)\s+third[\s-]part",
            r"\bno\s+(?:\w+\s+){0,2}data\s+(?:ever\s+)?(?:goes|leaves|gets\s+sent|is\s+sent|is\s+shared)\b",
            r"\bnothing\s+(?:can\s+|may\s+|must\s+|is\s+allowed\s+to\s+|ever\s+)?leaves?\b|\benclave\b",
            r"\bnothing\s+(?:can|may|must|is\s+allowed\s+to|should)\s+(?:ever\s+)?(?:go|be\s+sent)\s+(?:to|outside)\b",
            # "doesnt want cabinet papers leaving our own network", "can't touch any third-party API"
            r"\b(?:leaving|(?:doesn'?t|does\s+not|don'?t|do\s+not)\s+leave)\s+(?:our|the)\s+(?:own\s+)?(?:network|building|premises|site|walls)\b|\bcan'?t\s+touch\s+(?:any\s+)?third[\s-]party\b",
            r"\b(?:has|have|needs?)\s+to\s+(?:run|stay|live)\s+in[\s-]house\b",
            r"\bon\s+(?:uk|eu|us|german|french|swiss|\w+)\s+soil\b|\bphysically\s+control\b",
            r"\bself[\s-]hosted\s+only\b",
            # "everything underground has to work offline", "anything we use there has to run locally"
            r"\b(?:(?:has|have|needs?|must)\s+to|must)\s+(?:work|run)\s+(?:offline|locally)\b",
        ],
    ),
    "consistency": (
        [
            r"\b(?:can|may)\s+vary\s+(?:in|a\s+bit|a\s+little|slightly)\b|\bwording\s+(?:can|may)\s+vary\b",
            r"\b(?:variety|variation|variance|randomness)\b.*\b(?:fine|ok|okay|good|welcome|great|acceptable)\b",
            # "tone can wander a bit", "fine if the upsell wording varies from one email to the next"
            r"\b(?:tone|style|wording|phrasing)\s+can\s+(?:wander|drift|vary|differ|change)\b|\bfine\s+if\s+(?:the\s+)?(?:\w+\s+){0,2}(?:wording|phrasing|tone|style|outputs?|answers?)\s+(?:varies|vary|differs?|changes?|wanders?)\b",
            r"\b(?:doesn'?t|don'?t|does\s+not|do\s+not)\s+(?:need|have)\s+to\s+be\s+(?:consistent|identical|deterministic)",
            r"\b(?:doesn'?t|don'?t|does\s+not|do\s+not)\s+need\s+(?:\w+\s+)?(?:identical|consistent|deterministic|reproducible|the\s+same)\b",
            r"\bcreativ\w+\s+(?:\w+\s+)?(?:is|are)\s+(?:fine|ok|okay|good|welcome)\b",
            r"\b(?:wording|phrasing|outputs?|answers?|responses?|replies|results?)\s+(?:can|may|could|is\s+allowed\s+to|are\s+allowed\s+to)\s+(?:\w+\s+)?(?:vary|differ|change)\b",
            r"\b(?:same\s+(?:answer|output|result|response)s?|identical\s+(?:\w+\s+)?(?:answer|output|result|response)s?|consisten\w+|determinis\w+|reproducib\w+)\s+(?:\w+\s+){0,3}(?:isn'?t|is\s+not|aren'?t|are\s+not|not|doesn'?t|does\s+not|don'?t|do\s+not)\s+(?:that\s+|really\s+|very\s+|super\s+)?(?:important|matter|needed|required|critical|necessary|a\s+(?:priority|requirement|concern|big\s+deal))\b",
        ],
        [
            r"\bdeterministic\w*\b|\binconsisten\w*\b",
            # "the same claim must always get the same summary"
            r"\bsame\s+\w+\s+(?:must|should|has\s+to|needs?\s+to)\s+(?:always\s+)?(?:get|give|produce|return)\s+the\s+same\b",
            r"\b(?:randomness|variance|variation|non[\s-]?determinis\w+)\b.{0,40}\b(?:dealbreaker|deal[\s-]breaker|unacceptable|not\s+acceptable|a\s+problem|an\s+issue)\b",
            r"\bconsisten(?:t|cy)\b",
            # "it must read the same each time", "the style is different every time", "must quote
            # them exactly"
            r"\b(?:read|sound|look)s?\s+the\s+same\b|\b(?:different|differs?|varies|changes)\s+(?:\w+\s+)?(?:every|each)\s+time\b|\bquote\s+(?:\w+\s+){0,3}exactly\b|\bto\s+the\s+letter\b",
            # "match the fare rules word for word", "the api keeps drifting", "every memo in that exact structure"
            r"\bword\s+for\s+word\b|\bkeeps?\s+drifting\b|\bthat\s+exact\s+(?:structure|format|layout|wording)\b|\bhouse\s+style\b",
            # "same house style every time", "the same explanation must come out for the same alert"
            r"\bsame\s+(?:\w+\s+){0,2}(?:style|format|structure|layout)\s+every\s*time\b|\bsame\s+\w+\s+(?:must|should|has\s+to|needs?\s+to)\s+(?:always\s+)?come\s+out\b",
            r"\bsame\s+(?:question|input|prompt)s?\s*(?:->|→|=>|gives?|,)\s*same\b|\bidentical(?:ly)?\b|\bnever\s+contradict\w*\b|\bsame\s+(?:\w+\s+){0,2}wording\b",
            # "have to read the same way every time", "should be always the same", "same facts in,
            # same wording out", "come out in the exact same format every time"
            r"\b(?:read|sound|look|come\s+out|be)\s+(?:\w+\s+){0,3}the\s+same\s+(?:way\s+)?every\s*time\b",
            r"\b(?:always|every\s*time)\s+the\s+same\b|\bsame\s+\w+\s+in,?\s+same\s+\w+\s+out\b",
            r"\bexact(?:\s+same|ly\s+the\s+same)\s+(?:format|way|wording|structure)\b",
            r"\b(?:same|exact\s+same)\s+(?:answer|output|result)s?\s+every\s*time\b",
            r"\breproduc\w+\b|\brepeatab\w+\b",
            # "the tone has to match our brand guide exactly every time"
            r"\bexactly\s+every\s*time\b|\bmatch\s+(?:\w+\s+){0,3}exactly\b",
            r"\bsame\s+(?:thing|answer|output|result|response)s?\b.{0,40}\bevery\s*time\b",
            r"\bcan'?t\s+have\s+(?:\w+\s+){0,2}(?:changing|varying|drifting|differing)\b|\bfrom\s+one\s+(?:day|run|week|call|request)\s+to\s+the\s+next\b",
            r"\bsame\s+for\s+(?:the\s+)?same\b|\bevery\s+answer\s+is\s+(?:the\s+)?same\b",
            r"\bsame\s+(?:output|answer|result|response)s?\s+for\s+(?:the\s+)?same\s+(?:input|question|prompt|request)s?\b|\bbyte[\s-]for[\s-]byte\b",
            r"\bsame\s+answer\b|\bsame\s+(?:input|question|prompt)\s+(?:\w+\s+){0,2}(?:give|return|produce)s?\s+the\s+same\b",
            r"\bno\s+(?:creative\s+)?(?:variance|variation|randomness)\b",
            r"\brun[\s-]to[\s-]run\b|\bbetween\s+runs\b|\bfrom\s+one\s+run\s+to\s+the\s+next\b",
            r"\b(?:must|can'?t|cannot|can\s+not|shouldn'?t|should\s+not|mustn'?t|must\s+not|may\s+not|never)\s+(?:ever\s+)?(?:drift|vary|differ)\b",
        ],
    ),
    "proprietary_data": (
        [
            r"\b(?:mostly|all|largely|just)\s+public\b",
            r"\bpublic\s+(?:data\w*|stuff|info\w*|filings|sources|documents|websites?|web)\b",
            r"\bnothing\s+(?:special|unique|proprietary)\b",
            r"\bno\s+(?:proprietary|unique)\s+data\b",
            r"\b(?:pretty|fairly|quite|very|rather|mostly)\s+generic\b",
            r"\b(?:nothing|anything)\s+(?:a|our|any)\s+competitors?\s+(?:couldn'?t|could\s+not|can'?t|cannot|could)\s+(?:get|buy|find)\b",
            r"\b(?:anyone|anybody)\s+(?:could|can)\s+(?:get|buy|find|download|access|scrape)\b",
            r"\b(?:not|isn'?t|aren'?t)\s+(?:\w+\s+)?(?:secret|confidential|proprietary|unique|special)\b",
            r"\bscraped\b|\bpublicly\s+available\b|\bopen[\s-]source\s+(?:data|dataset)s?\b",
            r"\bno\s+secret\s+sauce\b|\bpublished\s+anyway\b",
        ],
        [
            r"\bproprietary\b",
            r"\bunique\s+(?:\w+\s+){0,2}(?:data|logs|dataset|corpus|records|archive)\b",
            r"\b(?:nobody|no\s+one|noone|no-one)\s+else\s+has\b",
            r"\b(?:huge|large|massive|big)\s+(?:\w+\s+)?archive\b",
            r"\b(?:years|decades?)\s+of\s+(?:\w+\s+){0,3}(?:data|logs|records|tickets|contracts|research|documents|decisions|cases|claims|wikis?|docs|documentation|notes|reports|emails|transcripts|manuals)\b",
            r"\bnowhere\s+(?:else|on\s+the\s+(?:internet|web))\b",
            r"\bwe\s+(?:own|hold|have\s+built|have\s+collected|collected)\s+(?:\w+\s+){0,4}(?:data|dataset|decisions|records|logs|documents|archive|corpus)\b",
            r"\bdata\s+moat\b",
            r"\b(?:data|logs|records|tickets|archive|history|transcripts)\s+(?:going|dating)\s+back\s+(?:to\s+)?(?:(?:19|20)\d\d|\d+\s+years|decades)\b",
            r"\b(?:data|logs|records|archive|dataset|corpus)\s+(?:\w+\s+){0,4}(?:is|are)\s+(?:pure\s+)?(?:gold|a\s+gold\s?mine|the\s+real\s+asset|our\s+(?:moat|edge|advantage|crown\s+jewels))\b",
            r"\bno\s+(?:other\s+)?(?:competitor|rival|one\s+else|body\s+else)\s+(?:has|have|owns)\b",
            r"\bours\s+alone\b|\bonly\s+we\s+have\b|\bone[\s-]of[\s-]a[\s-]kind\b",
            # "only us have this", "all our own", "none of it public", "that's the real asset here"
            r"\bfrom\s+our\s+own\s+(?:customers|users|clients|members)\b|\bno\s+(?:\w+\s+){0,2}(?:vendor|competitor|rival)\s+has\b",
            r"\bcrown\s+jewels\b|\bthe\s+moat\b|\bnobody\s+outside\s+(?:\w+\s+)?(?:has|have|had|sees|seen|owns)\b|\bno\s+other\s+\w+\s+(?:has|have|owns)\b|\bours\s+alone\b",
            r"\bonly\s+(?:we|us)\s+(?:have|has|own|hold)\b|\b(?:all|entirely|completely)\s+our\s+own\b",
            r"\bnone\s+of\s+(?:it|this|them)\s+(?:is\s+)?public\b|\b(?:the|our)\s+real\s+asset\b",
            r"\b(?:yrs|years|decades?)\s+of\s+(?:[\w-]+\s+){0,3}(?:outcomes|results|notes|experiments|entries|conversations|narratives|logs|prices|history|pairs|cases|tickets|claims|emails)\b",
            # "that history is ours and nobody else's", "every one written by our own people"
            r"\bnobody\s+else'?s\b|\bwritten\s+by\s+our\s+own\s+(?:people|staff|team|experts|advisors|engineers)\b",
            # "6,500 hand-made lease abstracts", "human subtitles already, could train on those"
            r"\bhand[\s-]?(?:made|written|crafted)\s+(?:[\w-]+\s+){0,2}(?:abstracts|examples|summaries|answers|labels|data|notes|replies)\b|\b(?:could|can)\s+train\s+on\s+(?:those|them|these|that)\b",
            r"\bcompetitors?\s+(?:can'?t|cannot|couldn'?t|could\s+not|don'?t|do\s+not|will\s+never)\s+(?:\w+\s+)?(?:get|have|buy|copy|access)\b",
            r"\b(?:labell?ed|annotated|curated|hand[\s-]labell?ed)\s+(?:\w+\s+){0,2}(?:examples|data|dataset|records|reports|pairs|samples|transcripts|tickets|documents|cases|conversations)\b",
            r"\bunique\s+to\s+us\b|\b(?:archive|data|dataset|records|corpus|logs)\s+(?:is|are)\s+unique\b",
            r"\bno\s+one\s+outside\s+(?:\w+\s+){0,3}(?:has|have|owns)\b|\b(?:that'?s|is|are)\s+our\s+edge\b|\ball\s+internal\b",
        ],
    ),
    "jargon": (
        [
            r"\bno\s+(?:special\s+)?jargon\b",
            r"(?<!\bin\s)\bplain\s+(?:english|language)\b",
            r"\b(?:everyday|ordinary|normal|simple|casual)\s+(?:language|english|wording|words)\b",
            r"\bno\s+(?:special|specialist|technical)\s+(?:vocabulary|terms|terminology|language)\b",
        ],
        [
            r"\bjargon\b",
            r"\bacronyms?\b",
            r"\bterminolog\w+\b",
            r"\blingo\b|\blegalese\b|\bbuzzwords\b",
            r"\b(?:internal|product|part|billing|diagnosis|diagnostic|error|industry|tariff|category|sku|column)\s+(?:codes|numbers|names)\b|\bslang\b",
            r"\bshorthand\b|\bnomenclature\b|\babbreviations?\b|\bniche\s+(?:vocabulary|terms|language)\b",
            r"\b(?:specific|specialist|specialised|specialized|technical|legal|medical|scientific)\s+(?:\w+\s+)?(?:vocabulary|terms|terminology|language|wording)\b",
            r"\bindustry[\s-]specific\b|\b(?:specific|own|particular|peculiar)\s+(?:\w+\s+)?(?:dialect|vernacular|jargon)\b",
            r"\bdomain[\s-]specific\s+(?:language|vocab\w*|terms)\b",
            r"\b(?:talk|speak|write)s?\s+in\s+(?:their|our|its)\s+own\s+(?:language|lingo|vocabulary|dialect)\b",
            # "our agents basically talk in codes", "loads of local HR terms like 'ATV'"
            r"\b(?:talk|speak|write)s?\s+in\s+codes\b|\b(?:loads|lots|full)\s+of\s+(?:local\s+|internal\s+|in-house\s+)?(?:\w+\s+)?(?:terms|codes|abbreviations)\b",
            # "a proper cataloguing vocabulary", "regional dialect", "the bot has to speak travel", "a
            # generic model won't know our CLA rules"
            r"\bvocabulary\b|\bdialects?\b|\b(?:has|have|needs?)\s+to\s+speak\s+(?!to\b|with\b)\w+|\ba\s+generic\s+model\s+(?:won'?t|wouldn'?t|doesn'?t|will\s+not|can'?t)\s+(?:know|understand|get)\b",
            # "our clerks write in committee-speak", "scammers use coded language", "our internal terms"
            r"\b[a-z]+-speak\b|\bcoded\s+language\b|\b(?:internal|in[\s-]house|house)\s+(?:terms|terminology|lingo|vocabulary)\b",
            # "weird regional dish names it keeps mangling", "the base models keep mangling it"
            r"\bkeeps?\s+mangling\b|\bmodels?\s+mangle\b|\bmodels?\s+keeps?\s+mixing\s+(?:them|those|these)\s+up\b|\btrips?\s+up\s+every\b",
        ],
    ),
    "latency": (
        [
            r"\blatency(?:'s|\s+is)?\s+(?:isn'?t|is\s+not|doesn'?t|does\s+not|not|no)\s+(?:\w+\s+)?(?:critical|important|matter|an?\s+issue|a\s+concern|(?:a\s+)?big\s+deal|(?:a\s+)?problem|(?:a\s+)?priority|(?:a\s+)?thing)",
            r"\b(?:speed|response\s+times?)\s+(?:really\s+)?(?:doesn'?t|does\s+not|isn'?t|isnt|is\s+not)\s+(?:\w+\s+)?(?:matter|critical|important|an?\s+issue|a\s+concern)",
            r"\b(?:speed|latency|response\s+time)\s+is\s+a\s+non[\s-]?issue\b|\b(?:next\s+morning|same\s+day|next\s+day|by\s+tomorrow)\s+is\s+(?:plenty|fine|ok|okay|enough)\b|\bback\s+(?:the\s+)?same\s+day\b",
            r"\b(?:overnight|nightly)\s+batch\b",
            # "nobody waits on claims notes", "no rush on QA scores", "RCA drafts can take mins",
            # "can take as long as they like", "it's all next-day processing"
            r"\b(?:nobody|no\s*one)\s+waits?\s+(?:on|for)\b|\bno\s+rush\b|\bnext[\s-]day\s+(?:processing|turnaround|is\s+fine)\b",
            r"\bcan\s+take\s+(?:as\s+long\s+as\s+(?:they|it|we|you)\s+(?:like|want|need)|(?:a\s+few\s+|several\s+)?(?:mins?|minutes|hours))\b",
            r"\bbatch\s+(?:job|process\w*)\b",
            r"\basync(?:hronous)?\b",
            r"\bno\s+(?:strict|hard|real|special|tight)\s+latency\b",
            r"\b(?:users|people|customers|they)\s+(?:can|could|will|don'?t\s+mind\s+to)\s+wait\b",
            r"\bnot\s+(?:time[\s-])?(?:critical|sensitive)\b",
            r"\b(?:aren'?t|isn'?t|are\s+not|is\s+not)\s+(?:\w+\s+)?time[\s-](?:sensitive|critical)\b",
            r"\b(?:don'?t|doesn'?t|do\s+not|does\s+not|needn'?t)\s+(?:need\s+to\s+)?be\s+(?:instant\w*|immediate|real[\s-]?time|fast)\b",
            r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not)\s+(?:really\s+)?(?:care|worry)\s+(?:much\s+)?about\s+(?:latency|speed|response\s+times?)\b",
            r"\bruns?\s+over\s?night\b|\b(?:generated|run|processed)\s+over\s?night\b|\b(?:nobody|no\s*one)(?:'s|\s+is)\s+(?:\w+\s+)?waiting\b",
            r"\b(?:near[\s-])?(?:instant\w*|real[\s-]?time|speed|fast\s+(?:answers|responses|replies))\s+(?:isn'?t|is\s+not|aren'?t|are\s+not|not)\s+(?:really\s+)?(?:needed|required|necessary|important|critical|a\s+(?:priority|requirement|concern))\b",
            r"\b(?:lag|delay|wait|latency)\s+(?:is|are)\s+(?:no\s+big\s+deal|fine|ok|okay|acceptable|not\s+a\s+(?:problem|big\s+deal))\b",
            r"\b(?:a\s+few|a\s+couple\s+of|\d+|several|ten|twenty|thirty)\s+(?:seconds?|secs?|minutes?|hours?)\s+(?:\w+\s+){0,2}(?:is|are)\s+(?:totally\s+|perfectly\s+|completely\s+)?(?:fine|ok|okay|acceptable|no\s+big\s+deal|not\s+a\s+problem)\b",
        ],
        [
            r"\blatency\b",
            # "the client's p95 target is 1.2 seconds", "users bail if the first token takes more than a second"
            r"\bp(?:50|9[059])\s+(?:target|goal|budget|sla)\b|\b(?:users|customers|people|callers)\s+(?:bail|drop\s+off|give\s+up|hang\s+up)\s+if\b",
            r"\bsub[\s-]?second\b",
            r"\b(?:live\s+with|tolerate|accept)\s+(?:up\s+to\s+|about\s+|around\s+)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|ms)\b",
            r"\bif\s+it\s+takes\s+(?:more|longer)\s+than\s+(?:a|one|\S+)\s+(?:s|secs?|seconds?|ms)\b",
            r"\breal[\s-]?time\b",
            r"\brespon(?:d|se|se\s+time)\s+(?:under|within|below|in\s+under)\b",
            r"\b(?:under|within|below)\s+\d+\s*(?:ms|milliseconds?)\b",
            r"\binstant\w*\s+(?:answers|responses)\b",
            r"\b(?:must|has\s+to|have\s+to|needs?\s+to)\s+be\s+(?:instant\w*|fast|quick|snappy|immediate)\b",
            r"\b(?:customer|caller|user|patient|client)\s+is\s+(?:still\s+)?on\s+the\s+(?:line|phone)\b",
            r"\b(?:refresh|load|update|appear|come\s+back|return|render)\w*\s+(?:with)?in\s+(?:\d|a\s+few|one|two|half)",
            r"\bwaiting\s+on\s+the\s+(?:phone|line)\b|\bon\s+the\s+(?:phone|line)\s+with\b|\bwhile\s+the\s+(?:customer|caller|user)\s+waits\b",
            r"\b(?:reply|replies|respond|response|responses|answer|answers)\s+(?:with)?in\s+(?:\d+|a\s+few|a|one|two|three)\b",
            r"\b\d+\s*(?:ms|milliseconds?)\b|\bevery\s+(?:millisecond|second)\s+counts\b",
            r"\bfeels?\s+(?:broken|slow|sluggish|laggy)\b|\bfeel\s+(?:instant\w*|snappy|immediate)\b",
            r"\b(?:under|within|below)\s+(?:half\s+a|a|one|\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b|\bwon'?t\s+wait\b",
            # "under ~1.5s", "must come before 1.5 second", "slower than a second and a half is a
            # problem", "players hate lag"
            r"\b(?:under|within|below|before|slower\s+than)\s+~?\s*(?:half\s+a|a|one|\d+(?:[.,]\d+)?)\s*(?:s|secs?|seconds?)\b",
            r"\b(?:hate|can'?t\s+stand|notice)\s+(?:any\s+)?(?:lag|delays?)\b|\b(?:drop\s+off|hang\s+up|close\s+the\s+app)\b",
            r"\b(?:under|within|below)\s+(?:two|three|four|five|ten)\s+(?:s|secs?|seconds?)\b",
        ],
    ),
}


# An industry that is usually regulated, named: "we're a bank", "healthcare", "CFO office at the
# bank here". It sets the regulated pillar, marked inferred unless the message also states a
# regulation or names a rule (_RULE_WORDS): "at the bank here" alone answers no pillar question.
_INDUSTRY_NAMED = [
    r"\b(?:a|we'?re\s+an?|we\s+are\s+an?)\s+(?:\w+\s+)?(?:bank|fintech|hospital|pharma\w*|law\s+firm|government\s+agency|defen[cs]e\s+contractor)\b",
    (
        r"\b(?:banking|healthcare|health\s+care|financial\s+services|public\s+sector|medical|clinical)\b"
        r"(?!\s+(?:billing\s+)?(?:codes?|abbreviations?|terms?|terminology|vocabulary|jargon|acronyms?|shorthand|language))"
    ),
    r"\bhospital\b|\b(?:in|we'?re\s+in)\s+defen[cs]e\b",
    r"\blaw\s+firm\b",
    r"\b(?:bank|hospital|fintech|insurer|pharma\w*|law\s+firm|credit\s+union|pension\s+fund)\s+here\b",
    r"\b(?:a|an|we'?re\s+an?|we\s+are\s+an?)\s+(?:\w+\s+)?(?:credit\s+union|building\s+society|clinic)\b",
]
_RULE_WORDS = (
    r"regulat\w*|complian\w*|audit\w*|\b(?:phi|sec|laws?|act|rules|secrecy|supervis\w*|licen[cs]\w*"
    r"|classified|residency|sovereign\w*|polic(?:y|ies)|validation|accredit\w*)\b"
)
#: What sets a pillar without stating it, besides its own patterns (find_pillars marks it inferred)
_INFERRED_FROM = {"regulated": _INDUSTRY_NAMED}


_REGULATION_STATED = Alternation([*_PILLARS["regulated"][1], _RULE_WORDS])
_COMPILED = {
    p: (Alternation(neg), Alternation([*pos, *_INFERRED_FROM.get(p, [])]))
    for p, (neg, pos) in _PILLARS.items()
}


def _span(message: str, m: re.Match) -> Span:
    return Span(start=m.start(), end=m.end(), text=message[m.start() : m.end()])


# Words that name a pillar's topic without saying anything about the user's situation: a job
# ("I'm from compliance") is blanked out before the pillars are looked for.
_NEUTRAL = re.compile(
    r"\b(?:i'?m|im|i\s+am|i\s+work)\s+(?:from|in|on)\s+(?:the\s+)?(?:compliance|legal|risk)(?:\s+(?:team|side|department|dept))?\b"
    # a department or a role: "regulatory affairs here", "medical information spends 12k"
    r"|\b(?:regulatory|medical)[\s-]+(?:affairs|information|intelligence)\b|\bcompliance\s+officer\b"
)


def find_pillars(message: str) -> list[PillarSignal]:
    lowered = _NEUTRAL.sub(lambda m: " " * len(m.group(0)), message.lower())
    out: list[PillarSignal] = []
    present: dict[str, bool] = {}  # which rule words the message holds, shared by the searches
    for pillar, (neg, pos) in _COMPILED.items():
        hit = neg.search(lowered, present)
        if hit is not None:
            out.append(
                PillarSignal(pillar=pillar, value=False, span=_span(message, hit), confidence=0.8)
            )
            continue
        hit = pos.search(lowered, present)
        if hit is not None:
            inferred = pillar == "regulated" and not _REGULATION_STATED.search(lowered, present)
            out.append(
                PillarSignal(
                    pillar=pillar,
                    value=True,
                    span=_span(message, hit),
                    confidence=0.7 if inferred else 0.85,
                    inferred=inferred,
                )
            )
    return out


_SAME_BUT = re.compile(
    r"\b(?:the\s+)?same\s+(?:[\w,]+\s+){0,2}?(?:but|except|with|only)\b|\blike\s+before\s+but\b"
)
_GO_BACK = re.compile(
    r"\brestore\b|\bgo\s+back\b|\bput\s+it\s+back\b|\bhow\s+it\s+was\b|\bas\s+it\s+was\b|\bback\s+to\s+(?:the\s+)?(?:previous|earlier|last|old)\b|\brevert\s+to\b"
    r"|\bback\s+to\s+(?:where|how|what)\s+(?:we|it|things|they)\s+(?:were|was|had)\b|\bthe\s+way\s+(?:it|things)\s+(?:was|were)\b"
    r"|\b(?:put|set|change|turn|switch)\s+(?:it|that|this|them|the\s+[\w-]+(?:\s+[\w-]+)?)\s+back\b"
)
_ANAPHORA = [
    re.compile(
        r"(?<!\bdoes )(?<!\bwould )(?<!\bwill )(?<!\bdid )(?<!\bcould )"  # "does that change X": a verb
        r"\b(?:that|this|those|these)\s+(?:\w+\s+)?(?:number|numbers|figure|figures|total|result|results|"
        r"chart|plot|graph|estimate|scenario|option|change|one|answer|breakdown|cost|table|calculation)\b"
    ),
    re.compile(
        r"(?<!\brun )(?<!\bcrunch )\bthe\s+(?:[\w-]+\s+){0,2}(?:numbers?|figures?|charts?|plots?|graphs?|lines?|totals?|tables?|curves?|bars?|rows?)\b"
    ),
    re.compile(
        r"\b(?:explain|undo|scrap|drop|change|redo|rerun|run|try|revert|check|trust)\s+(?:all\s+)?that\b"
        r"|\bat\s+(?:that|this|those)\s+(?:scale|volume|level|price|rate|size|usage|traffic)\b"
    ),
    re.compile(
        r"\bthat(?:'s|\s+is)\s+(?:helpful|great|useful|interesting|wrong|odd|weird|high|low|too)\b"
    ),
    re.compile(
        r"\b(?:does|is|would|will|can|could|should|do|run|try|make|look\s+at|put|if|redo|rerun|recalculate|recompute|evaluate|calculate|compute|price|model|cost|serve[ds]?|serving|host(?:ed|ing)?|running|ran|moved?|moving|deploy(?:ed|ing)?|train(?:ed|ing)?|switch(?:ed|ing)?)\s+it\b(?!\s+(?:is|matter|that|possible|likely|true)\b)(?!\s+\w+\s+to\b)(?!\s+worth\s+\w+ing\b)"
    ),
    re.compile(
        r"\bit\s+(?:triples|doubles|halves|drops|grows|breaks|pays)\b|\bit'?s\s+more\s+like\b"
    ),
    re.compile(
        r"\b(?:these|those)\s+(?:\w+\s+)?(?:figures|numbers)\b|\bhow\s+sure\s+are\s+you\s+about\s+these\b"
    ),
    re.compile(r"\byour\s+(?:table|chart|numbers|figures|results|breakdown|estimate|plot)\b"),
    re.compile(
        r"\byou\s+(?:said|mentioned)\b|\byour\s+(?:last|previous|earlier)\s+(?:msg|message|answer|reply|response|recommendation)\b"
        r"|\bthat\s+(?:seems|sounds|looks|ignores)\b|"
        r"\b(?:if|when)\s+they\b|\b(?:double|triple|half|twice|quadruple|\d+x)\s+(?:that|this|those)\b"
    ),
    re.compile(
        r"\b(?:the|that|this)\s+(?:[\w-]+\s+){0,3}(?:you|u)\s+(?:just\s+)?(?:gave|quoted|showed|mentioned|came\s+up\s+with|computed|calculated|suggested)\b"
    ),
    re.compile(r"\bthat\s+was\s+(?:a|an|wrong|my|the|not)\b"),
    re.compile(r"\b(?:correction|actually)\W+it'?s\b"),
    re.compile(r"\b(?:would|will|does|did|could)\s+that\s+(?!\w+\s+to\b)\w+"),
]


# the patterns that rest on a bare "it"
_THAT_VERB = _ANAPHORA[-1]
assert _THAT_VERB.pattern.startswith(r"\b(?:would|will|does|did|could)\s+that")
_IT = tuple(p for p in _ANAPHORA if p.pattern.startswith((r"\b(?:does|is|would", r"\bit\s+")))
assert len(_IT) == 2
_OWN_CONTEXT_WORDS = 15


# "on the line" is a phone call, not a line of a chart
_NOT_A_FIGURE = re.compile(r"\bon\s+the\s+(?:line|phone)\b")


def find_references(message: str, context: ConversationContext | None) -> list[Reference]:
    lowered = _NOT_A_FIGURE.sub(lambda m: " " * len(m.group(0)), message.lower())
    target = None
    if context is not None and context.last_scenario_fields:
        target = context.last_scenario_fields[-1]
    elif context is not None and context.last_topic:
        target = context.last_topic
    out: list[Reference] = []
    for kind, pattern in (("same_but", _SAME_BUT), ("go_back", _GO_BACK)):
        m = pattern.search(lowered)
        if m:
            out.append(Reference(kind=kind, span=_span(message, m), resolved_to=target))
    if not out:
        for pattern in _ANAPHORA:
            m = pattern.search(lowered)
            if m and pattern in _IT and len(lowered[: m.start()].split()) >= _OWN_CONTEXT_WORDS:
                continue  # a long message that sets out its own case: "it" is something in it
            if m and pattern is _THAT_VERB and re.search(r"\s[-–—]\s", lowered[: m.start()]):
                continue  # "what if volume doubles - does that change ...": that = the clause before
            if m:
                out.append(Reference(kind="anaphora", span=_span(message, m), resolved_to=target))
                break
    return out
