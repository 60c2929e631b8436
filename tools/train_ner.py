"""Train the entity-recognition CRFs shipped in `tui_reader/entities/`.

Run: `python tools/train_ner.py --data ../shared/corpus/ner [--out tui_reader/entities/]
[--train-only] [--lang id en]`.

Writes `ner-id.crfsuite` (Indonesian) and `ner-en.crfsuite` (English). Training is
deterministic (L-BFGS, fixed parameters, files read in a fixed order); `--train-only` leaves the
validation splits out so that `benchmarks/ner_eval.py --model-dir` can report honest scores.

Training data (tags mapped to PER/ORG/LOC, everything else dropped; see MODEL_CARD.md):

* Indonesian: IndoNLU NERGrit and NERP (Apache-2.0; Wilie et al. 2020), idner-news-2k (MIT;
  Khairunnisa et al. 2020). NERP is all lower case: it is truecased first (`truecase`), and
  the organisations it leaves untagged (parties, ministries ...) are tagged ORG as in the other
  two sets (`relabel_organisations`). The word table `words-id.tsv` (corpus statistics from
  `tools/build_word_features.py`) must exist first: features and truecasing use it.
* English: Re-DocRED (MIT, Wikipedia text CC BY-SA; Yao et al. 2019, Tan et al. 2022),
  WikiGold (CC BY 4.0; Balasuriya et al. 2009), CrossNER (MIT, Wikipedia text CC BY-SA;
  Liu et al. 2021), UNER English-EWT (CC BY-SA 4.0; Mayhew et al. 2024), Broad Twitter Corpus
  (CC BY 4.0; Derczynski et al. 2016), WNUT-17 (CC BY 4.0; Derczynski et al. 2017).

Never add CoNLL-2003 or IndoLEM (NER-UI, NER-UGM) here: they are for evaluation only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_reader.entities._crf import decode  # noqa: E402
from tui_reader.entities._features import sentence_features  # noqa: E402
from tui_reader.entities._gazetteer import gazetteer  # noqa: E402
from tui_reader.entities._words import usual_forms  # noqa: E402

Sentence = tuple[list[str], list[str]]  # tokens, BIO tags

TAG_MAP = {
    "PER": "PER", "PERSON": "PER", "PPL": "PER",
    "LOC": "LOC", "LOCATION": "LOC", "PLACE": "LOC", "PLC": "LOC",
    "ORG": "ORG", "ORGANISATION": "ORG", "ORGANIZATION": "ORG", "IND": "ORG",
}  # fmt: skip

# (directory, split files) per language; train splits first, then validation splits.
TRAIN_SETS = {
    "id": [
        ("id-nergrit", ["train.txt"], ["valid.txt"]),
        ("id-nerp", ["train.txt"], ["valid.txt"]),
        ("id-idner-news-2k", ["train.txt"], ["valid.txt"]),
    ],
    "en": [
        ("en-redocred", ["train.txt"], []),
        ("en-wikigold", ["train.txt"], []),
        ("en-crossner", ["train.txt"], ["dev.txt"]),
        ("en-uner-ewt", ["dev.txt"], []),
        ("en-btc", ["train.txt"], ["dev.txt"]),
        ("en-wnut17", ["train.txt"], ["dev.txt"]),
    ],
}
CASED_ID_SETS = [("id-nergrit", "train.txt"), ("id-idner-news-2k", "train.txt")]
PARAMS = {
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
# L1 (c1) keeps the models small: most weights go to exactly zero. Picked on the validation
# splits (Indonesian: c1 0.15/c2 0.05 beat 0.05/0.01 and 0.02/0.1 by about a point and is
# 10 % smaller); English was tuned less (CoNLL dev is for reporting, not tuning).
REGULARISATION = {"id": {"c1": 0.15, "c2": 0.05}, "en": {"c1": 0.05, "c2": 0.01}}
RELABEL_NERP = True  # see relabel_organisations
TRUECASE_FROM_NEWS = False  # see casing_stats
KEEP_LOWER = frozenset(
    str.split("dan dari di ke untuk atas bin binti van von der de la of the and")
)


def map_tag(tag: str) -> str:
    """Map a data set's BIO tag to B-/I- PER/ORG/LOC or O."""
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, _, label = tag.partition("-")
    mapped = TAG_MAP.get(label.upper())
    return f"{prefix}-{mapped}" if mapped and prefix in ("B", "I") else "O"


def read_conll(path: Path, raw: bool = False) -> Iterator[Sentence]:
    """Read a CoNLL-style file: token first, gold tag last, blank line between sentences."""
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            continue
        parts = line.split()
        if not parts:
            if words:
                yield words, tags
            words, tags = [], []
            continue
        words.append(parts[0])
        tags.append(parts[-1] if raw else map_tag(parts[-1]))
    if words:
        yield words, tags


