"""Evaluate the entity recogniser: entity-level P/R/F1 per data set, the seed article, speed.

Run: `python benchmarks/ner_eval.py --data ../shared/corpus/ner [--seed ../shared/seed]
[--news ../shared/corpus/news] [--model-dir DIR] [--json PATH]`.

Scoring is exact: a predicted mention counts only if its character span (and, for the typed
score, its type) equals a gold one. Sentences are detokenised by joining tokens with spaces and
run through the public `recognize`, so the tokenizer and the clean-up rules are tested too.
CoNLL-2003 is tagged a document at a time (its `-DOCSTART-` boundaries), the other sets a
sentence at a time. NERP is lower case upstream; it is truecased (gold entity words
capitalised, other words in their most frequent case in the cased Indonesian sets, else in
Indonesian news: the word table built by `tools/build_word_features.py`).
Use `--model-dir` with models from `tools/train_ner.py --train-only` for honest validation
figures (the shipped models also saw the validation splits).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.train_ner import casing_stats, load_split, map_tag  # noqa: E402
from tui_reader.entities import analyze, recognize  # noqa: E402
from tui_reader.entities._crf import decode, use_model_dir  # noqa: E402

Gold = set[tuple[int, int, str]]
# (label, directory, file, language, tagged per document)
SETS = [
    ("idner-news-2k valid", "id-idner-news-2k", "valid.txt", "id", False),
    ("NERP valid (truecased)", "id-nerp", "valid.txt", "id", False),
    ("NERGrit valid", "id-nergrit", "valid.txt", "id", False),
    ("NER-UI valid", "id-nerui", "valid.tsv", "id", False),
    ("NER-UGM valid", "id-nerugm", "valid.tsv", "id", False),
    ("CoNLL-2003 dev (en)", "en-conll2003", "valid.txt", "en", True),
]


@dataclass
class Score:
    """Counts for exact (span+type) and span-only matching."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    span_tp: int = 0
    span_fp: int = 0
    span_fn: int = 0

    def add(self, gold: Gold, pred: Gold) -> None:
        """Count one document."""
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        gs, ps = {g[:2] for g in gold}, {p[:2] for p in pred}
        self.span_tp += len(gs & ps)
        self.span_fp += len(ps - gs)
        self.span_fn += len(gs - ps)

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        """Precision, recall, F1."""
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self) -> dict[str, float]:
        """Scores for the table and the JSON output."""
        p, r, f = self.prf(self.tp, self.fp, self.fn)
        _, _, sf = self.prf(self.span_tp, self.span_fp, self.span_fn)
        return {"P": p, "R": r, "F1": f, "span_F1": sf, "gold": self.tp + self.fn}


def detokenise(sentences: list[tuple[list[str], list[str]]]) -> tuple[str, Gold]:
    """Join tokens with spaces (sentences with newlines) and convert gold tags to char spans."""
    text, gold = "", set()
    for words, tags in sentences:
        starts = []
        for w in words:
            starts.append(len(text))
            text += w + " "
        text = text[:-1] + "\n"
        for i, j, label in decode(tags):
            gold.add((starts[i], starts[j - 1] + len(words[j - 1]), label))
    return text, gold


def documents(data: Path, name: str, split: str, per_doc: bool) -> Iterator[tuple[str, Gold]]:
    """Detokenised documents (or sentences) of one split with gold spans."""
    if not per_doc:
        stats = casing_stats(data, news=True) if name == "id-nerp" else {}
        for sentence in load_split(data, name, split, stats):
            yield detokenise([sentence])
        return
    for chunk in (data / name / split).read_text(encoding="utf-8").split("-DOCSTART-"):
        doc = list(read_conll_text(chunk))
        if doc:
            yield detokenise(doc)


def read_conll_text(chunk: str) -> Iterator[tuple[list[str], list[str]]]:
    """Sentences of one CoNLL document chunk (tags mapped as for training)."""
    words: list[str] = []
    tags: list[str] = []
    for line in [*chunk.splitlines(), ""]:
        parts = line.split()
        if len(parts) < 2 or parts[0] == "-X-":
            if words:
                yield words, tags
            words, tags = [], []
            continue
        words.append(parts[0])
        tags.append(map_tag(parts[-1]))


def evaluate_set(data: Path, name: str, split: str, lang: str, per_doc: bool) -> Score:
    """Score the recogniser on one split."""
    score = Score()
    for text, gold in documents(data, name, split, per_doc):
        pred = {(e.start, e.end, e.type) for e in recognize(text, lang)}
        score.add(gold, pred)
    return score


