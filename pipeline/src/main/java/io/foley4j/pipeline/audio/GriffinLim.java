package io.foley4j.pipeline.audio;

import java.util.SplittableRandom;

/**
 * Griffin-Lim phase reconstruction (the weight-free fallback vocoder), with the "fast Griffin-Lim" momentum of
 * Perraudin et al. 2013, following torchaudio.functional.griffinlim:
 * <pre>
 *   for each iteration:  Y = STFT(iSTFT(|S| * A));  A = (Y - m' Y_prev) / (|Y - m' Y_prev| + 1e-16);  Y_prev = Y
 *   output:              iSTFT(|S| * A)          with m' = momentum / (1 + momentum)
 * </pre>
 * The spectral convergence || |Y| - |S| ||_F / || |S| ||_F of each iteration's Y is recorded. Magnitudes are laid
 * out [frames, bins]. Scratch spectrograms are allocated per {@link #run} call, none per frame. Not thread-safe.
 */
public final class GriffinLim {

    /** Initial phase: zero (A = 1, torchaudio's rand_init=False) or uniform random from a seeded generator. */
    public enum Init { ZERO, RANDOM }

    /** @param convergence spectral convergence after each iteration, [iterations] */
    public record Result(float[] waveform, float[] convergence) {}

    private final StftConfig cfg;
    private final Stft stft;
    private final int bins;

    public GriffinLim(StftConfig cfg) {
        if (!cfg.onesided()) throw new IllegalArgumentException("griffinLim: needs a one-sided STFT config");
        this.cfg = cfg;
        this.stft = new Stft(cfg);
        this.bins = cfg.bins();
    }

    /**
     * Reconstructs {@code length} samples from {@code magnitude} [frames, bins] (|STFT| with this config).
     *
     * @param momentum torchaudio's momentum (0: classic Griffin-Lim; 0.99: fast Griffin-Lim), in [0, 1)
     * @param seed     phase generator seed for {@link Init#RANDOM} (SplittableRandom, uniform in [0, 2 pi))
     */
    public Result run(float[] magnitude, int frames, int length, int iterations, double momentum, Init init, long seed) {
        int n = frames * bins;
        if (frames <= 0 || magnitude.length != n || iterations < 0 || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("griffinLim: magnitude of " + magnitude.length + " floats for " + frames
                    + " frames x " + bins + " bins, iterations " + iterations + ", momentum " + momentum);
        }
        if (cfg.frames(length) != frames) {
            throw new IllegalArgumentException("griffinLim: " + length + " samples give " + cfg.frames(length)
                    + " frames, the magnitude has " + frames);
        }
        float m = (float) (momentum / (1 + momentum));
        float[] angles = new float[2 * n], spec = new float[2 * n], rebuilt = new float[2 * n], prev = new float[2 * n];
        float[] wave = new float[length], convergence = new float[iterations];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            double phi = init == Init.RANDOM ? rnd.nextDouble() * 2 * Math.PI : 0;
            angles[2 * i] = (float) Math.cos(phi);
            angles[2 * i + 1] = (float) Math.sin(phi);
        }
        double norm = 0;
        for (float v : magnitude) norm += (double) v * v;
        norm = Math.sqrt(norm);
        for (int it = 0; it < iterations; it++) {
            apply(magnitude, angles, spec, n);
            stft.inverse(spec, frames, wave, length);
            stft.forward(wave, length, rebuilt);
            double err = 0;
            for (int i = 0; i < n; i++) {
                float re = rebuilt[2 * i], im = rebuilt[2 * i + 1];
                double d = Math.sqrt(re * re + im * im) - magnitude[i];
                err += d * d;
                float ar = re - m * prev[2 * i], ai = im - m * prev[2 * i + 1];
                float inv = (float) (1 / (Math.sqrt(ar * ar + ai * ai) + 1e-16));
                angles[2 * i] = ar * inv;
                angles[2 * i + 1] = ai * inv;
            }
            convergence[it] = (float) (norm == 0 ? 0 : Math.sqrt(err) / norm);
            float[] t = prev;
            prev = rebuilt;
            rebuilt = t;
        }
        apply(magnitude, angles, spec, n);
        stft.inverse(spec, frames, wave, length);
        return new Result(wave, convergence);
    }

    /** spec = magnitude * angles (complex [n, 2]). */
    private static void apply(float[] magnitude, float[] angles, float[] spec, int n) {
        for (int i = 0; i < n; i++) {
            spec[2 * i] = magnitude[i] * angles[2 * i];
            spec[2 * i + 1] = magnitude[i] * angles[2 * i + 1];
        }
    }

    /** |X| of a [frames, bins, 2] spectrogram, as [frames, bins]. */
    public static float[] magnitude(float[] spec) {
        float[] out = new float[spec.length / 2];
        for (int i = 0; i < out.length; i++) out[i] = (float) Math.hypot(spec[2 * i], spec[2 * i + 1]);
        return out;
    }
}
