import pytest

from timeline.typography import curly_quotes, in_quotes


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ('No Pause for the "Reset"', "No Pause for the “Reset”"),
        ("Putin's return and the tit-for-tat years", "Putin’s return and the tit-for-tat years"),
        ('"Foreign agents" law', "“Foreign agents” law"),
        ("Initially, the 'reset' between", "Initially, the ‘reset’ between"),
        ("NGOs' (NGO) partners", "NGOs’ (NGO) partners"),
        ("the '90s", "the ’90s"),
        ('("quoted")', "(“quoted”)"),
        ("Plain words", "Plain words"),
    ],
)
def test_straight_quotes_become_typographic_ones(typed, printed):
    assert curly_quotes(typed) == printed


def test_a_quoted_title_turns_its_own_quotes_single():
    assert in_quotes('No Pause for the "Reset"') == "“No Pause for the ‘Reset’”"
    assert in_quotes("No Pause for the “Reset”") == "“No Pause for the ‘Reset’”"
