package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Quantize -> dequantize error within a named budget per dtype, and the vector activation quantizer vs scalar. */
@Tag("simd")
class QuantTest {

    /** INT8 (row or block): |v - q * scale| <= 0.5 * scale, plus the rounding of v * (1 / scale). */
    static final double Q8_BUDGET_SCALES = 0.5 * (1 + 1e-5);
    /** F16 round-to-nearest: relative error <= 2^-11 for normal halves ... */
    static final double F16_REL = 0x1p-11;
    /** ... and absolute error <= half the subnormal spacing 2^-24 below the smallest normal 2^-14. */
    static final double F16_ABS_FLOOR = 0x1p-25;
    /** BF16 keeps 8 significant bits: relative error <= 2^-8 (2^-9 with round-to-nearest-even). */
    static final double BF16_REL = 0x1p-8;

    static final int[][] SHAPES = {{1, 1}, {3, 17}, {5, 33}, {4, 64}, {7, 100}, {2, 257}};

    /** Rows mixing magnitudes (1e-3 .. 1e2) so scales differ per row and block, and one all-zero row. */
    static float[] data(int rows, int cols) {
        float[] v = Rand.floats(rows * 31L + cols, rows * cols, 1f);
        for (int i = 0; i < v.length; i++) {
            int r = i / cols;
            v[i] *= (float) Math.pow(10, (r % 6) - 3) * (1 + (i % cols) / 32);
        }
        if (rows > 2) {
            java.util.Arrays.fill(v, cols, 2 * cols, 0f);
        }
        return v;
    }

