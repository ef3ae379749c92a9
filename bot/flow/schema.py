"""JSON Schemas for the files in dialogs/ (checked with jsonschema before anything else)."""

from __future__ import annotations

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_MSGID = {"type": "string", "pattern": "^[a-z][a-z0-9_.]*$"}

_LINE = {
    "oneOf": [
        _MSGID,
        {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {"id": _MSGID,
                           "with": {"type": "object", "additionalProperties": {"type": ["string", "number"]}}},
        },
    ]
}

_TRANSITION_OBJ = {
    "type": "object",
    "required": ["to"],
    "additionalProperties": False,
    "properties": {
        "to": _NAME,
        "if": {"type": "string", "pattern": "^(not )?[a-z][a-z0-9_]*$"},
        "set": {"type": "object", "additionalProperties": {"type": "string"}},
        "fail": {"type": "boolean"},
    },
}

_TARGET = {"oneOf": [_NAME, _TRANSITION_OBJ, {"type": "array", "minItems": 1, "items": _TRANSITION_OBJ}]}

_STUCK = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "failures": {"type": "integer", "minimum": 1, "maximum": 10},
        "misunderstandings": {"type": "integer", "minimum": 1, "maximum": 10},
    },
}

STATE = {
    "type": "object",
    "required": ["say", "on"],
    "additionalProperties": False,
    "properties": {
        "say": {"type": "array", "minItems": 1, "items": _LINE},
        "say_simple": {"type": "array", "minItems": 1, "items": _LINE},
        "buttons": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "required": ["label", "event"],
                "additionalProperties": False,
                "properties": {"label": _MSGID, "event": _NAME},
            },
        },
        "intents": {"type": "object", "propertyNames": _NAME, "additionalProperties": _NAME},
        "on": {"type": "object", "propertyNames": _NAME, "additionalProperties": _TARGET},
        "stuck": _STUCK,
    },
}

FLOW_FILE = {
    "type": "object",
    "required": ["milestone", "entry", "states"],
    "additionalProperties": False,
    "properties": {
        "milestone": _NAME,
        "entry": _NAME,
        "states": {"type": "object", "minProperties": 1, "propertyNames": _NAME, "additionalProperties": STATE},
    },
}

MILESTONES_FILE = {
    "type": "object",
    "required": ["start", "total_steps", "milestones"],
    "additionalProperties": False,
    "properties": {
        "start": _NAME,
        "total_steps": {"type": "integer", "minimum": 1},
        "stuck": _STUCK,
        "milestones": {
            "type": "object",
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["title"],
                "additionalProperties": False,
                "properties": {"step": {"type": ["integer", "null"], "minimum": 1}, "title": _MSGID},
            },
        },
    },
}

FAQ_FILE = {
    "type": "object",
    "required": ["topics"],
    "additionalProperties": False,
    "properties": {
        "topics": {
            "type": "object",
            "maxProperties": 3,
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["label", "answer", "intents"],
                "additionalProperties": False,
                "properties": {
                    "label": _MSGID,
                    "answer": {"type": "array", "minItems": 1, "items": _LINE},
                    "intents": {"type": "array", "minItems": 1, "items": _NAME},
                },
            },
        }
    },
}
