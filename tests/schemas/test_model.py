"""The model file loads, is consistent, and drives ids, validation and graph DDL."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.schema import ladybug_ddl, neo4j_ddl
from schemas.errors import InvalidValue, SchemaError
from schemas.model import default_model, load_model

DESIGN_TYPES = {
    "Person",
    "Phone",
    "Account",
    "Vehicle",
    "Device",
    "Document",
    "Organization",
    "Place",
    "Sighting",
    "Post",
    "LocationFix",
    "Visit",
    "Trip",
    "Communication",
}
# Types the model adds beyond DESIGN.md's list, each for a stated reason.
ADDED_TYPES = {"Subject"}  # entity resolution's output: one node per resolved identity


def test_every_design_type_is_declared() -> None:
    assert set(default_model().node_types) == DESIGN_TYPES | ADDED_TYPES


def test_entity_ids_are_deterministic_and_source_independent() -> None:
    model = default_model()
    vehicle = model.node_type("Vehicle")
    a = model.entity_id("Vehicle", vehicle.clean({"plate": "kx-48 21", "country": "nl"}))
    b = model.entity_id("Vehicle", vehicle.clean({"plate": "KX4821", "country": "NL"}))
    assert a == b and a.startswith("vehicle-")


def test_validation_names_type_field_and_value() -> None:
    with pytest.raises(InvalidValue, match=r"Vehicle\.plate.*'\?\?'"):
        default_model().node_type("Vehicle").clean({"plate": "??"})
    with pytest.raises(InvalidValue, match=r"Sighting\.time.*required"):
        default_model().node_type("Sighting").clean({})


def test_inconsistent_model_files_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.yaml"
    bad.write_text("entities:\n  A:\n    key: [x]\n    properties: {y: {type: text}}\n")
    with pytest.raises(SchemaError, match="key names unknown"):
        load_model(bad)
    bad.write_text("entities:\n  A:\n    properties: {y: {type: colour}}\n")
    with pytest.raises(SchemaError, match="unknown value type"):
        load_model(bad)


def test_graph_ddl_is_derived_for_every_type() -> None:
    model = default_model()
    ladybug = "\n".join(ladybug_ddl(model))
    neo4j = "\n".join(neo4j_ddl(model))
    for name in model.node_types:
        assert f"NODE TABLE IF NOT EXISTS {name}(" in ladybug
        assert f"FOR (n:{name}) REQUIRE n.id IS UNIQUE" in neo4j
    for rel in model.rel_types:
        assert f"REL TABLE IF NOT EXISTS {rel}(" in ladybug
    assert "time_offset_min INT64" in ladybug and "location_lat DOUBLE" in ladybug


def test_relationships_carry_typed_evidence() -> None:
    mentions = default_model().rel_type("MENTIONS")
    cleaned = mentions.clean({"char_start": "4", "char_end": 9, "confidence": 0.8})
    assert cleaned == {"char_start": 4, "char_end": 9, "confidence": 0.8}
    with pytest.raises(InvalidValue, match=r"MENTIONS\.char_start"):
        mentions.clean({"char_start": 4.5})
    with pytest.raises(SchemaError, match="no properties"):
        mentions.clean({"offset": 1})
