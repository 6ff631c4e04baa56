"""Score retrieval against a question set (recall@k, MRR, off-topic refusals), for the test and bench.

A question set is YAML: ``questions: [{id, question, expected: [{file, section}]}]`` (or a bare
list); ``expected: []`` marks an off-topic question that should get no guidance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.base import KnowledgeBase

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "retrieval_questions.yaml"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    expected: tuple[tuple[str, str], ...]  # (file, section); empty = off-topic


@dataclass
class QuestionOutcome:
    question: Question
    rank: int | None  # 1-based rank of the first expected section among the results; None = missed
    no_guidance: bool
    best_similarity: float


@dataclass
class Evaluation:
    outcomes: list[QuestionOutcome] = field(default_factory=list)

    @property
    def on_topic(self) -> list[QuestionOutcome]:
        return [o for o in self.outcomes if o.question.expected]

    @property
    def off_topic(self) -> list[QuestionOutcome]:
        return [o for o in self.outcomes if not o.question.expected]

    def recall_at(self, k: int) -> float:
        hits = [o for o in self.on_topic if o.rank is not None and o.rank <= k]
        return len(hits) / max(1, len(self.on_topic))

    @property
    def mrr(self) -> float:
        return sum(1.0 / o.rank for o in self.on_topic if o.rank) / max(1, len(self.on_topic))

    @property
    def off_topic_refused(self) -> float:
        return sum(o.no_guidance for o in self.off_topic) / max(1, len(self.off_topic))

    @property
    def on_topic_refused(self) -> float:
        return sum(o.no_guidance for o in self.on_topic) / max(1, len(self.on_topic))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data["questions"] if isinstance(data, dict) else data
    return [
        Question(
            id=str(item.get("id", n)),
            question=item["question"],
            expected=tuple((e["file"], e["section"]) for e in item.get("expected") or []),
        )
        for n, item in enumerate(items, 1)
    ]


def evaluate(kb: KnowledgeBase, questions: list[Question], k: int = 5) -> Evaluation:
    """Search each question, recording the rank of the first expected section, whether it was
    refused, and the best similarity (what the relevance floor is compared with)."""
    evaluation = Evaluation()
    for q in questions:
        result = kb.search(q.question, k=k)
        expected = {(Path(f).name, _norm(s)) for f, s in q.expected}
        rank = next(
            (n for n, p in enumerate(result.passages, 1)
             if (Path(p.source).name, _norm(p.section)) in expected),
            None,
        )
        evaluation.outcomes.append(
            QuestionOutcome(q, rank, result.no_guidance, result.best_similarity)
        )
    return evaluation
