#!/usr/bin/python3
"""Reference outputs for io.foley4j.pipeline.audio tests (run once; outputs are committed next to this script).

Debian bookworm: apt-get install -y python3-torch python3-torchaudio python3-numpy   (torch 1.13.1, torchaudio 0.13.1)
Run from this directory: /usr/bin/python3 make_reference.py   -> ref/*.npy (float32 unless noted)
"""
import math
import os
import wave

import numpy as np
import torch
import torchaudio.functional as AF
import torchaudio.transforms as AT

torch.manual_seed(0)
rng = np.random.default_rng(1234)
os.makedirs("ref", exist_ok=True)


def save(name, a):
    np.save(os.path.join("ref", name + ".npy"), np.ascontiguousarray(a, dtype=np.float32))


def window(kind, n, periodic):
    return {"hann": torch.hann_window, "hamming": torch.hamming_window,
            "blackman": torch.blackman_window}[kind](n, periodic=periodic)


# Windows (torch, float32)
for kind in ("hann", "hamming", "blackman"):
    for n in (1, 2, 10, 63, 400):
        for periodic in (True, False):
            save(f"win_{kind}_{n}_{'p' if periodic else 's'}", window(kind, n, periodic).numpy())

# STFT / iSTFT: name, n_fft, hop, win_length, window kind, periodic, center, pad_mode, normalized, onesided, length
STFT_CASES = [
    ("a", 256, 64, 256, "hann", True, True, "reflect", False, True, 1001),
    ("b", 512, 128, 400, "hann", True, True, "reflect", False, True, 1500),
    ("c", 64, 16, 64, "hamming", False, True, "constant", False, True, 333),
    ("d", 200, 50, 200, "hamming", True, False, "reflect", False, True, 777),
    ("e", 63, 20, 63, "hann", True, True, "reflect", False, True, 501),
    ("f", 96, 24, 96, "blackman", True, True, "reflect", True, True, 250),
    ("g", 128, 32, 100, "blackman", True, True, "reflect", False, False, 300),
]
with open(os.path.join("ref", "stft_cases.txt"), "w") as f:
    f.write("# name n_fft hop win_length window periodic center pad_mode normalized onesided length\n")
    for c in STFT_CASES:
        f.write(" ".join(str(v) for v in c) + "\n")
for name, n_fft, hop, win_len, kind, periodic, center, pad_mode, normalized, onesided, length in STFT_CASES:
    x = torch.from_numpy(rng.standard_normal(length).astype(np.float32))
    w = window(kind, win_len, periodic)
    kw = dict(n_fft=n_fft, hop_length=hop, win_length=win_len, window=w, center=center, normalized=normalized,
              onesided=onesided)
    spec = torch.stft(x, pad_mode=pad_mode, return_complex=True, **kw)          # [bins, frames]
    save(f"stft_{name}_x", x.numpy())
    save(f"stft_{name}_spec", torch.view_as_real(spec.transpose(0, 1)).numpy())  # [frames, bins, 2]
    if onesided:
        # an inconsistent spectrogram (random), so iSTFT is exercised beyond the round trip
        rnd = torch.complex(torch.randn(spec.shape), torch.randn(spec.shape))
        save(f"stft_{name}_rnd", torch.view_as_real(rnd.transpose(0, 1)).numpy())
        save(f"stft_{name}_istft", torch.istft(rnd, length=length, **kw).numpy())
        save(f"stft_{name}_istft_default", torch.istft(rnd, **kw).numpy())
        save(f"stft_{name}_istft_long", torch.istft(rnd, length=length + 37, **kw).numpy())

# Mel filterbanks (torchaudio.functional.melscale_fbanks, [n_freqs, n_mels])
MEL_CASES = [
    ("m1", 201, 0.0, 8000.0, 40, 16000, "slaney", "slaney"),
    ("m2", 201, 0.0, 8000.0, 40, 16000, None, "htk"),
    ("m3", 129, 20.0, 11025.0, 40, 22050, None, "slaney"),
    ("m4", 129, 20.0, 11025.0, 40, 22050, "slaney", "htk"),
    ("m5", 257, 50.0, 20000.0, 48, 48000, "slaney", "slaney"),
]
with open(os.path.join("ref", "mel_cases.txt"), "w") as f:
    f.write("# name n_freqs f_min f_max n_mels sample_rate norm mel_scale\n")
    for name, n_freqs, f_min, f_max, n_mels, sr, norm, scale in MEL_CASES:
        fb = AF.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sr, norm=norm, mel_scale=scale)
        save(f"mel_{name}", fb.numpy())
        f.write(f"{name} {n_freqs} {f_min} {f_max} {n_mels} {sr} {norm or 'none'} {scale}\n")

# Real sound: 16-bit PCM read as int16 / 32768
with wave.open("glass_door_open.wav") as w:
    sr = w.getframerate()
    pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
snd = torch.from_numpy(pcm)

# Log-mel of the real sound: power 2, Slaney scale and norm; log(clamp(mel, 1e-5))
mel = AT.MelSpectrogram(sample_rate=sr, n_fft=512, hop_length=128, win_length=512, f_min=0.0, f_max=sr / 2,
                        n_mels=64, power=2.0, norm="slaney", mel_scale="slaney", center=True, pad_mode="reflect")(snd)
save("logmel_glass", torch.log(torch.clamp(mel, min=1e-5)).transpose(0, 1).numpy())   # [frames, n_mels]

# Resampling (torchaudio kaiser_window, lowpass_filter_width 6, rolloff 0.99, beta 14.769656459379492)
x = torch.from_numpy(rng.standard_normal(1500).astype(np.float32))
save("resample_x", x.numpy())
for orig, new in ((44100, 48000), (22050, 48000), (16000, 48000), (48000, 16000), (48000, 44100)):
    y = AF.resample(x, orig, new, lowpass_filter_width=6, rolloff=0.99, resampling_method="kaiser_window")
    save(f"resample_{orig}_{new}", y.numpy())

# Griffin-Lim from zero phase (rand_init=False) on the real sound's magnitude, n_fft 512, hop 128, Hann
gl_win = torch.hann_window(512)
mag = torch.stft(snd, 512, 128, 512, gl_win, center=True, pad_mode="reflect", return_complex=True).abs()
for momentum in (0.0, 0.99):
    y = AF.griffinlim(mag, gl_win, 512, 128, 512, power=1.0, n_iter=8, momentum=momentum, length=len(pcm),
                      rand_init=False)
    save(f"griffinlim_m{int(momentum * 100)}", y.numpy())
