#!/usr/bin/python3
"""Training data of FoleyNet v0: curated captions, licences and a held-out split by source file.

  /usr/bin/python3 recipe/data.py            reads recipe/work/data/clips.json (recipe/java.sh clips ...),
                                             writes dataset.json and captions.txt (line 0 is "", the unconditional
                                             prompt) next to it

Clips come from scripts/fetch-sounds.sh (minetest-data, sound-theme-freedesktop). Each kept clip gets one caption
written by hand for its file name (CAPTIONS: material, action, surface); desktop UI sounds (beeps, voice prompts) are
left out as they are not Foley. Held out: in every caption with 3 or more source files, the last file by name; the
rest trains.
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
DATA = os.path.join(WORK, "data")

SAMPLE_RATE, HOP, N_MELS = 48000, 512, 64
FRAME_RATE = SAMPLE_RATE / HOP          # 93.75 mel frames per second
LOG_FLOOR = math.log(1e-5)
ENV_RANGE = math.log(1000.0)            # envelope spans 60 dB of mel energy below the clip's peak

# SoundLibrary's description (file name words) -> caption
CAPTIONS = {
    "cart moving": "metal cart rolling on rails",
    "break glass": "glass shatters",
    "chest close": "wooden chest lid closes",
    "chest open": "wooden chest lid opens",
    "cool lava": "lava hisses in water",
    "dig choppy": "axe chops wood",
    "dig cracky": "pickaxe hits stone",
    "dig crumbly": "digging in dirt",
    "dig immediate": "soft thud",
    "dig metal": "tool hits metal",
    "dig oddly breakable by hand": "soft object breaks",
    "dig snappy": "twigs snap",
    "dirt footstep": "footsteps on dirt",
    "dug metal": "metal clang",
    "dug": "dirt block breaks",
    "furnace active": "fire crackles in a furnace",
    "glass footstep": "footsteps on glass",
    "grass footstep": "footsteps on grass",
    "gravel dig": "digging in gravel",
    "gravel dug": "gravel crunches",
    "gravel footstep": "footsteps on gravel",
    "hard footstep": "footsteps on stone",
    "ice dig": "ice cracks",
    "ice dug": "ice breaks",
    "ice footstep": "footsteps on ice",
    "metal footstep": "footsteps on metal",
    "place": "block placed with a thud",
    "place hard": "stone block placed",
    "place metal": "metal block placed with a clang",
    "sand footstep": "footsteps on sand",
    "snow footstep": "footsteps on snow",
    "tool breaks": "tool breaks",
    "water footstep": "footsteps in water",
    "wood footstep": "footsteps on wood",
    "player damage": "body hit",
    "door close": "wooden door closes",
    "door open": "wooden door opens",
    "fencegate close": "wooden gate closes",
    "fencegate open": "wooden gate opens",
    "glass door close": "glass door closes",
    "glass door open": "glass door opens",
    "steel door close": "metal door slams",
    "steel door open": "metal door opens",
    "lava": "lava bubbles",
    "water": "water flows",
    "extinguish flame": "fire is put out",
    "fire": "fire crackles",
    "flint steel": "flint and steel strike",
    "large": "large fire roars",
    "small": "small fire crackles",
    "explode": "explosion",
    "gunpowder burning": "fuse burns",
    "ignite": "fuse ignites",
    "steel bar door close": "metal bar door closes",
    "steel bar door open": "metal bar door opens",
    "bell": "small bell rings",
    "camera shutter": "camera shutter clicks",
    "trash empty": "paper crumples",
}


def build():
    clips = json.load(open(os.path.join(DATA, "clips.json")))
    kept = []
    for c in clips:
        cap = CAPTIONS.get(c["description"])
        if cap is None:
            continue
        kept.append(dict(c, caption=cap))
    by_cap = {}
    for c in kept:
        by_cap.setdefault(c["caption"], []).append(c)
    for cap, cs in by_cap.items():
        cs.sort(key=lambda c: c["id"])
        for i, c in enumerate(cs):
            c["split"] = "heldout" if len(cs) >= 3 and i == len(cs) - 1 else "train"
    captions = [""] + sorted(by_cap)
    for c in kept:
        c["caption_index"] = captions.index(c["caption"])
    json.dump({"clips": kept, "captions": captions}, open(os.path.join(DATA, "dataset.json"), "w"), indent=1)
    with open(os.path.join(DATA, "captions.txt"), "w") as f:
        f.write("\n".join(captions) + "\n")
    n_train = sum(c["split"] == "train" for c in kept)
    print(f"dataset: {len(kept)} clips ({n_train} train, {len(kept) - n_train} held out), {len(captions) - 1} captions;"
          f" left out {len(clips) - len(kept)} (UI sounds / no caption)")


def envelope(logmel):
    """[T, 64] log-mel -> [T] in [0, 1]: log of the frame's mel energy, 1 at the clip's peak, 0 at 60 dB below."""
    e = np.log(np.exp(logmel.astype(np.float64)).sum(axis=1))
    return np.clip(1 + (e - e.max()) / ENV_RANGE, 0, 1).astype(np.float32)


def contact_envelope(contacts, frames, decay=0.25):
    """Target of the timing stage: each contact (time s, strength 0..1) starts a linear fall (in the log domain of
    {@link envelope}) from 1 + ln(strength) / ENV_RANGE to 0 over `decay` seconds; the maximum over contacts."""
    t = np.arange(frames) / FRAME_RATE
    out = np.zeros(frames, np.float64)
    for tc, s in contacts:
        if s <= 0:
            continue
        peak = max(0.0, 1 + math.log(s) / ENV_RANGE)
        # the contact's mel frame j is the first whose centre is at or after tc
        v = np.where(t >= tc - 0.5 / FRAME_RATE, peak - (t - tc) / decay * peak, 0)
        out = np.maximum(out, np.clip(v, 0, 1))
    return out.astype(np.float32)


def event_envelope(events, frames, decay=0.25, release=0.05):
    """Target of the timing stage for any scene: events [E, 3] (time s, strength 0..1, duration s; RecipeDump
    scenes' events.N). Impacts (duration 0) are {@link contact_envelope}'s falls, unchanged; an interval holds the
    level 1 + ln(strength) / ENV_RANGE (the same log domain; a slide's strength is its speed) from its start to its
    end, then falls linearly to 0 over `release` seconds (a scrape stops with the motion). The maximum over events."""
    events = np.asarray(events, np.float64).reshape(-1, 3)
    impacts = events[events[:, 2] == 0][:, :2]
    out = contact_envelope(impacts, frames, decay).astype(np.float64)
    t = np.arange(frames) / FRAME_RATE
    for t0, s, d in events[events[:, 2] > 0]:
        if s <= 0:
            continue
        level = max(0.0, 1 + math.log(s) / ENV_RANGE)
        start, end = t0 - 0.5 / FRAME_RATE, t0 + d      # frames whose centre is at or after t0, as for contacts
        v = np.where((t >= start) & (t <= end), level,
                     np.where(t > end, level * (1 - (t - end) / release), 0))
        out = np.maximum(out, np.clip(v, 0, 1))
    return out.astype(np.float32)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        DATA = sys.argv[1]
    build()
