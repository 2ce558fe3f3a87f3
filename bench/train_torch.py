#!/usr/bin/python3
"""PyTorch CPU reference for `bench/train.ts`: the same GAN, losses and training step, on one thread.

Usage: train_torch.py '<json>' where json is {"cases": [{"loss", "size", "batch"}...], "maxSteps": 3, "budget":
12, "inference": [sizes], "width": 1, "channelsLast": true}. Prints one JSON object on stdout:
torch version and, per case, the median seconds of up to `maxSteps` timed steps within `budget` seconds (at
least one) after one warm-up step; per inference size, images/s of D's forward pass to the `latent` layer
(batch 256, no grad). Or train_torch.py serve '{"width": 1, "channelsLast": true}': paired timing, one
case at a time on request (see `serve`).

The network and the step mirror lib/models (gan.ts, train.ts, losses.ts):
- G: dense (no bias) -> [s/8, s/8, 256] -> BN -> LeakyReLU(0.2) -> 3 x [2x nearest upsample -> 5x5 conv (no
  bias) -> BN -> LeakyReLU] -> 5x5 conv to 3 (bias) -> tanh. BN momentum 0.9 (torch: 0.1), eps 1e-3.
- D: + N(0, 0.1^2) noise -> 5x5 convs 32 (stride 1), 64, 128, 256 (stride 2) + bias, LeakyReLU -> flatten ->
  dense 100 (`latent`) -> dense 1.
- One step: fake = G(z) with BN in inference mode (no grad); D step on [fake; real] + noise; then G step with
  BN on batch statistics through D (D's parameters frozen, so only input gradients flow through D).
  DCGAN: BCE on logits with real labels ~ U(0.8, 1); LSGAN: least squares; WGAN-GP: critic gap + 10 x GP
  (per-sample interpolation, double backward). Adam beta1 0.5, beta2 0.999, eps 1e-7.
Upsampling is the plain `nn.Upsample` + high-resolution convolution, as a PyTorch user writes it (our TS
code computes the same function as one low-resolution convolution, 2.8x fewer operations).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def channels(width):
    ch = lambda n: max(1, round(n * width))
    return [ch(c) for c in (256, 128, 64, 32)], [ch(c) for c in (32, 64, 128, 256)]


class Generator(nn.Module):
    def __init__(self, size, width):
        super().__init__()
        g, _ = channels(width)
        self.s0 = size // 8
        self.g0 = g[0]
        self.dense = nn.Linear(100, self.s0 * self.s0 * g[0], bias=False)
        self.bn0 = nn.BatchNorm2d(g[0], eps=1e-3, momentum=0.1)
        self.convs = nn.ModuleList(nn.Conv2d(g[i - 1], g[i], 5, padding=2, bias=False) for i in (1, 2, 3))
        self.bns = nn.ModuleList(nn.BatchNorm2d(g[i], eps=1e-3, momentum=0.1) for i in (1, 2, 3))
        self.out = nn.Conv2d(g[3], 3, 5, padding=2)

    def forward(self, z):
        h = self.dense(z).view(-1, self.g0, self.s0, self.s0)
        h = F.leaky_relu(self.bn0(h), 0.2)
        for conv, bn in zip(self.convs, self.bns):
            h = F.leaky_relu(bn(conv(F.interpolate(h, scale_factor=2, mode="nearest"))), 0.2)
        return torch.tanh(self.out(h))


class Discriminator(nn.Module):
    def __init__(self, size, width):
        super().__init__()
        _, d = channels(width)
        cin = [3] + d[:3]
        self.convs = nn.ModuleList(
            nn.Conv2d(cin[i], d[i], 5, stride=1 if i == 0 else 2, padding=2) for i in range(4)
        )
        self.latent = nn.Linear((size // 8) ** 2 * d[3], 100)
        self.out = nn.Linear(100, 1)

    def features(self, x):
        h = x
        for conv in self.convs:
            h = F.leaky_relu(conv(h), 0.2)
        return self.latent(h.flatten(1))

    def forward(self, x):
        return self.out(self.features(x))


LR = {"dcgan": (5e-5, 1e-5), "lsgan": (7e-5, 2e-4), "wgan": (7e-5, 2e-4)}


class Trainer:
    def __init__(self, loss, size, batch, width, channels_last):
        self.loss, self.size, self.batch = loss, size, batch
        self.fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.G = Generator(size, width).to(memory_format=self.fmt)
        self.D = Discriminator(size, width).to(memory_format=self.fmt)
        lr_d, lr_g = LR[loss]
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr_d, betas=(0.5, 0.999), eps=1e-7)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr_g, betas=(0.5, 0.999), eps=1e-7)
        self.data = torch.rand(2 * batch, 3, size, size) * 2 - 1

    def step(self):
        B, s = self.batch, self.size
        real = self.data[:B].contiguous(memory_format=self.fmt)
        # ---- D step
        self.G.eval()
        with torch.no_grad():
            fake = self.G(torch.randn(B, 100))
        for p in self.D.parameters():
            p.requires_grad_(True)
        self.opt_d.zero_grad(set_to_none=True)
        x = torch.cat([fake, real]) + 0.1 * torch.randn(2 * B, 3, s, s)
        logit = self.D(x.contiguous(memory_format=self.fmt))
        lf, lr = logit[:B], logit[B:]
        if self.loss == "wgan":
            critic = lf.mean() - lr.mean()
            eps = torch.rand(B, 1, 1, 1)
            xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
            out = self.D(xhat + 0.1 * torch.randn(B, 3, s, s))
            (g,) = torch.autograd.grad(out.sum(), xhat, create_graph=True)
            norm = torch.sqrt(g.pow(2).sum(dim=(1, 2, 3)) + 1e-12)
            d_loss = critic + 10 * ((norm - 1) ** 2).mean()
        else:
            targets = torch.cat([torch.zeros(B, 1), 0.8 + 0.2 * torch.rand(B, 1)])
            logits = torch.cat([lf, lr])
            if self.loss == "dcgan":
                d_loss = F.binary_cross_entropy_with_logits(logits, targets)
            else:
                d_loss = F.mse_loss(logits, targets)
        d_loss.backward()
        self.opt_d.step()
        # ---- G step (D frozen: only input gradients through D)
        for p in self.D.parameters():
            p.requires_grad_(False)
        self.G.train()
        self.opt_g.zero_grad(set_to_none=True)
        fake = self.G(torch.randn(B, 100))
        logit = self.D(fake + 0.1 * torch.randn(B, 3, s, s))
        if self.loss == "dcgan":
            g_loss = F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))
        elif self.loss == "lsgan":
            g_loss = ((logit - 1) ** 2).mean()
        else:
            g_loss = -logit.mean()
        g_loss.backward()
        self.opt_g.step()
        return float(d_loss), float(g_loss)


def time_case(case, max_steps, budget, width, channels_last):
    """One warm-up step, then up to max_steps timed steps within budget seconds (at least one): the median."""
    torch.manual_seed(0)
    t = Trainer(case["loss"], case["size"], case["batch"], width, channels_last)
    t0 = time.perf_counter()
    t.step()  # warm-up (step() returns the losses as floats: the GPU has finished when it returns)
    first = time.perf_counter() - t0
    times = []
    while len(times) < max_steps and (not times or sum(times) < budget):
        t0 = time.perf_counter()
        t.step()
        times.append(time.perf_counter() - t0)
    times.sort()
    return first, times[len(times) // 2], len(times)


def inference(size, width, channels_last, n=512, batch=256):
    torch.manual_seed(0)
    D = Discriminator(size, width).eval()
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    D = D.to(memory_format=fmt)
    x = (torch.rand(n, 3, size, size) * 2 - 1).contiguous(memory_format=fmt)
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
    with torch.no_grad():
        D.features(x[:batch])
        sync()
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            D.features(x[i:i + batch])
        sync()
        return n / (time.perf_counter() - t0)


def serve(req):
    """Paired timing: one JSON request a line on stdin, {"loss", "size", "batch", "steps"} (and "width", else
    the config's); the trainer of a case is made (and stepped once, a warm-up) on its first request and kept
    until {"loss", "size", "batch", "drop": true}; answers {"seconds": [...]} (one per timed step) a line on
    stdout. Config: {"width", "threads" (torch.set_num_threads, default 1), "channelsLast"}."""
    torch.set_num_threads(req.get("threads", 1))
    trainers = {}
    for line in sys.stdin:
        case = json.loads(line)
        key = (case["loss"], case["size"], case["batch"], case.get("width", req.get("width", 1)))
        if case.get("drop"):
            trainers.pop(key, None)
            print(json.dumps({"seconds": []}), flush=True)
            continue
        if key not in trainers:
            torch.manual_seed(0)
            trainers[key] = Trainer(*key, req.get("channelsLast", False))
            trainers[key].step()
        seconds = []
        for _ in range(case.get("steps", 1)):
            t0 = time.perf_counter()
            trainers[key].step()
            seconds.append(time.perf_counter() - t0)
        print(json.dumps({"seconds": seconds}), flush=True)


def main():
    if sys.argv[1] == "serve":
        serve(json.loads(sys.argv[2]))
        return
    req = json.loads(sys.argv[1])
    torch.set_num_threads(req.get("threads", 1))
    device = req.get("device", "cpu")
    if device != "cpu":
        # Every tensor and parameter made from here on lives on the GPU (the step code creates its noise
        # with plain torch.randn).
        if hasattr(torch, "set_default_device"):
            torch.set_default_device(device)
        else:
            torch.set_default_tensor_type(torch.cuda.FloatTensor)
    width = req.get("width", 1)
    max_steps = req.get("maxSteps", 3)
    budget = req.get("budget", 12)
    channels_last = req.get("channelsLast", False)
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "memoryFormat": "channels_last" if channels_last else "NCHW",
        "config": [l.strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l or "MKL-DNN" in l],
        "device": torch.cuda.get_device_name(0) if device != "cpu" else "cpu",
        "steps": [],
        "inference": [],
    }
    for case in req.get("cases", []):
        first, s, n = time_case(case, max_steps, budget, width, channels_last)
        out["steps"].append({**case, "width": width, "steps": n, "firstStepSeconds": first, "secondsPerStep": s})
        print(f"  torch {case['loss']} {case['size']}px batch {case['batch']}: {s:.3f} s/step ({n})", file=sys.stderr)
    for size in req.get("inference", []):
        out["inference"].append({"size": size, "width": width, "imagesPerSecond": inference(size, width, channels_last)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
