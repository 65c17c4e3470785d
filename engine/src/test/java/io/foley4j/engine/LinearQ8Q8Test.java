package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Quant;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link LinearOps#linearQ8Q8} on I8_ROW and I8_ROW_PACKED weights vs the INT32 reference
 * ({@link Quant#quantizeRowsQ8Scalar} then {@link MatmulQ8#matmulQ8Q8Scalar}): the GEMM path (M >=
 * {@link MatmulQ8#GEMM_MIN_ROWS}, and packed weights at every M) is the same W8A8 value up to F32 rounding; the INT32
 * path (plain I8_ROW, fewer rows) is exact.
 *
 * <p>Metric: {@code |y - yRef| / (xScale[i] * wScale[j] * sum_k |xq[i,k] wq[j,k]| + |bias[j]|)}.
 */
@Tag("simd")
class LinearQ8Q8Test {

    /** F32 accumulation of products that INT32 sums exactly, relative to the magnitude of the sum. */
    static final double ROUNDING_TOL = 1e-5;

    /** {M, N, K}: M below, at and above the GEMM threshold; N off the panel width, K off every vector length. */
    static final int[][] SHAPES = {{8, 70, 77}, {16, 70, 77}, {17, 130, 300}, {37, 33, 300}, {37, 131, 77}};

    @Test
    void matchesInt32Reference() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                Tensor x = Tensor.ofFloats(arena, LinearOpsTest.floats(11 + m, m * k), m, k);
                Tensor w = Tensor.ofFloats(arena, LinearOpsTest.floats(12 + n, n * k), n, k);
                Tensor b = Tensor.ofFloats(arena, LinearOpsTest.floats(13 + n, n), n);
                Tensor q = LinearOps.quantize(arena, w, DType.I8_ROW), packed = LinearOps.packQ8(arena, q);

                MemorySegment xq = arena.allocate((long) m * k), xs = Mem.floats(arena, m);
                Quant.quantizeRowsQ8Scalar(x.data(), xq, xs, k, 0, m);
                MemorySegment ref = Mem.floats(arena, (long) m * n);
                MatmulQ8.matmulQ8Q8Scalar(xq, xs, q.data(), q.scales(), b.data(), ref, m, n, k, 0, m, 0, n);
                float[] yRef = Mem.toFloats(ref);

                LinearOps.Q8Activations act = LinearOps.Q8Activations.allocate(arena, m + 3, k);
                for (Tensor wt : new Tensor[] {q, packed}) {
                    Tensor y = Tensor.allocate(arena, DType.F32, m, n);
                    LinearOps.linearQ8Q8(pool, x, wt, b, y, act, LinearOpsTest.SPLIT_MACS);
                    String where = wt + " M=" + m + " N=" + n + " K=" + k;
                    if (wt.dtype() == DType.I8_ROW && m < MatmulQ8.GEMM_MIN_ROWS) {
                        assertArrayEquals(yRef, y.toFloats(), where + ": INT32 path vs INT32 reference");
                    } else {
                        Diff d = normalized(y.toFloats(), yRef, xq, xs, q, b, m, n, k);
                        assertTrue(d.maxAbs() <= ROUNDING_TOL, where + " vs INT32 reference: " + d);
                    }
                }
            }
        }
    }

    static Diff normalized(float[] actual, float[] expected, MemorySegment xq, MemorySegment xs, Tensor q, Tensor b,
                           int m, int n, int k) {
        float[] a = new float[m * n], e = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long mag = 0;
                for (int p = 0; p < k; p++) {
                    mag += Math.abs(xq.get(Mem.I8, (long) i * k + p) * q.data().get(Mem.I8, (long) j * k + p));
                }
                double den = (double) Mem.getF32(xs, i) * Mem.getF32(q.scales(), j) * mag
                        + Math.abs(Mem.getF32(b.data(), j));
                a[i * n + j] = (float) (actual[i * n + j] / Math.max(den, 1e-30));
                e[i * n + j] = (float) (expected[i * n + j] / Math.max(den, 1e-30));
            }
        }
        return Diff.of(a, e, 1.0);
    }
}
