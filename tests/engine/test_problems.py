"""Every common problem has a path (issue 11): the help a resident reads on each problem state,
and how each path ends (solved, at the office with what to bring, or with a person).

The states are entered the way the engine enters them (a move, as the understanding's detour
does), and from step 8's "Ada masalah" menu by pressing buttons; typed routing is tested with
the understanding (tests/understanding)."""

from __future__ import annotations

from collections import deque

import pytest

from bot.engine import Conversation, Engine, Input
from bot.engine.effects import Escalate


def seen(guide, engine: Engine, state: str, facts: tuple = ()) -> tuple[str, list[str], Conversation]:
    """What a resident reads on ``state`` (text and button labels), arriving from step 3."""
    step = engine.prompt(Conversation(state=state, history=("form_nik",), facts=facts))
    renderer = guide.renderers["id"]
    message = renderer.say(step.effects[-1], step.conversation)
    return message.text, message.buttons, step.conversation


def press(engine: Engine, guide, conv: Conversation, label_part: str):
    renderer = guide.renderers["id"]
    for number, button in enumerate(conv.buttons, start=1):
        if label_part in renderer.label(button.label):
            return engine.step(conv, Input.pressed(number))
    raise AssertionError(f"no button with {label_part!r} in {[renderer.label(b.label) for b in conv.buttons]}")


def ends(engine: Engine, state: str) -> set[str]:
    """How the paths from ``state`` can end: 'solved' (done_home), 'office' (a state listing the
    service points), 'person' (a content button firing bantuan)."""
    found, queue, visited = set(), deque([state]), set()
    while queue:
        name = queue.popleft()
        if name in visited:
            continue
        visited.add(name)
        s = engine.flow.states[name]
        if name == "done_home":
            found.add("solved")
            continue
        if any(line.msgid == "req.office_where" for line in s.say):
            found.add("office")
        if any(b.event == "bantuan" for b in s.buttons):
            found.add("person")
        queue.extend(t for t in s.targets() if t != name)
    return found


def test_app_wont_open_gives_internet_restart_update_then_a_person(guide, engine) -> None:
    text, _, conv = seen(guide, engine, "pb_app_wont_open")
    assert "server pusat" in text and "buka ulang aplikasinya" in text
    failed = press(engine, guide, conv, "Masih gagal")
    text2, _, conv2 = seen(guide, engine, failed.conversation.state)
    assert "Perbarui aplikasi IKD" in text2 and "Jangan hapus" in text2
    later = press(engine, guide, conv2, "Masih gagal").conversation
    text3, buttons3, _ = seen(guide, engine, later.state)
    assert "Coba lagi nanti" in text3 and "💬 Tanya ke petugas" in buttons3
    assert ends(engine, "pb_app_wont_open") == {"solved", "office", "person"}


def test_documents_loading_explains_the_server_and_offers_the_office(guide, engine) -> None:
    text, _, conv = seen(guide, engine, "pb_documents_loading")
    assert "Dokumen e-KTP dan KK" in text and "lama muncul" in text
    still = press(engine, guide, conv, "Masih belum").conversation
    text2, buttons2, _ = seen(guide, engine, still.state)
    assert "diperiksa petugas Dukcapil" in text2 and "🏢 Tempat & jam kantor" in buttons2
    assert {"office", "person", "solved"} <= ends(engine, "pb_documents_loading")


def test_nik_already_registered_needs_a_reset_at_the_office(guide, engine) -> None:
    text, buttons, conv = seen(guide, engine, "ap_other_device")
    assert '"NIK sudah terdaftar"' in text and "diatur ulang oleh petugas Dukcapil" in text
    assert "periksa lagi" not in text.lower()  # not the "type your NIK again" answer
    office = press(engine, guide, conv, "Tempat & jam kantor").conversation
    text2, _, _ = seen(guide, engine, office.state)
    assert "Disdukcapil Kota Serang" in text2 and "Bawa e-KTP asli" in text2
    assert "💬 Tanya ke petugas" in buttons


def test_domicile_is_hedged_and_offers_a_person(guide, engine) -> None:
    text, buttons, _ = seen(guide, engine, "pb_domicile")
    assert "biasanya" in text and "belum pasti" in text  # facts §1: domicile rule UNCONFIRMED
    assert "💬 Tanya ke petugas" in buttons
    assert {"office", "person"} <= ends(engine, "pb_domicile")