def casing_stats(data: Path, news: bool = False) -> dict[str, str]:
    """Most frequent written form of each word (not sentence-first) in the cased Indonesian
    sets, else (with `news`) in Indonesian news (the shipped word table).

    Evaluation uses `news`: NERP's validation text then reads like news (`KPK`, `Presiden`).
    Training does not: truecasing NERP's training split from news as well scored the same on
    validation and worse on the seed article.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name, split in CASED_ID_SETS:
        for words, _ in read_conll(data / name / split):
            for word in words[1:]:
                counts[word.lower()][word] += 1
    stats = usual_forms() if news else {}
    stats.update({low: forms.most_common(1)[0][0] for low, forms in counts.items()})
    return stats


def _truecase_word(word: str, entity: bool, stats: dict[str, str]) -> str:
    """Restore the case of one lower-cased word; `entity` says it is inside a gold entity span."""
    known = stats.get(word)
    if not entity:
        return known or word
    if known and not known.islower():
        return known
    if word in KEEP_LOWER or not word[:1].isalpha():
        return word
    return word.capitalize()


def truecase(sentence: tuple[list[str], list[str]], stats: dict[str, str]) -> list[str]:
    """Truecase a lower-cased sentence (NERP) from casing statistics.

    Entity words (any gold type, also the dropped event and product types) are capitalised as
    in news; other words take their most frequent form in cased text, and the first word is
    capitalised. The same function prepares NERP's validation split for evaluation.
    """
    words, raw_tags = sentence
    out = [_truecase_word(w, t != "O", stats) for w, t in zip(words, raw_tags, strict=True)]
    if out and out[0][:1].islower():
        out[0] = out[0][:1].upper() + out[0][1:]
    return out


def load_nerp(path: Path, stats: dict[str, str]) -> Iterator[Sentence]:
    """NERP sentences, truecased (it needs the raw tags, which keep the dropped types)."""
    for words, raw in read_conll(path, raw=True):
        yield truecase((words, raw), stats), [map_tag(t) for t in raw]


def organisation_names(data: Path) -> frozenset[tuple[str, ...]]:
    """Lower-cased names that NERGrit and idner-news-2k tag ORG most of the time (train splits)."""
    votes: Counter[tuple[tuple[str, ...], str]] = Counter()
    totals: Counter[tuple[str, ...]] = Counter()
    for name in ("id-nergrit", "id-idner-news-2k"):
        for words, tags in read_conll(data / name / "train.txt"):
            for i, j, label in decode(tags):
                key = tuple(w.lower() for w in words[i:j])
                votes[key, label] += 1
                totals[key] += 1
    return frozenset(k for (k, lab), n in votes.items() if lab == "ORG" and 2 * n > totals[k])


def relabel_organisations(sentence: Sentence, names: frozenset[tuple[str, ...]]) -> Sentence:
    """Tag the organisations NERP leaves untagged (parties, ministries, KPK, DPR ...) as ORG.

    NERP's organisation class is companies and brands only; the other sets (and readers) count
    government bodies and parties as organisations, so NERP would teach the model to miss them.
    Only untagged, capitalised (after truecasing) word runs that the other sets tag ORG change.
    """
    words, tags = sentence
    tags = list(tags)
    low = [w.lower() for w in words]
    i = 0
    while i < len(words):
        for size in range(min(6, len(words) - i), 0, -1):
            end = i + size
            if (
                tuple(low[i:end]) in names
                and all(t == "O" for t in tags[i:end])
                and all(w[:1].isupper() or w in KEEP_LOWER for w in words[i:end])
                and words[i][:1].isupper()
                and (end == len(tags) or not tags[end].startswith("I-"))
            ):
                tags[i:end] = ["B-ORG"] + ["I-ORG"] * (size - 1)
                i = end - 1
                break
        i += 1
    return words, tags


def load_split(data: Path, name: str, split: str, stats: dict[str, str]) -> Iterator[Sentence]:
    """One split of one data set, mapped to PER/ORG/LOC (and truecased for NERP)."""
    path = data / name / split
    if name == "id-nerp":
        return load_nerp(path, stats)
    return read_conll(path)


def training_sentences(data: Path, lang: str, train_only: bool) -> Iterator[Sentence]:
    """All training sentences for one language, in a fixed order."""
    stats = casing_stats(data, TRUECASE_FROM_NEWS) if lang == "id" else {}
    names = organisation_names(data) if lang == "id" and RELABEL_NERP else frozenset()
    for name, train, valid in TRAIN_SETS[lang]:
        for split in train + ([] if train_only else valid):
            for sentence in load_split(data, name, split, stats):
                yield relabel_organisations(sentence, names) if name == "id-nerp" else sentence


def augment(sentences: Iterable[Sentence]) -> Iterator[Sentence]:
    """Add headline-style copies: every 10th sentence title-cased, every 20th upper-cased.

    Articles carry headlines, bylines and "Read also" lines in title case or capitals, where
    capitalisation says nothing; the copies teach the model to rely on the words there.
    """
    for n, (words, tags) in enumerate(sentences):
        yield words, tags
        if n % 10 == 3:
            yield [w[:1].upper() + w[1:] for w in words], tags
        elif n % 20 == 7:
            yield [w.upper() for w in words], tags


def train(sentences: Iterable[Sentence], model_path: Path, lang: str) -> None:
    """Fit one CRF and write it to `model_path`."""
    import pycrfsuite

    gaz = gazetteer()
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for words, tags in sentences:
        trainer.append(sentence_features(words, gaz), tags)
        count += 1
    trainer.set_params({**PARAMS, **REGULARISATION[lang]})
    started = time.perf_counter()
    trainer.train(str(model_path))
    took = time.perf_counter() - started
    size = model_path.stat().st_size / 1e6
    print(f"{model_path.name}: {count} sentences, {took:.0f} s, {size:.1f} MB")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="corpus/ner directory")
    parser.add_argument("--out", type=Path, default=ROOT / "tui_reader" / "entities")
    parser.add_argument("--lang", nargs="+", default=["id", "en"], choices=["id", "en"])
    parser.add_argument("--train-only", action="store_true", help="leave validation splits out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in args.lang:
        sentences = augment(training_sentences(args.data, lang, args.train_only))
        train(sentences, args.out / f"ner-{lang}.crfsuite", lang)


if __name__ == "__main__":
    main()
