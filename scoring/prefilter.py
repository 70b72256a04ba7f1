"""The campaigns' keyword prefilter, run in the JVM so that most tweets never reach Python."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from leadstream.campaigns import Campaign


def campaign_condition(campaign: Campaign) -> Column:
    """True where a tweet has a campaign keyword, no negative keyword, and a wanted language."""
    condition = F.col("text").rlike(campaign.keyword_pattern(java=True))
    if negative := campaign.negative_pattern(java=True):
        condition = condition & ~F.col("text").rlike(negative)
    if campaign.languages:
        unknown = F.col("lang").isNull() | F.col("lang").isin("und", "")
        condition = condition & (F.col("lang").isin(*campaign.languages) | unknown)
    return F.coalesce(condition, F.lit(False))


def keyword_prefilter(tweets: DataFrame, campaigns: tuple[Campaign, ...]) -> DataFrame:
    """The tweets that match at least one campaign, with their names in a `campaigns` column."""
    names = [F.when(campaign_condition(c), F.lit(c.name)) for c in campaigns]
    matched = tweets.withColumn("campaigns", F.array_compact(F.array(*names)))
    return matched.where(F.size("campaigns") > 0)
