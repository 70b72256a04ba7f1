"""Text features: spaCy tokens and cue matches, word n-grams of lemmas, character n-grams."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.preprocessing import normalize
from spacy.attrs import NORM, ORTH
from spacy.matcher import PhraseMatcher

from models.cues import BUYING_CUES, CUE_LABELS, load_cues
from models.language import LANGUAGES, Normaliser, clean_text, pipeline, route_language

CUE_NAMES = tuple(CUE_LABELS)
META_NAMES = ("question", "url", "reply", "hashtags", "exclaim", "short", "long")
# A buying cue means more next to a first-person buyer, a thing businesses buy, or a question:
# "quote" in a political rant should not weigh like "we need quotes for a new roof".
CONTEXT_CUES = ("own_org", "commercial_object", "crowd_ask")
PAIR_NAMES = tuple(f"{b}&{c}" for b in BUYING_CUES for c in (*CONTEXT_CUES, "question"))
DENSE_NAMES = (
    tuple(f"cue:{c}" for c in CUE_NAMES)
    + tuple(f"meta:{m}" for m in META_NAMES)
    + tuple(f"pair:{p}" for p in PAIR_NAMES)
)
_CUE_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}
_PAIRS = tuple(tuple(p.split("&")) for p in PAIR_NAMES)


@dataclass(frozen=True, slots=True)
class _Token:
    """A distinct spelling with its normal form and character n-grams."""

    text: str
    norm: str
    norm_hash: int
    is_word: bool
    chars: tuple[str, ...]


@dataclass
class Analysis:
    """What the featurizer saw in one tweet: normalised n-grams and the cues that matched."""

    ngrams: dict[str, str] = field(default_factory=dict)  # feature -> text as written
    chars: list[str] = field(default_factory=list)  # character n-grams of the words
    cues: list[tuple[str, str]] = field(default_factory=list)  # (category, phrase as written)
    dense: list[float] = field(default_factory=list)  # cue counts, then meta flags


def _char_grams(word: str) -> tuple[str, ...]:
    """Character 3- to 5-grams of one lowercased word with its edges marked (cached)."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4, 5) for i in range(max(len(padded) - n + 1, 1)))


class _LanguageTools:
    """The tokenizer, normaliser and cue matcher of one language."""

    def __init__(self, lang: str) -> None:
        self.nlp = pipeline(lang)
        self.normaliser = Normaliser(lang)
        self._tokens: dict[int, _Token] = {}
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for category, phrases in load_cues()[lang].items():
            docs = [self.normalised(self.nlp.make_doc(clean_text(p)))[0] for p in phrases]
            self.matcher.add(category, docs)

    def token(self, orth: int) -> _Token:
        """What we need of a token, computed once per distinct spelling."""
        info = self._tokens.get(orth)
        if info is None:
            text = self.nlp.vocab.strings[orth]
            norm = self.normaliser.norm(text)
            info = _Token(
                text=text,
                norm=norm,
                norm_hash=self.nlp.vocab.strings.add(norm),
                is_word=any(ch.isalnum() for ch in text),
                chars=_char_grams(text.lower()),
            )
            if len(self._tokens) < 1_000_000:  # bound memory on an endless stream
                self._tokens[orth] = info
        return info

    def normalised(self, doc):
        """The doc with each token's NORM set to its lemma or stem, and the tokens' info."""
        tokens = [self.token(orth) for orth in doc.to_array(ORTH).tolist()]
        if tokens:
            norms = np.array([t.norm_hash for t in tokens], dtype=np.uint64).reshape(-1, 1)
            doc.from_array([NORM], norms)
        return doc, tokens


