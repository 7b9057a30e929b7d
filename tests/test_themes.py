"""Theme coding from the codebook: strong and weak triggers, exclusions, offsets, analyst YAML.

All sentences are invented for these tests.
"""
from __future__ import annotations

import pytest

from graph_builder.extract import pipeline
from graph_builder.extract.pipeline import CODEBOOK_ENV, code_turn
from graph_builder.model import Turn
from schemas import load_codebook


@pytest.fixture(autouse=True)
def bundled_codebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CODEBOOK_ENV, raising=False)


def _turn(text: str, *, prefix: str = "Q: Tell us.\nA: ", role: str = "interviewee") -> tuple[str, Turn]:
    full = prefix + text
    return full, Turn(index=3, speaker="A", speaker_role=role, start=len(prefix), end=len(full), text=text)


def _themes(text: str) -> set[str]:
    return {c.theme for c in code_turn(_turn(text)[1])}


def test_a_strong_trigger_codes_on_its_own() -> None:
    assert "defection" in _themes("After two winters he deserted and never went back to the checkpoint.")
    assert "recruitment" in _themes("My cousin Faris joined the group when he was seventeen.")
    assert "slavery" in _themes("The girls from our street were sold as sabaya in the town square.")


def test_a_lone_weak_generic_word_does_not_code() -> None:
    assert "life_inside" not in _themes("We ate bread with my grandmother on Fridays.")
    assert "financing" not in _themes("My uncle never had enough money for a car.")
    assert "recruitment" not in _themes("Come and join us for dinner tomorrow.")
    assert "brutality" not in _themes("He now works as a guard at a prison in the capital.")


def test_two_distinct_weak_triggers_in_one_turn_code() -> None:
    assert "life_inside" in _themes("The bread was scarce and the prices rose every week.")
    # the same weak word twice is still one piece of evidence
    assert "life_inside" not in _themes("Bread, bread, always bread on the table.")


def test_an_excluded_context_voids_the_trigger() -> None:
    assert "mental_health" not in _themes("They wanted to turn the older boys into suicide bombers.")
    assert "mental_health" in _themes("Years later she still thought about suicide at night.")


def test_interviewer_turns_are_never_coded() -> None:
    _, turn = _turn("Did you ever see a beheading or an execution?", role="interviewer")
    assert code_turn(turn) == []


def test_evidence_offsets_are_exact_in_the_interview_text() -> None:
    text = ("Nobody could buy cigarettes, and the hisba whipped a man who did. "
            "Later I defected with two friends; the nightmares have not stopped.")
    full, turn = _turn(text)
    codes = code_turn(turn)
    assert {c.theme for c in codes} >= {"life_inside", "brutality", "defection", "mental_health"}
    for code in codes:
        assert full[code.start:code.end] == code.evidence
        assert turn.start <= code.start < code.end <= turn.end


def test_weak_evidence_offsets_point_at_the_first_weak_trigger() -> None:
    full, turn = _turn("In those months the electricity was cut and the food was rationed.")
    (code,) = [c for c in code_turn(turn) if c.theme == "life_inside"]
    assert full[code.start:code.end] == code.evidence == "electricity"


def test_an_analysts_codebook_with_a_new_theme_works(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "codebook.yaml"
    book.write_text(
        "themes:\n"
        "  children:\n"
        "    label: Children in the group\n"
        "    patterns: ['child soldiers?']\n"
        "    weak: ['boys', 'orphans?', 'classroom']\n"
        "    min_weak: 2\n"
        "    exclude: ['boys and girls club']\n"
        "  media:\n"
        "    label: Pictures and video of events\n"
        "    patterns: ['filmed']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(CODEBOOK_ENV, str(book))
    assert {t.code for t in load_codebook(str(book))} == {"children", "media"}
    assert _themes("They used child soldiers at the front.") == {"children"}
    assert _themes("The orphans sat in a classroom with the other boys.") == {"children"}
    assert _themes("The boys were playing outside.") == set()
    assert _themes("The orphans went to the boys and girls club.") == set()
    full, turn = _turn("Somebody filmed the whole march.")
    (code,) = code_turn(turn)
    assert (code.theme, full[code.start:code.end]) == ("media", "filmed")


def test_the_bundled_codebook_declares_only_known_keys() -> None:
    import yaml

    from schemas import HERE

    data = yaml.safe_load((HERE / "codebook.yaml").read_text(encoding="utf-8"))
    for code, spec in data["themes"].items():
        assert set(spec) <= {"label", "patterns", "weak", "min_weak", "exclude"}, code
        assert spec.get("patterns"), code
    assert pipeline._theme_rules(None)


def test_courtroom_guilt_and_fleeing_a_village_are_not_coded() -> None:
    assert "mental_health" not in _themes("The defendant said he was not guilty, but the judge found him guilty of membership.")
    assert "defection" not in _themes("With my grandchildren I managed to escape from the village at night.")
    assert "life_inside" not in _themes("The town is now under the control of the Kurdish-led forces.")
    assert "life_inside" not in _themes("Families are living under the trees near the border.")


def test_returnees_propaganda_and_belief_are_coded() -> None:
    assert "foreign_fighters" in _themes("Many foreign women and the jihadis from Belgium are held there.")
    assert "recruitment" in _themes("The online videos drew him in within months.")
    assert "motivations" in _themes("I went, believing they had built a just state.")
    assert "life_inside" in _themes("I wanted to live under their flag.")


def test_army_basic_training_and_escaping_territory_are_not_isis_themes() -> None:
    assert "training" not in _themes("The cadets had just finished basic training at the base.")
    assert "defection" not in _themes("The farmers managed to escape from ISIS-controlled territory on foot.")
    assert "defection" not in _themes("All I have left is my brother's old phone.")


def test_haunting_memories_faith_and_travel_with_a_spouse_are_coded() -> None:
    assert "mental_health" in _themes("What he saw that week continues to haunt him.")
    assert "motivations" in _themes("She said she went for the sake of Islam.")
    assert "foreign_fighters" in _themes("She came to Syria with her Algerian husband in 2015.")


def test_civilians_fleeing_and_war_deaths_are_not_defection_or_brutality() -> None:
    assert "defection" not in _themes("Families who fled Islamic State's last stronghold reached the camp.")
    assert "defection" not in _themes("The smuggler finally decided to quit last winter.")
    assert "brutality" not in _themes("A roadside bomb went off and it killed my cousin on the road.")
    assert "brutality" not in _themes("At night the wind whips between the tents.")


def test_members_leaving_and_jihadi_rule_are_coded() -> None:
    assert "defection" in _themes("He had tried to escape Islamic State twice before the battle.")
    assert "defection" in _themes("Dozens of fighters who surrendered said they regretted it.")
    assert "life_inside" in _themes("We fled hunger and jihadi rule in the town.")
    assert "life_inside" not in _themes("He lit another cigarette and looked away.")
