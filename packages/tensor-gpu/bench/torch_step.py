"""The nanoGPT-shaped training step of nanoGptStep.ts in PyTorch, on one CPU thread.

Same architecture (nanoGPT's model.py with bias, no dropout, tied lm_head), sizes, batch and
AdamW settings; nanoGPT's initialisation from its own generator. Prints one JSON line: torch
version, threads, median wall and CPU milliseconds per step (forward, backward, AdamW) after
warm-up, and the losses.
Run by nanoGptStep.ts as /usr/bin/python3 torch_step.py (Debian's python3-torch) with
OPENBLAS_NUM_THREADS=1.
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=8)
parser.add_argument("--warmup", type=int, default=2)
parser.add_argument("--vocab", type=int, default=65)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(1)
V, T, L, H, C, B = args.vocab, 128, 4, 4, 128, 16


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // H))
        att = F.softmax(att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))


model = GPT()
# nanoGPT's initialisation (model.py `_init_weights` and the c_proj special case).
for name, parameter in model.named_parameters():
    if name.endswith("bias"):
        nn.init.zeros_(parameter)
    elif parameter.dim() >= 2:
        std = 0.02 / math.sqrt(2 * L) if name.endswith(("c_proj.weight", "mlp_proj.weight")) else 0.02
        nn.init.normal_(parameter, 0.0, std)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1, betas=(0.9, 0.95))
times, cpu_times, losses = [], [], []
for step in range(args.warmup + args.steps):
    data = torch.randint(0, V, (B, T + 1))
    start = time.perf_counter()
    cpu_start = time.process_time()
    loss = model(data[:, :-1], data[:, 1:])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    elapsed = (time.perf_counter() - start) * 1000
    cpu_elapsed = (time.process_time() - cpu_start) * 1000
    losses.append(loss.item())
    if step >= args.warmup:
        times.append(elapsed)
        cpu_times.append(cpu_elapsed)
print(
    json.dumps(
        {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "medianMs": statistics.median(times),
            "medianCpuMs": statistics.median(cpu_times),
            "losses": losses,
        }
    )
)
