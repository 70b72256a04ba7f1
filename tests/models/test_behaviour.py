"""Behavioural tests of the champion: invariance, direction, minimum functionality, reasons,
edge inputs (the model tests of Made-With-ML), run against the registered pyfunc model.

The texts live in behaviour_texts.toml. Tests marked xfail(strict=True) are behaviours the
model gets wrong today, kept visible on purpose: when a retrained model fixes one, the strict
marker turns it into a failure so that the marker gets removed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from models.classifier import MEANING_REASON
from models.cues import CUE_LABELS
from models.features import Featurizer
from training.evaluate import load_scoring_model
from training.labels import seed_labels, text_key
from training.split import near_duplicate_groups

TEXTS = tomllib.loads((Path(__file__).parent / "behaviour_texts.toml").read_text("utf-8"))
LANGS = ("en", "de", "fi")
MASKED_SLOTS = ("handle", "url", "number", "emoji")  # masked or dropped by the featurizer
NAMED_SLOTS = ("name", "place", "company")  # seen as words: may move a score, a little
NAMED_BOUND = 0.15  # largest score change a name, place or company may cause
# Masked slots should not move a score at all, but "1 250" (Finnish thousands) is masked as two
# numbers, "0 0": that moved a borderline Finnish request by up to 0.029.
MASKED_BOUND = 0.05
MIN_PASS_RATE = 0.9
MIN_LOGIT_SHIFT = 0.5  # a directional phrase must move the odds by at least a factor 1.65
# A reason names a cue, quotes wording, or (when nothing stands out) says so.
REASON_PREFIXES = (
    *CUE_LABELS.values(),  # alone when the matched phrase was only masked text
    'wording: "',
    MEANING_REASON,
    "overall wording and spelling",
)


def known_failure(reason: str):
    """A behaviour the current model gets wrong (see the module docstring)."""
    return pytest.mark.xfail(strict=True, reason=f"known model failure: {reason}")


@pytest.fixture(scope="module")
def champion(champion_settings):
    """The session's champion as the scorer loads it: (pyfunc model, threshold)."""
    return load_scoring_model(champion_settings, None)


def predict(champion, texts: list[str], langs) -> pd.DataFrame:
    """Score, decision and reasons (decoded) per text; `langs` is one tag or one per text."""
    model, _ = champion
    langs = [langs] * len(texts) if langs is None or isinstance(langs, str) else list(langs)
    frame = model.predict(pd.DataFrame({"text": texts, "lang": langs}))
    return frame.assign(reasons=[orjson.loads(r) for r in frame["reasons"]])


def by_text(texts: list[str], values) -> dict:
    """Each text with its value, for assertion messages."""
    return dict(zip(texts, np.asarray(values).round(3).tolist(), strict=True))


def where_not(texts: list[str], flags) -> list[str]:
    """The texts whose flag is false."""
    return [text for text, flag in zip(texts, flags, strict=True) if not flag]


