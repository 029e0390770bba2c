"""FlowStore, every test on SQLite and on a private PostgreSQL 15."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import example

from flowgraph.store.db import create_all, make_engine
from flowgraph.store.flows import FlowExists, FlowNotFound, FlowStore, StaleWrite, VersionNotFound


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FlowStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_db")
    engine = make_engine(url)
    create_all(engine)
    yield FlowStore(engine)
    engine.dispose()


def test_create_get_and_list(store: FlowStore) -> None:
    doc = example("number_masking")
    record = store.create(doc)
    assert (record.id, record.revision, record.etag, record.published_version) == (
        "number_masking",
        1,
        '"1"',
        None,
    )
    assert store.get("number_masking").draft == doc
    assert [r.id for r in store.list_flows()] == ["number_masking"]
    with pytest.raises(FlowExists, match="exists already"):
        store.create(doc)


def test_secret_is_generated_per_flow_and_kept_out_of_records(store: FlowStore) -> None:
    store.create(example("number_masking"))
    store.create(example("regional_routing"))
    a, b = store.secret("number_masking"), store.secret("regional_routing")
    assert len(a) >= 40 and a != b
    assert a not in repr(store.get("number_masking"))
    with pytest.raises(FlowNotFound):
        store.secret("nope")


def test_stale_update_leaves_the_stored_draft_intact(store: FlowStore) -> None:
    doc = example("number_masking")
    store.create(doc)
    first = copy.deepcopy(doc) | {"name": "first edit"}
    assert store.update("number_masking", first, '"1"').revision == 2
    second = copy.deepcopy(doc) | {"name": "lost edit"}
    with pytest.raises(StaleWrite) as err:
        store.update("number_masking", second, '"1"')
    assert err.value.current == '"2"'
    kept = store.get("number_masking")
    assert (kept.name, kept.revision, kept.draft["name"]) == ("first edit", 2, "first edit")


def test_soft_delete_hides_the_flow_and_its_live_version_until_restored(store: FlowStore) -> None:
    doc = example("number_masking")
    store.create(doc)
    store.publish("number_masking", doc, "hash1")
    store.delete("number_masking")
    assert store.list_flows() == []
    assert [r.id for r in store.list_flows(include_deleted=True)] == ["number_masking"]
    assert store.published("number_masking") is None
    assert "number_masking" not in store.published_pointers()
    with pytest.raises(FlowNotFound, match="deleted"):
        store.get("number_masking")
    with pytest.raises(FlowExists, match="deleted"):
        store.create(doc)
    store.restore("number_masking")
    live = store.published("number_masking")
    assert live is not None and live.hash == "hash1"


def test_publish_numbers_versions_and_switches_the_pointer(store: FlowStore) -> None:
    doc = example("number_masking")
    store.create(doc)
    v1, created1 = store.publish("number_masking", doc, "aaa", note="first", author="asha")
    v1_again, created_again = store.publish("number_masking", doc, "aaa", note="same content")
    changed = copy.deepcopy(doc) | {"name": "changed"}
    v2, created2 = store.publish("number_masking", changed, "bbb", note="second")
    assert (v1.number, created1, v1_again.number, created_again, v2.number, created2) == (
        1,
        True,
        1,
        False,
        2,
        True,
    )
    assert store.published_pointers() == {"number_masking": (2, "bbb")}
    assert [v.number for v in store.versions("number_masking")] == [2, 1]
    assert store.versions("number_masking")[0].flow is None  # listings leave the JSON out
    assert store.get_version("number_masking", 1).flow == doc
    assert store.get_version("number_masking", 1).note == "first"
    assert store.get("number_masking").published_version == 2


def test_rollback_switches_back_and_keeps_every_version(store: FlowStore) -> None:
    doc = example("number_masking")
    store.create(doc)
    store.publish("number_masking", doc, "aaa")
    store.publish("number_masking", copy.deepcopy(doc) | {"name": "v2"}, "bbb")
    assert store.rollback("number_masking", 1).hash == "aaa"
    live = store.published("number_masking")
    assert live is not None and (live.number, live.flow) == (1, doc)
    assert len(store.versions("number_masking")) == 2
    with pytest.raises(VersionNotFound):
        store.rollback("number_masking", 7)
    assert store.published_pointers()["number_masking"] == (1, "aaa")


def test_publish_of_a_draft_that_moved_on_is_refused(store: FlowStore) -> None:
    doc = example("number_masking")
    store.create(doc)
    store.update("number_masking", copy.deepcopy(doc) | {"name": "edited"}, "*")
    with pytest.raises(StaleWrite):
        store.publish("number_masking", doc, "aaa", revision=1)
    assert store.versions("number_masking") == []
    assert store.published("number_masking") is None


def test_import_is_all_or_nothing(store: FlowStore) -> None:
    store.create(example("number_masking"))
    with pytest.raises(FlowExists):
        store.import_flows([example("regional_routing"), example("number_masking")], overwrite=False)
    assert [r.id for r in store.list_flows()] == ["number_masking"]
    created, updated = store.import_flows(
        [example("regional_routing"), example("number_masking")], overwrite=True
    )
    assert (created, updated) == (["regional_routing"], ["number_masking"])
    assert store.get("number_masking").revision == 2


def test_is_empty(store: FlowStore) -> None:
    assert store.is_empty()
    store.create(example("number_masking"))
    store.delete("number_masking")
    assert not store.is_empty()  # a deleted flow still counts: never re-seed over a user's data
