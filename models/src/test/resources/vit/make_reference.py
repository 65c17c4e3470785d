#!/usr/bin/python3
"""Reference data for io.foley4j.models.vit (run from this folder with Debian's python3-torch, python3-numpy,
python3-pil, ffmpeg and opencv-doc installed):

    /usr/bin/python3 make_reference.py

PyTorch modules below mirror Hugging Face's CLIPVisionModelWithProjection and SiglipVisionModel (transformers is not
installable here) with their exact attribute names, so state_dict keys are the checkpoint tensor names the Java
converter reads. Weights are not from torch's RNG but from a hash both sides compute identically
(HashWeights.java): value[i] = offset + scale * (2u - 1), u = (splitmix64(fnv1a64(name) + i) >> 40) / 2^24, in
float64, rounded to float32; offset/scale depend on the tensor's role (see role()).

Writes (committed):
  tiny_clip.safetensors, tiny_siglip.safetensors   HF-named checkpoints of the tiny configs (written by hand below)
  tiny_frames.u8        [8, 40, 40, 3] RGB frames (real images and Megamind.avi frames, PIL bicubic to 40x40)
  tiny_frame_56x48.u8   [1, 56, 48, 3] one frame at another resolution (position interpolation)
  b16_input.png         one 224x224 frame for the ViT-B/16 geometry check
  calib_*.jpg, heldout_*.jpg   224x224 frames: static-INT8 calibration set and held-out set (never used as reference
                        pixels, so JPEG decoder differences do not matter)
  *.f32                 outputs, little-endian float32, shapes in reference.json
Pixels are normalized as (u8 / 255 - CLIP_MEAN) / CLIP_STD in float32 for every model.
"""
import json
import math
import os
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

OPENCV = "/usr/share/doc/opencv-doc/examples/data/"
MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073], dtype=torch.float32).view(1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711], dtype=torch.float32).view(1, 3, 1, 1)

TINY_CLIP = dict(kind="clip", image_size=40, patch_size=8, hidden=48, layers=2, heads=3, mlp=176, proj=24,
                 act="quick_gelu", eps=1e-5)
TINY_SIGLIP = dict(kind="siglip", image_size=40, patch_size=8, hidden=48, layers=2, heads=3, mlp=176, proj=0,
                   act="gelu_pytorch_tanh", eps=1e-6)
CLIP_B16 = dict(kind="clip", image_size=224, patch_size=16, hidden=768, layers=12, heads=12, mlp=3072, proj=512,
                act="quick_gelu", eps=1e-5)


# ---- Hugging Face-shaped modules ----

def activation(name):
    if name == "quick_gelu":
        return lambda x: x * torch.sigmoid(1.702 * x)
    if name == "gelu_pytorch_tanh":
        return lambda x: F.gelu(x, approximate="tanh")
    return F.gelu


class Attention(nn.Module):  # CLIPAttention / SiglipAttention
    def __init__(self, c):
        super().__init__()
        d = c["hidden"]
        self.heads = c["heads"]
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        b, s, d = x.shape
        hd = d // self.heads
        split = lambda t: t.view(b, s, self.heads, hd).transpose(1, 2)
        q = split(self.q_proj(x)) * hd ** -0.5
        k, v = split(self.k_proj(x)), split(self.v_proj(x))
        a = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        return self.out_proj(a.transpose(1, 2).reshape(b, s, d))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.act = activation(c["act"])
        self.fc1 = nn.Linear(c["hidden"], c["mlp"])
        self.fc2 = nn.Linear(c["mlp"], c["hidden"])

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.layer_norm1 = nn.LayerNorm(c["hidden"], eps=c["eps"])
        self.mlp = MLP(c)
        self.layer_norm2 = nn.LayerNorm(c["hidden"], eps=c["eps"])

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(c) for _ in range(c["layers"]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Embeddings(nn.Module):  # CLIPVisionEmbeddings / SiglipVisionEmbeddings
    def __init__(self, c):
        super().__init__()
        self.c = c
        d, p = c["hidden"], c["patch_size"]
        self.cls = c["kind"] == "clip"
        self.grid = c["image_size"] // p
        if self.cls:
            self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch_embedding = nn.Conv2d(3, d, kernel_size=p, stride=p, bias=not self.cls)
        n = self.grid ** 2 + (1 if self.cls else 0)
        self.position_embedding = nn.Embedding(n, d)
        self.register_buffer("position_ids", torch.arange(n).expand((1, -1)), persistent=self.cls)

    def interpolated(self, h, w):
        """HF interpolate_pos_encoding: bicubic, align_corners=False, on the patch rows."""
        table = self.position_embedding.weight.unsqueeze(0)
        nh, nw = h // self.c["patch_size"], w // self.c["patch_size"]
        if nh == self.grid and nw == self.grid:
            return table
        k = 1 if self.cls else 0
        d = table.shape[-1]
        patch = table[:, k:].reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2)
        patch = F.interpolate(patch, size=(nh, nw), mode="bicubic", align_corners=False)
        patch = patch.permute(0, 2, 3, 1).reshape(1, -1, d)
        return torch.cat([table[:, :k], patch], dim=1)

    def forward(self, px):
        x = self.patch_embedding(px).flatten(2).transpose(1, 2)
        if self.cls:
            x = torch.cat([self.class_embedding.expand(x.shape[0], 1, -1), x], dim=1)
        return x + self.interpolated(px.shape[2], px.shape[3])


