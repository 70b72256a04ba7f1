"""The campaigns' keyword prefilter, run in the JVM so that most tweets never reach Python."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from leadstream.campaigns import Campaign, word_prefix_trie


def campaign_condition(campaign: Campaign) -> Column:
    """True where a tweet has a campaign keyword, no negative keyword, and a wanted language."""
    condition = F.col("text").rlike(campaign.keyword_filter(java=True))
    if negative := campaign.negative_pattern(java=True):
        condition = condition & ~F.col("text").rlike(negative)
    if campaign.languages:
        unknown = F.col("lang").isNull() | F.col("lang").isin("und", "")
        condition = condition & (F.col("lang").isin(*campaign.languages) | unknown)
    return F.coalesce(condition, F.lit(False))


def keyword_prefilter(tweets: DataFrame, campaigns: tuple[Campaign, ...]) -> DataFrame:
    """The tweets with a keyword of any campaign, and the names of the campaigns they belong to.

    One trie of every campaign's keywords drops non-matching tweets in a single regex pass.
    The `campaigns` column is computed once per match; it is empty where negative keywords or
    languages rule out every campaign, and the classifier skips those rows. (Filtering on it
    here would make Spark evaluate every campaign's regexes twice: once in the filter and once
    in the projection.)
    """
    keywords = tuple(k for c in campaigns for k in c.keywords)
    # keyword_matches: tweets with at least one keyword of some campaign
    keyword_matches = tweets.where(F.col("text").rlike(word_prefix_trie(keywords, java=True)))
    names = [F.when(campaign_condition(c), F.lit(c.name)) for c in campaigns]
    return keyword_matches.withColumn("campaigns", F.array_compact(F.array(*names)))
