"""The committed event schemas under contracts/ are exactly what the payload models declare."""

from __future__ import annotations

from kit.events import contracts


def test_committed_event_schemas_match_the_payload_models() -> None:
    generated = contracts.generate()
    committed = {p: p.read_text() for p in contracts.CONTRACTS.glob("*.schema.json")}
    committed[contracts.ASYNCAPI] = contracts.ASYNCAPI.read_text()
    assert set(committed) == set(generated), "run `python -m kit.events.contracts`"
    for path, text in generated.items():
        assert committed[path] == text, (
            f"{path.name} is stale: run `python -m kit.events.contracts`"
        )
