"""The knowledge corpus is well-formed, retrievable section by section, in our own words, and the
retrieval question set points at sections that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from knowledge.documents import split_questions

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "knowledge" / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.yaml"
# CI runs with the shared folder beside the clone (../shared), as it is on the dev machine.
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_9577ea5ee844e0b7.txt"

MIN_WORDS, MAX_WORDS = 80, 300
COPY_RUN = 12  # words: a run this long shared with the seed counts as copied wording

CORPUS_FILES = sorted(CORPUS.glob("*.md"))


def parse_markdown(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Return (the `#` titles, [(`##` heading, body)]) of a document, ignoring fenced code."""
    titles: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"^# \S", line):
            titles.append(line[2:].strip())
        elif not in_fence and re.match(r"^## \S", line):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    return titles, [(heading, "\n".join(body).strip()) for heading, body in sections]


def section_questions(path: Path) -> dict[str, tuple[str, ...]]:
    """Each section's hidden ``<!-- questions`` list (knowledge.documents reads it the same way)."""
    return {
        heading: split_questions(body)[1]
        for heading, body in parse_markdown(path.read_text("utf-8"))[1]
    }


def words(text: str) -> list[str]:
    """Lower-case word tokens, with typographic apostrophes folded so quoting style can't hide a copy."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def shared_runs(text: str, reference: str, n: int = COPY_RUN) -> list[str]:
    """Every run of ``n`` consecutive words of ``text`` that also occurs in ``reference``."""
    ref = words(reference)
    ref_runs = {tuple(ref[i : i + n]) for i in range(len(ref) - n + 1)}
    own = words(text)
    return [
        " ".join(own[i : i + n])
        for i in range(len(own) - n + 1)
        if tuple(own[i : i + n]) in ref_runs
    ]


def corpus_headings() -> dict[str, set[str]]:
    return {
        path.name: {h for h, _ in parse_markdown(path.read_text("utf-8"))[1]}
        for path in CORPUS_FILES
    }


def load_questions() -> list[dict]:
    return yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]


def test_corpus_exists_with_enough_sections():
    assert CORPUS_FILES, "knowledge/corpus/ holds no Markdown files"
    total = sum(len(headings) for headings in corpus_headings().values())
    assert total >= 60, f"only {total} sections in the corpus"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_is_well_formed(path: Path):
    text = path.read_text("utf-8")  # raises if the file is not UTF-8
    titles, sections = parse_markdown(text)
    first_line = next(line for line in text.splitlines() if line.strip())
    assert first_line.startswith("# "), f"{path.name} must start with its '# Title'"
    assert len(titles) == 1, f"{path.name} has {len(titles)} '#' titles"
    assert sections, f"{path.name} has no '##' sections"
    headings = [heading for heading, _ in sections]
    assert len(headings) == len(set(headings)), f"duplicate headings in {path.name}"
    preamble = text.split("\n## ", 1)[0].splitlines()[1:]
    assert not "".join(preamble).strip(), (
        f"{path.name}: text between the title and the first section"
    )
    for heading, body in sections:
        body = split_questions(body)[0]
        count = len(body.split())
        assert body, f"{path.name}: section {heading!r} is empty"
        assert MIN_WORDS <= count <= MAX_WORDS, f"{path.name}: {heading!r} has {count} words"
        assert not re.search(r"^#{3,} ", body, re.MULTILINE), (
            f"{path.name}: {heading!r} has sub-headings"
        )


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_section_lists_the_questions_it_answers(path: Path):
    for heading, questions in section_questions(path).items():
        assert len(questions) >= 5, f"{path.name}: {heading!r} lists {len(questions)} questions"
        assert len(set(questions)) == len(questions), f"{path.name}: {heading!r} repeats a question"


def test_sections_questions_are_not_the_evaluation_questions():
    """The sections' questions were written without seeing the evaluation sets; none may be one."""
    def norm(text: str) -> str:
        return " ".join(words(text))

    listed = {norm(q) for path in CORPUS_FILES for qs in section_questions(path).values() for q in qs}
    evaluation = load_questions() + yaml.safe_load(
        QUESTIONS.with_name("retrieval_questions_heldout.yaml").read_text("utf-8")
    )["questions"]
    assert not [q["id"] for q in evaluation if norm(q["question"]) in listed]


def test_question_set_shape():
    questions = load_questions()
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), "question ids must be unique"
    on_topic = [q for q in questions if q["expected"]]
    off_topic = [q for q in questions if not q["expected"]]
    assert len(on_topic) >= 48
    assert len(off_topic) >= 5
    texts = [q["question"].strip().lower() for q in questions]
    assert len(texts) == len(set(texts)), "a question appears twice"


def test_every_expected_section_exists():
    headings = corpus_headings()
    for q in load_questions():
        for target in q["expected"]:
            assert target["file"] in headings, f"{q['id']}: no corpus file {target['file']!r}"
            assert target["section"] in headings[target["file"]], (
                f"{q['id']}: no section {target['section']!r} in {target['file']}"
            )


def test_questions_do_not_copy_headings():
    """Questions are phrased the way people ask, so none may simply restate a section heading."""
    all_headings = {h.lower() for hs in corpus_headings().values() for h in hs}
    for q in load_questions():
        assert q["question"].strip().rstrip("?").lower() not in all_headings, q["id"]


def test_every_corpus_file_is_asked_about():
    asked = {target["file"] for q in load_questions() for target in q["expected"]}
    missing = {path.name for path in CORPUS_FILES} - asked
    assert not missing, f"no evaluation question targets {sorted(missing)}"


def test_copy_detector_catches_a_copied_sentence():
    # Hand-made case: the reference contains a 14-word sentence; a text quoting 12 of those words in
    # a row (with a curly apostrophe) must be flagged, and a paraphrase must not.
    reference = "The model’s weights stay frozen while two small matrices learn the update for each layer here."
    copied = "As noted, the model's weights stay frozen while two small matrices learn the update for each layer."
    paraphrase = (
        "Only two thin matrices per layer are trained; the original weights are left untouched."
    )
    assert shared_runs(copied, reference)
    assert not shared_runs(paraphrase, reference)


@pytest.mark.skipif(not SEED.exists(), reason=f"seed analysis not present at {SEED}")
def test_corpus_wording_is_our_own():
    seed = SEED.read_text("utf-8")
    copies = {path.name: shared_runs(path.read_text("utf-8"), seed) for path in CORPUS_FILES}
    copies = {name: runs for name, runs in copies.items() if runs}
    assert not copies, f"runs of {COPY_RUN} words copied from the seed analysis: {copies}"
