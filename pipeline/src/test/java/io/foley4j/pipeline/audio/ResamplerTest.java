package io.foley4j.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Windowed-sinc resampling vs torchaudio, streaming vs whole-buffer, and sine quality bounds. */
class ResamplerTest {
    static final int[][] RATIOS = {{44100, 48000}, {22050, 48000}, {16000, 48000}, {48000, 16000}, {48000, 44100}};

    /** torchaudio.functional.resample(kaiser_window, width 6, rolloff 0.99); metric max abs error (|x| ~ N(0, 1)). */
    @Test
    void matchesTorchaudio() {
        float[] x = Ref.npy("resample_x").data();
        for (int[] r : RATIOS) {
            float[] y = Resampler.resample(x, r[0], r[1], Resampler.Config.TORCHAUDIO);
            Ref.Array ref = Ref.npy("resample_" + r[0] + "_" + r[1]);
            assertEquals(ref.data().length, y.length, r[0] + "->" + r[1] + " length");
            Diff d = Diff.of(y, ref.data(), 1.0);
            assertTrue(d.maxAbs() <= 1e-4, r[0] + "->" + r[1] + ": " + d);
        }
    }

    @Test
    void streamingEqualsWholeBuffer() {
        float[] x = Ref.npy("resample_x").data();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] r : RATIOS) {
            float[] whole = Resampler.resample(x, r[0], r[1], Resampler.Config.TORCHAUDIO);
            Resampler s = new Resampler(r[0], r[1], Resampler.Config.TORCHAUDIO);
            float[] out = new float[whole.length];
            int at = 0, n = 0;
            while (at < x.length) {
                int chunk = Math.min(x.length - at, rnd.nextInt(0, 300));
                assertTrue(s.maxOutput(chunk) >= 0);
                n += s.process(x, at, chunk, out, n);
                at += chunk;
            }
            n += s.flush(out, n);
            assertEquals(whole.length, n);
            assertArrayEquals(whole, out, r[0] + "->" + r[1] + " streamed in random chunks");
        }
    }

    /**
     * Passband: a full-scale sine must come out as the same sine at the new rate. Compared with
     * sin(2 pi f j / outRate) away from the edges (the filter's half-length). f runs up to 0.6x the lower of the two
     * Nyquist frequencies for HIGH (bound: max abs error 1e-5; measured below 7e-7) and up to 0.125x for TORCHAUDIO,
     * whose 6-zero-crossing filter already droops by ~4e-3 at 0.45x (bound 1e-5; measured below 1e-6).
     */
    @Test
    void sinePreservedAtNewRate() {
        for (int[] r : RATIOS) {
            double nyq = Math.min(r[0], r[1]) / 2.0;
            for (double f : new double[] {440, 0.125 * nyq, 0.3 * nyq, 0.6 * nyq}) {
                double high = sineError(r[0], r[1], f, Resampler.Config.HIGH);
                assertTrue(high <= 1e-5, r[0] + "->" + r[1] + " " + f + " Hz HIGH error " + high);
                if (f <= 0.125 * nyq) {
                    double ta = sineError(r[0], r[1], f, Resampler.Config.TORCHAUDIO);
                    assertTrue(ta <= 1e-5, r[0] + "->" + r[1] + " " + f + " Hz TORCHAUDIO error " + ta);
                }
            }
        }
    }

    static double sineError(int in, int out, double f, Resampler.Config cfg) {
        int n = in / 5; // 0.2 s
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(2 * Math.PI * f * i / in);
        float[] y = Resampler.resample(x, in, out, cfg);
        int edge = (int) (out * 0.02); // 20 ms >= the HIGH filter's half-length at every ratio tested
        double err = 0;
        for (int j = edge; j < y.length - edge; j++) {
            err = Math.max(err, Math.abs(y[j] - Math.sin(2 * Math.PI * f * j / out)));
        }
        return err;
    }

    /**
     * Stopband: 48 kHz -> 16 kHz of a tone above the new Nyquist (8 kHz) must be filtered out. Metric: output RMS
     * relative to the input's, in dB. HIGH from 8.5 kHz: <= -120 dB (measured -147 to -180); TORCHAUDIO from 14 kHz:
     * <= -100 dB (measured -122; at 9 kHz it only reaches -12 dB, at 12 kHz -48 dB).
     */
    @Test
    void toneAboveNewNyquistIsSuppressed() {
        for (double f : new double[] {8500, 9000, 12000, 14000, 20000}) {
            double high = aliasDb(f, Resampler.Config.HIGH);
            assertTrue(high <= -120, "HIGH at " + f + " Hz: " + high + " dB");
            if (f >= 14000) {
                double ta = aliasDb(f, Resampler.Config.TORCHAUDIO);
                assertTrue(ta <= -100, "TORCHAUDIO at " + f + " Hz: " + ta + " dB");
            }
        }
    }

    static double aliasDb(double f, Resampler.Config cfg) {
        int n = 48000 / 5;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(2 * Math.PI * f * i / 48000);
        float[] y = Resampler.resample(x, 48000, 16000, cfg);
        int edge = 16000 / 50;
        double e = 0;
        for (int j = edge; j < y.length - edge; j++) e += y[j] * y[j];
        double rms = Math.sqrt(e / (y.length - 2 * edge));
        return 20 * Math.log10(rms / Math.sqrt(0.5));
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Resampler(0, 48000, Resampler.Config.TORCHAUDIO));
        assertTrue(e.getMessage().contains("0 -> 48000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, 48001, Resampler.Config.TORCHAUDIO));
        assertTrue(e.getMessage().contains("44100:48001"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Resampler.Config(6, 1.5, 14));
        assertTrue(e.getMessage().contains("rolloff 1.5"), e.getMessage());
        Resampler r = new Resampler(16000, 48000, Resampler.Config.TORCHAUDIO);
        e = assertThrows(IllegalArgumentException.class, () -> r.process(new float[1000], 0, 1000, new float[10], 0));
        assertTrue(e.getMessage().contains("maxOutput"), e.getMessage());
    }
}
