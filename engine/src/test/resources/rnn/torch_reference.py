#!/usr/bin/python3
"""Reference outputs of torch.nn.LSTM and torch.nn.GRU (2 layers, bidirectional, batch_first) with fixed weights.

Writes torch_reference.txt: one tensor per line, "name d0,d1,... v v v ..." (float32 values as repr of float).
Names: x [B, T, I]; h0, c0 [layers*2, B, H]; for each module (lstm, gru): its state_dict entries prefixed
"lstm." / "gru." (weight_ih_l0, weight_hh_l0_reverse, ...), then "lstm.out" [B, T, 2H], "lstm.hn", "lstm.cn",
"gru.out", "gru.hn". Run: /usr/bin/python3 torch_reference.py (Debian python3-torch 1.13.1).
"""
import os
import torch

torch.manual_seed(1234)
B, T, I, H, L = 3, 6, 5, 7, 2
lstm = torch.nn.LSTM(I, H, num_layers=L, bidirectional=True, batch_first=True)
gru = torch.nn.GRU(I, H, num_layers=L, bidirectional=True, batch_first=True)
x = torch.randn(B, T, I)
h0 = torch.randn(L * 2, B, H) * 0.5
c0 = torch.randn(L * 2, B, H)
with torch.no_grad():
    lo, (lh, lc) = lstm(x, (h0, c0))
    go, gh = gru(x, h0)

lines = []


def put(name, t):
    t = t.detach().float().contiguous()
    lines.append(name + " " + ",".join(str(d) for d in t.shape) + " " + " ".join(repr(float(v)) for v in t.flatten()))


put("x", x)
put("h0", h0)
put("c0", c0)
for prefix, m in (("lstm.", lstm), ("gru.", gru)):
    for k, v in m.state_dict().items():
        put(prefix + k, v)
put("lstm.out", lo)
put("lstm.hn", lh)
put("lstm.cn", lc)
put("gru.out", go)
put("gru.hn", gh)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "tensors")
