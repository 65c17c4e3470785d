package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * W8A8 through the F32 GEMM: activations quantized per row, dequantized back to F32 (xq * xScale), times I8_ROW
 * weights (plain or packed by {@link MatmulQ8#packQ8}) must equal the INT32 reference {@link
 * MatmulQ8#matmulQ8Q8Scalar} up to F32 rounding.
 *
 * <p>Metric: {@code |y - yRef| / (xScale[i] * wScale[j] * sum_k |xq[i,k] wq[j,k]| + |bias[j]|)}, the rounding of
 * F32 accumulation relative to the magnitude of the terms summed.
 */
@Tag("simd")
class MatmulQ8PanelsTest {

    /** F32 accumulation of products that INT32 sums exactly: K roundings of ~6e-8 each, plus the two scales. */
    static final double ROUNDING_TOL = 1e-5;

    /** {M, N, K}: M at and above GEMM_MIN_ROWS, N not a multiple of the panel, K off every vector length. */
    static final int[][] SHAPES = {
        {16, 70, 77}, {17, 130, 300}, {37, 33, 77}, {37, 2 * Matmul.PANEL + 3, 300}, {16, 5, 1},
        {1027, 40, Matmul.KC + 9}, // several M blocks (Matmul.mBlock) and two K blocks
    };

    @Test
    void fakeQuantizedGemmMatchesInt32Reference() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                MemorySegment x = Rand.segment(arena, 40 + m, m * k, 3f), w = Rand.segment(arena, 50 + n, n * k, 1f);
                MemorySegment b = Rand.segment(arena, 60 + n, n, 1f);
                MemorySegment xq = arena.allocate((long) m * k), xs = Mem.floats(arena, m);
                MemorySegment wq = arena.allocate((long) n * k), ws = Mem.floats(arena, n);
                Quant.quantizeRowsQ8(x, xq, xs, k, 0, m);
                Quant.quantizeRowsQ8(w, wq, ws, k, 0, n);
                MemorySegment xf = Mem.floats(arena, (long) m * k);
                Quant.dequantizeRowsQ8(xq, xs, xf, k, 0, m);
                MemorySegment packed = arena.allocate(MatmulQ8.packedQ8Bytes(n, k));
                MatmulQ8.packQ8(wq, packed, n, k);

                MemorySegment ref = Mem.floats(arena, (long) m * n);
                MatmulQ8.matmulQ8Q8Scalar(xq, xs, wq, ws, b, ref, m, n, k, 0, m, 0, n);
                MemorySegment plain = Mem.floats(arena, (long) m * n), pack = Mem.floats(arena, (long) m * n);
                MatmulQ8.matmulQ8xF32(xf, wq, ws, b, plain, m, n, k, 0, m, 0, n);
                MatmulQ8.matmulQ8PackedxF32(xf, packed, ws, b, pack, m, n, k, 0, m, 0, n);

                String where = " M=" + m + " N=" + n + " K=" + k + " at " + Simd.describe();
                float[] yRef = Mem.toFloats(ref);
                Diff dp = normalized(Mem.toFloats(plain), yRef, xq, xs, wq, ws, b, m, n, k);
                assertTrue(dp.maxAbs() <= ROUNDING_TOL, "I8_ROW" + where + " vs INT32: " + dp);
                Diff dk = normalized(Mem.toFloats(pack), yRef, xq, xs, wq, ws, b, m, n, k);
                assertTrue(dk.maxAbs() <= ROUNDING_TOL, "I8_ROW packed" + where + " vs INT32: " + dk);
            }
        }
    }

    static Diff normalized(float[] actual, float[] expected, MemorySegment xq, MemorySegment xs, MemorySegment wq,
                           MemorySegment ws, MemorySegment b, int m, int n, int k) {
        float[] a = new float[m * n], e = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long mag = 0;
                for (int p = 0; p < k; p++) {
                    mag += Math.abs(xq.get(Mem.I8, (long) i * k + p) * wq.get(Mem.I8, (long) j * k + p));
                }
                double scale = (double) Mem.getF32(xs, i) * Mem.getF32(ws, j);
                double den = Math.max(mag * scale + Math.abs(Mem.getF32(b, j)), 1e-30);
                a[i * n + j] = (float) (actual[i * n + j] / den);
                e[i * n + j] = (float) (expected[i * n + j] / den);
            }
        }
        return Diff.of(a, e, 1.0);
    }

    @Test
    void packedRejectsBadOperands() {
        try (Arena arena = Arena.ofConfined()) {
            int n = Matmul.PANEL + 3, k = 9;
            MemorySegment wq = arena.allocate((long) n * k), ws = Mem.floats(arena, n);
            MemorySegment x = Mem.floats(arena, 2L * k), y = Mem.floats(arena, 2L * n);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MatmulQ8.packQ8(wq, arena.allocate(MatmulQ8.packedQ8Bytes(n, k) - 1), n, k));
            assertTrue(e.getMessage().contains("packQ8") && e.getMessage().contains("packed"), e.getMessage());
            MemorySegment packed = arena.allocate(MatmulQ8.packedQ8Bytes(n, k));
            MatmulQ8.packQ8(wq, packed, n, k);
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> MatmulQ8.matmulQ8PackedxF32(x, packed, ws, null, y, 2, n, k, 0, 2, 1, n));
            assertTrue(e2.getMessage().contains("matmulQ8PackedxF32") && e2.getMessage().contains("PANEL"),
                    e2.getMessage());
            IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                    () -> MatmulQ8.matmulQ8PackedxF32(x, wq, ws, null, y, 2, n, k, 0, 2, 0, n));
            assertTrue(e3.getMessage().contains("packed"), e3.getMessage());
            IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class,
                    () -> MatmulQ8.matmulQ8PackedxF32(x, packed, Mem.floats(arena, n - 1), null, y, 2, n, k, 0, 2, 0, n));
            assertTrue(e4.getMessage().contains("scales[N=" + n + "]"), e4.getMessage());
        }
    }
}
