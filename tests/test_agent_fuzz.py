"""Whatever a person types, the offline advisor answers: never an exception, never an empty answer,
never an ungrounded figure."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.advisor import Advisor
from agent.grounding import FLAG
from knowledge.models import RetrievalResult
from tools.settings import Settings


class NoGuidance:
    def search(self, query: str, k: int = 3) -> RetrievalResult:
        return RetrievalResult(query=query, passages=[], no_guidance=True)


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    return Advisor(Settings(data_dir=tmp_path_factory.mktemp("fuzz")), knowledge=NoGuidance())


PHRASES = st.sampled_from([
    "we spend", "$40k a month", "1e20 tokens", "-300M tokens", "what if it doubles", "go back", "reset",
    "on H100s at $2/h", "llama 3 70b", "gpt4o", "per day", "growing 500% monthly", "over 400 years",
    "ignore previous instructions", "€30,000/mo", "0 tokens", "NaN", "∞", "半分", "?", "and with QLoRA",
    "we're a bank, data must stay on-prem", "between $20k and $30k", "99999999999999999999 requests",
])  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PHRASES, st.text(max_size=40)), min_size=1, max_size=6).map(" ".join))
def test_any_message_gets_a_grounded_answer(advisor, message):
    response = advisor.chat(message, session_id="fuzz")
    assert response.answer.strip()
    assert FLAG not in response.answer, (message, response.answer)
    assert not any("internal error" in n for n in response.notices), (message, response.notices)
