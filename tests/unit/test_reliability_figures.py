"""The recorder behind tests/RELIABILITY.md adds up repeated figures and tabulates each run."""

from tests.reliability import Figures, table


def test_a_figure_recorded_twice_adds_up_and_a_word_replaces():
    figures = Figures()
    figures.record("concurrency", "clients", 50)
    figures.record("concurrency", "clients", 200)
    figures.record("concurrency", "verdict", "nothing lost")
    assert figures.sections == {"concurrency": {"clients": 250, "verdict": "nothing lost"}}
    assert figures.lines() == ["concurrency: clients 250, verdict nothing lost"]


def test_the_table_has_a_column_per_database_and_a_row_per_figure():
    runs = [
        {"database": "sqlite", "finished_at": "t1", "sections": {"access": {"checked": 10}}},
        {"database": "postgresql", "finished_at": "t2", "sections": {"access": {"checked": 12}}},
    ]
    text = table(runs)
    assert "| proof | figure | sqlite | postgresql |" in text
    assert "| access | checked | 10 | 12 |" in text
    assert "sqlite t1, postgresql t2" in text