class PoolingHead(nn.Module):  # SiglipMultiheadAttentionPoolingHead
    def __init__(self, c):
        super().__init__()
        self.probe = nn.Parameter(torch.zeros(1, 1, c["hidden"]))
        self.attention = nn.MultiheadAttention(c["hidden"], c["heads"], batch_first=True)
        self.layernorm = nn.LayerNorm(c["hidden"], eps=c["eps"])
        self.mlp = MLP(c)

    def forward(self, x):
        probe = self.probe.repeat(x.shape[0], 1, 1)
        x = self.attention(probe, x, x)[0]
        return (x + self.mlp(self.layernorm(x)))[:, 0]


class VisionTransformer(nn.Module):  # CLIPVisionTransformer / SiglipVisionTransformer
    def __init__(self, c):
        super().__init__()
        self.clip = c["kind"] == "clip"
        self.embeddings = Embeddings(c)
        if self.clip:
            self.pre_layrnorm = nn.LayerNorm(c["hidden"], eps=c["eps"])
        self.encoder = Encoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden"], eps=c["eps"])
        if not self.clip:
            self.head = PoolingHead(c)

    def forward(self, px):
        x = self.embeddings(px)
        if self.clip:
            x = self.encoder(self.pre_layrnorm(x))
            return x, self.post_layernorm(x[:, 0])  # last_hidden_state, pooler_output
        x = self.post_layernorm(self.encoder(x))
        return x, self.head(x)


class VisionModel(nn.Module):  # CLIPVisionModelWithProjection (proj > 0) / SiglipVisionModel
    def __init__(self, c):
        super().__init__()
        self.vision_model = VisionTransformer(c)
        if c["proj"]:
            self.visual_projection = nn.Linear(c["hidden"], c["proj"], bias=False)

    def forward(self, px):
        tokens, pooled = self.vision_model(px)
        embeds = self.visual_projection(pooled) if hasattr(self, "visual_projection") else pooled
        return tokens, pooled, embeds


# ---- weights both sides can compute ----

