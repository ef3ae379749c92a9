"""Find and mask secrets and personal data in what residents type (pure, no I/O).

Secrets (NIK or KK numbers, PINs, activation codes, OTPs, passwords) must never be stored,
logged or shown raw: the guide deletes such a message from the chat and keeps only the masked
text. Phone numbers and email addresses are personal but not secret: they are masked, not deleted.
Dukcapil's own guidance is that no officer asks for any of these by chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "\u2022"  # a bullet: readable on small screens, unlike asterisks that Telegram may format

# 16 digits, possibly grouped with spaces, dots or dashes: a NIK or a KK number.
_NIK = re.compile(r"(?<![\d])(?:\d[ .\-]{0,2}){15}\d(?![\d])")
# "no kk", "kartu keluarga" shortly before the 16 digits: the same mask, named for the review.
_KK_HINT = re.compile(r"(?i)\b(?:kk|kartu\s+keluarga)\b")
# A word that announces a secret ("kodenya", "PIN saya:"), then within a few words 4-10 digits.
_KEYWORD = r"(?:pin|kode|kd|code|otp|sandi|password|passwd|pass|pw|kata\s+sandi|kata\s+kunci|token)"
_FILLER = r"(?:\s*(?:nya|ku|saya|sy|aku|baru|lama|ikd|akun|aktivasi|otp|sms|email|dari|yang|yg|adalah|yaitu|ini|itu|[:=\-]))*"
_KEYED_DIGITS = re.compile(
    rf"(?i)\b{_KEYWORD}(?:nya|ku|mu)?\b{_FILLER}\W{{0,6}}(\d(?:[ .\-]?\d){{3,9}})(?!\d)")
# "password: xyz", "sandinya adalah xyz", or a password-looking word (letters and digits) after
# the keyword and a few filler words. "lupa password gimana" is a question, not a password.
_KEYED_WORD = re.compile(
    r"(?i)\b(?:sandi|password|passwd|pw|kata\s+sandi)(?:nya|ku)?"
    r"(?:\s+(?:saya|sy|aku|email|gmail|akun|ikd|baru|lama|ini|itu))*\s*"
    r"(?:(?:adalah|yaitu|:|=)\s*(\S{4,})|(?=\S*\d)(?=\S*[a-z])(\S{4,}))")
# A lone 6-digit number is most likely the activation code, an OTP or a PIN. Shorter bare
# numbers are left alone: years, times and step numbers are far more common in real messages.
# Money ("Rp 100000", "150000 rupiah") is not a code.
_BARE_CODE = re.compile(r"(?<![\d\w])(?<!rp )(?<!rp\.)(?<!rp)\d{6}(?![\d\w])(?!\s*(?:rupiah|ribu|rb|perak))",
                        re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+?62|0)[ .\-]?8\d(?:[ .\-]?\d){6,11}(?!\d)")
_EMAIL = re.compile(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b")

SECRET_KINDS = ("nik", "kk", "pin_or_code", "password")


@dataclass(frozen=True)
class Redaction:
    text: str  # the input with every secret and personal datum masked
    secrets: tuple[str, ...]  # kinds found that must be deleted from the chat
    personal: tuple[str, ...]  # kinds found that were only masked

    @property
    def has_secret(self) -> bool:
        return bool(self.secrets)


def _mask_digits(raw: str, keep_head: int, keep_tail: int) -> str:
    digits = re.sub(r"\D", "", raw)
    if len(digits) <= keep_head + keep_tail:
        return MASK * len(digits)
    return digits[:keep_head] + MASK * (len(digits) - keep_head - keep_tail) + digits[len(digits) - keep_tail:]


_CLEAN: dict[str, "Redaction"] = {}  # texts found to hold nothing to mask (never a secret)
_CLEAN_LIMIT = 4096


def redact(text: str) -> Redaction:
    """Mask secrets and personal data; report which kinds were found.

    All patterns are matched against the original text and the first pattern to claim a span
    wins, so a masked NIK is never re-read as a code.
    """
    # One update's text is redacted by the inbox, the engine and the transcript, and residents
    # send the same button labels all day: clean texts are remembered. A text with anything to
    # mask is never kept in memory.
    clean = _CLEAN.get(text)
    if clean is not None:
        return clean
    found = _redact(text)
    if not found.secrets and not found.personal:
        if len(_CLEAN) >= _CLEAN_LIMIT:
            _CLEAN.clear()
        _CLEAN[text] = found
    return found


def _redact(text: str) -> Redaction:
    spans: list[tuple[int, int, str]] = []  # (start, end, replacement)
    secrets: list[str] = []
    personal: list[str] = []
    for pattern, rule_kind, group, mask in _RULES:
        for m in pattern.finditer(text):
            kind = rule_kind
            # _KEYED_WORD has two alternative groups; take whichever matched.
            g = group if group == 0 or m.group(group) is not None else group + 1
            start, end = m.span(g)
            if any(s < end and start < e for s, e, _ in spans):
                continue
            spans.append((start, end, mask(m.group(g))))
            if kind == "nik" and _KK_HINT.search(text, max(0, start - 24), start):
                kind = "kk"
            target = secrets if kind in SECRET_KINDS else personal
            if kind not in target:
                target.append(kind)
    out = text
    for start, end, replacement in sorted(spans, reverse=True):
        out = out[:start] + replacement + out[end:]
    return Redaction(out, tuple(secrets), tuple(personal))


def _mask_email(raw: str) -> str:
    local, _, domain = raw.partition("@")
    return f"{local[:1]}{MASK * 3}@{domain}"


_RULES = (
    (_EMAIL, "email", 0, _mask_email),
    (_NIK, "nik", 0, lambda raw: _mask_digits(raw, 4, 4)),
    (_PHONE, "phone", 0, lambda raw: _mask_digits(raw, 4, 2)),
    (_KEYED_DIGITS, "pin_or_code", 1, lambda raw: MASK * 6),
    (_KEYED_WORD, "password", 1, lambda raw: MASK * 6),
    (_BARE_CODE, "pin_or_code", 0, lambda raw: MASK * 6),
)
