"""Msgids of the guide's own messages and buttons (not sentences: those live in locales/)."""

# Messages
WELCOME_BACK = "sys.welcome_back"
RESUMED = "sys.resumed"
PAUSED = "sys.paused"
NOT_UNDERSTOOD = "sys.not_understood"
UNSURE = "sys.unsure"
CLARIFY = "sys.clarify"
SCAM_WARNING = "sys.scam_warning"
FLOOD = "sys.flood"  # sent by the Telegram shell (bot/telegram/flood.py), not the engine
BUTTON_EXPIRED = "sys.button_expired"
UNKNOWN_COMMAND = "sys.unknown_command"
NO_BACK = "sys.no_back"
STUCK_OFFER = "sys.stuck_offer"
ESCALATED = "sys.escalated"
STILL_WAITING = "sys.still_waiting"
HANDOFF_LEFT = "sys.handoff_left"
OPERATOR_FINISHED = "desk.returned"  # said before the resident's step, when an operator hands them back
OPERATOR_ENDED = "desk.ended"  # said when an operator ends the conversation
NO_OPERATORS = "sys.no_operators"
SECRET_DELETED = "sys.secret_deleted"
REMINDER = "sys.reminder"
REMINDER_STEP = "sys.reminder_step"
REMINDER_OFFICE = "sys.reminder_office"
REMINDERS_OFF = "sys.reminders_off"
VISIT_ASK = "sys.visit_ask"
VISIT_PLANNED = "sys.visit_planned"
VISIT_TODAY = "sys.visit_today"
ERASE_CONFIRM = "sys.erase_confirm"
ERASED = "sys.erased"
ERASE_CANCELLED = "sys.erase_cancelled"
FAQ_MENU = "sys.faq_menu"
THANKS = "sys.thanks"
GREETING = "sys.greeting"
CONFUSED = "sys.confused"
TOO_LONG = "sys.too_long"
OFFER_PERSON = "sys.offer_person"
MEDIA = {
    "voice": "sys.media.voice", "audio": "sys.media.voice", "video_note": "sys.media.voice",
    "photo": "sys.media.photo", "sticker": "sys.media.sticker", "animation": "sys.media.sticker",
    "dice": "sys.media.sticker", "location": "sys.media.location", "contact": "sys.media.contact",
    "video": "sys.media.video", "document": "sys.media.document", "poll": "sys.media.other",
}
MEDIA_OTHER = "sys.media.other"
KEC_ASK = "sys.kec_ask"
KEC_NOT_FOUND = "sys.kec_not_found"
KEC_NEAREST = "sys.kec_nearest"
KEC_NEAREST_UNKNOWN = "sys.kec_nearest_unknown"

# Buttons
PERSON = "btn.person"
BACK = "btn.back"
FAQ = "btn.faq"
RESUME = "btn.resume"
BACK_TO_GUIDE = "btn.back_to_guide"
PERSON_YES = "btn.person_yes"
TRY_AGAIN = "btn.try_again"
ERASE_YES = "btn.erase_yes"
ERASE_NO = "btn.erase_no"
CONTINUE_GUIDE = "btn.continue_guide"
SCAM_VICTIM = "btn.pb.scam_victim"  # on the scam warning: "I already gave it" -> the victim's steps
STOP_REMINDERS = "btn.stop_reminders"
PLAN_VISIT = "btn.plan_visit"
VISIT_DAYS = tuple(f"btn.visit.{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
RETURN_TO_STEP = "btn.return_to_step"
KEC_UNKNOWN = "btn.kec_unknown"
KEC_BUTTON = "btn.kec."  # + the kecamatan's id from the region file (bot/places.py)
HV_KELURAHAN_ASK = "hv.kelurahan_ask"  # the home-visit request (bot/engine/home_visit.py)
HV_KELURAHAN_NOT_FOUND = "hv.kelurahan_not_found"
HV_ADDRESS_ASK = "hv.address_ask"
HV_SENT = "hv.sent"


def all_msgids() -> set[str]:
    """Every msgid the engine itself may emit (checked against the catalogs)."""
    ids = {v for k, v in globals().items() if k.isupper() and isinstance(v, str)}
    ids.update(MEDIA.values())
    ids.update(VISIT_DAYS)
    ids.discard(KEC_BUTTON)  # a prefix: the region file's kecamatan complete it (place_msgids)
    return ids


def place_msgids(region) -> set[str]:
    """The kecamatan buttons' msgids for this region (bot/places.py)."""
    return {KEC_BUTTON + k.id for k in region.places.kecamatan} if region else set()
