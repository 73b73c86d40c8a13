"""The peer of bench/generation.ts in PyTorch: the same nanoGPT-shaped models (pre-norm, learned
positions, tanh GELU, tied embeddings, no biases), timed the same way.

- decode: a 16-token prompt, then N tokens one at a time with a KV cache (greedy), tokens/s of
  the decoding steps (prefill excluded);
- prefill: one forward pass over 256 tokens, ms;
- train: forward, backward, clip to norm 1 and an AdamW step on a [B, T] batch, ms per iteration.

Usage: /usr/bin/python3 torch_reference.py <threads> <config> <B> <T> <decode tokens> <repeats>
Prints one JSON object. Written for Debian's python3-torch 1.13 (no other package needed).
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

CONFIGS = {
    "tiny": dict(vocab=65, context=256, layers=4, width=128, heads=4),
    "baby": dict(vocab=65, context=256, layers=6, width=384, heads=6),
}


class Block(torch.nn.Module):
    def __init__(self, c, h):
        super().__init__()
        self.h = h
        self.ln1 = torch.nn.LayerNorm(c, elementwise_affine=True)
        self.ln2 = torch.nn.LayerNorm(c, elementwise_affine=True)
        self.qkv = torch.nn.Linear(c, 3 * c, bias=False)
        self.proj = torch.nn.Linear(c, c, bias=False)
        self.fc = torch.nn.Linear(c, 4 * c, bias=False)
        self.down = torch.nn.Linear(4 * c, c, bias=False)

    def forward(self, x, past=None):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        s = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.h)
        mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        x = x + self.down(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x, (k, v)


class Gpt(torch.nn.Module):
    def __init__(self, vocab, context, layers, width, heads):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, width)
        self.wpe = torch.nn.Embedding(context, width)
        self.blocks = torch.nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(width)

    def forward(self, ids, cache=None, start=0):
        x = self.wte(ids) + self.wpe(torch.arange(start, start + ids.shape[1]))
        new = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if cache is None else cache[i])
            new.append(kv)
        return self.ln_f(x) @ self.wte.weight.T, new


def main():
    threads, name, batch, length, decode_tokens, repeats = sys.argv[1:7]
    threads, batch, length, decode_tokens, repeats = map(int, (threads, batch, length, decode_tokens, repeats))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Gpt(**CONFIGS[name])
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "config": name}

    with torch.no_grad():
        model.eval()
        rates = []
        for _ in range(repeats + 1):
            logits, cache = model(torch.arange(16)[None, :] % 65)
            token = logits[:, -1].argmax(-1, keepdim=True)
            started = time.perf_counter()
            for i in range(decode_tokens):
                logits, cache = model(token, cache, 16 + i)
                token = logits[:, -1].argmax(-1, keepdim=True)
            rates.append(decode_tokens / (time.perf_counter() - started))
        out["decodeTokensPerSecond"] = statistics.median(rates[1:])
        times = []
        ids = torch.arange(256)[None, :] % 65
        for _ in range(repeats + 1):
            started = time.perf_counter()
            model(ids)
            times.append((time.perf_counter() - started) * 1000)
        out["prefill256Ms"] = statistics.median(times[1:])

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    ids = torch.randint(0, 65, (batch, length + 1), generator=torch.Generator().manual_seed(1))
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        logits, _ = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        times.append((time.perf_counter() - started) * 1000)
    out["trainMsPerIteration"] = statistics.median(times[1:])
    print(json.dumps(out))


main()