def evaluate_seed(seed_dir: Path) -> Score:
    """Score the seed article(s) against the hand annotation (PER/ORG/LOC only).

    Optional mentions (`optional` in the JSON) are neither required nor counted as errors.
    """
    score = Score()
    for path in sorted(seed_dir.glob("*.entities.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        text = ann["text"]
        gold = {(e["start"], e["end"], e["type"]) for e in ann["entities"] if e["type"] != "MISC"}
        optional = {(e["start"], e["end"]) for e in ann.get("optional", [])}
        pred = {(e.start, e.end, e.type) for e in recognize(text, "id")}
        score.add(gold, {p for p in pred if p[:2] not in optional})
    return score


def speed_texts(seed_dir: Path | None, news: Path | None) -> list[tuple[str, str]]:
    """~600-word articles: real ones from the news corpus when present, else the seed, padded."""
    texts: list[tuple[str, str]] = []
    for lang, name in (("id", "id-indosum.jsonl.gz"), ("en", "en-bbc.jsonl.gz")):
        path = news / name if news else None
        if path and path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    text = json.loads(line)["text"]
                    if 500 <= len(text.split()) <= 700:
                        texts.append((lang, text))
                    if sum(t[0] == lang for t in texts) >= 40:
                        break
    if not texts and seed_dir:
        seed = next(seed_dir.glob("*.txt")).read_text(encoding="utf-8")
        words = (seed + "\n\n" + seed).split(" ")[:600]
        texts.append(("id", " ".join(words)))
    return texts


def measure_speed(texts: list[tuple[str, str]]) -> dict[str, float]:
    """Articles per CPU-second for analyze() per language, on one core.

    CPU time, so that other work on a shared machine does not count. The first pass starts
    with an empty word-feature cache (as a fresh ingest worker does), the second is warm.
    """
    result: dict[str, float] = {}
    for lang in sorted({t[0] for t in texts}):
        batch = [t for lg, t in texts if lg == lang]
        analyze("Presiden Joko Widodo", lang)  # load the model outside the timing
        for run in ("cold", "warm"):
            started = time.process_time()
            for text in batch:
                analyze(text, lang)
            result[f"{lang} {run}"] = len(batch) / (time.process_time() - started)
    return result


def measure_load(model_dir: Path | None) -> float:
    """Seconds for a fresh process to import the package, load the model and tag a word."""
    code = (
        "import sys, time; from pathlib import Path; t = time.perf_counter()\n"
        "import tui_reader.entities as e; from tui_reader.entities import _crf\n"
        "_crf.use_model_dir(Path(sys.argv[1]) if len(sys.argv) > 1 else None)\n"
        "e.recognize('Presiden Joko Widodo', 'id'); e.recognize('Boris Johnson', 'en')\n"
        "print(time.perf_counter() - t)\n"
    )
    argv = [str(model_dir)] if model_dir else []
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT
    )
    return float(out.stdout.strip() or "nan")


def print_table(rows: dict[str, dict[str, float]]) -> None:
    """A plain-text table of the scores."""
    print(f"{'data set':<26} {'P':>6} {'R':>6} {'F1':>6} {'spanF1':>7} {'gold':>6}")
    for label, r in rows.items():
        print(
            f"{label:<26} {r['P']:6.3f} {r['R']:6.3f} {r['F1']:6.3f} {r['span_F1']:7.3f}"
            f" {int(r['gold']):6d}"
        )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="corpus/ner directory")
    parser.add_argument("--seed", type=Path, help="directory with *.entities.json")
    parser.add_argument("--news", type=Path, help="corpus/news directory (speed test)")
    parser.add_argument("--model-dir", type=Path, help="evaluate models from this directory")
    parser.add_argument("--only", nargs="*", help="evaluate only data sets whose label has this")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    use_model_dir(args.model_dir)
    rows: dict[str, dict[str, float]] = {}
    if args.seed:
        rows["seed article"] = evaluate_seed(args.seed).row()
    for label, name, split, lang, per_doc in SETS:
        if args.only is not None and not any(o.lower() in label.lower() for o in args.only):
            continue
        rows[label] = evaluate_set(args.data, name, split, lang, per_doc).row()
    print_table(rows)
    speed = measure_speed(speed_texts(args.seed, args.news))
    load = measure_load(args.model_dir)
    for lang, rate in speed.items():
        print(f"speed {lang}: {rate:.0f} articles per CPU-second (analyze, ~600 words)")
    print(f"cold load (import + both models + first tag): {load:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"scores": rows, "speed": speed, "load_s": load}, indent=1))


if __name__ == "__main__":
    main()
