"""tracker/web/forms.py's no_control_characters: text people type may hold line breaks and tabs,
but no other control character and nothing that reverses how the text around it reads."""

import pytest
from wtforms.validators import ValidationError

from tracker.web.forms import no_control_characters


class Field:
    def __init__(self, data):
        self.data = data


@pytest.mark.parametrize(
    "typed",
    ["Lambeth\x00", "bell\x07", "delete\x7f", "c1\x85", "evil\u202egnp.exe", "iso\u2066late\u2069"],
)
def test_control_and_direction_characters_are_refused(typed):
    with pytest.raises(ValidationError, match="Remove the unusual characters"):
        no_control_characters(None, Field(typed))


@pytest.mark.parametrize(
    "typed", ["", None, "Line one\r\nLine two\tand a tab", "Café Ōsaka ‘quoted’ – £5", "مرحبا"]
)
def test_ordinary_text_in_any_script_is_kept(typed):
    no_control_characters(None, Field(typed))
