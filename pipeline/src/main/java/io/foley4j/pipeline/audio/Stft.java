package io.foley4j.pipeline.audio;

import org.jtransforms.fft.FloatFFT_1D;

/**
 * STFT and iSTFT plan (torch.stft(return_complex=True) / torch.istft semantics): one FFT instance and its frame
 * scratch, created once and reused for every frame. Spectrograms are float arrays laid out [frames, bins, 2]
 * (real, imaginary interleaved), the layout of ONNX's STFT output. Not thread-safe: one plan per thread.
 */
public final class Stft {
    /** torch.istft's bound below which the window envelope counts as zero (NOLA violated). */
    private static final float ENVELOPE_EPS = 1e-11f;

    private final StftConfig cfg;
    private final int nFft, hop, bins;
    private final float[] window;
    private final FloatFFT_1D fft;
    private final float[] frame;   // [nFft] packed real-FFT scratch
    private float[] ola = new float[0], envelope = new float[0];
    private int envelopeFrames = -1;

    public Stft(StftConfig cfg) {
        this.cfg = cfg;
        this.nFft = cfg.nFft();
        this.hop = cfg.hop();
        this.bins = cfg.bins();
        this.window = cfg.window();
        this.fft = new FloatFFT_1D(nFft);
        this.frame = new float[nFft];
    }

    public StftConfig config() { return cfg; }

    /** Spectrogram of {@code signal} as a new [frames, bins, 2] array. */
    public float[] forward(float[] signal) {
        float[] out = new float[cfg.frames(signal.length) * bins * 2];
        forward(signal, signal.length, out);
        return out;
    }

    /** Writes the spectrogram of {@code signal[0, length)} into {@code out} [frames(length), bins, 2]. */
    public void forward(float[] signal, int length, float[] out) {
        int frames = checkSignal(signal, length);
        need("stft", "out", out, (long) frames * bins * 2);
        for (int f = 0; f < frames; f++) frame(signal, length, f, out, f * bins * 2);
    }

    /** Writes frame {@code f} of the spectrogram of {@code signal[0, length)} into {@code out[off, off + 2 bins)}. */
    public void frame(float[] signal, int length, int f, float[] out, int off) {
        int frames = checkSignal(signal, length);
        if (f < 0 || f >= frames || off < 0 || off + 2 * bins > out.length) {
            throw new IllegalArgumentException("stft: frame " + f + " of " + frames + " at offset " + off
                    + " does not fit an output of " + out.length + " floats (" + bins + " bins)");
        }
        int pad = cfg.center() ? nFft / 2 : 0;
        boolean reflect = cfg.padMode() == StftConfig.PadMode.REFLECT;
        int start = f * hop - pad; // first signal index of this frame
        if (start >= 0 && start + nFft <= length) {
            for (int i = 0; i < nFft; i++) frame[i] = signal[start + i] * window[i];
        } else {
            for (int i = 0; i < nFft; i++) frame[i] = padded(signal, length, start + i, reflect) * window[i];
        }
        fft.realForward(frame);
        unpack(out, off, cfg.normalized() ? (float) (1 / Math.sqrt(nFft)) : 1f);
    }

    /** Validates a signal of {@code length} samples; returns its frame count. */
    private int checkSignal(float[] signal, int length) {
        if (length < 0 || length > signal.length) {
            throw new IllegalArgumentException("stft: length " + length + " outside signal array " + signal.length);
        }
        int pad = nFft / 2;
        if (cfg.center() && cfg.padMode() == StftConfig.PadMode.REFLECT && pad >= length) {
            throw new IllegalArgumentException("stft: reflect padding of " + pad + " needs a signal longer than "
                    + pad + " samples, got " + length);
        }
        return cfg.frames(length);
    }

    /** Sample {@code j} of the centre-padded signal (j may lie outside [0, length)). */
    private static float padded(float[] x, int length, int j, boolean reflect) {
        if (j >= 0 && j < length) return x[j];
        if (!reflect) return 0f;
        int r = j < 0 ? -j : 2 * (length - 1) - j;
        return x[r];
    }

