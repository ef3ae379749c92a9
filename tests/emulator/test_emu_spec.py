"""Spec checking at the HTTP level: 404s, missing/wrong parameters, encodings, case-insensitivity."""

from __future__ import annotations

import json

import httpx

from bot.emulator import Emulator, api_version
from bot.emulator.spec import load_spec


def test_spec_file_is_self_contained() -> None:
    spec = load_spec()
    assert "PaulSonOfLars/telegram-bot-api-spec" in spec["_license"]
    assert api_version().startswith("Bot API")
    assert spec["methods"]["sendMessage"]["text"] == {"types": ["String"], "required": True}


def test_unknown_method_404(http: httpx.Client) -> None:
    r = http.post("/sendTelepathy", data={"chat_id": 1})
    assert r.status_code == 404
    assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_bad_paths_404(emu: Emulator) -> None:
    assert httpx.get(f"{emu.url}/nothing").status_code == 404
    assert httpx.get(f"{emu.url}/botnotatoken/getMe").status_code == 404


def test_method_name_case_insensitive(http: httpx.Client) -> None:
    for name in ("getMe", "getme", "GETME"):
        r = http.get(f"/{name}")
        assert r.status_code == 200 and r.json()["result"]["username"] == "TemanIKDBot"
        assert r.json()["result"]["id"] == 123456


def test_missing_required_param(http: httpx.Client, emu: Emulator) -> None:
    siti = emu.resident()
    r = http.post("/sendMessage", data={"chat_id": siti.chat_id})
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
    r = http.post("/sendMessage", data={"text": "hi"})
    assert r.status_code == 400 and r.json()["description"].startswith("Bad Request:")
    r = http.post("/getChatMember", data={"chat_id": siti.chat_id})
    assert r.json()["description"] == 'Bad Request: parameter "user_id" is required'


def test_wrong_types(http: httpx.Client, emu: Emulator) -> None:
    siti = emu.resident()
    cases = [
        {"chat_id": siti.chat_id, "text": "x", "message_thread_id": "abc"},
        {"chat_id": siti.chat_id, "text": "x", "disable_notification": "maybe"},
        {"chat_id": siti.chat_id, "text": "x", "reply_markup": "[1, 2]"},
        {"chat_id": siti.chat_id, "text": "x", "entities": '{"not": "a list"}'},
    ]
    for data in cases:
        r = http.post("/sendMessage", data=data)
        assert r.status_code == 400, data
        assert r.json()["description"].startswith("Bad Request: "), r.json()
    r = http.post("/sendMessage", json={"chat_id": siti.chat_id, "text": ["no"]})
    assert r.status_code == 400
    assert r.json()["description"] == 'Bad Request: field "text" must be of type String'
    assert emu.stats["400"] >= 5


def test_all_encodings_accepted(http: httpx.Client, emu: Emulator) -> None:
    siti = emu.resident()
    kb = {"keyboard": [["A", "B"]], "resize_keyboard": True}
    assert http.get("/sendMessage", params={"chat_id": siti.chat_id, "text": "q"}).status_code == 200
    assert http.post("/sendMessage", data={"chat_id": siti.chat_id, "text": "f",
                                           "reply_markup": json.dumps(kb)}).status_code == 200
    assert http.post("/sendMessage", json={"chat_id": siti.chat_id, "text": "j",
                                           "reply_markup": kb}).status_code == 200
    r = http.post("/sendMessage", files={"chat_id": (None, str(siti.chat_id)), "text": (None, "m")})
    assert r.status_code == 200, r.text
    assert [m["text"] for m in siti.inbox] == ["q", "f", "j", "m"]
    assert siti.latest_keyboard == [["A", "B"]]
    assert "reply_markup" not in r.json()["result"]  # reply keyboards never travel in Message


def test_unimplemented_method_is_400(http: httpx.Client) -> None:
    r = http.post("/sendInvoice", data={"chat_id": 1, "title": "t", "description": "d",
                                        "payload": "p", "currency": "IDR", "prices": "[]"})
    assert r.status_code == 400
    assert r.json()["description"] == "Bad Request: method not supported by the emulator"


def test_chat_not_found_and_request_log(http: httpx.Client, emu: Emulator) -> None:
    r = http.post("/sendMessage", data={"chat_id": 42, "text": "x"})
    assert r.json()["description"] == "Bad Request: chat not found"
    assert emu.calls("sendMessage") == [{"chat_id": 42, "text": "x"}]


def test_parse_modes(http: httpx.Client, emu: Emulator) -> None:
    siti = emu.resident()
    ok = http.post("/sendMessage", data={"chat_id": siti.chat_id, "parse_mode": "HTML",
                                         "text": "<b>Halo</b> &amp; selamat"})
    assert ok.json()["result"]["text"] == "Halo & selamat"
    bad = http.post("/sendMessage", data={"chat_id": siti.chat_id, "parse_mode": "HTML",
                                          "text": "umur <60 tahun"})
    assert bad.status_code == 400 and "can't parse entities" in bad.json()["description"]
    bad = http.post("/sendMessage", data={"chat_id": siti.chat_id, "parse_mode": "MarkdownV2",
                                          "text": "Selesai."})
    assert "Character '.' is reserved" in bad.json()["description"]
    ok = http.post("/sendMessage", data={"chat_id": siti.chat_id, "parse_mode": "MarkdownV2",
                                         "text": "*Selesai*\\."})
    assert ok.json()["result"]["text"] == "Selesai."
    blank = http.post("/sendMessage", data={"chat_id": siti.chat_id, "text": "   "})
    assert blank.json()["description"] == "Bad Request: message text is empty"