def logit(scores) -> np.ndarray:
    """Log-odds, so that a shift means the same near 0.5 as near 0.99."""
    p = np.clip(np.asarray(scores, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def variants(template: str, lang: str) -> dict[str, str]:
    """The template with each filler set, and with one slot at a time swapped from the first."""
    fillers = TEXTS["invariance"]["fillers"][lang]
    found = {f"all #{i}": template.format(**fill) for i, fill in enumerate(fillers)}
    for slot in (*MASKED_SLOTS, *NAMED_SLOTS):
        if "{" + slot + "}" in template:
            for i, fill in enumerate(fillers[1:], start=1):
                found[f"{slot} #{i}"] = template.format(**{**fillers[0], slot: fill[slot]})
    return found


def strings(node) -> list[str]:
    """Every string in a nested part of the texts file."""
    if isinstance(node, str):
        return [node]
    items = node.values() if isinstance(node, dict) else node
    return [text for item in items for text in strings(item)]


def all_texts() -> list[str]:
    """Every text these tests score, fillers applied, and every phrase they append."""
    rendered = [
        text
        for lang in LANGS
        for template in strings(TEXTS["invariance"][lang])
        for text in variants(template, lang).values()
    ]
    return rendered + strings([TEXTS["minimum"], TEXTS["terse"], TEXTS["directional"]])


def test_texts_are_fresh():
    """No behavioural text is a seed label or a near-duplicate of one: the model never saw them."""
    seed = [r.text for r in seed_labels()]
    ours = all_texts()
    assert len(ours) > 300
    assert not {text_key(t) for t in ours} & {text_key(t) for t in seed}
    groups = near_duplicate_groups(seed + ours)
    shared = set(groups[: len(seed)].tolist()) & set(groups[len(seed) :].tolist())
    assert not shared


@pytest.mark.parametrize("lang", LANGS)
def test_names_places_handles_links_numbers_and_emoji_do_not_change_the_decision(champion, lang):
    _, threshold = champion
    problems = []
    for kind in ("buying", "other"):
        for template in TEXTS["invariance"][lang][kind]:
            found = variants(template, lang)
            found_scores = predict(champion, list(found.values()), lang)["score"]
            scores = dict(zip(found, found_scores, strict=True))
            base = scores["all #0"]
            for name, score in scores.items():
                bound = MASKED_BOUND if name.split()[0] in MASKED_SLOTS else NAMED_BOUND
                if (score >= threshold) != (base >= threshold) or abs(score - base) >= bound:
                    problems.append(f"{name}: {base:.3f} -> {score:.3f} in {found[name]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_language_tag_does_not_change_the_decision(champion, lang):
    _, threshold = champion
    texts = TEXTS["minimum"][lang]["buying"] + TEXTS["minimum"][lang]["other"]
    tagged = predict(champion, texts, lang)["score"] >= threshold
    for tag in (None, "und"):
        untagged = predict(champion, texts, tag)["score"] >= threshold
        assert (tagged == untagged).all(), where_not(texts, tagged == untagged)


def shifts(champion, texts: list[str], phrase: str, lang: str) -> np.ndarray:
    """Change in log-odds when the phrase is appended to each text."""
    before = predict(champion, texts, lang)["score"]
    after = predict(champion, [f"{t} {phrase}" for t in texts], lang)["score"]
    return logit(after) - logit(before)


@pytest.mark.parametrize("lang", LANGS)
def test_asking_for_a_supplier_raises_a_neutral_business_statement(champion, lang):
    neutral = TEXTS["directional"]["neutral"][lang]
    moved = shifts(champion, neutral, TEXTS["directional"]["ask"][lang], lang)
    assert (moved >= MIN_LOGIT_SHIFT).all(), by_text(neutral, moved)


@pytest.mark.parametrize(
    ("phrasing", "lang"),
    [
        *((p, lang) for p in ("job_ad", "seller_ad") for lang in LANGS),
        ("seller_ad_with_quote_word", "de"),
        ("seller_ad_with_quote_word", "fi"),
    ],
)
def test_job_ad_or_seller_phrasing_lowers_a_buying_signal(champion, phrasing, lang):
    buying = TEXTS["directional"]["buying"][lang]
    moved = shifts(champion, buying, TEXTS["directional"][phrasing][lang], lang)
    assert (moved <= -MIN_LOGIT_SHIFT).all(), by_text(buying, moved)


def pass_rates(champion, lang: str) -> dict[str, tuple[float, list[str]]]:
    """Per class: share of texts decided right, and the texts decided wrong."""
    _, threshold = champion
    rates = {}
    for kind, wanted in (("buying", True), ("other", False)):
        texts = TEXTS["minimum"][lang][kind]
        kept = predict(champion, texts, lang)["score"].to_numpy() >= threshold
        wrong = where_not(texts, kept == wanted)
        rates[kind] = (1 - len(wrong) / len(texts), wrong)
    return rates


@pytest.mark.parametrize("lang", LANGS)
def test_minimum_functionality_keeps_clear_signals_and_rejects_the_rest(champion, lang):
    rates = pass_rates(champion, lang)
    print(lang, {kind: round(rate, 2) for kind, (rate, _) in rates.items()})
    for kind, (rate, wrong) in rates.items():
        assert rate >= MIN_PASS_RATE, f"{lang} {kind}: {rate:.0%}, wrong: {wrong}"


def test_every_kept_tweet_has_reasons_that_name_cues_or_wording(champion):
    _, threshold = champion
    texts, langs = [], []
    for lang in LANGS:
        found = strings(TEXTS["minimum"][lang])
        texts += found
        langs += [lang] * len(found)
    scored = predict(champion, texts, langs)
    assert (scored["score"] >= threshold).sum() >= 25
    for text, score, reasons in zip(texts, scored["score"], scored["reasons"], strict=True):
        if score < threshold:
            assert reasons == [], text
            continue
        assert 1 <= len(reasons) <= 3, text
        for reason in reasons:
            assert isinstance(reason, str) and reason.startswith(REASON_PREFIXES), reason


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", None),
        ("   \n\t", "en"),
        ("🙂🚚🔥", None),
        ("😩" * 140, "und"),
        ("?!", "zxx"),
        ("@a @b https://t.co/x 1234", "fi"),
        (
            (
                "Our loading bay roller door jammed again and the repair firm stopped replying. "
                * 4
            )[:280],
            "en",
        ),
        (
            ("Unser Rolltor klemmt schon wieder, Reparaturfirma meldet sich nicht. " * 5)[:280],
            "de",
        ),
        (
            ("Lastauslaiturin rullaovi jumissa taas, huoltofirma ei vastaa viesteihin. " * 5)[
                :280
            ],
            "fi",
        ),
        ("Necesitamos un proveedor de limpieza para nuestra oficina en Madrid", "es"),
        ("Wir suchen einen Lieferanten für Paletten. " * 300, "und"),
        ("我们需要新的供应商", "zh"),
    ],
)
def test_edge_inputs_score_between_zero_and_one(champion, text, lang):
    scored = predict(champion, [text], lang)
    assert 0.0 <= scored["score"].iloc[0] <= 1.0
    assert isinstance(scored["reasons"].iloc[0], list)


def test_a_frame_without_language_column_or_with_missing_text_is_scored(champion):
    model, _ = champion
    scored = model.predict(pd.DataFrame({"text": [None, "Need a new forklift supplier in Hull"]}))
    assert scored["score"].between(0.0, 1.0).all() and len(scored) == 2


# Known failures: what the current model gets wrong, measured on these texts.


@known_failure("one-line requests without a quote, recommendation or urgency word score low")
def test_terse_requests_are_kept(champion):
    _, threshold = champion
    rates = {
        lang: float(np.mean(predict(champion, TEXTS["terse"][lang], lang)["score"] >= threshold))
        for lang in LANGS
    }
    print("terse requests kept", rates)
    assert min(rates.values()) >= MIN_PASS_RATE, rates


@known_failure("a link (meta:url and the httpurl token) costs about one unit of log-odds")
def test_appending_a_link_does_not_flip_a_buying_signal(champion):
    _, threshold = champion
    for lang in LANGS:
        buying = TEXTS["directional"]["buying"][lang]
        link = TEXTS["directional"]["link"][lang]
        before = predict(champion, buying, lang)["score"] >= threshold
        after = predict(champion, [f"{t} {link}" for t in buying], lang)["score"] >= threshold
        assert (before == after).all(), where_not(buying, before == after)


@known_failure("a first-person statement about a business ('our warehouse ...') can be kept")
def test_neutral_business_statements_are_not_kept(champion):
    _, threshold = champion
    for lang in LANGS:
        neutral = TEXTS["directional"]["neutral"][lang]
        scores = predict(champion, neutral, lang)["score"]
        assert (scores < threshold).all(), by_text(neutral, scores)


LENGTH_BALANCE = Path(__file__).resolve().parents[2] / "bench" / "data" / "length_balance.jsonl"
# A model that read length instead of wording ranked this set at PR-AUC 0.31 (terse leads and
# long look-alikes only) and 0.73 (with long leads and terse look-alikes too; base rate 0.53).
# Measured 0.919 (quick candidate) and 0.928 (default training) on the 19,260 seed labels.
MIN_LENGTH_BALANCE_PR_AUC = 0.88


def ranked_set(champion, path: Path) -> float:
    """PR-AUC of the champion's scores on a labelled JSONL set."""
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    scores = predict(champion, [r["text"] for r in rows], [r["lang"] for r in rows])["score"]
    pr_auc = average_precision_score(np.array([r["label"] for r in rows]), scores)
    print(f"{path.name}: PR-AUC {pr_auc:.3f}")
    return pr_auc


def test_length_does_not_decide_terse_leads_and_long_look_alikes(champion):
    assert ranked_set(champion, LENGTH_BALANCE) >= MIN_LENGTH_BALANCE_PR_AUC


# 330 pairs of situations in the same words (en/de/fi): an organisation's need, whose business
# shows in one detail ("the -80 freezer with two years of PhD samples"), against a household's
# or a worker's ("fridge at home packed up"). Never trained on: training on it lowered recall
# at precision 0.90 on the frozen split (bench figures in the README).
BUSINESS_OR_HOUSEHOLD = LENGTH_BALANCE.with_name("business_or_household.jsonl")
# Measured 0.832 (quick candidate) and 0.839 (default training) on the 19,260 seed labels
# (0.77 on the 4,764 before); a coin would score about 0.5.
MIN_BUSINESS_OR_HOUSEHOLD_PR_AUC = 0.80


def test_business_and_household_needs_are_ranked_better_than_chance(champion):
    assert ranked_set(champion, BUSINESS_OR_HOUSEHOLD) >= MIN_BUSINESS_OR_HOUSEHOLD_PR_AUC


@known_failure("a business and a household asking for the same trade look alike (PR-AUC 0.84)")
def test_one_detail_tells_a_business_need_from_a_household_one(champion):
    assert ranked_set(champion, BUSINESS_OR_HOUSEHOLD) >= 0.90


def test_a_german_request_does_not_match_the_seller_cue():
    analysis = Featurizer().analyse(["Wir suchen einen Steuerberater für unsere GmbH."], ["de"])[0]
    assert "seller_ad" not in {category for category, _ in analysis.cues}


def _finnish_cues(text: str) -> set[str]:
    return {category for category, _ in Featurizer().analyse([text], ["fi"])[0].cues}


def test_a_finnish_buyer_speaks_for_the_firm_in_an_ending_the_stemmer_drops():
    assert "own_org" in _finnish_cues("Tarvitsemme uuden toimittajan pakkausmateriaaleille.")
    assert "own_org" in _finnish_cues("Toimistomme tulostin hajosi taas")
    assert "own_org" not in _finnish_cues("emme tiedä vielä")  # too short to be a stem + ending


def test_finnish_words_sharing_a_stem_with_an_advert_or_a_failure_are_neither():
    # "for a small firm", "customers" and "new" once read as "for your firm", "your
    # customers" (adverts) and "again" (a failure).
    found = _finnish_cues(
        "Osaako joku suositella kirjanpitotoimistoa pienelle yritykselle? "
        "Asiakkaat haluaa uuden laskutuksen."
    )
    assert not found & {"seller_ad", "pain"}
    advert = _finnish_cues("Tilaa nyt, toimitamme nopeasti! Varaa aika asiantuntijamme kanssa.")
    assert "seller_ad" in advert


def test_reasons_quote_the_tweet_not_the_masking(champion):
    text = TEXTS["minimum"]["de"]["buying"][3]  # "... Frist 30.09."
    reasons = predict(champion, [text], "de")["reasons"].iloc[0]
    assert reasons and not [r for r in reasons if re.search(r"\b0\b|httpurl|@user", r)]
