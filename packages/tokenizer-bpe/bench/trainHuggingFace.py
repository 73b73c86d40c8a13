"""Hugging Face's native BPE trainer, timed for bench/train.ts (which runs this as a child process).

Reads a JSON request on stdin: {"train": path of a JSON array of training texts, "heldOut": path
of a JSON array of held-out texts, "vocabSize": int, "pattern": tiktoken-syntax regex}. Trains a
byte-level BPE exactly as trainBpe does (Split on the pattern, ByteLevel without its own regex,
all 256 bytes as initial alphabet), encodes the held-out texts, and prints one JSON line:
{"seconds", "merges" (as byte-level string pairs), "heldOutTokens", "threads"}.
Set RAYON_NUM_THREADS to choose the number of threads.

    pip install tokenizers==0.23.2
"""
import json
import os
import sys
import time

from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers


def main():
    request = json.load(sys.stdin)
    with open(request["train"], encoding="utf-8") as f:
        texts = json.load(f)
    with open(request["heldOut"], encoding="utf-8") as f:
        held_out = json.load(f)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(request["pattern"]), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=request["vocabSize"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    start = time.perf_counter()
    tokenizer.train_from_iterator(texts, trainer)
    seconds = time.perf_counter() - start
    held_out_tokens = sum(len(e.ids) for e in tokenizer.encode_batch(held_out, add_special_tokens=False))
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "merges": merges,
                "heldOutTokens": held_out_tokens,
                "threads": os.environ.get("RAYON_NUM_THREADS", "all"),
            }
        )
    )


if __name__ == "__main__":
    main()
