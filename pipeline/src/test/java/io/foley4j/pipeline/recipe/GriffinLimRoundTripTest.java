package io.foley4j.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.audio.LogMel;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.GriffinLimVocoder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The recipe's vocoder (griffin-lim over the training mel, fMax = Nyquist) inverts the log-mel of a real-level
 * signal to a waveform with the same level and the same log-mel: no gain at bins the filters barely reach.
 */
class GriffinLimRoundTripTest {
    @Test
    void logMelOfTheSynthesizedNoiseMatchesTheInput() throws Exception {
        FoleyNetConfig.Vocoder v = new FoleyNetConfig.Vocoder("griffin-lim", null, 48_000, 2048, 512, 64, 0, 24_000,
                16, 0, 0, 0, 0);
        float[] x = new float[48_000];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {   // noise with a decaying burst every 0.25 s
            double env = 0.02 + 0.3 * Math.exp(-(i % 12_000) / 1500.0);
            x[i] = (float) (env * (2 * r.nextDouble() - 1));
        }
        LogMel lm = RecipeDump.logMel();
        float[] mel = lm.compute(x);
        int frames = mel.length / 64;
        float[] y;
        try (WorkerPool pool = new WorkerPool(1)) {
            y = new GriffinLimVocoder(v).synthesize(mel, frames, pool);
        }
        double rx = rms(x, x.length), ry = rms(y, x.length);
        assertTrue(ry > 0.5 * rx && ry < 2 * rx, "rms in " + rx + ", out " + ry);
        float[] back = lm.compute(java.util.Arrays.copyOf(y, x.length));
        double err = 0;
        int n = 0;
        for (int t = 4; t < frames - 4; t++) {
            for (int m = 1; m < 64; m++, n++) err += Math.abs(back[t * 64 + m] - mel[t * 64 + m]);
        }
        assertTrue(err / n < 0.5, "mean |log-mel difference| " + err / n + " nats");
    }

    static double rms(float[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i] * a[i];
        return Math.sqrt(s / n);
    }
}
