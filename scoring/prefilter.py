"""The campaigns' keyword prefilter, run in the JVM so that most tweets never reach Python."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from leadstream.campaigns import word_prefix_trie
from scoring.keyword_index import KeywordIndex


def keyword_prefilter(tweets: DataFrame, index: KeywordIndex) -> DataFrame:
    """The tweets with a keyword of any campaign, each with the listed words `found` in it.

    A trie of every keyword drops the other tweets, stopping at a tweet's first keyword; the
    survivors get one more regex pass that collects the longest listed word at each word
    start. The Python worker turns those into campaigns (KeywordIndex.campaigns_for), which
    costs less there than Spark's higher-order functions cost here.
    """
    keywords = tuple(k for c in index.campaigns for k in c.keywords)
    # keyword_matches: tweets with at least one keyword of some campaign
    keyword_matches = tweets.where(F.col("text").rlike(word_prefix_trie(keywords, java=True)))
    found = F.regexp_extract_all("text", F.lit(index.pattern(java=True)), 1)
    return keyword_matches.withColumn("found", found)