    /**
     * JTransforms' packed real-FFT layout to [bins, 2]. Even n: a[0] = Re0, a[1] = Re(n/2), a[2k], a[2k+1] = Re, Im k.
     * Odd n: a[1] = Im((n-1)/2) and a[n-1] = Re((n-1)/2).
     */
    private void unpack(float[] out, int o, float scale) {
        int half = nFft / 2;
        boolean even = (nFft & 1) == 0;
        out[o] = frame[0] * scale;
        out[o + 1] = 0f;
        for (int k = 1; k <= half; k++) {
            float re, im;
            if (even && k == half) {
                re = frame[1];
                im = 0f;
            } else if (!even && k == half) {
                re = frame[nFft - 1];
                im = frame[1];
            } else {
                re = frame[2 * k];
                im = frame[2 * k + 1];
            }
            out[o + 2 * k] = re * scale;
            out[o + 2 * k + 1] = im * scale;
        }
        if (!cfg.onesided()) {
            for (int k = half + 1; k < nFft; k++) { // X[n - k] = conj(X[k])
                out[o + 2 * k] = out[o + 2 * (nFft - k)];
                out[o + 2 * k + 1] = -out[o + 2 * (nFft - k) + 1];
            }
        }
    }

    /** torch.istft(spec, length=None): {@link StftConfig#defaultLength} samples. */
    public float[] inverse(float[] spec, int frames) {
        return inverse(spec, frames, cfg.defaultLength(frames));
    }

    /** torch.istft(spec, length=length) as a new array. */
    public float[] inverse(float[] spec, int frames, int length) {
        float[] out = new float[length];
        inverse(spec, frames, out, length);
        return out;
    }

    /**
     * Inverse STFT of {@code spec} [frames, bins, 2] into {@code out[0, length)}: per frame an inverse real FFT
     * (imaginary parts of the DC and Nyquist bins ignored, as irfft does), times the window, overlap-added, then
     * divided by the overlap-added squared window. Bins above nFft/2 of a two-sided spectrum are ignored.
     */
    public void inverse(float[] spec, int frames, float[] out, int length) {
        if (frames <= 0 || length < 0) {
            throw new IllegalArgumentException("istft: illegal frames " + frames + " / length " + length);
        }
        need("istft", "spec", spec, (long) frames * bins * 2);
        need("istft", "out", out, length);
        int full = nFft + hop * (frames - 1);
        ensureScratch(frames, full);
        java.util.Arrays.fill(ola, 0, full, 0f);
        float scale = cfg.normalized() ? (float) Math.sqrt(nFft) : 1f;
        for (int f = 0; f < frames; f++) {
            pack(spec, f * bins * 2, scale);
            fft.realInverse(frame, true);
            int s = f * hop;
            for (int i = 0; i < nFft; i++) ola[s + i] += frame[i] * window[i];
        }
        int start = cfg.center() ? nFft / 2 : 0;
        int avail = Math.min(length, full - start);
        for (int i = 0; i < avail; i++) {
            float e = envelope[start + i];
            if (Math.abs(e) < ENVELOPE_EPS) {
                throw new IllegalArgumentException("istft: window overlap-add is zero at output sample " + i
                        + " (NOLA condition fails for n_fft " + nFft + ", hop " + hop + ")");
            }
            out[i] = ola[start + i] / e;
        }
        java.util.Arrays.fill(out, Math.max(avail, 0), length, 0f); // torch pads with zeros past the last frame
    }

    /** [bins, 2] to JTransforms' packed layout (see {@link #unpack}). */
    private void pack(float[] spec, int o, float scale) {
        int half = nFft / 2;
        boolean even = (nFft & 1) == 0;
        frame[0] = spec[o] * scale;
        for (int k = 1; k <= half; k++) {
            float re = spec[o + 2 * k] * scale, im = spec[o + 2 * k + 1] * scale;
            if (even && k == half) {
                frame[1] = re;
            } else if (!even && k == half) {
                frame[nFft - 1] = re;
                frame[1] = im;
            } else {
                frame[2 * k] = re;
                frame[2 * k + 1] = im;
            }
        }
    }

    private void ensureScratch(int frames, int full) {
        if (ola.length < full) {
            ola = new float[full];
            envelope = new float[full];
            envelopeFrames = -1;
        }
        if (envelopeFrames != frames) { // sum over frames of window^2, shifted by hop
            java.util.Arrays.fill(envelope, 0f);
            for (int f = 0; f < frames; f++) {
                for (int i = 0; i < nFft; i++) envelope[f * hop + i] += window[i] * window[i];
            }
            envelopeFrames = frames;
        }
    }

    private static void need(String op, String operand, float[] a, long n) {
        if (a == null || a.length < n) {
            throw new IllegalArgumentException(op + ": operand " + operand + " needs " + n + " floats but has "
                    + (a == null ? "null" : a.length));
        }
    }
}
