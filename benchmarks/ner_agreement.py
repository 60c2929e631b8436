"""How far the Indonesian entity data sets agree with each other, where they label the same text.

Run: `python benchmarks/ner_agreement.py --data ../shared/corpus/ner`.

idner-news-2k, NERP and NER-UGM annotate one shared pool of news sentences. For every pair,
the sentences both sets contain (same tokens, ignoring case; train and validation splits) are
compared mention by mention (exact span and type, tags mapped to PER/ORG/LOC as for training):

* the agreement F1 of one set's labels against the other's;
* the ceiling: the best score that any single labelling of those sentences can reach on *both*
  sets at once. It is found by an oracle that keeps every mention both sets share and picks
  how many of each set's own mentions to add so that the lower of its two F1 scores is highest.
  A model that is also wrong now and then scores lower than the oracle.

This is what bounds a single shipped model: a goal above the ceiling for both sets of a pair
cannot be met by any model, however good, while both sets keep their own conventions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.train_ner import read_conll  # noqa: E402
from tui_reader.entities._crf import decode  # noqa: E402

# (label, directory, files); NERP is lower case, so sentences are matched ignoring case.
SETS = [
    ("idner-news-2k", "id-idner-news-2k", ["train.txt", "valid.txt"]),
    ("NERP", "id-nerp", ["train.txt", "valid.txt"]),
    ("NER-UGM", "id-nerugm", ["train.tsv", "valid.tsv"]),
]
Labels = dict[tuple[str, ...], list[str]]


def load(data: Path, directory: str, files: list[str]) -> Labels:
    """Sentence (lower-cased tokens) -> mapped BIO tags, over the given splits."""
    out: Labels = {}
    for name in files:
        path = data / directory / name
        if path.is_file():
            for words, tags in read_conll(path):
                out[tuple(w.lower() for w in words)] = tags
    return out


def f1(tp: int, predicted: int, gold: int) -> float:
    """F1 from true positives and the two set sizes."""
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def ceiling(shared: int, only_a: int, only_b: int) -> tuple[float, int, int]:
    """The oracle's best min(F1 vs A, F1 vs B), and how many A-only and B-only mentions it adds.

    Its labelling holds the `shared` mentions plus `x` of A's own and `y` of B's own:
    against A it has shared + x right of shared + x + y, with A holding shared + only_a.
    """
    size_a, size_b = shared + only_a, shared + only_b
    best = (0.0, 0, 0)
    for x in range(only_a + 1):
        for y in range(only_b + 1):
            pred = shared + x + y
            score = min(f1(shared + x, pred, size_a), f1(shared + y, pred, size_b))
            best = max(best, (score, x, y))
    return best


def compare(a: Labels, b: Labels) -> tuple[int, int, int, int]:
    """Shared sentences, mentions both have, A-only mentions, B-only mentions."""
    sentences = both = only_a = only_b = 0
    for key, tags in a.items():
        other = b.get(key)
        if other is None or len(other) != len(tags):
            continue
        sentences += 1
        ga, gb = set(decode(tags)), set(decode(other))
        both += len(ga & gb)
        only_a += len(ga - gb)
        only_b += len(gb - ga)
    return sentences, both, only_a, only_b


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="corpus/ner directory")
    args = parser.parse_args()
    loaded = [(label, load(args.data, d, files)) for label, d, files in SETS]
    print(f"{'pair':<26} {'sents':>6} {'A':>6} {'B':>6} {'agreeF1':>8} {'ceiling':>8}  oracle adds")
    for i, (label_a, a) in enumerate(loaded):
        for label_b, b in loaded[i + 1 :]:
            sentences, both, only_a, only_b = compare(a, b)
            if not sentences:
                continue
            agree = f1(both, both + only_b, both + only_a)
            best, x, y = ceiling(both, only_a, only_b)
            print(
                f"{label_a + ' / ' + label_b:<26} {sentences:6d} {both + only_a:6d}"
                f" {both + only_b:6d} {agree:8.3f} {best:8.3f}  {x}/{only_a} of A's own,"
                f" {y}/{only_b} of B's own"
            )


if __name__ == "__main__":
    main()
