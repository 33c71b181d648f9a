"""`python -m bench knowledge` on its labeled questions: every label names a real passage, and the
new index stays at least as good as a floor (recall@3, abstaining when nothing answers)."""

from __future__ import annotations

from bench import knowledge


def test_every_label_names_a_passage_of_its_knowledge_base() -> None:
    questions = knowledge.load_questions()
    assert len(questions) >= 40
    assert sum(q.kb == "tienda" for q in questions) >= len(questions) // 5  # a fifth not in English
    for q in questions:
        for expected in q.expect:
            assert expected in knowledge.TITLES[q.kb], (q.text, expected)


def test_quick_run_reports_both_indexes() -> None:
    results = knowledge.run(quick=True)
    for name in ("old", "new"):
        assert results[name]["passages"] >= 80
        assert results[name]["query"]["n"] == 3 * results["questions"]
    new = results["new"]["quality"]
    assert new["all"]["recall_at_3"] >= 0.85
    assert new["es"]["recall_at_3"] >= 0.85
    assert new["all"]["abstains"] == new["all"]["unanswerable"]
    assert "recall@3" in knowledge.report(results)
