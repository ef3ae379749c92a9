"""Find and mask secrets and personal data in what residents type (pure, no I/O).

Secrets (NIK or KK numbers, PINs, activation codes, OTPs, passwords) must never be stored,
logged or shown raw: the guide deletes such a message from the chat and keeps only the masked
text. Phone numbers, email addresses and coordinates are personal but not secret: they are
masked, not deleted. Dukcapil's own guidance is that no officer asks for any of these by chat.

Every text that enters the bot goes through ``redact``: messages, edits, captions, command
arguments, names, the stored copy of each update and every log line. Before matching, the text
is normalised (see ``_normalise``): invisible characters go, every kind of space and dash
becomes a plain one, full-width digits become ASCII, and Indonesian digit words read one by one
("tiga dua nol satu") become digits; each normalised character remembers where it came from, so
what is masked is always the original span.

A NIK split over two messages: any run of six or more digits that is not a date, a time, an
amount of money, a phone number or coordinates is masked whole (a NIK part or a code), so of a
NIK typed in two pieces at most the shorter piece's digits (five or fewer, no more than the
region code and serial the NIK mask itself keeps) can stay readable. This needs no memory of
the previous message, so it holds for the stored update, the log and the transcript alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

MASK = "\u2022"  # a bullet: readable on small screens, unlike asterisks that Telegram may format
SECRET_KINDS = ("nik", "kk", "pin_or_code", "password")

# ----- normalisation ------------------------------------------------------------------------
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")  # zero-width, soft hyphen
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_DIGIT_WORDS = {"nol": "0", "kosong": "0", "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5",
                "enam": "6", "tujuh": "7", "delapan": "8", "sembilan": "9"}
_WORD = "(?:" + "|".join(_DIGIT_WORDS) + ")"
# Digit words next to another digit word or a digit ("satu dua", "3673 nol empat"): a number
# read out. A lone "dua" ("dua kali") stays a word.
_DIGIT_WORD_RUN = re.compile(rf"(?i)(?<![a-z])(?:{_WORD}|\d+)(?:[ .,/_\-]+(?:{_WORD}|\d+))+(?![a-z])")
_DIGIT_WORD = re.compile(rf"(?i){_WORD}")


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """The text to match on, and for each of its characters the original span (start, end)."""
    if text.isascii() and text.isprintable():  # most messages: nothing to replace character-wise
        norm, starts = text, list(range(len(text)))
    else:
        norm, starts = _normalise_characters(text)
    ends = [s + 1 for s in starts]
    if not _DIGIT_WORD.search(norm):
        return norm, starts, ends
    return _digit_words(norm, starts, ends)


def _normalise_characters(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch.isspace():
            ch = " "
        elif ch in _DASHES:
            ch = "-"
        elif ch.isdecimal() and not ch.isascii():
            ch = str(unicodedata.decimal(ch))
        chars.append(ch)
        starts.append(i)
    return "".join(chars), starts


def _digit_words(norm: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    """Digit words in a run ("tiga dua nol") become digits, each mapped to its word's span."""
    out: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    done = 0
    for run in _DIGIT_WORD_RUN.finditer(norm):
        if not any(w.group().lower() in _DIGIT_WORDS for w in _DIGIT_WORD.finditer(run.group())):
            continue
        for word in re.finditer(rf"(?i)(?<![a-z]){_WORD}(?![a-z])", norm[run.start():run.end()]):
            a, b = run.start() + word.start(), run.start() + word.end()
            out.extend(norm[done:a])
            out_starts.extend(starts[done:a])
            out_ends.extend(ends[done:a])
            out.append(_DIGIT_WORDS[word.group().lower()])
            out_starts.append(starts[a])
            out_ends.append(ends[b - 1])
            done = b
    out.extend(norm[done:])
    out_starts.extend(starts[done:])
    out_ends.extend(ends[done:])
    return "".join(out), out_starts, out_ends


# ----- patterns (on the normalised text) ----------------------------------------------------
_SEP = r"[ .,/_\-]{0,3}"  # between the digits of one number: " ", ".", "-", " - ", ", ", "/", "_"
_NO_DIGIT_BEFORE = r"(?<!\d)(?<!\d[ .,/_\-])"
_NO_DIGIT_AFTER = r"(?![ .,/_\-]?\d)"

