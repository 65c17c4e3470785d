package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SIMD vs scalar for conv1d and conv2d at the JVM's vector width. Weights are scaled by 1/sqrt(fan-in) so outputs
 * are O(1); metric: max relative error with floor 1, tolerance {@value #TOL} (summation order differs).
 */
@Tag("simd")
class ConvTest {
    static final double TOL = 1e-5;
    static final float SENTINEL = 12345f;

    private static MemorySegment filled(Arena arena, long n) {
        MemorySegment s = Mem.floats(arena, n);
        for (long i = 0; i < n; i++) Mem.setF32(s, i, SENTINEL);
        return s;
    }

    @Test
    void conv1dVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 0;
            for (Conv.Geometry1d g : ConvCases.CONV1D) {
                for (boolean withBias : new boolean[] {true, false}) {
                    seed++;
                    MemorySegment x = Rand.segment(arena, seed, g.cin() * g.len(), 1f);
                    MemorySegment w = ConvCases.weights1d(arena, g, seed + 100);
                    MemorySegment b = withBias ? Rand.segment(arena, seed + 200, g.cout(), 0.5f) : null;
                    MemorySegment col = Mem.floats(arena, g.colLength());
                    int n = g.cout() * g.lout();
                    // two ranges, the first ending off a 4-row block and off a group boundary
                    int split = Math.min(g.cout(), 1 + g.cout() / 2);
                    MemorySegment s = filled(arena, n), v = filled(arena, n);
                    Conv.conv1dF32Scalar(x, w, b, s, g, col, 0, split);
                    Conv.conv1dF32Scalar(x, w, b, s, g, col, split, g.cout());
                    Conv.conv1dF32Vector(x, w, b, v, g, col, 0, split);
                    Conv.conv1dF32Vector(x, w, b, v, g, col, split, g.cout());
                    Diff d = Diff.of(Mem.toFloats(v, n), Mem.toFloats(s, n), 1.0);
                    assertTrue(d.maxRel() <= TOL, g + " bias=" + withBias + " at " + Simd.describe() + ": " + d);

                    // a partial range writes exactly its rows
                    MemorySegment p = filled(arena, n);
                    Conv.conv1dF32Vector(x, w, b, p, g, col, split - 1, split);
                    float[] pf = Mem.toFloats(p, n);
                    for (int i = 0; i < n; i++) {
                        boolean inRange = i / g.lout() == split - 1;
                        assertEquals(inRange, pf[i] != SENTINEL, g + ": element " + i + " of range ["
                                + (split - 1) + ", " + split + ")");
                    }
                }
            }
        }
    }

    @Test
    void conv2dVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            int seed = 0;
            for (Conv.Geometry2d g : ConvCases.CONV2D) {
                seed++;
                MemorySegment x = Rand.segment(arena, seed, g.cin() * g.height() * g.width(), 1f);
                MemorySegment w = Rand.segment(arena, seed + 100, g.cout() * g.colLength(),
                        (float) (1 / Math.sqrt(g.colLength())));
                MemorySegment b = Rand.segment(arena, seed + 200, g.cout(), 0.5f);
                MemorySegment col = filled(arena, (long) g.patches() * g.colLength());
                Conv.im2colF32(x, g, col, 0, g.patches() / 3);
                Conv.im2colF32(x, g, col, g.patches() / 3, g.patches());
                int n = g.cout() * g.patches(), split = Math.min(g.cout(), 5);
                MemorySegment s = filled(arena, n), v = filled(arena, n);
                Conv.conv2dColF32Scalar(col, w, b, s, g, 0, split);
                Conv.conv2dColF32Scalar(col, w, b, s, g, split, g.cout());
                Conv.conv2dColF32Vector(col, w, b, v, g, 0, split);
                Conv.conv2dColF32Vector(col, w, b, v, g, split, g.cout());
                Diff d = Diff.of(Mem.toFloats(v, n), Mem.toFloats(s, n), 1.0);
                assertTrue(d.maxRel() <= TOL, g + " at " + Simd.describe() + ": " + d);
                float[] vf = Mem.toFloats(v, n);
                for (int i = 0; i < n; i++) {
                    assertTrue(vf[i] != SENTINEL, g + ": output " + i + " not written");
                }
            }
        }
    }
}
