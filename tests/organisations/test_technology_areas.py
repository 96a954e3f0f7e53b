"""Technology areas from what registers write: the shipped synonyms, checked on load."""

from __future__ import annotations

import pytest

from labelling.organisations.technology_areas import (
    SYNONYMS_FILE,
    BadSynonyms,
    area_for,
    load_synonyms,
)


@pytest.mark.parametrize(
    "written, area",
    [
        # Issue 26, finding 6: values of a real register that were refused.
        ("Health and medical", "health_medical"),
        ("Aerospace", "aviation_space"),
        ("Maritime", "maritime_water"),
        ("Transport and logistics", "transport_logistics"),
        # What the import read before, still read.
        ("Maritime and water", "maritime_water"),
        ("energy_environment", "energy_environment"),
        ("ICT", "ict"),
        ("  Lebensmittel ", "food"),
        ("Énergie", "energy_environment"),
    ],
)
def test_what_registers_write_is_a_known_area(written, area):
    assert area_for(written) == area


def test_a_value_no_list_knows_is_left_for_a_person():
    assert area_for("Wood and furniture") is None and area_for("Textiles") is None


def test_the_shipped_synonyms_are_sound():
    assert load_synonyms(SYNONYMS_FILE)


@pytest.mark.parametrize(
    "text, message",
    [
        ("space_mining: [asteroids]\n", "no technology area 'space_mining'"),
        ("food: [cheese]\nconstruction: [Cheese]\n", "'Cheese' is under food and construction"),
        ("food: cheese\n", "food must list words"),
    ],
)
def test_a_bad_synonyms_file_is_refused(tmp_path, text, message):
    path = tmp_path / "synonyms.yaml"
    path.write_text(text)
    with pytest.raises(BadSynonyms, match=message):
        load_synonyms(path)