class Featurizer:
    """Turns tweets into one sparse matrix; stateless apart from its hashing sizes."""

    def __init__(
        self,
        word_features: int = 2**18,
        char_features: int = 2**18,
        dense_weight: float = 0.5,
        char_weight: float = 1.0,
    ) -> None:
        self.word_features = word_features
        self.char_features = char_features
        # Block weights. Characters at 1.5 and cues at 0.25 scored better on the frozen split
        # (PR-AUC 0.928 vs 0.915) but let a number or a place name flip decisions, which the
        # invariance tests in tests/models catch; keep 1.0 and 0.5 until that is solved.
        self.dense_weight = dense_weight
        self.char_weight = char_weight
        self._tools: dict[str, _LanguageTools] = {}

    def __getstate__(self) -> dict:
        # spaCy objects are rebuilt after unpickling rather than shipped in the model.
        return {k: v for k, v in self.__dict__.items() if k != "_tools"}

    def __setstate__(self, state: dict) -> None:
        state.setdefault("char_weight", 1.0)  # models pickled before the weight existed
        self.__dict__.update(state)
        self._tools = {}

    def tools(self, lang: str) -> _LanguageTools:
        """Language tools, built on first use."""
        if lang not in self._tools:
            self._tools[lang] = _LanguageTools(lang)
        return self._tools[lang]

    @property
    def _word_hasher(self) -> FeatureHasher:
        return FeatureHasher(self.word_features, input_type="string", alternate_sign=False)

    @property
    def _char_hasher(self) -> FeatureHasher:
        return FeatureHasher(self.char_features, input_type="string", alternate_sign=False)

    def analyse(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[Analysis]:
        """Tokenise each tweet in its language, collect n-grams, cues and meta features."""
        cleaned = [clean_text(t) for t in texts]
        routed = [route_language(lang, text) for lang, text in zip(langs, texts, strict=True)]
        analyses: list[Analysis | None] = [None] * len(texts)
        for lang in LANGUAGES:
            rows = [i for i, r in enumerate(routed) if r == lang]
            if not rows:
                continue
            tools = self.tools(lang)
            docs = tools.nlp.tokenizer.pipe((cleaned[i] for i in rows), batch_size=1000)
            for i, doc in zip(rows, docs, strict=True):
                analyses[i] = _analyse_doc(tools, *tools.normalised(doc), texts[i])
        return analyses

    def transform(self, texts: Sequence[str], langs: Sequence[str | None]) -> sp.csr_matrix:
        """The feature matrix: word n-grams, character n-grams and weighted dense cues."""
        analyses = self.analyse(texts, langs)
        return self.transform_analysed(texts, analyses)

    def transform_analysed(self, texts: Sequence[str], analyses: list[Analysis]) -> sp.csr_matrix:
        """The feature matrix of tweets already analysed."""
        words = normalize(self._word_hasher.transform(a.ngrams.keys() for a in analyses))
        chars = (
            normalize(self._char_hasher.transform(a.chars for a in analyses)) * self.char_weight
        )
        dense = sp.csr_matrix(np.array([a.dense for a in analyses]) * self.dense_weight)
        return sp.hstack([words, chars, dense], format="csr")

    def word_indices(self, features: Sequence[str]) -> np.ndarray:
        """Column of each named word feature in the matrix (for explaining a score)."""
        hashed = self._word_hasher.transform([[f] for f in features]).tocsr()
        return hashed.indices

    @property
    def dense_offset(self) -> int:
        """Column of the first dense (cue and meta) feature."""
        return self.word_features + self.char_features


def _analyse_doc(tools: _LanguageTools, doc, tokens: list[_Token], original: str) -> Analysis:
    """N-grams of normalised tokens, cue matches and meta flags of one tokenised tweet."""
    words = [t for t in tokens if t.is_word]
    ngrams = {f"w:{t.norm}": t.text for t in words}
    for a, b in zip(words, words[1:], strict=False):
        ngrams[f"b:{a.norm} {b.norm}"] = f"{a.text} {b.text}"
    chars = [gram for t in words for gram in t.chars]
    cues = []
    counts = [0] * len(CUE_NAMES)
    for match_id, start, end in tools.matcher(doc):
        category = tools.nlp.vocab.strings[match_id]
        cues.append((category, " ".join(t.text for t in tokens[start:end])))
        counts[_CUE_INDEX[category]] += 1
    question = "?" in original
    meta = [
        question,
        "http" in original,
        original.lstrip().startswith("@"),
        original.count("#") >= 3,
        "!" in original,
        len(words) <= 6,
        len(words) >= 35,
    ]
    present = {name for name, count in zip(CUE_NAMES, counts, strict=True) if count}
    if question:
        present.add("question")
    pairs = [float(b in present and c in present) for b, c in _PAIRS]
    dense = [math.log1p(c) for c in counts] + [float(m) for m in meta] + pairs
    return Analysis(ngrams=ngrams, chars=chars, cues=cues, dense=dense)
