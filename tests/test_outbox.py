"""The outbox codec: every message type survives the store unchanged; a row that is no known
message is refused with a clear error (the delivery sets it aside, see
tests/telegram/test_outbox_unreadable.py)."""

from __future__ import annotations

import typing

import pytest

from bot import outbox
from bot.store import Store

ONE_OF_EACH: list[outbox.Message] = [
    outbox.Text("Halo", (("1", "2"), ("Bantuan",)), bulk=True),
    outbox.Text("tanpa tombol"),
    outbox.Delete(77),
    outbox.AnswerCallback("4431"),
    outbox.Copy(-1001, 12),
    outbox.RatingQuestion(3, "Membantu?", "👍", "👎"),
    outbox.TopicCard(5, 3, "Siti · Foto wajah", "kartu"),
    outbox.TopicText(5, "halo pak", "Siti"),
    outbox.TopicMedia(5, 5, 90, "Siti", caption="foto ****", delete_after=True),
    outbox.TopicMedia(5, 5, 91, "Siti"),
    outbox.TopicClosing(5, "selesai", "Siti", ((("Beres", "desk:res:3:solved"), ("Ke kantor", "desk:res:3:office")),)),
    outbox.TopicErased(5, 44),
    outbox.TopicErased(5),
    outbox.TopicMoved(44, "pindah ke Curug"),
    outbox.GroupReply("catatan disimpan", 44),
    outbox.GroupReply("antrian"),
    outbox.OutcomeShown(120, "Beres"),
    outbox.GroupReport(44),
]


def test_every_message_type_has_an_example_here() -> None:
    assert {type(m) for m in ONE_OF_EACH} == set(typing.get_args(outbox.Message))


@pytest.mark.parametrize("message", ONE_OF_EACH, ids=lambda m: f"{type(m).__name__}")
def test_a_message_comes_back_from_the_store_equal(message: outbox.Message, tmp_path) -> None:
    store = Store(str(tmp_path / "bot.sqlite3"))
    with store.transaction():
        outbox.put(store, 5, message)
    store.close()
    again = Store(str(tmp_path / "bot.sqlite3"))  # read back from the row, not from memory
    [item] = again.pending()
    assert outbox.decode(item.payload) == message
    again.close()


def test_rows_written_by_the_previous_version_are_read() -> None:
    # Items queued as plain dicts before the typed messages (lists, no optional fields).
    assert outbox.decode({"kind": "message", "text": "x", "rows": [["a", "b"]]}) == outbox.Text("x", (("a", "b"),))
    assert outbox.decode({"kind": "desk_media", "resident": 1, "from_chat": 1, "message_id": 2, "title": "t"}) \
        == outbox.TopicMedia(1, 1, 2, "t", caption=None)


@pytest.mark.parametrize("payload, says", [
    ({"kind": "desk_nonsense", "text": "x"}, "unknown outbox item kind 'desk_nonsense'"),
    ({"text": "x"}, "unknown outbox item kind None"),
    ({"kind": "delete"}, "lacks 'message_id'"),
    ({"kind": "delete", "message_id": "12"}, "delete.message_id"),
    ({"kind": "message", "text": "x", "rows": [[1]]}, "message.rows"),
    ({"kind": "desk_close", "resident": 1, "text": "t", "title": "t", "buttons": [[["only label"]]]},
     "desk_close.buttons"),
])
def test_a_row_that_is_no_known_message_is_refused_clearly(payload: dict, says: str) -> None:
    with pytest.raises(outbox.UnreadableItem, match=says.replace("(", r"\(")):
        outbox.decode(payload)