M64 = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def splitmix64(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def role(name, shape):
    """(offset, scale) of a tensor; mirrored in HashWeights.role."""
    norm = any(s in name for s in ("layer_norm", "layrnorm", "layernorm"))
    if norm and name.endswith(".weight"):
        return 1.0, 0.2
    if name.endswith("bias"):
        return 0.0, 0.05
    if name.endswith("class_embedding") or name.endswith("probe"):
        return 0.0, 1.0
    if name.endswith("position_embedding.weight"):
        return 0.0, 0.5
    fan_in = int(np.prod(shape[1:]))
    return 0.0, math.sqrt(3.0 / fan_in)


def hash_tensor(name, shape):
    n = int(np.prod(shape))
    with np.errstate(over="ignore"):
        idx = np.uint64(fnv1a64(name)) + np.arange(n, dtype=np.uint64)
    u = (splitmix64(idx) >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    offset, scale = role(name, shape)
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


def build(c):
    model = VisionModel(c).eval()
    sd = model.state_dict()
    fixed = {k: (v if k.endswith("position_ids") else torch.from_numpy(hash_tensor(k, tuple(v.shape))))
             for k, v in sd.items()}
    model.load_state_dict(fixed)
    return model


# ---- files ----

def write_safetensors(path, tensors, metadata=None):
    """safetensors by hand: u64 header length, JSON header, raw little-endian data."""
    codes = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().numpy() if isinstance(t, torch.Tensor) else t)
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


def crop_square(img, size):
    """Shortest side to `size` (PIL bicubic), center crop."""
    w, h = img.size
    s = size / min(w, h)
    img = img.convert("RGB").resize((max(size, round(w * s)), max(size, round(h * s))), Image.BICUBIC)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    return img.crop((left, top, left + size, top + size))


def megamind_frames(seconds):
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, t in enumerate(seconds):
            png = os.path.join(tmp, f"f{i}.png")
            subprocess.run(["ffmpeg", "-v", "error", "-ss", str(t), "-i", OPENCV + "Megamind.avi", "-frames:v", "1",
                            png], check=True)
            out.append(Image.open(png).convert("RGB"))
    return out


def normalize(u8):  # [B, H, W, 3] uint8 -> [B, 3, H, W] float32
    x = torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 255
    return (x - MEAN) / STD


def save(name, t, index):
    a = t.detach().numpy().astype("<f4")
    a.tofile(name + ".f32")
    index[name] = list(a.shape)


def main():
    torch.set_grad_enabled(False)
    torch.set_num_threads(2)
    index = {}

    video = megamind_frames([0.5, 2.0, 3.5, 5.0, 6.5, 8.0, 9.5, 10.5])
    stills = [Image.open(OPENCV + n) for n in ("apple.jpg", "baboon.jpg", "fruits.jpg", "butterfly.jpg",
                                               "home.jpg", "messi5.jpg", "orange.jpg", "starry_night.jpg")]
    calib = video[:5] + stills[:3]
    heldout = video[5:] + stills[3:6]
    for i, im in enumerate(calib):
        crop_square(im, 224).save(f"calib_{i}.jpg", quality=90)
    for i, im in enumerate(heldout):
        crop_square(im, 224).save(f"heldout_{i}.jpg", quality=90)

    tiny = np.stack([np.asarray(crop_square(im, 40)) for im in video[1:5] + stills[4:8]])
    tiny.tofile("tiny_frames.u8")
    odd = np.asarray(crop_square(stills[6], 64).crop((5, 2, 53, 58)))[None]  # 48 wide, 56 high
    odd.tofile("tiny_frame_56x48.u8")
    b16 = crop_square(stills[2], 224)
    b16.save("b16_input.png")

    for tag, c in (("tiny_clip", TINY_CLIP), ("tiny_siglip", TINY_SIGLIP)):
        model = build(c)
        tensors = dict(model.state_dict())
        if c["kind"] == "siglip":  # a full SiglipModel also holds these; the converter ignores them
            tensors["logit_scale"] = torch.tensor([2.3])
            tensors["logit_bias"] = torch.tensor([-10.0])
            tensors["text_model.embeddings.token_embedding.weight"] = torch.zeros(5, 4)
        write_safetensors(tag + ".safetensors", tensors, {"format": "pt"})
        for suffix, u8 in (("", tiny), ("_56x48", odd)):
            tokens, pooled, embeds = model(normalize(u8))
            save(f"{tag}{suffix}_tokens", tokens, index)
            save(f"{tag}{suffix}_pooled", pooled, index)
            save(f"{tag}{suffix}_embeds", embeds, index)

    model = build(CLIP_B16)
    tokens, pooled, embeds = model(normalize(np.asarray(b16)[None]))
    save("clip_b16_tokens", tokens, index)
    save("clip_b16_pooled", pooled, index)
    save("clip_b16_embeds", embeds, index)

    with open("reference.json", "w") as f:
        json.dump({"torch": torch.__version__, "shapes": index}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
