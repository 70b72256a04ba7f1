"""A small recorded stream, in the X API v2 shape, whose leads are known in advance."""

from __future__ import annotations

from pathlib import Path

import orjson

# (id, lang, text, expected lead?) — written for this test; the expectation is the product's
# promise: genuine buying signals become leads, keyword look-alikes and chatter do not.
STREAM = [
    (
        "101",
        "en",
        "Our warehouse roof has been leaking for a week. Can anyone recommend a reliable "
        "roofing contractor in Leeds? Need quotes asap",
        True,
    ),
    ("102", "en", "We're hiring! Site manager for our construction team, apply now", False),
    (
        "103",
        "de",
        "Wir suchen einen zuverlässigen Spediteur für 20 Paletten pro Woche nach "
        "Polen. Wer kann Angebote schicken?",
        True,
    ),
    ("104", "en", "Careers in construction are booming, says new industry report", False),
    ("105", "en", "lovely sunset over the harbour tonight", False),
    (
        "106",
        "fi",
        "Etsimme luotettavaa urakoitsijaa toimiston remonttiin, tarjouksia otetaan "
        "vastaan perjantaihin asti",
        True,
    ),
    (
        "107",
        "en",
        "Need a new CRM asap — our current one crashes daily and the vendor ignores us. "
        "Recommendations?",
        True,
    ),
    (
        "108",
        "en",
        "Get a FREE quote for solar panels today! We install across the UK, call us now",
        False,
    ),
    ("109", "en", "How pretty is this building in the morning light", False),
    ("110", "en", "Thanks @acme_crm, our new CRM is amazing, best decision this year", False),
]


def write_stream(path: Path, tweets=STREAM) -> Path:
    lines = []
    for tweet_id, lang, text, _ in tweets:
        lines.append(
            orjson.dumps(
                {
                    "data": {
                        "id": tweet_id,
                        "text": text,
                        "lang": lang,
                        "author_id": "9",
                        "created_at": "2026-11-29T08:00:00.000Z",
                        "edit_history_tweet_ids": [tweet_id],
                    },
                    "includes": {
                        "users": [
                            {
                                "id": "9",
                                "name": "Kaisa Mäki",
                                "username": "kaisa",
                                "public_metrics": {"followers_count": 12},
                            }
                        ]
                    },
                    "matching_rules": [{"id": "1", "tag": "demo"}],
                }
            )
        )
    lines.insert(4, b"")  # a keep-alive
    lines.insert(6, b'{"data": {"id": "999", "text": "cut off')  # a damaged line
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path
