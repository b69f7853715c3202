"""Japanese and mixed Japanese–English text, read in the English the engine matches on.

Employers in Japan write `介護職員（特定技能）` or `溶接工 welder`. Every matching path (the
occupation normaliser, the vectors, the skills, the BM25 words) reads text through
`english()`: text without Japanese is returned unchanged, so English records match exactly
as before; text with Japanese has each Japanese run split into words by a morphological
analyser (MeCab through fugashi, with the UniDic-lite dictionary, both from the package
index) and the longest runs of words the glossary knows
(`reference/data/japanese_glossary.json`: the SSW fields, 業務区分 and 試験区分, and the
words Japanese job ads use in the four sectors) replaced by their English. Particles,
auxiliaries and the words that say nothing of the work (正社員, 急募, 特定技能) drop out.
Content words the glossary does not know are kept, as the analyser's lemmas, for BM25
(`words()`), so a Japanese vacancy still meets a Japanese-written candidate on them.

The stored record keeps the employer's own wording; only what is compared is read so.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from talentbridge.reference.glossary import japanese_glossary

# Hiragana, katakana (and half-width), CJK ideographs, the iteration and prolonged-sound marks.
_JAPANESE = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ]"
)
# A run to analyse: Japanese characters with the Latin letters, digits and marks written
# inside it ("NC旋盤", "食事・入浴介助").
_RUN = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ・A-Za-z0-9]+"
)
_DROPPED = ("助詞", "助動詞", "補助記号", "記号", "接頭辞")  # parts of speech that carry no work
_CONTENT = (
    "名詞",
    "動詞",
    "形容詞",
    "形状詞",
)  # kept as words when the glossary does not know them
LONGEST = 8  # analyser words joined when looking for a glossary term
_local = threading.local()  # a MeCab tagger is not shared between threads


def has_japanese(text: str | None) -> bool:
    """Whether the text holds any Japanese character."""
    return bool(text) and _JAPANESE.search(text or "") is not None


@dataclass(frozen=True, slots=True)
class Reading:
    """What a text with Japanese says, in English words, and its unglossed Japanese words."""

    english: str
    words: tuple[str, ...]
    glossed: int  # how many Japanese terms the glossary turned into English


def english(text: str) -> str:
    """The text as the engine compares it: unchanged without Japanese; else its English
    reading (the text itself when nothing in it could be read)."""
    if not has_japanese(text):
        return text
    return read(text).english or text


def words(text: str) -> tuple[str, ...]:
    """The Japanese content words of a text that the glossary does not know (lemmas)."""
    return read(text).words if has_japanese(text) else ()


def raw_words(text: str) -> tuple[str, ...]:
    """Every word of a text as written, the analyser's for Japanese, with no glossary (the
    evaluation's plain BM25 baseline)."""
    if not has_japanese(text):
        return tuple(text.casefold().split())
    return tuple(w.surface for w in _tagger()(unicodedata.normalize("NFKC", text)))


def _tagger() -> Any:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi  # loaded on first Japanese text: English-only deployments never do

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


@lru_cache(maxsize=50_000)
def read(text: str) -> Reading:
    """The English reading of a text (cached: titles and skill lists repeat)."""
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    unknown: list[str] = []
    glossed = 0
    last = 0
    for run in _RUN.finditer(text):
        if not has_japanese(run.group()):
            continue
        parts.append(text[last : run.start()])
        english_words, found, count = _read_run(run.group())
        parts.append(f" {english_words} ")
        unknown.extend(found)
        glossed += count
        last = run.end()
    parts.append(text[last:])
    return Reading(_tidy("".join(parts)), tuple(dict.fromkeys(unknown)), glossed)


def _read_run(run: str) -> tuple[str, list[str], int]:
    """One Japanese run: (its English, the content words left unknown, terms glossed)."""
    terms = japanese_glossary()
    tokens = [
        (w.surface, w.feature.lemma or w.surface, w.feature.pos1 or "") for w in _tagger()(run)
    ]
    out: list[str] = []
    unknown: list[str] = []
    glossed = 0
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + LONGEST), i, -1):
            key = "".join(surface for surface, _, _ in tokens[i:j])
            if key in terms:
                out.append(terms[key])
                glossed += 1
                i = j
                break
        else:
            surface, lemma, pos = tokens[i]
            i += 1
            if surface in ("・", "、", ",", "/", "／"):
                out.append(",")
            elif surface == "。":
                out.append(".")
            elif lemma.split("-")[0] in terms:
                out.append(terms[lemma.split("-")[0]])
                glossed += 1
            elif not has_japanese(surface):  # "N4" comes as "N", "4": written back as one
                glued = bool(out) and not has_japanese(tokens[i - 2][0]) and i >= 2
                out[-1:] = (
                    [out[-1] + surface]
                    if glued and out[-1][-1:].isalnum()
                    else [*out[-1:], surface]
                )
            elif pos in _DROPPED:
                pass
            else:
                inner, rest = _by_characters(surface, terms)
                if inner:
                    out.append(inner)
                    glossed += 1
                if rest and pos in _CONTENT:
                    unknown.append(lemma.split("-")[0] if rest == surface else rest)
    return " ".join(word for word in out if word), unknown, glossed


def _by_characters(token: str, terms: dict[str, str]) -> tuple[str, str]:
    """A word the analyser did not split as the glossary does ("介護職員等"): the longest
    glossary terms inside it, and what was left unread."""
    out, rest = [], []
    i = 0
    while i < len(token):
        for j in range(len(token), i, -1):
            if j - i >= 2 and token[i:j] in terms:
                out.append(terms[token[i:j]])
                i = j
                break
        else:
            rest.append(token[i])
            i += 1
    return " ".join(w for w in out if w), "".join(rest)


_EMPTY_BRACKETS = re.compile(r"[(\[{]\s*[,.]?\s*[)\]}]")
_SPACES = re.compile(r"\s+")
_BEFORE_MARK = re.compile(r"\s+([,.)\]])")
_REPEATED_MARK = re.compile(r"([,.])(\s*[,.])+")
# A title written in both scripts ("溶接工 welder") says it once: "welder welder" is "welder".
_REPEATED_WORDS = re.compile(r"\b(\w[\w ]*?)(?:\s+\1\b)+", re.IGNORECASE)


_MARKS = str.maketrans(
    {
        "、": ", ",
        "。": ". ",
        "【": " ",
        "】": " ",
        "「": " ",
        "」": " ",
        "『": " ",
        "』": " ",
        "〜": " ",
        "～": " ",
        "★": " ",
        "☆": " ",
        "■": " ",
        "◎": " ",
        "●": " ",
        "◆": " ",
    }
)


def _tidy(text: str) -> str:
    text = _EMPTY_BRACKETS.sub(" ", text.translate(_MARKS))
    text = _BEFORE_MARK.sub(r"\1", _SPACES.sub(" ", text))
    text = _REPEATED_WORDS.sub(r"\1", _REPEATED_MARK.sub(r"\1", text))
    return text.strip(" ,.")
