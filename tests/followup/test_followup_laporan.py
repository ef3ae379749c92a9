"""/laporan in the operators' group, end to end on the emulator: a PNG uploaded with sendPhoto
(the emulator keeps the uploaded bytes) and three lines of aggregates, no resident named."""

from __future__ import annotations

from tests.desk.test_desk import act, desk, escalate, labels  # noqa: F401  (desk is a fixture)
from tests.journeys import button_path


async def test_laporan_sends_the_chart_as_a_photo_with_three_lines(desk) -> None:  # noqa: F811
    d, bot = desk
    siti, budi = d.emu.resident("Siti"), d.emu.resident("Budi")
    engine = bot.parts.adapter.guide.engines["id"]
    await act(bot, lambda: siti.command("start"))
    for number in button_path(engine):
        await act(bot, lambda number=number: siti.press(labels(siti)[number - 1]))
    await escalate(bot, budi)
    await act(bot, lambda: d.rina.command("laporan"))
    photos = [m for m in d.group.messages_in(None) if m.get("photo")]
    assert len(photos) == 1
    upload = d.emu.world.files[photos[0]["photo"][-1]["file_id"]]["content"]
    assert upload[:8] == b"\x89PNG\r\n\x1a\n" and len(upload) > 10_000  # a real picture, uploaded
    caption = photos[0]["caption"].splitlines()
    assert len(caption) == 3
    assert caption[0].startswith("2 warga mulai, 1 aktivasi (50,00%")
    assert caption[1] == "Belum ada warga yang macet."  # nobody went a day without answering
    assert caption[2].startswith("Aktivasi kota: 1 dari target 154.231")
    assert not any(name in photos[0]["caption"] for name in ("Siti", "Budi", str(siti.chat_id)))


async def test_laporan_from_someone_outside_the_desk_is_refused(desk) -> None:  # noqa: F811
    d, bot = desk
    stranger = d.emu.operator(d.group, "Tamu")
    bot.parts.adapter.forum._members[stranger.id] = (False, 1e18)  # not a member any more (cached)
    await act(bot, lambda: stranger.command("laporan"))
    assert not [m for m in d.group.messages_in(None) if m.get("photo")]


def _inline(message: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row}


async def test_an_operators_solved_ticket_at_the_last_steps_counts_as_an_activation(desk) -> None:  # noqa: F811
    d, bot = desk
    store = bot.parts.adapter.store
    for name, milestone in (("Siti", "set_pin"), ("Budi", "face_check")):
        person = d.emu.resident(name)
        await act(bot, lambda milestone=milestone, person=person: person.command("start", milestone),
                  lambda person=person: person.command("bantuan"))
        thread = d.topic_of(bot.parts, person)
        await act(bot, lambda thread=thread: d.rina.command("selesai", thread_id=thread))
        closing = d.group.messages_in(thread)[-1]
        await act(bot, lambda closing=closing: d.rina.tap(_inline(closing)["✅ Terselesaikan"],
                                                          message_id=closing["message_id"], force=True))
    rows = [(r.kind, r.step, r.detail) for r in store.journey_rows()]
    assert ("outcome", "set_pin", "solved") in rows and ("outcome", "face_check", "solved") in rows
    # Solved at "Membuat PIN" means the IKD is active; solved at the face check only that Budi can go on.
    assert [r for r in rows if r[0] == "activated"] == [("activated", "set_pin", "operator")]
    assert ("handed_back", "set_pin", None) in rows and ("handoff", "face_check", "asked") in rows
