"""A script full of secrets through the real bot (PTB against the emulator, SQLite on disk, logs
at DEBUG): afterwards neither the database file, nor its -wal, nor the logs hold one raw."""

from __future__ import annotations

import io
from pathlib import Path

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import labels, say

# (what the resident types, the raw pieces that must never be stored or logged)
SCRIPT = [
    ("nik saya 3673 0412 3456 0001", ["3673041234560001", "3673 0412 3456 0001", "0412 3456"]),
    ("ini kk nya 3673.0412.3456.0002", ["3673.0412.3456.0002", "3673041234560002"]),
    ("pin saya 135790", ["135790"]),
    ("kodenya 482913 ga masuk2", ["482913"]),
    ("otp: 7 1 9 2", ["7 1 9 2"]),
    ("password email saya Melati1958", ["Melati1958"]),
    ("sandinya adalah kenanga", ["kenanga"]),
    ("nomor hp saya 081298765432", ["081298765432", "98765432"]),
    ("email saya siti.aminah@gmail.com", ["siti.aminah@gmail.com", "siti.aminah"]),
    ("ada yang minta kode 551177 katanya petugas", ["551177"]),
]
DURING_HANDOFF = [("ini pin saya 246810 pak", ["246810"]),
                  ("NIK 3673 9999 8888 7777", ["3673999988887777", "9999 8888"])]


def _stored_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())


async def test_no_raw_secret_reaches_the_database_or_the_logs(emu: Emulator, tmp_path: Path,
        debug_logs: io.StringIO) -> None:
    db = tmp_path / "bot.sqlite3"
    parts = make_parts(emu, db)
    async with RunningBot(parts) as running:
        siti = emu.resident("Siti")
        await say(running, lambda: siti.command("start"))
        sent = []
        for text, _ in SCRIPT:
            sent.append(siti.send(text))
            await running.settle(15.0)
        await say(running, lambda: siti.press(next(b for b in labels(siti) if "petugas" in b.lower())))
        for text, _ in DURING_HANDOFF:
            sent.append(siti.send(text))
            await running.settle(15.0)
        store = parts.adapter.store
        transcript = store.transcripts.of(siti.chat_id, 200)
    store.close()

    logs = debug_logs.getvalue()
    assert "nik saya" in logs and "•" in logs  # DEBUG logging really carried the messages, masked
    stored = _stored_bytes(db)
    assert len(stored) > 10_000
    leaks = [raw for _, raws in SCRIPT + DURING_HANDOFF for raw in raws
             if raw.encode() in stored or raw in logs]
    assert leaks == []
    # The secrets were deleted from the resident's chat; phone and email messages stay (masked in storage).
    with_secrets = [m for m, (_, raws) in zip(sent, SCRIPT + DURING_HANDOFF, strict=True)
                    if not any(w in raws[0] for w in ("0812", "@"))]
    assert all(siti.chat.messages[m["message_id"]].get("deleted") for m in with_secrets)
    assert any("hapus" in m["text"] for m in siti.inbox)
    # What was kept is the masked text, with the words that were understood.
    kept = [row["text"] for row in transcript if row["direction"] == "in"]
    assert any("•" in text and "nik saya" in text for text in kept)
