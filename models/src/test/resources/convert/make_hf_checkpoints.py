#!/usr/bin/python3
"""Writes tiny Hugging Face checkpoint folders (config.json + safetensors, HF tensor names) with fixed random
weights, for the converter tests (models/src/test/java/io/foley4j/models/convert). transformers is not installed:
the tensor names, config keys and the BERT forward are written out here.

  hf_bert/      BertForMaskedLM-style: names under "bert.", a "cls." head and a pooler (both ignored by the
                converter), split over two shards; F32.
  hf_bert_ref.json  token ids / mask / types of a padded batch and last_hidden_state [B, S, H] from the forward below
  hf_clip/      CLIPVisionModelWithProjection (model_type clip_vision_model); F16 storage
  hf_siglip/    SiglipVisionModel (model_type siglip_vision_model); F32
  hf_pytorch_only/  config.json + an empty pytorch_model.bin: the converter must refuse it with a clear message

Run from this folder: /usr/bin/python3 make_hf_checkpoints.py
"""
import json
import math
import os
import struct

import torch

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))


def save_safetensors(path, tensors):
    """safetensors: u64 LE header length, JSON header (8-byte aligned), raw little-endian data."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {torch.float32: "F32", torch.float16: "F16"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def rnd(*shape, std=0.1):
    return torch.randn(*shape) * std


def norm_params(d):
    return 1 + rnd(d), rnd(d)


# ---------------- BERT ----------------
BERT = dict(model_type="bert", architectures=["BertForMaskedLM"], vocab_size=60, hidden_size=32,
            num_hidden_layers=2, num_attention_heads=4, intermediate_size=48, max_position_embeddings=24,
            type_vocab_size=2, layer_norm_eps=1e-12, hidden_act="gelu", hidden_dropout_prob=0.1)


def bert_weights(c):
    h, f = c["hidden_size"], c["intermediate_size"]
    w = {"embeddings.word_embeddings.weight": rnd(c["vocab_size"], h, std=0.5),
         "embeddings.position_embeddings.weight": rnd(c["max_position_embeddings"], h, std=0.5),
         "embeddings.token_type_embeddings.weight": rnd(c["type_vocab_size"], h, std=0.5)}
    w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"] = norm_params(h)
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        for name, o, n in [("attention.self.query", h, h), ("attention.self.key", h, h),
                           ("attention.self.value", h, h), ("attention.output.dense", h, h),
                           ("intermediate.dense", f, h), ("output.dense", h, f)]:
            w[p + name + ".weight"] = rnd(o, n, std=1 / math.sqrt(n))
            w[p + name + ".bias"] = rnd(o)
        for name in ["attention.output.LayerNorm", "output.LayerNorm"]:
            w[p + name + ".weight"], w[p + name + ".bias"] = norm_params(h)
    return w


def bert_forward(w, c, ids, mask, types):
    """BertModel.last_hidden_state (post-LN, erf GELU, additive mask min(float32) like HF)."""
    h, heads, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
    d = h // heads
    B, S = ids.shape
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (h,), w[n + ".weight"], w[n + ".bias"], eps)
    lin = lambda x, n: x @ w[n + ".weight"].T + w[n + ".bias"]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:S][None] \
        + w["embeddings.token_type_embeddings.weight"][types]
    x = ln(x, "embeddings.LayerNorm")
    add_mask = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        split = lambda t: t.view(B, S, heads, d).transpose(1, 2)
        q, k, v = (split(lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + add_mask, dim=-1) @ v
        a = a.transpose(1, 2).reshape(B, S, h)
        x = ln(x + lin(a, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        f = torch.nn.functional.gelu(lin(x, p + "intermediate.dense"))
        x = ln(x + lin(f, p + "output.dense"), p + "output.LayerNorm")
    return x


def write_bert():
    c = BERT
    w = bert_weights(c)
    out = os.path.join(HERE, "hf_bert")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    full = {"bert." + k: v for k, v in w.items()}
    full["bert.embeddings.position_ids"] = torch.arange(c["max_position_embeddings"]).float()[None]
    full["bert.pooler.dense.weight"] = rnd(c["hidden_size"], c["hidden_size"])
    full["bert.pooler.dense.bias"] = rnd(c["hidden_size"])
    full["cls.predictions.bias"] = rnd(c["vocab_size"])
    names = list(full)
    half = len(names) // 2
    shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
    index = {"metadata": {}, "weight_map": {}}
    for file, ns in shards.items():
        save_safetensors(os.path.join(out, file), {n: full[n] for n in ns})
        for n in ns:
            index["weight_map"][n] = file
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=1)
    # a padded batch of three: 9, 4 and 1 tokens
    lengths = [9, 4, 1]
    S = max(lengths)
    ids = torch.zeros(3, S, dtype=torch.long)
    mask = torch.zeros(3, S, dtype=torch.long)
    types = torch.zeros(3, S, dtype=torch.long)
    g = torch.Generator().manual_seed(7)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, c["vocab_size"], (n,), generator=g)
        mask[b, :n] = 1
        types[b, n // 2:n] = 1
    with torch.no_grad():
        hidden = bert_forward(w, c, ids, mask, types)
    ref = {"batch": 3, "seq": S, "ids": ids.flatten().tolist(), "mask": mask.flatten().tolist(),
           "types": types.flatten().tolist(), "last_hidden_state": [round(v, 7) for v in hidden.flatten().tolist()]}
    with open(os.path.join(HERE, "hf_bert_ref.json"), "w") as f:
        json.dump(ref, f)


# ---------------- CLIP vision / SigLIP vision ----------------
def vit_layers(w, d, f, layers):
    for i in range(layers):
        p = "vision_model.encoder.layers.%d." % i
        for n in ("layer_norm1", "layer_norm2"):
            w[p + n + ".weight"], w[p + n + ".bias"] = norm_params(d)
        for n, o, k in [("self_attn.q_proj", d, d), ("self_attn.k_proj", d, d), ("self_attn.v_proj", d, d),
                        ("self_attn.out_proj", d, d), ("mlp.fc1", f, d), ("mlp.fc2", d, f)]:
            w[p + n + ".weight"] = rnd(o, k, std=1 / math.sqrt(k))
            w[p + n + ".bias"] = rnd(o)


def write_clip():
    c = dict(model_type="clip_vision_model", architectures=["CLIPVisionModelWithProjection"], image_size=32,
             patch_size=8, num_channels=3, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
             intermediate_size=48, hidden_act="quick_gelu", layer_norm_eps=1e-5, projection_dim=16)
    d, f, p = c["hidden_size"], c["intermediate_size"], c["patch_size"]
    e = "vision_model.embeddings."
    w = {e + "patch_embedding.weight": rnd(d, 3, p, p), e + "class_embedding": rnd(d),
         e + "position_embedding.weight": rnd((c["image_size"] // p) ** 2 + 1, d),
         e + "position_ids": torch.arange((c["image_size"] // p) ** 2 + 1).float()[None]}
    w["vision_model.pre_layrnorm.weight"], w["vision_model.pre_layrnorm.bias"] = norm_params(d)
    vit_layers(w, d, f, c["num_hidden_layers"])
    w["vision_model.post_layernorm.weight"], w["vision_model.post_layernorm.bias"] = norm_params(d)
    w["visual_projection.weight"] = rnd(c["projection_dim"], d)
    out = os.path.join(HERE, "hf_clip")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(c, fh, indent=2)
    save_safetensors(os.path.join(out, "model.safetensors"), {k: v.half() for k, v in w.items()})


def write_siglip():
    c = dict(model_type="siglip_vision_model", architectures=["SiglipVisionModel"], image_size=32, patch_size=8,
             num_channels=3, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
             hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
    d, f, p = c["hidden_size"], c["intermediate_size"], c["patch_size"]
    e = "vision_model.embeddings."
    w = {e + "patch_embedding.weight": rnd(d, 3, p, p), e + "patch_embedding.bias": rnd(d),
         e + "position_embedding.weight": rnd((c["image_size"] // p) ** 2, d)}
    vit_layers(w, d, f, c["num_hidden_layers"])
    w["vision_model.post_layernorm.weight"], w["vision_model.post_layernorm.bias"] = norm_params(d)
    h = "vision_model.head."
    w[h + "probe"] = rnd(1, 1, d)
    w[h + "attention.in_proj_weight"] = rnd(3 * d, d)
    w[h + "attention.in_proj_bias"] = rnd(3 * d)
    w[h + "attention.out_proj.weight"] = rnd(d, d)
    w[h + "attention.out_proj.bias"] = rnd(d)
    w[h + "layernorm.weight"], w[h + "layernorm.bias"] = norm_params(d)
    w[h + "mlp.fc1.weight"], w[h + "mlp.fc1.bias"] = rnd(f, d), rnd(f)
    w[h + "mlp.fc2.weight"], w[h + "mlp.fc2.bias"] = rnd(d, f), rnd(d)
    out = os.path.join(HERE, "hf_siglip")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(c, fh, indent=2)
    save_safetensors(os.path.join(out, "model.safetensors"), w)


def write_pytorch_only():
    out = os.path.join(HERE, "hf_pytorch_only")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(BERT, fh, indent=2)
    open(os.path.join(out, "pytorch_model.bin"), "wb").close()


write_bert()
write_clip()
write_siglip()
write_pytorch_only()
