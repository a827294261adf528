"""The configurator: templates to order BOMs, and every bad input refused with its place named."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import pytest

from pegboard.errors import ValidationError
from pegboard.services.configurator import (
    ConfigurationError,
    ConfiguredLine,
    ConfiguredNode,
    Parameter,
    Template,
    TemplateLine,
    configure,
    resolve_values,
    validate_template,
)

LED_RUN = Template(
    item="LED-RUN",
    parameters=(
        Parameter("length_m", "number", "Length", "m", 1.2, 60.0, default="2.4"),
        Parameter(
            "finish", "choice", "Finish", choices=("white", "black", "brushed"), default="white"
        ),
        Parameter("emergency", "bool", "Emergency pack", default="no"),
    ),
    lines=(
        TemplateLine("EXT-AL-2400", qty_formula="ceil(length_m / 2.4)"),
        TemplateLine("LED-BRD", qty_formula="ceil(length_m / 0.56)", scrap_pct=2.0),
        TemplateLine(
            None,
            qty_per=2,
            choice_parameter="finish",
            options={"white": "CAP-WH", "black": "CAP-BK", "brushed": "CAP-BR"},
        ),
        TemplateLine("EM-PACK", qty_formula="1", condition="emergency == 'yes'"),
        TemplateLine("DRV-TRAY", pass_down={"watts": "length_m * 10"}),
        TemplateLine("HARNESS", qty_formula="2 if emergency == 'yes' else 1"),
        TemplateLine("MOUNT-KIT", qty_formula="ceil(length_m / 1.2)"),
        TemplateLine("SCREW-M4", qty_formula="0 if length_m < 3 else 4"),
    ),
)

DRV_TRAY = Template(
    item="DRV-TRAY",
    parameters=(Parameter("watts", "number", "Load", "W", 0, 2000),),
    lines=(
        TemplateLine("DRV-60W", condition="watts <= 60"),
        TemplateLine("DRV-150W", qty_formula="ceil(watts / 150)", condition="watts > 60"),
        TemplateLine("TRAY-STEEL"),
    ),
)

MASTERS: dict[str, list[TemplateLine]] = {
    "HARNESS": [TemplateLine("WIRE-2C", qty_per=3.5, scrap_pct=5.0), TemplateLine("LABEL-KIT")],
    "LABEL-KIT": [TemplateLine("LABEL", qty_per=2)],
    "MOUNT-KIT": [TemplateLine("CLIP", qty_per=2), TemplateLine("SCREW-M4", qty_per=2)],
}
MTO_MAKE = {"LED-RUN", "DRV-TRAY", "HARNESS", "LABEL-KIT"}


class MemoryCatalog:
    """Templates, master BOMs and MTO make items held in dicts."""

    def __init__(
        self,
        templates: Sequence[Template] = (LED_RUN, DRV_TRAY),
        masters: dict[str, list[TemplateLine]] | None = None,
        mto_make: set[str] | None = None,
    ) -> None:
        self.templates = {t.item: t for t in templates}
        self.masters = MASTERS if masters is None else masters
        self.mto_make = MTO_MAKE if mto_make is None else mto_make

    def template(self, item: str) -> Template | None:
        return self.templates.get(item)

    def master_lines(self, item: str) -> Sequence[TemplateLine] | None:
        return self.masters.get(item)

    def is_mto_make(self, item: str) -> bool:
        return item in self.mto_make


def _quantities(node: ConfiguredNode) -> dict[str, float]:
    return {line.component: line.qty_per for line in node.lines}


def _line(node: ConfiguredNode, component: str) -> ConfiguredLine:
    return next(line for line in node.lines if line.component == component)


# --------------------------------------------------------------------------- configuring


def test_linear_run_14_4_m_brushed_without_emergency() -> None:
    node = configure(MemoryCatalog(), "LED-RUN", {"length_m": "14.4", "finish": "brushed"})

    assert node.item == "LED-RUN"
    assert node.from_template
    assert node.values == {"length_m": 14.4, "finish": "brushed", "emergency": "no"}
    assert _quantities(node) == {
        "EXT-AL-2400": 6,
        "LED-BRD": 26,  # 14.4 / 0.56 = 25.7
        "CAP-BR": 2,
        "DRV-TRAY": 1,
        "HARNESS": 1,
        "MOUNT-KIT": 12,
        "SCREW-M4": 4,
    }
    assert [line.component for line in node.lines][:3] == ["EXT-AL-2400", "LED-BRD", "CAP-BR"]
    assert _line(node, "LED-BRD").scrap_pct == 2.0

    tray = _line(node, "DRV-TRAY").child
    assert tray is not None and tray.from_template
    assert tray.values == {"watts": 144.0}
    assert _quantities(tray) == {"DRV-150W": 1, "TRAY-STEEL": 1}


def test_linear_run_with_emergency_adds_the_pack_and_a_second_harness() -> None:
    node = configure(
        MemoryCatalog(), "LED-RUN", {"length_m": "14.4", "finish": "brushed", "emergency": "Yes"}
    )
    assert node.values["emergency"] == "yes"
    assert _quantities(node) == {
        "EXT-AL-2400": 6,
        "LED-BRD": 26,
        "CAP-BR": 2,
        "EM-PACK": 1,
        "DRV-TRAY": 1,
        "HARNESS": 2,
        "MOUNT-KIT": 12,
        "SCREW-M4": 4,
    }


def test_defaults_configure_a_short_white_run_with_a_small_driver() -> None:
    node = configure(MemoryCatalog(), "LED-RUN", {})
    assert node.values == {"length_m": 2.4, "finish": "white", "emergency": "no"}
    quantities = _quantities(node)
    assert quantities["EXT-AL-2400"] == 1
    assert quantities["LED-BRD"] == 5
    assert quantities["CAP-WH"] == 2
    assert "EM-PACK" not in quantities  # condition false
    assert "SCREW-M4" not in quantities  # quantity 0 leaves the line out
    tray = _line(node, "DRV-TRAY").child
    assert tray is not None
    assert _quantities(tray) == {"DRV-60W": 1, "TRAY-STEEL": 1}


def test_mto_make_component_is_copied_from_its_master_bom_recursively() -> None:
    node = configure(MemoryCatalog(), "LED-RUN", {})
    harness = _line(node, "HARNESS").child
    assert harness is not None
    assert not harness.from_template
    assert harness.values == {}
    assert [(c.component, c.qty_per, c.scrap_pct) for c in harness.lines] == [
        ("WIRE-2C", 3.5, 5.0),
        ("LABEL-KIT", 1.0, 0.0),
    ]
    label_kit = harness.lines[1].child
    assert label_kit is not None and not label_kit.from_template
    assert _quantities(label_kit) == {"LABEL": 2}
    assert harness.lines[0].child is None  # bought wire: a leaf


def test_mts_make_component_and_bought_parts_stay_references() -> None:
    node = configure(MemoryCatalog(), "LED-RUN", {"length_m": "6"})
    assert _line(node, "MOUNT-KIT").child is None  # MTS sub-assembly: its master BOM serves all
    assert _line(node, "EXT-AL-2400").child is None
    assert _line(node, "CAP-WH").child is None


def test_mto_make_without_master_lines_has_no_child() -> None:
    catalog = MemoryCatalog(masters={}, mto_make={"HARNESS"})
    assert _line(configure(catalog, "LED-RUN", {}), "HARNESS").child is None


def test_configured_result_is_immutable() -> None:
    node = configure(MemoryCatalog(), "LED-RUN", {})
    with pytest.raises(TypeError):
        node.values["length_m"] = 3.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.item = "X"  # type: ignore[misc]


def test_item_without_template_is_not_configurable() -> None:
    with pytest.raises(ConfigurationError, match="HARNESS is not configurable"):
        configure(MemoryCatalog(), "HARNESS", {})


def test_configuration_error_is_a_validation_error() -> None:
    assert issubclass(ConfigurationError, ValidationError)
    assert ConfigurationError.code == "configuration_invalid"


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("given", "parameter", "reason"),
    [
        ({"length_m": "100"}, "length_m", "between 1.2 and 60 m"),
        ({"length_m": "0.5"}, "length_m", "between 1.2 and 60 m"),
        ({"length_m": "long"}, "length_m", "must be a number"),
        ({"length_m": "nan"}, "length_m", "must be a number"),
        ({"length_m": "inf"}, "length_m", "must be a number"),
        ({"finish": "gold"}, "finish", "one of white, black, brushed"),
        ({"emergency": "maybe"}, "emergency", "yes or no"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(
    given: dict[str, str], parameter: str, reason: str
) -> None:
    with pytest.raises(ConfigurationError, match=reason) as caught:
        configure(MemoryCatalog(), "LED-RUN", given)
    assert f"parameter {parameter!r}" in caught.value.message
    assert caught.value.params["parameter"] == parameter


def test_unknown_parameter_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_values(LED_RUN, {"lenght_m": "3"})
    assert caught.value.message == (
        "LED-RUN has no parameter 'lenght_m'; its parameters are: length_m, finish, emergency"
    )


def test_missing_value_without_default_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'watts' has no default and was not given"):
        resolve_values(DRV_TRAY, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", "yes"), ("TRUE", "yes"), ("1", "yes"), (" No ", "no"), ("false", "no"), ("0", "no")],
)
def test_bool_spellings_normalise_to_yes_no(text: str, expected: str) -> None:
    assert resolve_values(LED_RUN, {"emergency": text})["emergency"] == expected


def test_numbers_are_floats_and_choices_match_ignoring_case() -> None:
    values = resolve_values(LED_RUN, {"length_m": " 12 ", "finish": "Brushed"})
    assert values == {"length_m": 12.0, "finish": "brushed", "emergency": "no"}
    assert isinstance(values["length_m"], float)


# --------------------------------------------------------------------------- templates


def _with_line(line: TemplateLine) -> Template:
    return dataclasses.replace(LED_RUN, lines=(*LED_RUN.lines, line))


def test_the_sample_templates_are_valid() -> None:
    validate_template(LED_RUN)
    validate_template(DRV_TRAY)


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("__import__('os').system('echo hi')", "functions may be called"),
        ("length_m.__class__", "not allowed"),
        ("length_m ** 10 ** 10", "fails with the default values"),
        ("abs(" * 40 + "length_m" + ")" * 40, "nested deeper"),
        ("width_m * 2", "unknown parameter"),
        ("finish", "quantity must be a number"),
    ],
)
def test_hostile_or_broken_quantity_formulas_are_refused_with_the_line(
    formula: str, reason: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(ConfigurationError, match=reason) as caught:
        validate_template(_with_line(TemplateLine("X", qty_formula=formula)))
    assert time.perf_counter() - started < 2.0
    assert caught.value.message.startswith("LED-RUN line 9: quantity formula ")
    assert caught.value.params["line"] == 9


def test_hostile_condition_and_pass_down_are_refused_with_the_line() -> None:
    with pytest.raises(ConfigurationError, match=r"LED-RUN line 9: condition .*not allowed"):
        validate_template(_with_line(TemplateLine("X", condition="[x for x in ()]")))
    with pytest.raises(ConfigurationError, match=r"line 9: parameter 'watts' passed down as"):
        validate_template(_with_line(TemplateLine("X", pass_down={"watts": "open('/etc')"})))


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            dataclasses.replace(
                LED_RUN, parameters=(*LED_RUN.parameters, Parameter("finish", "choice"))
            ),
            "'finish' is defined twice",
        ),
        (
            Template("T", (Parameter("width", "text", default="1"),), ()),
            "kind 'text' is not one of number, choice, bool",
        ),
        (
            Template("T", (Parameter("width", "number", min_value=5, max_value=1),), ()),
            "minimum 5 is above maximum 1",
        ),
        (
            Template("T", (Parameter("width", "number", max_value=3, default="4"),), ()),
            "default '4' is invalid: is 4; it must be at most 3",
        ),
        (
            Template("T", (Parameter("finish", "choice", choices=("a",), default="b"),), ()),
            "default 'b' is invalid",
        ),
        (Template("T", (Parameter("on", "bool", default="perhaps"),), ()), "default 'perhaps'"),
        (Template("T", (Parameter("finish", "choice"),), ()), "needs at least one choice"),
        (
            Template("T", (Parameter("finish", "choice", choices=("a", "A")),), ()),
            "listed twice",
        ),
        (Template("T", (Parameter("2x", "number"),), ()), "not a usable parameter name"),
        (Template("T", (Parameter("ceil", "number"),), ()), "name of a formula function"),
        (Template("T", (Parameter("w", "bool", choices=("a",)),), ()), "only a choice"),
        (Template("T", (Parameter("w", "choice", choices=("a",), max_value=1),), ()), "bounds"),
    ],
)
def test_bad_parameters_are_refused(template: Template, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason) as caught:
        validate_template(template)
    assert "parameter" in caught.value.message


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (TemplateLine(None, choice_parameter="colour", options={}), "not a choice parameter"),
        (TemplateLine(None, choice_parameter="length_m"), "not a choice parameter"),
        (
            TemplateLine(None, choice_parameter="finish", options={"white": "A", "black": "B"}),
            "no component for 'finish' = 'brushed'",
        ),
        (
            TemplateLine(
                None,
                choice_parameter="finish",
                options={"white": "A", "black": "B", "brushed": "C", "gold": "D"},
            ),
            "option 'gold' is not a choice",
        ),
        (
            TemplateLine("X", choice_parameter="finish", options=dict.fromkeys(("white",), "A")),
            "both a fixed component and a choice",
        ),
        (TemplateLine(None), "neither a component nor a choice parameter"),
        (TemplateLine("X", options={"white": "A"}), "options but no choice parameter"),
        (TemplateLine("X", qty_per=0), "must be a number > 0"),
        (TemplateLine("X", scrap_pct=-1), "scrap"),
    ],
)
def test_bad_lines_are_refused_with_the_line(line: TemplateLine, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason) as caught:
        validate_template(_with_line(line))
    assert caught.value.message.startswith("LED-RUN line 9")


def test_a_guarded_formula_is_not_dry_run_when_its_condition_is_false() -> None:
    template = Template(
        "T",
        (Parameter("runs", "number", min_value=0, default="0"),),
        (TemplateLine("X", qty_formula="12 / runs", condition="runs > 0"),),
    )
    validate_template(template)
    assert _quantities(configure(MemoryCatalog([template]), "T", {"runs": "4"})) == {"X": 3}


# --------------------------------------------------------------------------- structure errors


def test_division_by_zero_at_configure_time_names_the_line_and_formula() -> None:
    template = Template(
        "T",
        (Parameter("length_m", "number", min_value=1, max_value=60, default="2.4"),),
        (TemplateLine("A"), TemplateLine("B", qty_formula="60 / (60 - length_m)")),
    )
    validate_template(template)  # fine at the default
    with pytest.raises(ConfigurationError) as caught:
        configure(MemoryCatalog([template]), "T", {"length_m": "60"})
    message = caught.value.message
    assert message.startswith("T line 2: quantity formula '60 / (60 - length_m)'")
    assert "division by zero" in message
    assert caught.value.params["line"] == 2


def test_pass_down_to_a_parameter_the_child_lacks_is_refused() -> None:
    parent = dataclasses.replace(
        LED_RUN, lines=(TemplateLine("DRV-TRAY", pass_down={"volts": "24"}),)
    )
    with pytest.raises(ConfigurationError) as caught:
        configure(MemoryCatalog([parent, DRV_TRAY]), "LED-RUN", {})
    assert caught.value.message == (
        "LED-RUN line 1: passes parameter 'volts' to DRV-TRAY, which has no such parameter; "
        "its parameters are: watts"
    )


def test_pass_down_to_a_component_without_template_is_refused() -> None:
    parent = dataclasses.replace(LED_RUN, lines=(TemplateLine("HARNESS", pass_down={"w": "1"}),))
    with pytest.raises(ConfigurationError, match="HARNESS, which is not configurable"):
        configure(MemoryCatalog([parent]), "LED-RUN", {})


def test_child_value_out_of_range_names_the_child_and_the_route() -> None:
    small = dataclasses.replace(
        DRV_TRAY, parameters=(Parameter("watts", "number", "Load", "W", 0, 500),)
    )
    with pytest.raises(ConfigurationError) as caught:
        configure(MemoryCatalog([LED_RUN, small]), "LED-RUN", {"length_m": "60"})
    assert caught.value.message == (
        "DRV-TRAY: parameter 'watts' is 600 W; it must be between 0 and 500 W "
        "(configuring LED-RUN → DRV-TRAY)"
    )
    assert caught.value.params["path"] == "LED-RUN → DRV-TRAY"


def test_a_child_without_default_gets_its_value_only_by_pass_down() -> None:
    parent = dataclasses.replace(LED_RUN, lines=(TemplateLine("DRV-TRAY"),))
    with pytest.raises(ConfigurationError, match=r"'watts' has no default.*LED-RUN → DRV-TRAY"):
        configure(MemoryCatalog([parent, DRV_TRAY]), "LED-RUN", {})


def test_cycle_is_refused_naming_the_path() -> None:
    a = Template("A", (), (TemplateLine("B"),))
    b = Template("B", (), (TemplateLine("C"),))
    c_master = {"C": [TemplateLine("A")]}
    catalog = MemoryCatalog([a, b], masters=c_master, mto_make={"C"})
    with pytest.raises(ConfigurationError, match="A contains itself: A → B → C → A"):
        configure(catalog, "A", {})


def test_depth_limit_is_refused_naming_the_path() -> None:
    chain = [
        Template(f"L{i}", (Parameter("n", "number", default="1"),), (TemplateLine(f"L{i + 1}"),))
        for i in range(6)
    ]
    catalog = MemoryCatalog(chain)
    node = configure(catalog, "L0", {}, max_depth=5)  # L0 → … → L5: five levels below
    assert node.lines[0].child is not None
    with pytest.raises(
        ConfigurationError, match="deeper than 4 levels: L0 → L1 → L2 → L3 → L4 → L5"
    ):
        configure(catalog, "L0", {}, max_depth=4)


def test_fan_out_is_bounded() -> None:
    # Ten lines of the same configured sub-assembly, six levels deep: 10**6 nodes if unbounded.
    levels = [
        Template(f"F{i}", (), tuple(TemplateLine(f"F{i + 1}") for _ in range(10))) for i in range(6)
    ]
    started = time.perf_counter()
    with pytest.raises(ConfigurationError, match="more than 1000 order BOMs"):
        configure(MemoryCatalog(levels), "F0", {})
    assert time.perf_counter() - started < 2.0


def _heavy(lines: int) -> Template:
    """A template of ``lines`` lines, each with a quantity formula and a condition of
    134 and 137 parts (271 a line)."""
    big = "ceil(" + "+".join(["max(x,1.5)**1.5"] * 12) + ")"
    return Template(
        "HEAVY",
        (Parameter("x", "number", default="2", min_value=0, max_value=100),),
        tuple(
            TemplateLine(f"P{n}", qty_formula=big, condition=f"{big} >= 0") for n in range(lines)
        ),
    )


def test_the_formula_work_of_one_configuration_is_bounded() -> None:
    """Under the node limit, 999 order BOMs of a template with as many formula parts as
    one configuration may evaluate would evaluate 999 times the budget: refused when
    the budget runs out, in well under a second."""
    heavy = _heavy(150)  # 40,650 parts: one of them is fine
    top = Template("TOP", (), tuple(TemplateLine("HEAVY") for _ in range(999)))
    configure(MemoryCatalog([heavy]), "HEAVY", {})
    started = time.perf_counter()
    with pytest.raises(ConfigurationError, match="more than 50,000 formula parts") as refused:
        configure(MemoryCatalog([top, heavy]), "TOP", {})
    assert time.perf_counter() - started < 10.0
    assert refused.value.params["path"] == "TOP → HEAVY"


def test_a_template_too_heavy_to_configure_once_is_refused_when_saved() -> None:
    """Real templates evaluate under a hundred parts (the samples: 90 at most); one whose
    own lines exceed the budget could never be configured, so it is refused at once."""
    validate_template(_heavy(184))  # 49,864 parts: within
    with pytest.raises(ConfigurationError, match=r"HEAVY: its lines' formulas have 54,200 parts"):
        validate_template(_heavy(200))


def test_master_bom_with_template_features_is_refused() -> None:
    catalog = MemoryCatalog(masters={"HARNESS": [TemplateLine("W", qty_formula="2")]})
    with pytest.raises(ConfigurationError, match="HARNESS master BOM line 1: is not a plain line"):
        configure(catalog, "LED-RUN", {})