def test_why_office_explains_liveness_plainly(guide, engine) -> None:
    text, _, conv = seen(guide, engine, "pb_why_office")
    assert "orang asli, bukan foto atau video" in text
    assert "liveness" not in text.lower()
    # "Paham" goes back to where the resident was.
    back = press(engine, guide, conv, "Paham").conversation
    assert back.state == "form_nik"
    assert "office" in ends(engine, "pb_why_office")


def test_what_for_gives_the_qr_reason_not_the_cost(guide, engine) -> None:
    text, _, _ = seen(guide, engine, "pb_what_for")
    assert "kode QR pada KK dan akta" in text and "tidak wajib" in text
    assert "gratis" not in text


def test_screenshot_is_blocked_by_design_and_what_to_do_instead(guide, engine) -> None:
    text, buttons, _ = seen(guide, engine, "pb_screenshot")
    assert "tidak bisa difoto" in text and "ceritakan saja" in text and "ponsel lain" in text
    assert "💬 Tanya ke petugas" in buttons


def test_iphone_refused_says_the_app_store_has_it(guide, engine) -> None:
    text, buttons, conv = seen(guide, engine, "pb_iphone_refused")
    assert "App Store untuk iPhone" in text and "atasannya" in text
    assert "💬 Tanya ke petugas" in buttons
    served = press(engine, guide, conv, "Sudah dilayani").conversation
    assert served.state == "visit_qr"


def test_out_of_scope_says_kindly_where_to_go(guide, engine) -> None:
    text, _, conv = seen(guide, engine, "pb_out_of_scope")
    assert "hanya untuk IKD" in text and "Disdukcapil" in text and "gratis" in text
    office = press(engine, guide, conv, "Tempat & jam kantor").conversation
    text2, _, _ = seen(guide, engine, office.state)
    assert "Tanyakan dulu kepada petugas apa yang perlu dibawa" in text2 and "Kantor kecamatan" in text2


def test_scam_victim_gets_the_steps_in_order_and_a_person_at_once(guide, engine) -> None:
    text, buttons, conv = seen(guide, engine, "pb_scam_victim")
    assert "Pertama: matikan data seluler dan Wi-Fi" in text
    assert "🙋 Bicara dengan petugas" in buttons  # a person offered at once
    order = [("Kedua: hapus aplikasi atau file", "pb_scam_uninstall"),
             ("Ketiga: telepon bank", "pb_scam_bank"),
             ("Terakhir: laporkan", "pb_scam_report")]
    for expected, state in order:
        conv = press(engine, guide, conv, "Sudah").conversation
        assert conv.state == state
        text, buttons, _ = seen(guide, engine, state)
        assert expected in text and "🙋 Bicara dengan petugas" in buttons
    assert "1500537" in text  # Halo Dukcapil, from the region file
    step = press(engine, guide, conv, "Bicara dengan petugas")
    escalation = next(e for e in step.effects if isinstance(e, Escalate))
    assert escalation.state == "pb_scam_report" and step.conversation.handoff


@pytest.mark.parametrize("state", ["pb_app_wont_open", "pb_documents_loading", "pb_domicile", "pb_why_office",
                                   "pb_what_for", "pb_screenshot", "pb_iphone_refused", "pb_out_of_scope",
                                   "pb_scam_victim", "ap_other_device"])
def test_each_problem_is_reachable_from_step_8_by_buttons(guide, engine, state) -> None:
    start = engine.prompt(Conversation(state="done_home")).conversation
    queue, visited = deque([start]), set()
    while queue:
        conv = queue.popleft()
        if conv.state == state:
            return
        if conv.state in visited:
            continue
        visited.add(conv.state)
        for number, button in enumerate(conv.buttons, start=1):
            if button.help_row or button.event in ("bantuan", "kembali", "mulai"):
                continue
            nxt = engine.step(conv, Input.pressed(number)).conversation
            if nxt is not None and not nxt.overlay and not nxt.handoff:
                queue.append(nxt)
    raise AssertionError(f"{state} cannot be reached from step 8's buttons")


def test_every_problem_path_ends_solved_at_the_office_or_with_a_person(engine) -> None:
    for name, state in engine.flow.states.items():
        if state.milestone == "problems":
            assert ends(engine, name), name