    @Test
    void dequantizeRowsQ8VectorEqualsScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1];
                MemorySegment q = arena.allocate((long) rows * cols), sc = Mem.floats(arena, rows);
                Quant.quantizeRowsQ8(Mem.floats(arena, data(rows, cols)), q, sc, cols, 0, rows);
                MemorySegment ref = Mem.floats(arena, (long) rows * cols), vec = Mem.floats(arena, (long) rows * cols);
                Quant.dequantizeRowsQ8Scalar(q, sc, ref, cols, 0, rows);
                Quant.dequantizeRowsQ8Vector(q, sc, vec, cols, 1, rows);
                Quant.dequantizeRowsQ8Vector(q, sc, vec, cols, 0, 1);
                float[] r = Mem.toFloats(ref), v = Mem.toFloats(vec);
                assertArrayEquals(r, v, rows + "x" + cols + " at " + Simd.describe() + ": " + Diff.of(v, r));
            }
        }
    }

    @Test
    void rowsQ8WithinHalfAScale() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1];
                float[] v = data(rows, cols);
                MemorySegment q = arena.allocate((long) rows * cols), sc = Mem.floats(arena, rows);
                MemorySegment back = Mem.floats(arena, (long) rows * cols);
                Quant.quantizeRowsQ8(Mem.floats(arena, v), q, sc, cols, 0, rows);
                Quant.dequantizeRowsQ8(q, sc, back, cols, 0, rows);
                float[] b = Mem.toFloats(back), scales = Mem.toFloats(sc);
                for (int i = 0; i < v.length; i++) {
                    double budget = Q8_BUDGET_SCALES * scales[i / cols];
                    assertTrue(Math.abs(b[i] - v[i]) <= budget, "I8_ROW [" + i / cols + ", " + i % cols + "]: " + v[i]
                            + " -> " + b[i] + ", budget " + budget + "; " + Diff.of(b, v));
                }
                if (rows > 2) {
                    assertEquals(0f, scales[1], "an all-zero row gets scale 0");
                }
            }
        }
    }

    @Test
    void blocksQ8WithinHalfAScale() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1], nb = MatmulQ8.blocksPerRow(cols);
                float[] v = data(rows, cols);
                MemorySegment q = arena.allocate((long) rows * cols), sc = Mem.floats(arena, (long) rows * nb);
                MemorySegment back = Mem.floats(arena, (long) rows * cols);
                Quant.quantizeBlocksQ8(Mem.floats(arena, v), q, sc, cols, 0, rows);
                Quant.dequantizeBlocksQ8(q, sc, back, cols, 0, rows);
                float[] b = Mem.toFloats(back), scales = Mem.toFloats(sc);
                double worstRow = 0, worstBlock = 0;
                for (int i = 0; i < v.length; i++) {
                    int r = i / cols, c = i % cols;
                    double budget = Q8_BUDGET_SCALES * scales[r * nb + c / MatmulQ8.BLOCK];
                    assertTrue(Math.abs(b[i] - v[i]) <= budget, "I8_BLOCK32 [" + r + ", " + c + "]: " + v[i]
                            + " -> " + b[i] + ", budget " + budget + "; " + Diff.of(b, v));
                    worstBlock = Math.max(worstBlock, Math.abs(b[i] - v[i]));
                }
                // block scales adapt to local magnitude: never worse than one scale per row
                MemorySegment rq = arena.allocate((long) rows * cols), rs = Mem.floats(arena, rows);
                MemorySegment rb = Mem.floats(arena, (long) rows * cols);
                Quant.quantizeRowsQ8(Mem.floats(arena, v), rq, rs, cols, 0, rows);
                Quant.dequantizeRowsQ8(rq, rs, rb, cols, 0, rows);
                worstRow = Diff.of(Mem.toFloats(rb), v).maxAbs();
                assertTrue(worstBlock <= worstRow + 1e-12, "block " + worstBlock + " vs row " + worstRow);
            }
        }
    }

    @Test
    void f16AndBf16WithinRelativeBudget() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 5000;
            float[] v = data(50, 100);
            MemorySegment src = Mem.floats(arena, v), h = arena.allocate(2L * n), back = Mem.floats(arena, n);
            Quant.f32ToF16(src, h, 0, n);
            Quant.f16ToF32(h, back, 0, n);
            float[] f16 = Mem.toFloats(back);
            Quant.f32ToBf16(src, h, 0, n);
            Quant.bf16ToF32(h, back, 0, n);
            float[] bf16 = Mem.toFloats(back);
            for (int i = 0; i < n; i++) {
                double e16 = Math.abs(f16[i] - v[i]), eb = Math.abs(bf16[i] - v[i]);
                assertTrue(e16 <= Math.max(F16_REL * Math.abs(v[i]), F16_ABS_FLOOR),
                        "F16 [" + i + "]: " + v[i] + " -> " + f16[i] + "; " + Diff.of(f16, v));
                assertTrue(eb <= BF16_REL * Math.abs(v[i]),
                        "BF16 [" + i + "]: " + v[i] + " -> " + bf16[i] + "; " + Diff.of(bf16, v));
            }
        }
    }

    /** The per-token activation quantizer: vector and scalar produce the same bytes and scales. */
    @Test
    void rowsQ8VectorMatchesScalarExactly() {
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : Rand.TAIL_SIZES) {
                int rows = 3;
                float[] v = data(rows, cols);
                MemorySegment src = Mem.floats(arena, v);
                MemorySegment q1 = arena.allocate((long) rows * cols), q2 = arena.allocate((long) rows * cols);
                MemorySegment s1 = Mem.floats(arena, rows), s2 = Mem.floats(arena, rows);
                Quant.quantizeRowsQ8Scalar(src, q1, s1, cols, 0, rows);
                Quant.quantizeRowsQ8Vector(src, q2, s2, cols, 1, rows);
                Quant.quantizeRowsQ8Vector(src, q2, s2, cols, 0, 1);
                String where = "cols=" + cols + " at " + Simd.describe();
                assertArrayEquals(q1.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        q2.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), where);
                assertArrayEquals(Mem.toFloats(s1), Mem.toFloats(s2), where);
            }
        }
    }
}
