package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Scalar references and the dispatching entry points vs a naive double-precision conv; metric: max relative error
 * with floor 1 (outputs are O(1)), tolerance {@value #TOL}. Bad arguments fail with messages naming the problem.
 */
class ConvReferenceTest {
    static final double TOL = 2e-6;

    @Test
    void conv1dMatchesDoubleReference() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 40;
            for (Conv.Geometry1d g : ConvCases.CONV1D) {
                seed++;
                float[] x = Rand.floats(seed, g.cin() * g.len(), 1f);
                MemorySegment w = ConvCases.weights1d(arena, g, seed + 100);
                float[] b = Rand.floats(seed + 200, g.cout(), 0.5f);
                float[] ref = ConvCases.toFloat(ConvCases.conv1dRef(x, Mem.toFloats(w), b, g));
                MemorySegment xs = Mem.floats(arena, x), bs = Mem.floats(arena, b);
                MemorySegment col = Mem.floats(arena, g.colLength());
                int n = g.cout() * g.lout();
                MemorySegment s = Mem.floats(arena, n), o = Mem.floats(arena, n);
                Conv.conv1dF32Scalar(xs, w, bs, s, g, col, 0, g.cout());
                Conv.conv1dF32(xs, w, bs, o, g, col, 0, g.cout());
                Diff ds = Diff.of(Mem.toFloats(s, n), ref, 1.0), d = Diff.of(Mem.toFloats(o, n), ref, 1.0);
                assertTrue(ds.maxRel() <= TOL, "scalar " + g + ": " + ds);
                assertTrue(d.maxRel() <= TOL, "dispatch (" + Simd.describe() + ") " + g + ": " + d);
            }
        }
    }

    @Test
    void conv2dMatchesDoubleReference() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 80;
            for (Conv.Geometry2d g : ConvCases.CONV2D) {
                seed++;
                float[] x = Rand.floats(seed, g.cin() * g.height() * g.width(), 1f);
                float[] w = Rand.floats(seed + 100, g.cout() * g.colLength(), (float) (1 / Math.sqrt(g.colLength())));
                float[] ref = ConvCases.toFloat(ConvCases.conv2dRef(x, w, null, g));
                MemorySegment col = Mem.floats(arena, (long) g.patches() * g.colLength());
                Conv.im2colF32(Mem.floats(arena, x), g, col, 0, g.patches());
                int n = g.cout() * g.patches();
                MemorySegment s = Mem.floats(arena, n), o = Mem.floats(arena, n), ws = Mem.floats(arena, w);
                Conv.conv2dColF32Scalar(col, ws, null, s, g, 0, g.cout());
                Conv.conv2dColF32(col, ws, null, o, g, 0, g.cout());
                Diff ds = Diff.of(Mem.toFloats(s, n), ref, 1.0), d = Diff.of(Mem.toFloats(o, n), ref, 1.0);
                assertTrue(ds.maxRel() <= TOL, "scalar " + g + ": " + ds);
                assertTrue(d.maxRel() <= TOL, "dispatch (" + Simd.describe() + ") " + g + ": " + d);
            }
        }
    }

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badGeometryIsRejected() {
        fails(() -> new Conv.Geometry1d(4, 10, 4, 3, 0, 1, 1, 1, 1), "conv1d", "stride", "0");
        fails(() -> new Conv.Geometry1d(4, 10, 4, 3, 1, 1, 1, 0, 1), "conv1d", "dilation");
        fails(() -> new Conv.Geometry1d(6, 10, 4, 3, 1, 1, 1, 1, 4), "conv1d", "groups 4", "cin 6");
        fails(() -> new Conv.Geometry1d(4, 10, 6, 3, 1, 1, 1, 1, 4), "conv1d", "groups 4", "cout 6");
        fails(() -> new Conv.Geometry1d(4, 3, 4, 5, 1, 0, 0, 1, 1), "conv1d", "kernel extent 5");
        fails(() -> new Conv.Geometry1d(4, 10, 4, 3, 1, -1, 1, 1, 1), "conv1d", "padding");
        fails(() -> new Conv.Geometry1d(0, 10, 4, 3, 1, 1, 1, 1, 1), "conv1d", "cin");
        fails(() -> new Conv.Geometry2d(3, 224, 224, 8, 16, 16, 0, 16, 0, 0), "conv2d", "stride");
        fails(() -> new Conv.Geometry2d(3, 8, 8, 8, 16, 16, 16, 16, 0, 0), "conv2d", "kernel 16x16");
    }

    @Test
    void shortBuffersAndBadRangesAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            Conv.Geometry1d g = new Conv.Geometry1d(4, 10, 6, 3, 1, 1, 1, 1, 2);
            MemorySegment x = Mem.floats(arena, 40), w = Mem.floats(arena, 6 * 2 * 3), b = Mem.floats(arena, 6);
            MemorySegment out = Mem.floats(arena, 60), col = Mem.floats(arena, g.colLength());
            fails(() -> Conv.conv1dF32(Mem.floats(arena, 39), w, b, out, g, col, 0, 6), "conv1d", "x [4, 10]");
            fails(() -> Conv.conv1dF32(x, Mem.floats(arena, 35), b, out, g, col, 0, 6), "conv1d", "w [6, 2, 3]");
            fails(() -> Conv.conv1dF32(x, w, Mem.floats(arena, 5), out, g, col, 0, 6), "conv1d", "bias [6]");
            fails(() -> Conv.conv1dF32(x, w, b, Mem.floats(arena, 59), g, col, 0, 6), "conv1d", "out [6, 10]");
            fails(() -> Conv.conv1dF32(x, w, b, out, g, Mem.floats(arena, 5), 0, 6), "conv1d", "col");
            fails(() -> Conv.conv1dF32(x, w, b, out, g, col, 0, 7), "conv1d", "output channel");
            Conv.Geometry2d g2 = new Conv.Geometry2d(3, 32, 32, 4, 16, 16, 16, 16, 0, 0);
            MemorySegment col2 = Mem.floats(arena, 4L * 768);
            fails(() -> Conv.im2colF32(Mem.floats(arena, 3 * 32 * 31), g2, col2, 0, 4), "im2col", "x [3, 32, 32]");
            fails(() -> Conv.im2colF32(Mem.floats(arena, 3 * 32 * 32), g2, col2, 0, 5), "im2col", "patch");
            fails(() -> Conv.conv2dColF32(col2, Mem.floats(arena, 4 * 768 - 1), null, Mem.floats(arena, 16), g2, 0, 4),
                    "conv2d", "w [4, 3, 16, 16]");
        }
    }
}
