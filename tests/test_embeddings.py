"""Statements found by meaning: the sentence encoder (ONNX on CPU, weights from Maven
Central), the vectors each store keeps with its interviews, its vector index, and the
fallback to words and names when there is no model. Texts here are FICTIONAL."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graph_builder import embeddings
from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.claims import corroborate_claim

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"


def _model() -> embeddings.Encoder:
    model = embeddings.encoder()
    if model is None:  # a failure, never a skip: scripts/setup.sh fetches it
        pytest.fail(embeddings.missing_reason())
    return model


def test_the_encoder_puts_one_meaning_near_and_another_far() -> None:
    v = _model().encode(["ISIS took Sinjar on the third of August 2014.",
                         "It was the third of August, 2014, the day Daesh took Shingal.",
                         "My children were hungry all winter."])
    assert v.shape == (3, embeddings.DIMENSIONS)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]
    back = embeddings.from_bytes(embeddings.to_bytes(v))  # int8 in the store: cosine kept
    assert np.allclose(back @ back.T, v @ v.T, atol=0.02)


def test_each_store_keeps_the_vectors_with_its_interviews(corpus_stores) -> None:
    from tests.test_store_contract import same

    query = embeddings.to_bytes(_model().encode(["They took Shingal on the third of August."]))[0]
    answers = [s.similar_sentences(query, 5) for s in corpus_stores]
    assert answers[0] and [a[:3] for a in answers[0]] == [a[:3] for a in answers[1]]
    assert all(abs(x[3] - y[3]) < 0.01 for x, y in zip(*answers))
    assert answers[0][0][3] >= answers[0][-1][3]  # nearest first
    same(corpus_stores, lambda s: s.similar_sentences(query, 0))


def test_replacing_and_deleting_an_interview_takes_its_vectors(tmp_path: Path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "w1.md"
    path.write_text("---\ninterviewee: Umm Salma\n---\nUmm Salma: The fighters burned the wheat "
                    "fields outside Manbij in the spring.\n", encoding="utf-8")
    store = SQLiteStore(tmp_path / "g.db")
    ingest([folder], store, nlp)
    query = embeddings.to_bytes(_model().encode(["They set fire to the crops near Manbij."]))[0]
    (hit,) = store.similar_sentences(query, 5)
    assert hit[0] == "w1#0" and hit[3] > 0.5
    path.write_text("---\ninterviewee: Umm Salma\n---\nUmm Salma: We sold our sheep in Jarablus "
                    "before the winter came.\n", encoding="utf-8")
    ingest([folder], store, nlp)
    (hit,) = store.similar_sentences(query, 5)  # the new version's sentence only
    assert hit[3] < 0.5
    assert store.delete_interview("w1") and store.similar_sentences(query, 5) == []
    store.close()


def test_without_the_model_a_statement_is_found_by_its_words_and_says_so(sample_store,
                                                                         monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(embeddings.MODEL_ENV, str(tmp_path / "no-model"))
    assert embeddings.encoder() is None
    found = corroborate_claim(sample_store, "ISIS took Sinjar on the third of August 2014.")
    assert found.retrieval.startswith("words and entities only: no sentence-embedding model")
    assert [s.pseudonym for s in found.sources][:2] == ["Shireen", "Abu Mustafa"]


def test_meaning_finds_more_of_the_development_facts_than_words_alone(nlp, monkeypatch,
                                                                        tmp_path) -> None:
    from graph_builder.extract.evaluate import claims_report

    args = (SHARED / "docs", SHARED / "corroboration.json", nlp)
    with_meaning = claims_report(*args)["recall"]
    monkeypatch.setenv(embeddings.MODEL_ENV, str(tmp_path / "no-model"))
    words_only = claims_report(*args)["recall"]
    assert with_meaning >= 0.8 and with_meaning >= words_only
