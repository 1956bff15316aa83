"""`python -m bench --only ...`: the scenarios asked for, the baselines their ratios need, and
only the targets those scenarios can show."""

from __future__ import annotations

import pytest

from bench.config import parse
from bench.report import checks
from bench.run import chosen
from bench.scenarios import Scenario

KEYS = ["S1", "S2", "S3", "S4", "S5", "S6-base", "S6", "S7"]
KEYS += ["P-search-common", "P-search-selective", "U-search-all", "U-search-selective"]
KEYS += ["S8", "S9", "S9-deep", "S10", "C1", "C2", "C3"]
ALL = [Scenario(key=key, label=key, method="GET", path="/") for key in KEYS]


def measured(rps: float, p50: float) -> dict[str, float]:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p50 * 2}


def test_only_parses_a_comma_separated_list_in_any_case() -> None:
    assert parse(["--only", "s1, S4"]).only == ("S1", "S4")
    assert parse([]).only == ()


def test_the_scenarios_asked_for_come_with_their_baselines_in_the_usual_order() -> None:
    assert [s.key for s in chosen(ALL, ("S7", "S1"))] == ["S1", "S2", "S7"]
    assert [s.key for s in chosen(ALL, ("S6",))] == ["S6-base", "S6"]
    assert chosen(ALL, ()) == ALL


def test_the_searches_are_chosen_in_any_case_with_their_unfiltered_first_page() -> None:
    only = parse(["--only", "p-search-common,U-SEARCH-SELECTIVE"]).only
    assert [s.key for s in chosen(ALL, only)] == [
        "S2",
        "S6-base",
        "P-search-common",
        "U-search-selective",
    ]


def test_the_deep_feed_page_comes_with_the_first_feed_page() -> None:
    assert [s.key for s in chosen(ALL, ("s9-DEEP",))] == ["S9", "S9-deep"]
    assert [s.key for s in chosen(ALL, ("S10", "S8"))] == ["S8", "S10"]


def test_an_unknown_scenario_stops_the_run() -> None:
    with pytest.raises(SystemExit, match="S11"):
        chosen(ALL, ("S1", "S11"))


def test_only_the_targets_of_the_scenarios_run_are_checked() -> None:
    round_ = {
        "S1": {"quill": measured(400, 2.0), "ceiling": measured(1000, 1.0)},
        "S2": {"quill": measured(300, 3.0), "ceiling": measured(1000, 1.0)},
        "S7": {"quill": measured(300, 3.3), "ceiling": measured(1000, 1.0)},
    }
    table = {key: {"ratio": row["quill"]["rps"] / 1000} for key, row in round_.items()}
    lines = checks(table, [round_], [80.0], 80.0)
    assert [line.split()[0] for line in lines] == ["S1", "S2", "S7", "gunicorn"]
    assert lines[0].endswith("met") and "NOT" not in lines[0]
    assert "S7 p50 / S2 p50 1.10" in lines[2]


def test_each_search_is_held_to_three_times_its_unfiltered_first_page() -> None:
    round_ = {
        "S2": {"quill": measured(300, 3.0), "ceiling": measured(1000, 1.0)},
        "S6-base": {"quill": measured(300, 2.0), "ceiling": measured(1000, 1.0)},
        "P-search-common": {"quill": measured(100, 9.3), "ceiling": measured(1000, 1.0)},
        "U-search-selective": {"quill": measured(300, 5.0), "ceiling": measured(1000, 1.0)},
    }
    table = {key: {"ratio": row["quill"]["rps"] / 1000} for key, row in round_.items()}
    lines = checks(table, [round_], [80.0], 80.0)
    assert "P-search-common p50 / S2 p50 3.10 (target <= 3.0): NOT met" in lines
    assert "U-search-selective p50 / S6-base p50 2.50 (target <= 3.0): met" in lines


def test_the_social_lists_are_held_to_their_ratio_and_the_deep_feed_to_the_first_page() -> None:
    round_ = {
        "S8": {"quill": measured(350, 3.0), "ceiling": measured(1000, 1.0)},
        "S9": {"quill": measured(290, 4.0), "ceiling": measured(1000, 1.0)},
        "S9-deep": {"quill": measured(310, 6.4), "ceiling": measured(1000, 1.0)},
        "S10": {"quill": measured(300, 2.0), "ceiling": measured(1000, 1.0)},
    }
    table = {key: {"ratio": row["quill"]["rps"] / 1000} for key, row in round_.items()}
    lines = checks(table, [round_], [80.0], 80.0)
    assert "S8 Quill/ceiling req/s 0.35 (target >= 0.30): met" in lines
    assert "S9 Quill/ceiling req/s 0.29 (target >= 0.30): NOT met" in lines
    assert "S10 Quill/ceiling req/s 0.30 (target >= 0.30): met" in lines
    assert "S9-deep p50 / S9 p50 1.60 (target <= 1.5): NOT met" in lines


def test_the_conduit_reads_are_chosen_alone_and_held_to_their_ratio() -> None:
    assert [s.key for s in chosen(ALL, ("c3", "C1"))] == ["C1", "C3"]
    round_ = {
        "C1": {"quill": measured(300, 3.0), "ceiling": measured(1000, 1.0)},
        "C2": {"quill": measured(250, 4.0), "ceiling": measured(1000, 1.0)},
        "C3": {"quill": measured(450, 2.0), "ceiling": measured(1000, 1.0)},
    }
    table = {key: {"ratio": row["quill"]["rps"] / 1000} for key, row in round_.items()}
    lines = checks(table, [round_], [80.0], 80.0)
    assert "C1 Quill/ceiling req/s 0.30 (target >= 0.30): met" in lines
    assert "C2 Quill/ceiling req/s 0.25 (target >= 0.30): NOT met" in lines
    assert "C3 Quill/ceiling req/s 0.45 (target >= 0.30): met" in lines
