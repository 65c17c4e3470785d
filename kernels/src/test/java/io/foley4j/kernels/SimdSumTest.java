package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Simd.sum adds lanes in one fixed butterfly order (bit-exact against the same order in scalar code). */
@Tag("simd")
class SimdSumTest {
    @Test
    void sumIsTheFixedButterflyOrder() {
        SplittableRandom r = new SplittableRandom(4);
        int n = Simd.F.length();
        float[] a = new float[n];
        for (int trial = 0; trial < 2000; trial++) {
            for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() - 0.5) * Math.exp(r.nextDouble() * 20 - 10));
            float[] t = a.clone();
            for (int d = n / 2; d >= 1; d /= 2) {            // lane i += lane i ^ d
                float[] u = t.clone();
                for (int i = 0; i < n; i++) u[i] = t[i] + t[i ^ d];
                t = u;
            }
            float got = Simd.sum(FloatVector.fromArray(Simd.F, a, 0));
            assertEquals(Float.floatToIntBits(t[0]), Float.floatToIntBits(got), "trial " + trial);
        }
    }
}
