#!/usr/bin/env python3
"""Writes the reference data the video tests compare against (run once after make_clips.sh, from this folder).

Needs Debian's ffmpeg, python3-pil, python3-torchvision, python3-numpy. Outputs:
  <clip>.pts.txt          ffprobe: timescale, then pts (ticks) of every frame in presentation order
  <clip>_f<N>.rgb.png     display-order frame N: ffmpeg's yuv420p decoding, converted to RGB here with the exact
                          BT.601 limited-range formula, chroma repeated over 2x2 (as swscale's yuv420p->rgb24 does;
                          swscale's fast path itself differs from the exact result by up to 3, printed below)
  <clip>_f<N>.clip.png    torchvision Resize(224, BICUBIC) + CenterCrop(224) of that PIL image
  img_<name>.png          a real image (Debian opencv-doc examples/data), cropped to an odd size, as PNG
  img_<name>.clip.png     its Resize(224, BICUBIC) + CenterCrop(224)
  normalized.txt          ToTensor + Normalize(CLIP mean/std) values at fixed positions of each .clip.png
"""
import subprocess
import numpy as np
from PIL import Image
from torchvision import transforms

CLIP = transforms.Compose([transforms.Resize(224, interpolation=transforms.InterpolationMode.BICUBIC),
                           transforms.CenterCrop(224)])
NORM = transforms.Compose([transforms.ToTensor(),
                           transforms.Normalize((0.48145466, 0.4578275, 0.40821073),
                                                (0.26862954, 0.26130258, 0.27577711))])
CLIPS = {"baseline.mp4": [0, 13, 49], "high.mp4": [0, 2, 7, 49], "vfr.mov": [0, 5, 30]}
DATA = "/usr/share/doc/opencv-doc/examples/data/"
# (name, source, crop box): odd sizes, one portrait, one with a half-pixel center-crop offset
IMAGES = [("fruits", "fruits.jpg", (17, 31, 17 + 333, 31 + 251)),
          ("baboon", "baboon.jpg", (100, 40, 100 + 241, 40 + 397)),
          ("smarties", "smarties.png", (0, 0, 301, 226))]

def probe_pts(clip):
    tb = subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                  "stream=time_base", "-of", "csv=p=0", clip], text=True).strip()
    pts = subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                   "frame=pts", "-of", "csv=p=0", clip], text=True).replace(",", " ").split()
    with open(clip.split(".")[0] + ".pts.txt", "w") as f:
        f.write(tb.split("/")[1] + "\n" + "\n".join(sorted(pts, key=int)) + "\n")

def ffmpeg_raw(clip, fmt):
    return subprocess.check_output(["ffmpeg", "-v", "error", "-i", clip, "-f", "rawvideo", "-pix_fmt", fmt,
                                    "-fps_mode", "passthrough", "-"])

def ffmpeg_frames(clip, w, h):
    yuv = np.frombuffer(ffmpeg_raw(clip, "yuv420p"), np.uint8).reshape(-1, w * h * 3 // 2)
    y = yuv[:, :w * h].reshape(-1, h, w).astype(np.float64)
    u = yuv[:, w * h:w * h * 5 // 4].reshape(-1, h // 2, w // 2).repeat(2, 1).repeat(2, 2).astype(np.float64)
    v = yuv[:, w * h * 5 // 4:].reshape(-1, h // 2, w // 2).repeat(2, 1).repeat(2, 2).astype(np.float64)
    y, u, v = (y - 16) * 255 / 219, (u - 128) * 255 / 224, (v - 128) * 255 / 224
    kr, kb = 0.299, 0.114
    r = y + 2 * (1 - kr) * v
    g = y - 2 * (1 - kb) * kb / (1 - kr - kb) * u - 2 * (1 - kr) * kr / (1 - kr - kb) * v
    b = y + 2 * (1 - kb) * u
    rgb = np.clip(np.floor(np.stack([r, g, b], -1) + 0.5), 0, 255).astype(np.uint8)
    sws = np.frombuffer(ffmpeg_raw(clip, "rgb24"), np.uint8).reshape(rgb.shape)
    print(clip, "swscale rgb24 vs exact: max |diff|", np.abs(sws.astype(int) - rgb).max())
    return rgb

lines = []
def record(name, img):
    out = CLIP(img)
    out.save(name + ".clip.png")
    t = NORM(out).numpy()
    for (c, y, x) in [(0, 0, 0), (1, 111, 57), (2, 223, 223), (0, 100, 200), (2, 5, 150)]:
        lines.append(f"{name}.clip.png {c} {y} {x} {t[c, y, x]:.8f}")

for clip, idx in CLIPS.items():
    probe_pts(clip)
    wh = subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                  "stream=width,height", "-of", "csv=p=0", clip], text=True).strip().split(",")
    frames = ffmpeg_frames(clip, int(wh[0]), int(wh[1]))
    for n in idx:
        img = Image.fromarray(frames[n])
        base = f"{clip.split('.')[0]}_f{n}"
        img.save(base + ".rgb.png")
        record(base, img)

for name, src, box in IMAGES:
    img = Image.open(DATA + src).convert("RGB").crop(box)
    img.save(f"img_{name}.png")
    record(f"img_{name}", Image.open(f"img_{name}.png"))

with open("normalized.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
