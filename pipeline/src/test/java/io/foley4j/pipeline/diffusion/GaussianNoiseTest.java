package io.foley4j.pipeline.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {
    @Test
    void streamMatchesThePythonImplementationBitForBit() throws Exception {
        try (SafetensorsFile ref = SafetensorsFile.open(SamplerReferenceTest.DIR.resolve("dit_reference.safetensors"));
             var arena = java.lang.foreign.Arena.ofConfined()) {
            float[] expected = ref.toF32("gauss.first", arena).toFloats();
            float[] got = new float[expected.length];
            GaussianNoise.fill(1234, 0, got, null);
            assertArrayEquals(expected, got, 0f);
        }
    }

    @Test
    void identicalForEveryThreadCountAndSplit() {
        float[] one = new float[200_001];
        GaussianNoise.fill(42, 10, one, null);
        for (int threads = 1; threads <= 3; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                float[] got = new float[one.length];
                GaussianNoise.fill(42, 10, got, pool);
                assertArrayEquals(one, got, 0f, threads + " threads");
            }
        }
        // a later window of the stream is the same values as that part of a longer fill
        float[] window = new float[1000];
        GaussianNoise.fill(42, 5000, window, null);
        for (int i = 0; i < window.length; i++) {
            assertEquals(one[4990 + i], window[i], 0f, "element " + (5000 + i));
        }
    }

    @Test
    void drawsStartOnPairsAndLookNormal() {
        GaussianNoise g = new GaussianNoise(7);
        float[] odd = new float[3];
        g.next(odd);
        assertEquals(4, g.position());
        float[] big = new float[100_000];
        g.next(big);
        double mean = 0, var = 0;
        for (float v : big) mean += v;
        mean /= big.length;
        for (float v : big) var += (v - mean) * (v - mean);
        var /= big.length;
        assertTrue(Math.abs(mean) < 0.02 && Math.abs(var - 1) < 0.02, "mean " + mean + " var " + var);
    }
}
