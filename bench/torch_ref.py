#!/usr/bin/python3
"""torch_ref.py — the engine's objective in PyTorch, as a timing reference.

    torch_ref.py --model F.safetensors --prefix P --size N [--iters K] [--threads T]

Reads the VGG-19 features weights from the same safetensors file as the
engine (stdlib header parse + torch.frombuffer) and the images that
`bench-engine iter --dump P` wrote (P.content.f32, P.style.f32, P.init.f32:
interleaved float32 N x N x 3, sRGB 0..1).  Same objective as engine/objective.c
with the weights bench-engine iter sets (the first release's defaults):

  L = 1 * mean((F-P)^2)/(mean(P^2)+1e-8)               content, relu4_2
    + 100 * 1/5 Σ_k ‖G_k-A_k‖²/(‖A_k‖²+1e-8)          style, relu1_1..relu5_1,
                                                        G = F Fᵀ/(HW)
    + 1 * [Σ(x[c,i+1,j]-x[c,i,j])² + Σ(x[c,i,j+1]-x[c,i,j])²]/(3HW)   TV

with torchvision preprocessing ((x - ImageNet mean)/std).  "Iteration" =
one step of torch.optim.LBFGS(max_iter=1, history_size=8, no line search),
i.e. exactly one forward + backward (closure call) per iteration, the same
work as one engine evaluation.  Prints key=value lines like bench-engine.
"""
import argparse
import json
import resource
import statistics
import struct
import time

import torch

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
# VGG-19 features up to relu5_1: (conv index in torchvision's features, cin, cout); "M" = pool
VGG19 = [(0, 3, 64), (2, 64, 64), "M", (5, 64, 128), (7, 128, 128), "M",
         (10, 128, 256), (12, 256, 256), (14, 256, 256), (16, 256, 256), "M",
         (19, 256, 512), (21, 512, 512), (23, 512, 512), (25, 512, 512), "M",
         (28, 512, 512)]
STYLE = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
CONTENT = "relu4_2"
CONV_NAMES = ["1_1", "1_2", "2_1", "2_2", "3_1", "3_2", "3_3", "3_4",
              "4_1", "4_2", "4_3", "4_4", "5_1"]


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    base = 8 + n
    dtypes = {"F32": torch.float32, "F16": torch.float16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(blob[base + a:base + b]), dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"]).float()
    return out


class Features(torch.nn.Module):
    """VGG-19 features to relu5_1; forward returns {relu name: activation}."""

    def __init__(self, weights):
        super().__init__()
        self.convs = torch.nn.ModuleList()
        for item in VGG19:
            if item == "M":
                continue
            idx, cin, cout = item
            conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
            conv.weight.data.copy_(weights[f"features.{idx}.weight"])
            conv.bias.data.copy_(weights[f"features.{idx}.bias"])
            conv.requires_grad_(False)
            self.convs.append(conv)

    def forward(self, x):
        taps, k = {}, 0
        for item in VGG19:
            if item == "M":
                x = torch.nn.functional.max_pool2d(x, 2, 2)
                continue
            x = torch.relu(self.convs[k](x))
            taps["relu" + CONV_NAMES[k]] = x
            k += 1
        return taps


def load_image(path, n):
    t = torch.from_numpy(__import__("numpy").fromfile(path, dtype="float32").copy())
    return t.reshape(n, n, 3).permute(2, 0, 1).unsqueeze(0).contiguous()


def preprocess(x):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def gram(f):
    c = f.shape[1]
    f = f.reshape(c, -1)
    return f @ f.t() / f.shape[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rss_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    net = Features(load_safetensors(a.model)).eval()
    n = a.size
    content = load_image(a.prefix + ".content.f32", n)
    style = load_image(a.prefix + ".style.f32", n)
    x = load_image(a.prefix + ".init.f32", n).requires_grad_(True)

    with torch.no_grad():
        p = net(preprocess(content))[CONTENT].clone()
        p_msq = (p * p).mean()
        targets = {}
        for name, f in net(preprocess(style)).items():
            if name in STYLE:
                g = gram(f)
                targets[name] = (g, (g * g).sum())

    terms = {}

    def objective():
        f = net(preprocess(x))
        lc = ((f[CONTENT] - p) ** 2).mean() / (p_msq + 1e-8)
        ls = 0.0
        for name in STYLE:
            g = gram(f[name])
            a_, an = targets[name]
            ls = ls + ((g - a_) ** 2).sum() / (an + 1e-8) / len(STYLE)
        ls = 100.0 * ls
        dy = x[:, :, 1:, :] - x[:, :, :-1, :]
        dx = x[:, :, :, 1:] - x[:, :, :, :-1]
        ltv = ((dy * dy).sum() + (dx * dx).sum()) / (3 * n * n)
        terms.update(content=float(lc), style=float(ls), tv=float(ltv))
        return lc + ls + ltv

    with torch.no_grad():
        loss0 = float(objective())
        t0 = dict(terms)

    opt = torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=8)

    def closure():
        opt.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    secs = []
    for _ in range(a.iters):
        t = time.perf_counter()
        opt.step(closure)
        secs.append(time.perf_counter() - t)
    med = statistics.median(secs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"size={n}\niters={a.iters}\nsec_iter_median={med:.4f}\n"
          f"peak_rss_mib={peak:.1f}\nrss_python_torch_mib={rss_base:.1f}\n"
          f"loss0={loss0:.9g}\ncontent0={t0['content']:.9g}\nstyle0={t0['style']:.9g}\n"
          f"tv0={t0['tv']:.9g}\nthreads={torch.get_num_threads()}\n"
          f"torch={torch.__version__}")


if __name__ == "__main__":
    main()
