package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Transpose: SIMD vs scalar vs a plain loop at the JVM's vector width (surefire runs this at 128, 256 and 512). */
@Tag("simd")
class TransposeTest {

    /** dst[c][r] = src[r][c] * scale[c] written with float arrays: the meaning, apart from both kernels. */
    private static float[] reference(float[] src, long srcOff, long srcStride, float[] dst, long dstOff,
                                     long dstStride, int rows, int cols, float[] scale) {
        float[] out = dst.clone();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[(int) (dstOff + c * dstStride + r)] = src[(int) (srcOff + r * srcStride + c)]
                        * (scale == null ? 1f : scale[c]);
            }
        }
        return out;
    }

    /**
     * Whole blocks and tails in both directions (sizes not multiples of 4, 8 or 16), strides wider than the block,
     * offsets, with and without column scales; the parts of dst outside the block keep their values. Exact: one
     * multiply per element in every path.
     */
    @Test
    void matchesScalarAndReference() {
        int[][] shapes = {{1, 1}, {3, 17}, {16, 16}, {32, 64}, {37, 45}, {197, 64}, {64, 197}, {8, 33}};
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : shapes) {
                for (boolean scaled : new boolean[] {false, true}) {
                    int rows = s[0], cols = s[1];
                    long srcOff = 3, srcStride = cols + 5, dstOff = 7, dstStride = rows + 2;
                    int srcN = (int) (srcOff + rows * srcStride), dstN = (int) (dstOff + cols * dstStride);
                    MemorySegment src = Rand.segment(arena, rows * 31L + cols, srcN, 2f);
                    MemorySegment sc = scaled ? Rand.segment(arena, 5, cols, 3f) : null;
                    MemorySegment init = Rand.segment(arena, 9, dstN, 1f);
                    MemorySegment d1 = Mem.floats(arena, dstN), d2 = Mem.floats(arena, dstN);
                    MemorySegment.copy(init, 0, d1, 0, 4L * dstN);
                    MemorySegment.copy(init, 0, d2, 0, 4L * dstN);
                    Transpose.transposeScalar(src, srcOff, srcStride, d1, dstOff, dstStride, rows, cols, sc);
                    Transpose.transposeVector(src, srcOff, srcStride, d2, dstOff, dstStride, rows, cols, sc);
                    float[] want = reference(Mem.toFloats(src), srcOff, srcStride, Mem.toFloats(init), dstOff, dstStride,
                            rows, cols, sc == null ? null : Mem.toFloats(sc));
                    String what = rows + "x" + cols + (scaled ? " scaled" : "") + " at " + Simd.describe();
                    Diff ds = Diff.of(Mem.toFloats(d1), want), dv = Diff.of(Mem.toFloats(d2), want);
                    assertEquals(0.0, ds.maxAbs(), "scalar " + what + ": " + ds);
                    assertEquals(0.0, dv.maxAbs(), "vector " + what + ": " + dv);
                }
            }
        }
    }

    @Test
    void rejectsBadGeometry() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = Mem.floats(arena, 100), dst = Mem.floats(arena, 100);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Transpose.transpose(src, 0, 10, dst, 0, 10, 10, 11, null));
            assertTrue(e.getMessage().contains("transpose") && e.getMessage().contains("srcStride 10 for 11 columns"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Transpose.transpose(src, 5, 10, dst, 0, 10, 10, 10, null));
            assertTrue(e.getMessage().contains("src [10 x 10, stride 10 from 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Transpose.transpose(src, 0, 10, dst, 0, 10, 10, 10, Mem.floats(arena, 4)));
            assertTrue(e.getMessage().contains("colScale [10]"), e.getMessage());
        }
    }
}
