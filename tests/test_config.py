"""ModelConfig: presets, validation, hashability and the plain-words description."""

from __future__ import annotations

import pytest

from liqcore.config import PRESET_NAMES, ModelConfig


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_are_valid_hashable_and_distinct(name: str) -> None:
    cfg = ModelConfig.preset(name)
    assert hash(cfg) == hash(ModelConfig.preset(name))
    assert len({ModelConfig.preset(n) for n in PRESET_NAMES}) == len(PRESET_NAMES)
    assert all(isinstance(line, str) and line for line in cfg.describe())


def test_balanced_is_the_default() -> None:
    assert ModelConfig.preset("balanced") == ModelConfig()


def test_aggressive_assumes_more_leverage_than_conservative() -> None:
    def mean_leverage(cfg: ModelConfig) -> float:
        return sum(t * w for t, w in zip(cfg.leverage_tiers, cfg.long_weights, strict=True)) / sum(cfg.long_weights)

    assert mean_leverage(ModelConfig.preset("aggressive")) > mean_leverage(ModelConfig.preset("conservative"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"long_weights": (1.0,)}, "same non-zero length"),
        ({"leverage_tiers": (1.0, 10, 25)}, "above 1x"),
        ({"turnover_per_hour": 1.0}, "turnover_per_hour"),
        ({"entry_width": 0.0}, "entry_width"),
        ({"taker_tilt": 1.5}, "taker_tilt"),
        ({"entry_rule": "open"}, "entry_rule"),
        ({"close_rule": "newest_first"}, "close_rule"),
        ({"decay_half_life_hours": 0.0}, "decay_half_life_hours"),
        ({"contract": "quanto"}, "contract"),
    ],
)
def test_invalid_settings_are_rejected_with_the_field_named(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModelConfig().with_changes(**changes)


def test_unknown_preset_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="conservative, balanced, aggressive"):
        ModelConfig.preset("yolo")


def test_old_string_settings_still_name_the_rule_objects() -> None:
    cfg = ModelConfig(close_rule="oldest_first", entry_rule="range", entry_points=4, entry_width=0.5)
    assert cfg.closing.name == "oldest_first"
    assert cfg.entry.points == 4
    assert "middle 50%" in " ".join(cfg.describe())


def test_describe_states_the_turnover_in_words() -> None:
    assert any("3.0% of open positions close and reopen" in line for line in ModelConfig().describe())
    assert any("No turnover" in line for line in ModelConfig(turnover_per_hour=0.0).describe())
