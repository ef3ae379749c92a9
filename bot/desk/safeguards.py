"""Safeguards on what operators send residents (pure, no I/O).

Dukcapil's rule, and the guide's promise to residents, is that nobody asks for a PIN, an OTP,
the activation code or a password by chat. An operator line that does ask is not relayed: a
tired operator, a borrowed account or a social engineer in the group must not be able to undo
what the guide teaches. A false alarm costs one rephrased line; a relayed request can cost a
resident their identity, so the rule leans towards stopping.

A line asks for a secret when, in one sentence, a secret is named and either a request verb
("kirim", "sebutkan", "fotokan") appears or a question word follows the secret ("OTP-nya
berapa?"). A negation in the same sentence ("jangan berikan kode OTP") makes it a warning,
which is relayed.
"""

from __future__ import annotations

import re

_SECRET = r"(?:pin|otp|kode|kd|code|sandi|password|passwd|pw|kata\s+kunci|token|passcode)"
_SECRET_WORD = re.compile(rf"(?i)\b{_SECRET}(?:nya|mu|ku)?\b")
_REQUEST = re.compile(
    r"(?i)\b(?:kirim\w*|krm\w*|sebut\w*|kasih\s*(?:tau|tahu)|kasi\s*(?:tau|tahu)|kasih|kasi|beri\w*|bagi\w*|"
    r"foto(?:kan|in)|fotoin|screenshot\w*|ss|bacakan|bacain|infokan|infoin|share|forward|teruskan|minta|"
    r"send|tell|give)\b")
_QUESTION_AFTER = re.compile(rf"(?i)\b{_SECRET}(?:nya|mu|ku)?\b(?:\W+\w+){{0,4}}?\W+(?:berapa|brp|apa|what)\b")
_NEGATION = re.compile(
    r"(?i)\b(?:jangan|jgn|tidak\s+(?:usah|perlu|boleh)|tdk\s+(?:usah|perlu|boleh)|tak\s+(?:usah|perlu|boleh)|"
    r"(?:gak|ga|nggak|ngga|enggak)\s+(?:usah|perlu|boleh)|bukan|never|don'?t|do\s+not)\b")
_SENTENCES = re.compile(r"[.!?\n;]+")


def asks_for_secret(text: str) -> bool:
    """True when the line asks the resident for a PIN, OTP, activation code or password."""
    for sentence in _SENTENCES.split(text):
        if not _SECRET_WORD.search(sentence) or _NEGATION.search(sentence):
            continue
        if _REQUEST.search(sentence) or _QUESTION_AFTER.search(sentence):
            return True
    return False
