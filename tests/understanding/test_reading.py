"""The reader: informal typing, regional words, emoji, typos and affixes read right; correct
words never "corrected"; negation and filler never read as progress; scams read by meaning;
a request for a person heard, politeness not; unsure readings say so; training is deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from bot.assembly import build_understanding
from bot.understanding import Understanding, normalise


@pytest.fixture(scope="module")
def real(engine) -> Understanding:
    return engine.understanding


def meaning(u: Understanding, text: str, state: str | None = None, engine=None) -> str | None:
    expected = tuple(engine.flow.states[state].intents) if state else ()
    return u.read(text, (), expected).intent


def test_normalise_case_accents_repeats_punctuation_reduplication_invisible() -> None:
    assert normalise("Sudaaah!!  PAK") == "sudah pak"
    assert normalise("kodenya ga masuk2") == "kodenya ga masuk masuk"
    assert normalise("Sudáh, bèrhasil.") == "sudah berhasil"
    assert normalise("e-KTP?") == "e ktp"
    assert normalise("su\u200bdah") == "sudah"


@pytest.mark.parametrize("text, intent", [
    ("sdh pak", "done"), ("Sudaaah", "done"), ("blm", "not_yet"), ("ga bs", "failed"), ("udah", "done"),
    ("👍", "yes"), ("gk punya", "no"), ("kodenya ga masuk2", "email_code_missing"),
])
def test_informal_spellings(real: Understanding, text: str, intent: str) -> None:
    assert real.read(text).intent == intent


@pytest.mark.parametrize("text, intent", [
    # Jawa Serang / Jawa
    ("enggih", "yes"), ("nggih pak", "yes"), ("sampun", "done"), ("wis", "done"), ("durung", "not_yet"),
    ("dereng", "not_yet"), ("ora", "no"), ("mboten", "no"), ("bli bisa", "failed"), ("ora iso", "failed"),
    ("piye carane", "confused"), ("durung iso", "failed"),
    # Sunda
    ("muhun", "yes"), ("atos", "done"), ("teu acan", "not_yet"), ("henteu", "no"),
    ("teu tiasa", "failed"), ("hatur nuhun", "thanks"), ("punten", "greeting"), ("lieur", "confused"),
    ("kumaha carana", "confused"), ("abdi teu tiasa", "failed"),
])
def test_regional_words_of_serang(real: Understanding, text: str, intent: str) -> None:
    assert real.read(text).intent == intent


@pytest.mark.parametrize("text, intent", [
    ("👍", "yes"), ("👍🏻", "yes"), ("✅", "done"), ("👌", "yes"), ("👎", "no"), ("❌", "no"), ("🙏🏼", "thanks"),
    ("🙋", "help"), ("🆘", "help"), ("🤔", "confused"), ("😭", "failed"), ("⏳", "not_yet"),
])
def test_emoji(real: Understanding, text: str, intent: str) -> None:
    assert real.read(text).intent == intent


@pytest.mark.parametrize("typo, word, intent", [
    ("gagl", "gagal", "failed"), ("berhsil", "berhasil", "done"), ("bingun", "bingung", "confused"),
])
def test_typos_are_corrected_and_the_correction_is_recorded(real: Understanding, typo: str, word: str,
                                                            intent: str) -> None:
    reading = real.read(typo)
    assert reading.intent == intent
    assert f"{typo}→{word}" in reading.matched


@pytest.mark.parametrize("word", ["teman", "seorang", "satu", "pindai", "darimana", "berulang", "pulang",
                                  "pensiun", "tahun", "data", "mana", "setiap"])
def test_correct_words_are_never_corrected(real: Understanding, word: str) -> None:
    assert real.words.tokens(word)[1] == ()  # no correction recorded


@pytest.mark.parametrize("text, stems", [
    ("ditolak", "tolak"), ("emailnya", "email"), ("terpasang", "pasang"), ("pendaftarannya", "daftar"),
    ("di buka", "buka"), ("ke hapus", "hapus"),
])
def test_affixes_and_split_prefixes_are_stemmed_by_sastrawi(real: Understanding, text: str, stems: str) -> None:
    assert real.canonical(text) == stems


@pytest.mark.parametrize("split, joined", [("di instal", "diinstal"), ("di telepon", "ditelepon"),
                                           ("di buka", "dibuka"), ("ke hapus", "kehapus")])
def test_a_prefix_typed_apart_reads_like_the_joined_word(real: Understanding, split: str, joined: str) -> None:
    assert real.canonical(split) == real.canonical(joined)


@pytest.mark.parametrize("text, state, not_intent", [
    ("sdh cek spam gk ada", "mail_spam", "done"),
    ("nik ditolak", "form_nik", "done"),
    ("data saya betul semua kok ditolak", "form_personal", "yes"),
    ("kok pas scan qr ya malah muncul tulisan invalid", "visit_qr", "yes"),
    ("tidak berhasil pak", "face_take", "done"),
])
def test_negation_and_filler_are_not_progress(real: Understanding, engine, text: str, state: str,
                                             not_intent: str) -> None:
    got = meaning(real, text, state, engine)
    assert got not in (not_intent, "done", "yes"), got


@pytest.mark.parametrize("text", [
    "wa dr dukcapil minta kode", "ada orang telpon katanya petugas capil, minta foto ktp",
    "ada yang kirim file apk di wa katanya aplikasi ikd baru", "disuruh transfer dulu biar cepat jadi",
    "orang ngaku pegawai capil minta foto selfie pegang ktp", "dapat link dari nomor asing buat aktivasi ikd",
    "ada yg minta otp dari email saya",
])
def test_scams_are_read_by_meaning(real: Understanding, text: str) -> None:
    assert real.read(text).intent == "scam"


@pytest.mark.parametrize("text", [
    "apk", "apk nya ga bisa dibuka", "aplikasinya minta pin", "pin baru sudah saya buat",
    "aplikasi minta kode dari email", "link play store nya mana",
])
def test_apk_alone_or_the_app_asking_for_a_pin_is_not_a_scam(real: Understanding, text: str) -> None:
    assert real.read(text).intent != "scam"


@pytest.mark.parametrize("text", [
    "mau bicara dengan petugas", "sambungkan ke orang", "saya mau bicara sama orang saja",
    "minta dihubungkan ke petugas dukcapil", "sudah tapi saya mau ngomong sama petugas",
])
def test_an_explicit_request_for_a_person_is_help(real: Understanding, text: str) -> None:
    assert real.read(text).intent == "help"


@pytest.mark.parametrize("text", [
    "tolong", "bantu", "terima kasih bantuannya", "saya cucunya mau bantu nenek",
    "tolong pelan pelan", "bisa bantu cara pasangnya",
])
def test_politeness_is_not_a_request_for_a_person(real: Understanding, text: str) -> None:
    assert real.read(text).intent != "help"


def test_typed_label_matches_the_button_even_with_a_typo(engine) -> None:
    u = engine.understanding
    labels = [b.label for b in engine.flow.states["inst_install"].buttons]
    assert u.read("✅ Sudah terpasang", labels).label == "btn.installed"
    assert u.read("sudah terpasng", labels).label == "btn.installed"  # a letter missing
    assert u.read("udah terpasang", labels).label == "btn.installed"  # spelled informally
    assert u.read("sudah terpasang", []).label is None  # no such button shown


def test_an_unclear_message_gives_candidates_not_a_guess(real: Understanding) -> None:
    reading = real.read("entah berhasil entah gagal", (), ("done", "failed"))
    assert reading.intent is None and {"done", "failed"} <= set(reading.candidates)
    assert len(reading.candidates) == len(reading.likelihoods) and reading.likelihoods[0] < 0.9


def test_the_step_is_a_prior_not_a_filter(real: Understanding, engine) -> None:
    # A problem is heard at a step that does not expect it...
    assert meaning(real, "lupa pin ikd saya", "req_email", engine) == "forgot_pin"
    # ...and the step's expected answers make an answer likelier than elsewhere.
    plain = dict(real.ranked("iya ada"))["yes"]
    primed = dict(real.ranked("iya ada", ("yes", "no")))["yes"]
    assert primed > plain


def test_training_is_deterministic(engine) -> None:
    labels = {m: engine.understanding._labels[m] for m in list(engine.understanding._labels)[:5]}
    a = Understanding(engine.understanding.examples, labels, spellings={}, known_words=())
    b = Understanding(engine.understanding.examples, labels, spellings={}, known_words=())
    assert a.reader.labels == b.reader.labels
    assert np.array_equal(a.reader.model.word_coef, b.reader.model.word_coef)
    assert np.array_equal(a.reader.model.char_coef, b.reader.model.char_coef)


def test_the_reader_is_trained_once_per_process_for_the_same_examples(engine) -> None:
    labels = dict(engine.understanding._labels)
    assert build_understanding("id", labels) is build_understanding("id", labels)


def test_reading_without_scikit_learn_equals_its_arithmetic(real: Understanding) -> None:
    """The running bot reads with the fitted numbers only; they give scikit-learn's own scores."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from bot.understanding.reader import _identity, char_grams, views

    pairs = real.examples.labelled()
    docs = [views(real.words, t) for t, _ in pairs]
    word = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    char = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True)
    x = hstack([word.fit_transform([d[0] for d in docs]), char.fit_transform([d[1] for d in docs])]).tocsr()
    labels = sorted({label for _, label in pairs})
    svc = LinearSVC(C=0.5, random_state=0).fit(x, [labels.index(label) for _, label in pairs])
    for text in ("sdh pak", "verifikasi wajah gagal terus 😭", "wa dr dukcapil minta kode", "x"):
        doc = views(real.words, text)
        expected = svc.decision_function(hstack([word.transform([doc[0]]), char.transform([doc[1]])]).tocsr())[0]
        assert np.allclose(real.reader.model.scores(doc), expected)


def test_the_model_survives_its_cache_file(real: Understanding, tmp_path) -> None:
    from bot.understanding.reader import Model

    real.reader.model.save(tmp_path / "m.npz")
    loaded = Model.load(tmp_path / "m.npz")
    assert loaded.labels == real.reader.model.labels
    views = real.reader.views("lupa pin")
    assert np.array_equal(loaded.scores(views), real.reader.model.scores(views))


def test_char_grams_are_scikit_learns_char_wb() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.understanding.reader import char_grams

    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for text in ("sudah pak", "a bc def ghij klmno", "verifikasi wajah"):
        assert char_grams(text) == analyzer(text)
