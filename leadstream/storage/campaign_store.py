"""The campaigns table: the campaigns file as last loaded, for the dashboard to show."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine, delete, select

from leadstream.campaigns import Campaign
from leadstream.storage.schema import campaigns as campaigns_table


def sync_campaigns(engine: Engine, campaigns: tuple[Campaign, ...]) -> None:
    """Make the table hold exactly these campaigns."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "name": c.name,
            "keywords": orjson.dumps(c.keywords).decode(),
            "negative_keywords": orjson.dumps(c.negative_keywords).decode(),
            "languages": orjson.dumps(c.languages).decode(),
            "products": orjson.dumps(c.products).decode(),
            "updated_at": now,
        }
        for c in campaigns
    ]
    with engine.begin() as connection:
        connection.execute(delete(campaigns_table))
        if rows:
            connection.execute(campaigns_table.insert(), rows)


def stored_campaigns(engine: Engine) -> list[Campaign]:
    """The campaigns as last synced, by name."""
    with engine.connect() as connection:
        rows = connection.execute(select(campaigns_table).order_by(campaigns_table.c.name))
        return [
            Campaign(
                name=r.name,
                keywords=tuple(orjson.loads(r.keywords)),
                negative_keywords=tuple(orjson.loads(r.negative_keywords)),
                languages=tuple(orjson.loads(r.languages)),
                products=tuple(orjson.loads(r.products)),
            )
            for r in rows
        ]
