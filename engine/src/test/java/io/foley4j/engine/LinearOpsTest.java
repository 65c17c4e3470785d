package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearOpsTest {

    /** Packed vs unpacked F32 and INT8xINT8 vs F32: accumulation order, relative to sum_k |x||w| + |bias|. */
    static final double ORDER_TOL = 1e-5;
    /** INT8 activations and weights: each product carries up to half a scale of error in both factors. */
    static final double Q8Q8_TOL = 0.02;

    static float[] floats(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** |a - e| / (sum_k |x||w| + |bias|) per element of y[m, n]; the Diff's maxAbs is the metric. */
    static Diff normalized(float[] a, float[] e, float[] x, float[] w, float[] b, int m, int n, int k) {
        float[] an = new float[m * n], en = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double mag = Math.abs(b[j]);
                for (int p = 0; p < k; p++) {
                    mag += Math.abs(x[i * k + p] * w[j * k + p]);
                }
                an[i * n + j] = (float) (a[i * n + j] / mag);
                en[i * n + j] = (float) (e[i * n + j] / mag);
            }
        }
        return Diff.of(an, en, 1.0);
    }

    /**
     * With {@link #SPLIT_MACS} every shape is split into 3 tiles: by columns, by rows ({@code N <= 4}), and with
     * M >= 24 (the panel GEMM for non-F32 weights) and M = 1 (matrix-vector).
     */
    static final int[][] SHAPES = {{30, 203, 130}, {1, 301, 150}, {50, 20, 110}, {40, 4, 300}, {3, 4, 5}};
    /** Split threshold for the tests, instead of LinearOps.MIN_MACS_PER_THREAD. */
    static final long SPLIT_MACS = 16;

    @Test
    void multithreadedEqualsSingleThreadedForEveryDtype() {
        try (Arena arena = Arena.ofShared(); WorkerPool one = new WorkerPool(1); WorkerPool three = new WorkerPool(3)) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                Tensor x = Tensor.ofFloats(arena, floats(1, m * k), m, k);
                Tensor w = Tensor.ofFloats(arena, floats(2, n * k), n, k);
                Tensor b = Tensor.ofFloats(arena, floats(3, n), n);
                Tensor[] weights = {w, LinearOps.packF32(arena, w), LinearOps.quantize(arena, w, DType.F16),
                    LinearOps.quantize(arena, w, DType.BF16), LinearOps.quantize(arena, w, DType.I8_ROW),
                    LinearOps.quantize(arena, w, DType.I8_BLOCK32),
                    LinearOps.packQ8(arena, LinearOps.quantize(arena, w, DType.I8_ROW))};
                for (Tensor wt : weights) {
                    Tensor y1 = Tensor.allocate(arena, DType.F32, m, n), y4 = Tensor.allocate(arena, DType.F32, m, n);
                    LinearOps.linear(one, x, wt, b, y1, SPLIT_MACS);
                    LinearOps.linear(three, x, wt, b, y4, SPLIT_MACS);
                    assertArrayEquals(y1.toFloats(), y4.toFloats(), wt + " x " + x + ": 3 threads vs 1");
                }
                for (Tensor q : new Tensor[] {weights[4], weights[6]}) {
                    LinearOps.Q8Activations act = LinearOps.Q8Activations.allocate(arena, m, k);
                    Tensor y1 = Tensor.allocate(arena, DType.F32, m, n), y4 = Tensor.allocate(arena, DType.F32, m, n);
                    LinearOps.linearQ8Q8(one, x, q, b, y1, act, SPLIT_MACS);
                    LinearOps.linearQ8Q8(three, x, q, b, y4, act, SPLIT_MACS);
                    assertArrayEquals(y1.toFloats(), y4.toFloats(), "Q8Q8 " + q + " x " + x + ": 3 threads vs 1");
                }
            }
        }
    }

    /** The split covers y exactly once, with one tile per thread: by columns when there are enough, else by rows. */
    @Test
    void splitCoversOutputOncePerThread() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int[] s : new int[][] {{30, 203}, {40, 4}, {1, 301}, {7, 9}}) {
                int m = s[0], n = s[1];
                int[] hits = new int[m * n];
                java.util.List<int[]> tiles = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                LinearOps.split(pool, SPLIT_MACS, m, n, 100, 4, (m0, m1, n0, n1) -> {
                    tiles.add(new int[] {m0, m1, n0, n1});
                    for (int i = m0; i < m1; i++) {
                        for (int j = n0; j < n1; j++) {
                            synchronized (hits) { hits[i * n + j]++; }
                        }
                    }
                });
                int[] once = new int[m * n];
                java.util.Arrays.fill(once, 1);
                assertArrayEquals(once, hits, "split of " + m + " x " + n);
                int expected = Math.min(3, Math.max((n + 3) / 4, 1) * Math.max(1, (m + 5) / 6));
                assertTrue(tiles.size() == expected, m + " x " + n + ": " + tiles.size() + " tiles, not " + expected);
            }
        }
    }

    /**
     * Rows first (the packed F32 GEMM's split for tall x): row parts of at least rowsFirstMin rows, as many as divide
     * the thread parts, columns for the rest; y still covered exactly once.
     */
    @Test
    void rowsFirstSplitKeepsRowPartsTallAndCoversOutputOnce() {
        int rowsFirstMin = 10;
        // {threads, m, n, expected row parts, expected column parts, 1 if every row part keeps rowsFirstMin rows}
        for (int[] s : new int[][] {{2, 20, 64, 1, 2, 1}, {2, 24, 64, 2, 1, 1}, {2, 19, 64, 1, 2, 1},
                {3, 36, 64, 3, 1, 1}, {3, 25, 64, 1, 3, 1}, {4, 25, 64, 2, 2, 1}, {4, 48, 64, 4, 1, 1},
                {4, 48, 4, 4, 1, 1}, {1, 500, 64, 1, 1, 1},
                // 2 tall row parts leave 2 threads for 1 column panel: 4 shorter row parts instead of idle threads
                {4, 25, 4, 4, 1, 0}, {6, 40, 8, 3, 2, 1}, {6, 40, 4, 6, 1, 0}}) {
            int threads = s[0], m = s[1], n = s[2];
            try (WorkerPool pool = new WorkerPool(threads)) {
                int[] hits = new int[m * n];
                java.util.Set<Integer> rowStarts = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.Set<Integer> colStarts = java.util.concurrent.ConcurrentHashMap.newKeySet();
                java.util.List<int[]> tiles = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                LinearOps.split(pool, SPLIT_MACS, m, n, 100, 4, rowsFirstMin, (m0, m1, n0, n1) -> {
                    tiles.add(new int[] {m0, m1, n0, n1});
                    rowStarts.add(m0);
                    colStarts.add(n0);
                    synchronized (hits) {
                        for (int i = m0; i < m1; i++) {
                            for (int j = n0; j < n1; j++) hits[i * n + j]++;
                        }
                    }
                });
                int[] once = new int[m * n];
                java.util.Arrays.fill(once, 1);
                String what = threads + " threads, " + m + " x " + n;
                assertArrayEquals(once, hits, "rows-first split of " + what);
                assertTrue(rowStarts.size() == s[3] && colStarts.size() == s[4], what + ": " + rowStarts.size()
                        + " row parts x " + colStarts.size() + " column parts, expected " + s[3] + " x " + s[4]);
                for (int[] t : tiles) {
                    assertTrue(s[3] == 1 || s[5] == 0 || t[1] - t[0] >= rowsFirstMin,
                            what + ": row part [" + t[0] + ", " + t[1] + ") shorter than " + rowsFirstMin);
                }
            }
        }
    }

    /** q, k and v as one GEMM over their stacked packed weights: the same floats as three linears, on 1 and 3 threads. */
    @Test
    void linearGroupsEqualsOneLinearPerGroup() {
        int d = 2 * io.foley4j.kernels.Matmul.PANEL, k = 40;
        try (Arena arena = Arena.ofShared(); WorkerPool one = new WorkerPool(1); WorkerPool three = new WorkerPool(3)) {
            for (int m : new int[] {1, 13, 200}) {
                Tensor x = Tensor.ofFloats(arena, floats(70 + m, 2 * m * k), 2, m, k);
                float[] ws = floats(71, 3 * d * k), bs = floats(72, 3 * d);
                Tensor stacked = LinearOps.packF32(arena, Tensor.ofFloats(arena, ws, 3 * d, k));
                Tensor[] parts = new Tensor[3];
                for (int g = 0; g < 3; g++) {
                    parts[g] = Tensor.ofFloats(arena, Arrays.copyOfRange(ws, g * d * k, (g + 1) * d * k), d, k);
                }
                // stacking the packed parts is packing the stacked weights
                java.nio.ByteBuffer sb = LinearOps.packF32Stacked(arena, parts).data().asByteBuffer();
                assertTrue(sb.equals(stacked.data().asByteBuffer()), "stacking the packed parts = packing the stack");
                Tensor bias = Tensor.ofFloats(arena, bs, 3 * d);
                for (WorkerPool pool : new WorkerPool[] {one, three}) {
                    Tensor[] ys = new Tensor[3];
                    for (int g = 0; g < 3; g++) ys[g] = Tensor.allocate(arena, DType.F32, 2, m, d);
                    LinearOps.linearGroups(pool, x, stacked, bias, ys);
                    for (int g = 0; g < 3; g++) {
                        Tensor wg = LinearOps.packedGroup(stacked, 3, g);
                        Tensor bg = Tensor.ofFloats(arena, Arrays.copyOfRange(bs, g * d, (g + 1) * d), d);
                        Tensor y = Tensor.allocate(arena, DType.F32, 2, m, d);
                        LinearOps.linear(pool, x, wg, bg, y);
                        Tensor alone = Tensor.allocate(arena, DType.F32, 2, m, d);
                        LinearOps.linear(pool, x, LinearOps.packF32(arena, parts[g]), bg, alone);
                        assertArrayEquals(alone.toFloats(), y.toFloats(), "packedGroup " + g + " = packF32 of part " + g);
                        assertArrayEquals(y.toFloats(), ys[g].toFloats(), "group " + g + " of x " + x + " on "
                                + pool.threads() + " threads");
                    }
                }
            }
            Tensor x = Tensor.allocate(arena, DType.F32, 3, k);
            Tensor w = LinearOps.packF32(arena, Tensor.allocate(arena, DType.F32, 3 * d, k));
            Tensor y = Tensor.allocate(arena, DType.F32, 3, d), bad = Tensor.allocate(arena, DType.F32, 4, d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LinearOps.linearGroups(one, x, w, null, y, y, y, y, y));
            assertTrue(e.getMessage().contains("linearGroups") && e.getMessage().contains("evenly"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> LinearOps.linearGroups(one, x, w, null, y, y, bad));
            assertTrue(e.getMessage().contains("linearGroups"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> LinearOps.linearGroups(one, x,
                    Tensor.allocate(arena, DType.F32, 3 * d, k), null, y, y, y));
            assertTrue(e.getMessage().contains("F32_PACKED"), e.getMessage());
        }
    }

    @Test
    void packedAndUnpackedF32Agree() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                float[] xs = floats(4, m * k), ws = floats(5, n * k), bs = floats(6, n);
                Tensor x = Tensor.ofFloats(arena, xs, m, k), w = Tensor.ofFloats(arena, ws, n, k);
                Tensor b = Tensor.ofFloats(arena, bs, n);
                Tensor y1 = Tensor.allocate(arena, DType.F32, m, n), y2 = Tensor.allocate(arena, DType.F32, m, n);
                LinearOps.linear(pool, x, w, b, y1, SPLIT_MACS);
                LinearOps.linear(pool, x, LinearOps.packF32(arena, w), b, y2, SPLIT_MACS);
                Diff d = normalized(y2.toFloats(), y1.toFloats(), xs, ws, bs, m, n, k);
                assertTrue(d.maxAbs() <= ORDER_TOL, "packed vs unpacked " + x + ": " + d);
            }
        }
    }

    @Test
    void q8q8CloseToF32() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            int m = 17, n = 70, k = 300;
            float[] xs = floats(7, m * k), ws = floats(8, n * k), bs = floats(9, n);
            Tensor x = Tensor.ofFloats(arena, xs, 1, m, k), w = Tensor.ofFloats(arena, ws, n, k);
            Tensor b = Tensor.ofFloats(arena, bs, n);
            Tensor ref = Tensor.allocate(arena, DType.F32, 1, m, n), y = Tensor.allocate(arena, DType.F32, 1, m, n);
            LinearOps.linear(pool, x, w, b, ref);
            LinearOps.linearQ8Q8(pool, x, LinearOps.quantize(arena, w, DType.I8_ROW), b, y,
                    LinearOps.Q8Activations.allocate(arena, 32, k));
            Diff d = normalized(y.toFloats(), ref.toFloats(), xs, ws, bs, m, n, k);
            assertTrue(d.maxAbs() <= Q8Q8_TOL, "Q8Q8 vs F32: " + d);
        }
    }

    private static void rejects(Runnable r, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void mismatchesNameOpOperandAndShapes() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            Tensor x = Tensor.allocate(arena, DType.F32, 2, 8), w = Tensor.allocate(arena, DType.F32, 3, 8);
            Tensor y = Tensor.allocate(arena, DType.F32, 2, 3);
            rejects(() -> LinearOps.linear(pool, Tensor.allocate(arena, DType.F32, 2, 7), w, null, y),
                    "linear", "x Tensor[F32 [2, 7]]", "K = 8");
            rejects(() -> LinearOps.linear(pool, x, w, null, Tensor.allocate(arena, DType.F32, 2, 4)),
                    "linear", "y Tensor[F32 [2, 4]]", "[2, 3]");
            rejects(() -> LinearOps.linear(pool, x, w, Tensor.allocate(arena, DType.F32, 4), y),
                    "linear", "bias", "[3]");
            rejects(() -> LinearOps.linear(pool, Tensor.allocate(arena, DType.F16, 2, 8), w, null, y),
                    "linear", "must be F32", "F16 [2, 8]");
            rejects(() -> LinearOps.linear(pool, x, Tensor.allocate(arena, DType.I32, 3, 8), null, y),
                    "linear", "unsupported dtype I32");
            rejects(() -> LinearOps.linear(pool, x, Tensor.allocate(arena, DType.F32, 3, 8, 1), null, y),
                    "linear", "[N, K]");
            rejects(() -> LinearOps.linearQ8Q8(pool, x, w, null, y, LinearOps.Q8Activations.allocate(arena, 2, 8)),
                    "linearQ8Q8", "I8_ROW");
            Tensor q = LinearOps.quantize(arena, w, DType.I8_ROW);
            rejects(() -> LinearOps.linearQ8Q8(pool, x, q, null, y, LinearOps.Q8Activations.allocate(arena, 1, 8)),
                    "linearQ8Q8", "maxRows=1", "M=2");
            rejects(() -> LinearOps.packQ8(arena, w), "packQ8", "I8_ROW", "F32 [3, 8]");
            Tensor packed = LinearOps.packQ8(arena, q);
            rejects(() -> LinearOps.linearQ8Q8(pool, x, packed, null, y, LinearOps.Q8Activations.allocate(arena, 2, 7)),
                    "linearQ8Q8", "k=7", "K=8");
            rejects(() -> packed.slice(0, 1), "slice", "I8_ROW_PACKED");
            rejects(() -> packed.toFloats(), "toFloats", "I8_ROW_PACKED");
        }
    }
}