# 16 digits, however separated: a NIK or a KK number.
_NIK = re.compile(rf"(?<!\d)(?:\d{_SEP}){{15}}\d(?!\d)")
# "no kk", "kartu keluarga" shortly before the 16 digits: the same mask, named for the review.
_KK_HINT = re.compile(r"(?i)\b(?:kk|kartu\s+keluarga)\b")
_PHONE = re.compile(r"(?<!\d)(?:\+?62|0)[ .\-]?8\d(?:[ .\-]?\d){6,11}(?!\d)")
_EMAIL = re.compile(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b")
# Coordinates (a shared location, a pasted map link): personal, not secret.
_COORDINATE = re.compile(r"(?<![\d.])-?\d{1,3}\.\d{4,}(?![\d.])")

# Ordinary numbers that a digit run must not swallow: money, dates, times and year ranges.
_MONEY = re.compile(r"(?i)\brp\.?\s*\d[\d.,]*|\d[\d.,]*\s*(?:rupiah|ribu|rb|jt|juta|perak)\b")
_DATE = re.compile(rf"{_NO_DIGIT_BEFORE}(?:\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}})"
                   rf"|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}){_NO_DIGIT_AFTER}")
_TIME_ONE = r"(?:[01]?\d|2[0-3])[.:][0-5]\d"
_TIME = re.compile(rf"(?i){_NO_DIGIT_BEFORE}{_TIME_ONE}(?:\s*(?:-|s/?d|sampai|hingga)\s*{_TIME_ONE})?{_NO_DIGIT_AFTER}")
_YEARS = re.compile(rf"{_NO_DIGIT_BEFORE}(?:19|20)\d\d\s*(?:[-/,]|s/?d|sampai|dan)\s*(?:19|20)\d\d{_NO_DIGIT_AFTER}")

# Six or more digits in one run (a code, or a NIK typed in parts): masked whole.
_DIGIT_RUN = re.compile(rf"(?<![^\W\d_])(?<!\d)(?:\d{_SEP}){{5,}}\d(?!\d)")

# A word that announces a secret ("kodenya", "PIN saya:"), then within a few words 4-10 digits.
_KEYWORD = r"(?:pin|kode|kd|code|otp|sandi|password|passwd|pass|pw|kata\s+sandi|kata\s+kunci|token)"
_FILLER = (r"(?:\s*(?:nya|ku|saya|sy|aku|baru|lama|ikd|akun|aktivasi|verifikasi|otp|sms|email|dari|yang|yg|"
           r"adalah|yaitu|ini|itu|[:=\-]))*")
_KEYED_DIGITS = re.compile(
    rf"(?i)\b{_KEYWORD}(?:nya|ku|mu)?\b{_FILLER}\W{{0,6}}(\d(?:[ .,/_\-]{{0,3}}\d){{3,9}})(?!\d)")
# "kode aktivasi AB12CD": letters and digits after a code word.
_KEYED_CODE = re.compile(
    rf"(?i)\b(?:pin|kode|kd|code|otp|token)(?:nya|ku|mu)?\b{_FILLER}\W{{0,6}}"
    r"((?=[a-z0-9]*\d[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{4,12})(?![a-z0-9])")
# A password after its keyword and a few filler words, unless the next word is an ordinary one
# ("lupa password gimana", "sandinya salah", "pass foto"): "password saya melati".
_PASSWORD_WORD = r"(?:password|passwd|pass|pw|kata\s+sandi|kata\s+kunci|sandi)"
_KEYED_WORD = re.compile(
    rf"(?i)\b{_PASSWORD_WORD}(?:nya|ku|mu)?"
    r"(?:\s+(?:saya|sy|aku|email|gmail|akun|ikd|baru|lama|ini|itu))*\s*"
    r"(?:(?:adalah|yaitu|:|=)\s*(\S{2,})|(?<![:=])\s(?=\S*[a-z])(\S{3,}))")
# Ordinary words that may follow a password keyword (a matcher vocabulary, like _FILLER).
_NOT_A_PASSWORD = frozenset((
    "apa|apaan|gimana|gmn|gmna|bagaimana|berapa|brp|dimana|mana|kenapa|knp|mengapa|kapan|siapa|yg|yang|"
    "untuk|utk|buat|di|ke|dari|dan|atau|juga|lalu|terus|trus|tapi|tetapi|karena|krn|sudah|sdh|udah|udh|"
    "dah|belum|blm|tidak|tdk|tak|gak|ga|gk|nggak|ngga|enggak|engga|bukan|bisa|bs|dapat|harus|hrs|perlu|"
    "mesti|boleh|salah|lupa|benar|betul|bener|keliru|beda|berbeda|sama|lagi|lg|diganti|ganti|ganti2|ubah|"
    "diubah|rubah|dirubah|reset|direset|hilang|masuk|keluar|login|ya|yah|iya|kok|dong|sih|kah|deh|nih|"
    "tuh|loh|lho|kan|pun|saja|aja|doang|cuma|hanya|nya|minimal|min|maksimal|max|pakai|pake|memakai|dengan|"
    "dgn|tanpa|foto|photo|kuat|lemah|aman|rahasia|apk|aplikasi|app|dikirim|terkirim|kirim|error|eror|gagal|"
    "huruf|angka|karakter|digit|kali|terlalu|pendek|panjang|tau|tahu|tahunya|ingat|inget|lupakan|banget|"
    "bgt|sekali|pas|cocok|baru|lama|akun|email|gmail|ikd|saya|sy|aku|ini|itu|tersebut|tsb|sendiri|dulu|"
    "tadi|kemarin|bagaimanakah|apakah|mohon|tolong|minta|diminta|meminta|bantu|bantuan|dimasukkan|masukkan|"
    "isi|diisi|ketik|diketik|tulis|ditulis|buat|dibuat|bikin|membuat|dikasih|kasih|beri|diberi"
).split("|"))

# Letters and digits mixed in one 6-8 character word ("AB12CD", "7K3P9Q"): a code. Model names
# ("A12", "SM-A125F", "RMX3085") are shorter, longer, hyphenated or one letter block then digits.
_MIXED_CODE = re.compile(r"(?<![\w\-])(?=[A-Za-z0-9]*\d[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*[A-Za-z])"
                         r"[A-Za-z0-9]{6,8}(?![\w\-])")
_BRANDS = re.compile(r"(?i)\b(?:samsung|galaxy|oppo|vivo|xiaomi|redmi|poco|realme|infinix|tecno|itel|nokia|asus|"
                     r"huawei|honor|iphone|ipad|lenovo|advan|evercoss|type|tipe|model|seri|versi)\s*$")


def _segments(word: str) -> int:
    return len(re.findall(r"[A-Za-z]+|\d+", word))


def _accept_mixed(m: re.Match[str], norm: str) -> bool:
    return _segments(m.group()) >= 3 and not _BRANDS.search(norm, max(0, m.start() - 12), m.start())


def _accept_run(m: re.Match[str], norm: str) -> bool:
    raw = m.group()
    groups = re.findall(r"\d+", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):  # 1.500.000: an amount, written the Indonesian way
        return False
    if "," in raw and all(len(g) == 1 for g in groups):  # "pilih 1, 2, 3, 4, 5, 6": a list
        return False
    return True


def _accept_password(m: re.Match[str], norm: str) -> bool:
    word = (m.group(1) or m.group(2) or "").strip(".,!?;:)(\"'").lower()
    if m.group(2) is not None and (word in _NOT_A_PASSWORD or word.isdigit()):
        return False
    return bool(word)


def _mask_digits(raw: str, keep_head: int, keep_tail: int) -> str:
    digits = re.sub(r"\D", "", raw)
    if len(digits) <= keep_head + keep_tail:
        return MASK * len(digits)
    return digits[:keep_head] + MASK * (len(digits) - keep_head - keep_tail) + digits[len(digits) - keep_tail:]


def _mask_email(raw: str) -> str:
    local, _, domain = raw.partition("@")
    return f"{local[:1]}{MASK * 3}@{domain}"


def _keep(raw: str) -> str:
    return raw


def _six(raw: str) -> str:
    return MASK * 6  # always six: the length of a code must not show


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: str | None  # None: an ordinary number, claimed so that no later rule reads it
    mask: Callable[[str], str]
    groups: tuple[int, ...] = (0,)
    accept: Callable[[re.Match[str], str], bool] | None = None
    needs: str = "digit"  # what the text must hold for the rule to be tried: "digit", "keyword" or "@"


def _run_kind(raw: str) -> str:
    return "pin_or_code" if len(re.sub(r"\D", "", raw)) <= 6 else "nik"


# Rules in priority order: the first to claim a span wins, so a NIK is never re-read as a date.
_RULES = (
    _Rule(_EMAIL, "email", _mask_email, needs="@"),
    _Rule(_NIK, "nik", lambda raw: _mask_digits(raw, 4, 4)),
    _Rule(_PHONE, "phone", lambda raw: raw[:raw.startswith("+")] + _mask_digits(raw, 4, 2)),
    _Rule(_KEYED_DIGITS, "pin_or_code", _six, (1,)),
    _Rule(_KEYED_CODE, "pin_or_code", _six, (1,)),
    _Rule(_KEYED_WORD, "password", _six, (1, 2), _accept_password, needs="keyword"),
    _Rule(_COORDINATE, "location", lambda raw: MASK * 4),
    _Rule(_MONEY, None, _keep),
    _Rule(_DATE, None, _keep),
    _Rule(_TIME, None, _keep),
    _Rule(_YEARS, None, _keep),
    _Rule(_DIGIT_RUN, "digits", lambda raw: MASK * max(6, len(re.sub(r"\D", "", raw))), (0,), _accept_run),
    _Rule(_MIXED_CODE, "pin_or_code", _six, (0,), _accept_mixed),
)

# Nothing to mask without one of these: most messages ("sudah", a button label) stop here.
_KEY = re.compile(r"(?i)\b(?:pin|kode|kd|code|otp|token|sandi|password|passwd|pass|pw|kunci)(?:nya|ku|mu)?\b")
_TRIGGER = re.compile(rf"(?i)\d|@|{_KEY.pattern[4:]}|(?<![a-z]){_WORD}(?![a-z])")


@dataclass(frozen=True)
class Redaction:
    text: str  # the input with every secret and personal datum masked
    secrets: tuple[str, ...]  # kinds found that must be deleted from the chat
    personal: tuple[str, ...]  # kinds found that were only masked

    @property
    def has_secret(self) -> bool:
        return bool(self.secrets)


_CLEAN: dict[str, Redaction] = {}  # texts found to hold nothing to mask (never a secret)
_CLEAN_LIMIT = 4096


def redact(text: str) -> Redaction:
    """Mask secrets and personal data; report which kinds were found."""
    # One update's text is redacted by the inbox, the engine and the transcript, and residents
    # send the same button labels all day: clean texts are remembered. A text with anything to
    # mask is never kept in memory.
    clean = _CLEAN.get(text)
    if clean is not None:
        return clean
    found = _redact(text) if _TRIGGER.search(text) else Redaction(text, (), ())
    if not found.secrets and not found.personal:
        if len(_CLEAN) >= _CLEAN_LIMIT:
            _CLEAN.clear()
        _CLEAN[text] = found
    return found


def _redact(text: str) -> Redaction:
    norm, starts, ends = _normalise(text)
    claimed: list[tuple[int, int]] = []  # spans of the normalised text already read
    spans: list[tuple[int, int, str]] = []  # (start, end, replacement) in the original text
    secrets: list[str] = []
    personal: list[str] = []
    present = {"digit": any(ch.isdigit() for ch in norm), "keyword": _KEY.search(norm) is not None,
               "@": "@" in norm}
    for rule in _RULES:
        if not present[rule.needs]:
            continue
        for m in rule.pattern.finditer(norm):
            g = next((g for g in rule.groups if m.group(g) is not None), None)
            if g is None:
                continue
            start, end = m.span(g)
            if start == end or any(s < end and start < e for s, e in claimed):
                continue
            if rule.accept is not None and not rule.accept(m, norm):
                continue
            claimed.append((start, end))
            if rule.kind is None:
                continue
            a, b = starts[start], ends[end - 1]
            spans.append((a, b, rule.mask(norm[start:end])))
            kind = rule.kind
            if kind == "digits":
                kind = _run_kind(norm[start:end])
            if kind == "nik" and _KK_HINT.search(norm, max(0, start - 24), start):
                kind = "kk"
            target = secrets if kind in SECRET_KINDS else personal
            if kind not in target:
                target.append(kind)
    out = text
    for start, end, replacement in sorted(spans, reverse=True):
        out = out[:start] + replacement + out[end:]
    return Redaction(out, tuple(secrets), tuple(personal))
