package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** LayerNorm and RMSNorm: vector vs scalar with tails, scalar vs a double computation, bad input. */
class NormTest {

    private static final int[] DIMS = {1, 7, 16, 17, 33, 64, 387, 1000, 4099};
    private static final int ROWS = 4;

    /** Rows with an offset mean (|mean| = 50 against a spread of 1): the case where E[x^2] - E[x]^2 would fail. */
    private static float[] input(int dim) {
        float[] x = Rand.floats(dim, ROWS * dim, 1f);
        for (int i = 0; i < x.length; i++) x[i] += 50f;
        return x;
    }

    @Tag("simd")
    @Test
    void layerNormMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int dim : DIMS) {
                for (boolean bias : new boolean[] {true, false}) {
                    MemorySegment x = Mem.floats(arena, input(dim));
                    MemorySegment g = Rand.segment(arena, 2, dim, 2f), b = bias ? Rand.segment(arena, 3, dim, 1f) : null;
                    MemorySegment o1 = Mem.floats(arena, ROWS * dim), o2 = Mem.floats(arena, ROWS * dim);
                    Norm.layerNormScalar(x, g, b, o1, dim, 1e-5f, 1, ROWS);
                    Norm.layerNormVector(x, g, b, o2, dim, 1e-5f, 1, ROWS);
                    // normalized outputs are O(1): errors are measured against that scale (floor 1)
                    Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1), 1.0);
                    assertTrue(d.maxRel() <= 2e-6, "layerNorm dim=" + dim + " bias=" + bias + " at " + Simd.describe() + ": " + d);
                    assertEquals(0f, Mem.getF32(o2, 0), "row 0 is outside the range");
                }
            }
        }
    }

    @Tag("simd")
    @Test
    void layerNormMatchesScalarOnCenteredData() {
        try (Arena arena = Arena.ofConfined()) {
            for (int dim : DIMS) {
                MemorySegment x = Rand.segment(arena, dim + 7, ROWS * dim, 3f);
                MemorySegment g = Rand.segment(arena, 2, dim, 2f), b = Rand.segment(arena, 3, dim, 1f);
                MemorySegment o1 = Mem.floats(arena, ROWS * dim), o2 = Mem.floats(arena, ROWS * dim);
                Norm.layerNormScalar(x, g, b, o1, dim, 1e-12f, 0, ROWS);
                Norm.layerNormVector(x, g, b, o2, dim, 1e-12f, 0, ROWS);
                Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1), 1.0);
                assertTrue(d.maxRel() <= 2e-6, "layerNorm dim=" + dim + " at " + Simd.describe() + ": " + d);
            }
        }
    }

    @Tag("simd")
    @Test
    void rmsNormMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int dim : DIMS) {
                MemorySegment x = Rand.segment(arena, dim + 11, ROWS * dim, 3f);
                MemorySegment w = Rand.segment(arena, 5, dim, 2f);
                MemorySegment o1 = Mem.floats(arena, ROWS * dim), o2 = Mem.floats(arena, ROWS * dim);
                Norm.rmsNormScalar(x, w, o1, dim, 1e-6f, 0, ROWS);
                Norm.rmsNormVector(x, w, o2, dim, 1e-6f, 0, ROWS);
                Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1), 1.0);
                assertTrue(d.maxRel() <= 2e-6, "rmsNorm dim=" + dim + " at " + Simd.describe() + ": " + d);
            }
        }
    }

    /** The scalar reference vs the same formula written directly in double on a row with a large mean. */
    @Test
    void layerNormScalarIsExactToFloat() {
        int dim = 1000;
        float[] x = input(dim), g = Rand.floats(2, dim, 2f), b = Rand.floats(3, dim, 1f);
        float[] want = new float[dim];
        double mean = 0, var = 0;
        for (int j = 0; j < dim; j++) mean += x[j];
        mean /= dim;
        for (int j = 0; j < dim; j++) var += (x[j] - mean) * (x[j] - mean);
        var /= dim;
        for (int j = 0; j < dim; j++) want[j] = (float) ((x[j] - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = Mem.floats(arena, dim);
            Norm.layerNormScalar(Mem.floats(arena, x), Mem.floats(arena, g), Mem.floats(arena, b), o, dim, 1e-5f, 0, 1);
            Diff d = Diff.of(Mem.toFloats(o), want, 1.0);
            assertTrue(d.maxRel() <= 2.5e-7, "layerNorm scalar vs double: " + d);
            double m = 0, v = 0;
            float[] got = Mem.toFloats(o);
            for (int j = 0; j < dim; j++) m += (got[j] - b[j]) / g[j];
            assertEquals(0, m / dim, 1e-4, "normalized row has mean 0");
            for (int j = 0; j < dim; j++) v += Math.pow((got[j] - b[j]) / g[j], 2);
            assertEquals(1, v / dim, 1e-3, "normalized row has variance 1");
        }
    }

    @Test
    void normalizesInPlace() {
        int dim = 33;
        float[] x = Rand.floats(4, 2 * dim, 5f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Mem.floats(arena, x), ref = Mem.floats(arena, 2 * dim), w = Rand.segment(arena, 6, dim, 1f);
            Norm.rmsNorm(xs, w, ref, dim, 1e-6f, 0, 2);
            Norm.rmsNorm(xs, w, xs, dim, 1e-6f, 0, 2);
            assertEquals(0.0, Diff.of(Mem.toFloats(xs), Mem.toFloats(ref)).maxAbs(), "out aliasing x");
        }
    }

    @Test
    void rejectsBadInput() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = Mem.floats(arena, 2 * 8), g = Mem.floats(arena, 7), g8 = Mem.floats(arena, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Norm.layerNorm(x, g, null, x, 8, 1e-5f, 0, 2));
            assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("gamma [8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Norm.rmsNorm(x, g8, x, 8, 1e-5f, 0, 3));
            assertTrue(e.getMessage().contains("rmsNorm") && e.getMessage().contains("x [rows=3, dim=8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Norm.rmsNorm(x, g8, x, 8, -1f, 0, 2));
            assertTrue(e.getMessage().contains("eps"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Norm.layerNorm(x, g8, g, x, 8, 1e-5f, 0, 2));
            assertTrue(e.getMessage().contains("beta [8]"), e.getMessage());
        }
    }
}
