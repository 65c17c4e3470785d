#!/usr/bin/python3
"""Makes mixed.wav (16 kHz mono 16-bit, 8.0 s): the real audio the Silero VAD tests run ONNX Runtime and Java on.

Segments (seconds): 0.0-0.5 silence | 0.5-3.5 speech (espeak-ng, English male) | 3.5-4.5 white noise (-26 dBFS)
| 4.5-6.0 speech (espeak-ng, en-us female variant) | 6.0-7.2 music-like tones (three-note chords, 0.3 s each)
| 7.2-8.0 near-silence (noise at -60 dBFS).
Needs Debian's espeak-ng and python3-numpy: apt-get install -y espeak-ng python3-numpy
Run: /usr/bin/python3 make_audio.py   (writes mixed.wav next to this script)
"""
import io, os, subprocess, wave
import numpy as np

SR = 16000
rng = np.random.default_rng(20240501)


def speak(text, voice, seconds):
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "--stdout", text], check=True,
                         capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    # linear-interpolation resampling to 16 kHz is enough for test audio
    t = np.arange(int(len(x) * SR / rate)) * rate / SR
    y = np.interp(t, np.arange(len(x)), x)
    out = np.zeros(int(seconds * SR))
    out[:min(len(y), len(out))] = y[:len(out)]
    return 0.8 * out / max(1e-9, np.abs(out).max())


def tones(seconds):
    notes = [261.63, 329.63, 392.00, 440.00, 349.23, 293.66, 493.88, 523.25]
    seg = int(0.3 * SR)
    out = np.zeros(int(seconds * SR))
    t = np.arange(seg) / SR
    env = np.minimum(1, np.minimum(t / 0.01, (0.3 - t) / 0.05))
    for k in range(len(out) // seg):
        chord = sum(np.sin(2 * np.pi * notes[(k + i * 2) % len(notes)] * t) for i in range(3))
        out[k * seg:(k + 1) * seg] = 0.25 * env * chord
    return out


parts = [
    np.zeros(int(0.5 * SR)),
    speak("The quick brown fox jumps over the lazy dog, and then it runs far away.", "en", 3.0),
    rng.normal(0, 10 ** (-26 / 20), int(1.0 * SR)),
    speak("Voice activity detection finds speech.", "en-us+f3", 1.5),
    tones(1.2),
    rng.normal(0, 10 ** (-60 / 20), int(0.8 * SR)),
]
x = np.concatenate(parts)
pcm = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2")
with wave.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mixed.wav"), "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(SR)
    w.writeframes(pcm.tobytes())
print(len(pcm), "samples,", len(pcm) // 512, "chunks of 512")
