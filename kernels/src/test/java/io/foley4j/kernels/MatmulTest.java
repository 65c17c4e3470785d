package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every matmul kernel's Vector API version vs its scalar reference, per weight dtype, at the JVM's vector width
 * (surefire runs this at 128, 256 and 512 bits), on shapes with tails in M, N and K.
 *
 * <p>Metric: {@code |y - yRef| / (sum_k |x[i,k]| |w[j,k]| + |bias[j]|)}, the error that reordering the
 * accumulation can cause relative to the magnitude of the terms summed.
 */
@Tag("simd")
class MatmulTest {

    /** Vector vs scalar: accumulation order only. */
    static final double ORDER_TOL = 1e-5;

    /** {M, N, K}: M = 1 (matrix-vector), K = 1, K = 33, N = 17, K beyond one K block (512), K = 0 (y = bias)... */
    static final int[][] SHAPES = {
        {1, 1, 1}, {1, 17, 33}, {3, 17, 33}, {7, 65, 31}, {13, 130, 100}, {1, 64, 64}, {6, 128, 40},
        {12, 67, 5}, {7, 33, 600}, {1, 200, 1}, {2, 3, 0}, {19, 257, 77},
        // M >= MatmulPanels.MIN_ROWS: non-F32 weights are widened into panels for the GEMM micro-kernel
        {25, 130, 33}, {31, 70, 600}, {24, 5, 1},
        // M over several M blocks (Matmul.mBlock: 4 of 258 rows at KC columns), odd K over several K blocks (the
        // last one k = 1)
        {1029, 70, 2 * Matmul.KC + 1},
    };

    /** Computes the output tile [m0, m1) x [n0, n1) of y[M, N] from x[M, K]. */
    interface Kernel {
        void run(MemorySegment x, MemorySegment y, int m0, int m1, int n0, int n1);
    }

    /** One weight format: its kernels bound to weights made from the same F32 matrix, and the dequantized matrix. */
    record Case(String name, Kernel scalar, Kernel vector, Kernel dispatch, float[] dequantized, int columnAlign) {}

    interface CaseFactory {
        Case make(Arena arena, float[] w, MemorySegment bias, int m, int n, int k);
    }

    static Case f32(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment ws = Mem.floats(arena, w);
        return new Case("F32",
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32Scalar(x, ws, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32Vector(x, ws, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32(x, ws, b, y, m, n, k, m0, m1, n0, n1), w, 1);
    }

    static Case f32Packed(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment p = Mem.floats(arena, Matmul.packedF32Floats(n, k));
        Matmul.packF32(Mem.floats(arena, w), p, n, k);
        return new Case("F32 packed",
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32PackedScalar(x, p, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32PackedVector(x, p, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> Matmul.matmulF32Packed(x, p, b, y, m, n, k, m0, m1, n0, n1), w,
                Matmul.PANEL);
    }

    static Case f16(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment h = arena.allocate(2L * w.length);
        Quant.f32ToF16(Mem.floats(arena, w), h, 0, w.length);
        MemorySegment back = Mem.floats(arena, w.length);
        Quant.f16ToF32(h, back, 0, w.length);
        return new Case("F16",
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulF16xF32Scalar(x, h, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulF16xF32Vector(x, h, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulF16xF32(x, h, b, y, m, n, k, m0, m1, n0, n1),
                Mem.toFloats(back), 1);
    }

    static Case bf16(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment h = arena.allocate(2L * w.length);
        Quant.f32ToBf16(Mem.floats(arena, w), h, 0, w.length);
        MemorySegment back = Mem.floats(arena, w.length);
        Quant.bf16ToF32(h, back, 0, w.length);
        return new Case("BF16",
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulBF16xF32Scalar(x, h, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulBF16xF32Vector(x, h, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulHalf.matmulBF16xF32(x, h, b, y, m, n, k, m0, m1, n0, n1),
                Mem.toFloats(back), 1);
    }

    static Case q8Row(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment q = arena.allocate(Math.max(1, w.length)), s = Mem.floats(arena, n);
        Quant.quantizeRowsQ8(Mem.floats(arena, w), q, s, k, 0, n);
        MemorySegment back = Mem.floats(arena, w.length);
        Quant.dequantizeRowsQ8(q, s, back, k, 0, n);
        return new Case("I8_ROW",
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8xF32Scalar(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8xF32Vector(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8xF32(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                Mem.toFloats(back), 1);
    }

    static Case q8RowPacked(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment q = arena.allocate(Math.max(1, w.length)), s = Mem.floats(arena, n);
        Quant.quantizeRowsQ8(Mem.floats(arena, w), q, s, k, 0, n);
        MemorySegment p = arena.allocate(Math.max(1, MatmulQ8.packedQ8Bytes(n, k)));
        MatmulQ8.packQ8(q, p, n, k);
        MemorySegment back = Mem.floats(arena, w.length);
        Quant.dequantizeRowsQ8(q, s, back, k, 0, n);
        return new Case("I8_ROW packed",
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8PackedxF32Scalar(x, p, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8PackedxF32Vector(x, p, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8PackedxF32(x, p, s, b, y, m, n, k, m0, m1, n0, n1),
                Mem.toFloats(back), Matmul.PANEL);
    }

    static Case q8Block(Arena arena, float[] w, MemorySegment b, int m, int n, int k) {
        MemorySegment q = arena.allocate(Math.max(1, w.length));
        MemorySegment s = Mem.floats(arena, (long) n * MatmulQ8.blocksPerRow(k));
        Quant.quantizeBlocksQ8(Mem.floats(arena, w), q, s, k, 0, n);
        MemorySegment back = Mem.floats(arena, w.length);
        Quant.dequantizeBlocksQ8(q, s, back, k, 0, n);
        return new Case("I8_BLOCK32",
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8BxF32Scalar(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8BxF32Vector(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                (x, y, m0, m1, n0, n1) -> MatmulQ8.matmulQ8BxF32(x, q, s, b, y, m, n, k, m0, m1, n0, n1),
                Mem.toFloats(back), 1);
    }

    /** |y - yRef| / (sum_k |x||w| + |bias|) per element, as a Diff whose maxAbs is the metric. */
    static Diff normalized(float[] actual, float[] expected, float[] x, float[] w, float[] bias, int m, int n, int k) {
        float[] a = new float[m * n], e = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double mag = Math.abs(bias[j]);
                for (int p = 0; p < k; p++) {
                    mag += Math.abs(x[i * k + p] * w[j * k + p]);
                }
                mag = Math.max(mag, 1e-30);
                a[i * n + j] = (float) (actual[i * n + j] / mag);
                e[i * n + j] = (float) (expected[i * n + j] / mag);
            }
        }
        return Diff.of(a, e, 1.0);
    }

    private static void vectorMatchesScalar(CaseFactory factory) {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                float[] xs = Rand.floats(10 + m, m * k, 2f), ws = Rand.floats(20 + n, n * k, 1f);
                float[] bs = Rand.floats(30 + n, n, 1f);
                MemorySegment x = Mem.floats(arena, xs), b = Mem.floats(arena, bs);
                Case c = factory.make(arena, ws, b, m, n, k);
                String where = c.name() + " M=" + m + " N=" + n + " K=" + k + " at " + Simd.describe();

                MemorySegment ref = Mem.floats(arena, (long) m * n), vec = nans(arena, (long) m * n);
                c.scalar().run(x, ref, 0, m, 0, n);
                c.vector().run(x, vec, 0, m, 0, n);
                float[] yRef = Mem.toFloats(ref), yVec = Mem.toFloats(vec);
                Diff d = normalized(yVec, yRef, xs, c.dequantized(), bs, m, n, k);
                assertTrue(d.maxAbs() <= ORDER_TOL, where + " vector vs scalar: " + d);

                // the scalar reference itself: same as the F32 reference on the dequantized weights
                MemorySegment f32 = Mem.floats(arena, (long) m * n);
                Matmul.matmulF32Scalar(x, Mem.floats(arena, c.dequantized()), b, f32, m, n, k, 0, m, 0, n);
                Diff dq = normalized(yRef, Mem.toFloats(f32), xs, c.dequantized(), bs, m, n, k);
                assertTrue(dq.maxAbs() <= ORDER_TOL, where + " scalar vs F32 on dequantized weights: " + dq);

                // tiles: rows and columns split in two compute exactly the full result
                int mh = m / 2, nh = n / 2 / c.columnAlign() * c.columnAlign();
                MemorySegment tiled = nans(arena, (long) m * n);
                c.dispatch().run(x, tiled, 0, mh, 0, nh);
                c.dispatch().run(x, tiled, 0, mh, nh, n);
                c.dispatch().run(x, tiled, mh, m, 0, nh);
                c.dispatch().run(x, tiled, mh, m, nh, n);
                MemorySegment whole = nans(arena, (long) m * n);
                c.dispatch().run(x, whole, 0, m, 0, n);
                assertArrayEquals(Mem.toFloats(whole), Mem.toFloats(tiled), where + " tiled vs whole");
            }
        }
    }

    /**
     * y filled with NaN before a kernel runs: the kernels never read y before they have written it (the packed GEMM
     * starts its first K block from the bias, not from y), so any element left unwritten or read first shows.
     */
    static MemorySegment nans(Arena arena, long floats) {
        MemorySegment s = Mem.floats(arena, floats);
        for (long i = 0; i < floats; i++) Mem.setF32(s, i, Float.NaN);
        return s;
    }

    /**
     * M blocks: near-equal multiples of 4 rows, about Matmul.MC_BYTES of packed rows each, up to 1.5 times that kept
     * whole.
     */
    @Test
    void mBlocksAreNearEqualAndAboutOneMiB() {
        assertEquals(257, Matmul.mBlock(257, 1024), "ViT-L/14's 257 rows at K 1024 stay one block");
        assertEquals(256, Matmul.mBlock(1024, 1024));
        assertEquals(316, Matmul.mBlock(1576, 768));
        assertEquals(264, Matmul.mBlock(1576, 1024), "6 blocks of 262.7 rows, rounded up to whole 4-row tiles");
        for (int kc : new int[] {1, 9, 384, 768, 1000, Matmul.KC}) {
            for (int rows = 1; rows <= 5000; rows += 7) {
                int mb = Matmul.mBlock(rows, kc), blocks = (rows + mb - 1) / mb;
                String where = rows + " rows, kc " + kc + ": blocks of " + mb;
                assertTrue(mb >= 1 && mb <= rows, where);
                assertTrue(mb <= 16 || 4L * mb * kc <= Matmul.MC_BYTES * 3 / 2 + 4L * Matmul.MR * kc, where + " exceed 1.5 MiB");
                assertTrue(mb % Matmul.MR == 0 || mb == rows, where + ": not whole " + Matmul.MR + "-row tiles");
                assertTrue(rows - (long) (blocks - 1) * mb >= mb - Matmul.MR * blocks, where + ": the last block is short");
            }
        }
    }

    /** Without a bias the packed GEMM (F32 and widened INT8 panels) starts from zeros: same as the scalar one. */
    @Test
    void packedWithoutBiasMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                float[] xs = Rand.floats(50 + m, m * k, 2f), ws = Rand.floats(51 + n, n * k, 1f);
                MemorySegment x = Mem.floats(arena, xs);
                for (CaseFactory f : new CaseFactory[] {MatmulTest::f32Packed, MatmulTest::q8RowPacked}) {
                    Case c = f.make(arena, ws, null, m, n, k);
                    MemorySegment ref = Mem.floats(arena, (long) m * n), vec = nans(arena, (long) m * n);
                    c.scalar().run(x, ref, 0, m, 0, n);
                    c.vector().run(x, vec, 0, m, 0, n);
                    Diff d = normalized(Mem.toFloats(vec), Mem.toFloats(ref), xs, c.dequantized(), new float[n], m, n,
                            k);
                    assertTrue(d.maxAbs() <= ORDER_TOL, c.name() + " without bias M=" + m + " N=" + n + " K=" + k
                            + " at " + Simd.describe() + ": " + d);
                }
            }
        }
    }

    /**
     * Column groups: one GEMM over G stacked packed weights writes each group's own y, bit for bit what the packed GEMM
     * gives on that group's weights alone (same products, same order), with and without bias, over the whole range and
     * split in column and row halves; the scalar reference agrees within the order tolerance.
     */
    @Test
    void packedGroupsEqualPackedPerGroup() {
        int p = Matmul.PANEL;
        try (Arena arena = Arena.ofConfined()) {
            // {M, groupN, K, G}: tails in M, several panels per group, K over two K blocks, K = 0 (y = bias)
            for (int[] s : new int[][] {{1, p, 7, 3}, {19, 2 * p, 33, 3}, {197, p, 40, 2}, {5, p, Matmul.KC + 3, 3},
                    {3, p, 0, 2}}) {
                int m = s[0], gn = s[1], k = s[2], groups = s[3], n = gn * groups;
                float[] xs = Rand.floats(60 + m, m * k, 2f), ws = Rand.floats(61 + n, n * k, 1f);
                float[] bs = Rand.floats(62 + n, n, 1f);
                MemorySegment x = Mem.floats(arena, xs), b = Mem.floats(arena, bs);
                MemorySegment all = Mem.floats(arena, Matmul.packedF32Floats(n, k));
                Matmul.packF32(Mem.floats(arena, ws), all, n, k);
                for (MemorySegment bias : new MemorySegment[] {b, null}) {
                    String where = "M=" + m + " groups " + groups + " x " + gn + " K=" + k + (bias == null ? "" : " bias")
                            + " at " + Simd.describe();
                    MemorySegment[] ys = new MemorySegment[groups], halves = new MemorySegment[groups];
                    MemorySegment[] ref = new MemorySegment[groups];
                    for (int g = 0; g < groups; g++) {
                        ys[g] = nans(arena, (long) m * gn);
                        halves[g] = nans(arena, (long) m * gn);
                        ref[g] = Mem.floats(arena, (long) m * gn);
                    }
                    Matmul.matmulF32PackedGroups(x, all, bias, ys, gn, m, n, k, 0, m, 0, n);
                    int mh = m / 2, nh = n / 2 / p * p;
                    for (int[] t : new int[][] {{0, mh, 0, nh}, {0, mh, nh, n}, {mh, m, 0, nh}, {mh, m, nh, n}}) {
                        Matmul.matmulF32PackedGroups(x, all, bias, halves, gn, m, n, k, t[0], t[1], t[2], t[3]);
                    }
                    Matmul.matmulF32PackedGroupsScalar(x, all, bias, ref, gn, m, n, k, 0, m, 0, n);
                    for (int g = 0; g < groups; g++) {
                        MemorySegment wg = Mem.floats(arena, (long) gn * k), pg = Mem.floats(arena, (long) gn * k);
                        MemorySegment.copy(ws, g * gn * k, wg, Mem.F32, 0, gn * k);
                        Matmul.packF32(wg, pg, gn, k);
                        MemorySegment bg = bias == null ? null : bias.asSlice(4L * g * gn, 4L * gn);
                        MemorySegment alone = nans(arena, (long) m * gn);
                        Matmul.matmulF32Packed(x, pg, bg, alone, m, gn, k, 0, m, 0, gn);
                        assertArrayEquals(Mem.toFloats(alone), Mem.toFloats(ys[g]), where + ": group " + g);
                        assertArrayEquals(Mem.toFloats(alone), Mem.toFloats(halves[g]), where + ": group " + g
                                + " in four tiles");
                        float[] wsg = java.util.Arrays.copyOfRange(ws, g * gn * k, (g + 1) * gn * k);
                        float[] bsg = bias == null ? new float[gn] : java.util.Arrays.copyOfRange(bs, g * gn, (g + 1) * gn);
                        Diff d = normalized(Mem.toFloats(ys[g]), Mem.toFloats(ref[g]), xs, wsg, bsg, m, gn, k);
                        assertTrue(d.maxAbs() <= ORDER_TOL, where + ": group " + g + " vs scalar: " + d);
                    }
                }
            }
            MemorySegment x = Mem.floats(arena, 4L * 8), w = Mem.floats(arena, Matmul.packedF32Floats(2 * p, 8));
            MemorySegment[] two = {Mem.floats(arena, 4L * p), Mem.floats(arena, 4L * p)};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Matmul.matmulF32PackedGroups(x, w, null, two, p / 2, 4, p, 8, 0, 4, 0, p));
            assertTrue(e.getMessage().contains("matmulF32PackedGroups") && e.getMessage().contains("multiple of PANEL"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Matmul.matmulF32PackedGroups(x, w, null, two, p, 4, 3 * p, 8, 0, 4, 0, 3 * p));
            assertTrue(e.getMessage().contains("do not make N"), e.getMessage());
            MemorySegment[] shortY = {Mem.floats(arena, 4L * p), Mem.floats(arena, 3L * p)};
            e = assertThrows(IllegalArgumentException.class,
                    () -> Matmul.matmulF32PackedGroups(x, w, null, shortY, p, 4, 2 * p, 8, 0, 4, 0, 2 * p));
            assertTrue(e.getMessage().contains("y1"), e.getMessage());
        }
    }

    /**
     * Fewer rows than a micro-tile (Matmul's few-row path): reading 4, 2 or 1 panels side by side gives the same bits
     * (same products, same order), for runs that end on a group, the range or the last, partial panel; K whole (one
     * row) or in KC blocks (2-3 rows); split in column halves; and agrees with the scalar reference.
     */
    @Test
    void fewRowsSameBitsForEveryStreamCount() {
        int p = Matmul.PANEL, saved = MatmulTiles.streams;
        try (Arena arena = Arena.ofConfined()) {
            // {M, N, K, groups}: 9 full panels + a partial one; 4 panels; 3 panels in 3 groups; K over two K blocks
            for (int[] s : new int[][] {{1, 9 * p + 5, 33, 1}, {2, 9 * p + 5, 17, 1}, {3, 4 * p, Matmul.KC + 3, 1},
                    {1, 4 * p, Matmul.KC + 3, 1}, {1, 6 * p, 7, 3}, {3, 6 * p, 1, 2}, {1, 7, 9, 1}}) {
                int m = s[0], n = s[1], k = s[2], groups = s[3], gn = n / groups;
                float[] xs = Rand.floats(70 + m, m * k, 2f), ws = Rand.floats(71 + n, n * k, 1f);
                float[] bs = Rand.floats(72 + n, n, 1f);
                MemorySegment x = Mem.floats(arena, xs), b = Mem.floats(arena, bs);
                MemorySegment packed = Mem.floats(arena, Matmul.packedF32Floats(n, k));
                Matmul.packF32(Mem.floats(arena, ws), packed, n, k);
                for (MemorySegment bias : new MemorySegment[] {b, null}) {
                    float[][] first = null;
                    for (int streams : new int[] {1, 2, 4}) {
                        MatmulTiles.streams = streams;
                        String where = "M=" + m + " N=" + n + " K=" + k + " groups " + groups
                                + (bias == null ? "" : " bias") + ", " + streams + " streams at " + Simd.describe();
                        MemorySegment[] ys = new MemorySegment[groups], halves = new MemorySegment[groups];
                        for (int g = 0; g < groups; g++) {
                            ys[g] = nans(arena, (long) m * gn);
                            halves[g] = nans(arena, (long) m * gn);
                        }
                        int nh = n / 2 / p * p;
                        if (groups == 1) {
                            Matmul.matmulF32Packed(x, packed, bias, ys[0], m, n, k, 0, m, 0, n);
                            Matmul.matmulF32Packed(x, packed, bias, halves[0], m, n, k, 0, m, 0, nh);
                            Matmul.matmulF32Packed(x, packed, bias, halves[0], m, n, k, 0, m, nh, n);
                        } else {
                            Matmul.matmulF32PackedGroups(x, packed, bias, ys, gn, m, n, k, 0, m, 0, n);
                            Matmul.matmulF32PackedGroups(x, packed, bias, halves, gn, m, n, k, 0, m, 0, nh);
                            Matmul.matmulF32PackedGroups(x, packed, bias, halves, gn, m, n, k, 0, m, nh, n);
                        }
                        float[][] got = new float[groups][];
                        for (int g = 0; g < groups; g++) {
                            got[g] = Mem.toFloats(ys[g]);
                            assertArrayEquals(got[g], Mem.toFloats(halves[g]), where + ": group " + g + " in halves");
                            if (first != null) {
                                assertArrayEquals(first[g], got[g], where + ": group " + g + " vs 1 stream");
                            }
                        }
                        if (first == null) first = got;
                    }
                    // the scalar reference, group by group
                    for (int g = 0; g < groups; g++) {
                        float[] wsg = java.util.Arrays.copyOfRange(ws, g * gn * k, (g + 1) * gn * k);
                        float[] bsg = bias == null ? new float[gn]
                                : java.util.Arrays.copyOfRange(bs, g * gn, (g + 1) * gn);
                        MemorySegment pg = Mem.floats(arena, Matmul.packedF32Floats(gn, k));
                        Matmul.packF32(Mem.floats(arena, wsg), pg, gn, k);
                        MemorySegment ref = Mem.floats(arena, (long) m * gn);
                        Matmul.matmulF32PackedScalar(x, pg, bias == null ? null : Mem.floats(arena, bsg), ref, m, gn,
                                k, 0, m, 0, gn);
                        Diff d = normalized(first[g], Mem.toFloats(ref), xs, wsg, bsg, m, gn, k);
                        assertTrue(d.maxAbs() <= ORDER_TOL, "M=" + m + " N=" + n + " K=" + k + " group " + g
                                + " vs scalar at " + Simd.describe() + ": " + d);
                    }
                }
            }
        } finally {
            MatmulTiles.streams = saved;
        }
    }

    @Test
    void f32MatchesScalar() {
        vectorMatchesScalar(MatmulTest::f32);
    }

    @Test
    void f32PackedMatchesScalar() {
        vectorMatchesScalar(MatmulTest::f32Packed);
    }

    @Test
    void f16MatchesScalar() {
        vectorMatchesScalar(MatmulTest::f16);
    }

    @Test
    void bf16MatchesScalar() {
        vectorMatchesScalar(MatmulTest::bf16);
    }

    @Test
    void q8RowMatchesScalar() {
        vectorMatchesScalar(MatmulTest::q8Row);
    }

    @Test
    void q8RowPackedMatchesScalar() {
        vectorMatchesScalar(MatmulTest::q8RowPacked);
    }

    @Test
    void q8BlockMatchesScalar() {
        vectorMatchesScalar(MatmulTest::q8Block);
    }

    @Test
    void packedEqualsUnpackedReference() {
        try (Arena arena = Arena.ofConfined()) {
            int m = 9, n = 2 * Matmul.PANEL + 5, k = 70;
            float[] xs = Rand.floats(1, m * k, 1f), ws = Rand.floats(2, n * k, 1f);
            MemorySegment x = Mem.floats(arena, xs), w = Mem.floats(arena, ws);
            MemorySegment p = Mem.floats(arena, Matmul.packedF32Floats(n, k));
            Matmul.packF32(w, p, n, k);
            MemorySegment y1 = Mem.floats(arena, (long) m * n), y2 = Mem.floats(arena, (long) m * n);
            Matmul.matmulF32Scalar(x, w, null, y1, m, n, k, 0, m, 0, n);
            Matmul.matmulF32PackedScalar(x, p, null, y2, m, n, k, 0, m, 0, n);
            assertArrayEquals(Mem.toFloats(y1), Mem.toFloats(y2), "same products in the same order");
        }
    }

    /**
     * y in the packed layout: the vector kernel equals the row-major packed GEMM element for element (same products,
     * same order), and the scalar reference does too; the padding columns of the last panel are zeros.
     */
    @Test
    void packedPanelsOutputMatchesRowMajor() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                MemorySegment x = Rand.segment(arena, 40 + m, m * k, 2f), w = Rand.segment(arena, 41 + n, n * k, 1f);
                MemorySegment p = Mem.floats(arena, Matmul.packedF32Floats(n, k));
                Matmul.packF32(w, p, n, k);
                MemorySegment rowMajor = Mem.floats(arena, (long) m * n);
                Matmul.matmulF32PackedVector(x, p, null, rowMajor, m, n, k, 0, m, 0, n);
                long panels = (n + Matmul.PANEL - 1) / Matmul.PANEL, size = panels * Matmul.PANEL * m;
                MemorySegment vec = Mem.floats(arena, size), ref = Mem.floats(arena, size);
                vec.fill((byte) 0x7f); // garbage: the kernel must overwrite every element
                Matmul.matmulF32PackedPanelsVector(x, p, vec, m, n, k);
                Matmul.matmulF32PackedPanelsScalar(x, p, ref, m, n, k);
                String where = "M=" + m + " N=" + n + " K=" + k + " at " + Simd.describe();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < panels * Matmul.PANEL; j++) {
                        long o = (long) (j / Matmul.PANEL) * m * Matmul.PANEL + (long) i * Matmul.PANEL
                                + j % Matmul.PANEL;
                        float want = j < n ? Mem.getF32(rowMajor, (long) i * n + j) : 0f;
                        assertEquals(want, Mem.getF32(vec, o), where + " vector y(" + i + ", " + j + ")");
                        double mag = 1e-30;
                        for (int q = 0; j < n && q < k; q++) {
                            mag += Math.abs(Mem.getF32(x, (long) i * k + q) * Mem.getF32(w, (long) j * k + q));
                        }
                        assertEquals(Mem.getF32(vec, o), Mem.getF32(ref, o), ORDER_TOL * mag,
                                where + " scalar y(" + i + ", " + j + ")");
                    }
                }
            }
            MemorySegment small = Mem.floats(arena, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    Matmul.matmulF32PackedPanels(small, Mem.floats(arena, 2L * Matmul.PANEL), small, 2, 1, 2));
            assertTrue(e.getMessage().contains("matmulF32PackedPanels") && e.getMessage().contains("panels"),
                    e.getMessage());
        }
    }

    /**
     * The GEMM's row packing: vector interleave = element loop, bit for bit, with column and row tails; with the 12x2
     * tile ({@link MatmulTiles#WIDE}) a 4-row lead tile and the 12-row tiles come first, then 4-row tiles, then rows
     * left unpacked.
     */
    @Test
    void packRowsVectorMatchesScalar() {
        try (Arena arena = Arena.ofConfined()) {
            int[][] cases = {{4, 1, 0, 1}, {7, 70, 3, 61}, {13, 257, 0, 257}, {12, 1100, 20, 1044}, {9, 16, 0, 16},
                    {30, 300, 5, 290}, {41, 33, 0, 33}, {25, 64, 0, 64}, {38, 100, 4, 36}};
            for (int[] c : cases) {
                int m = c[0], k = c[1], k0 = c[2], k1 = c[3];
                MemorySegment x = Rand.segment(arena, m + k, m * k, 1f);
                float[] vec = new float[m * (k1 - k0) + 64], ref = new float[vec.length];
                java.util.Arrays.fill(vec, Float.NaN);
                java.util.Arrays.fill(ref, Float.NaN);
                PackedRows.packRows(x, vec, k, 1, m, k0, k1);
                PackedRows.packRowsScalar(x, ref, k, 1, m, k0, k1);
                // the packed rows: a 4-row lead tile and 12-row tiles, then 4-row tiles (past them the vector path
                // may leave zeros)
                int wide = MatmulTiles.wideRows(m - 1), packed = wide + (m - 1 - wide) / 4 * 4;
                int len = packed * (k1 - k0);
                assertArrayEquals(java.util.Arrays.copyOf(ref, len), java.util.Arrays.copyOf(vec, len),
                        "packRows rows [1, " + m + ") cols [" + k0 + ", " + k1 + ") of K=" + k + " at "
                                + Simd.describe() + ", tile " + MatmulTiles.TILE);
                for (int i = 0; i < len; i++) {
                    assertTrue(!Float.isNaN(vec[i]), "packRows left slot " + i + " of " + len + " unwritten");
                }
            }
        }
    }

    /** INT8 x INT8: integer accumulation is exact, so vector and scalar agree bit for bit. */
    @Test
    void q8q8MatchesScalarExactly() {
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                MemorySegment x = Rand.segment(arena, 3, m * k, 2f), w = Rand.segment(arena, 4, n * k, 1f);
                MemorySegment b = Rand.segment(arena, 5, n, 1f);
                MemorySegment xq = arena.allocate(Math.max(1, (long) m * k)), xsc = Mem.floats(arena, m);
                MemorySegment wq = arena.allocate(Math.max(1, (long) n * k)), wsc = Mem.floats(arena, n);
                Quant.quantizeRowsQ8(x, xq, xsc, k, 0, m);
                Quant.quantizeRowsQ8(w, wq, wsc, k, 0, n);
                MemorySegment ref = Mem.floats(arena, (long) m * n), vec = Mem.floats(arena, (long) m * n);
                MatmulQ8.matmulQ8Q8Scalar(xq, xsc, wq, wsc, b, ref, m, n, k, 0, m, 0, n);
                MatmulQ8.matmulQ8Q8Vector(xq, xsc, wq, wsc, b, vec, m, n, k, 0, m, 0, n);
                Diff d = Diff.of(Mem.toFloats(vec), Mem.toFloats(ref));
                assertEquals(0.0, d.maxAbs(), "Q8Q8 M=" + m + " N=" + n + " K=" + k + " at " + Simd.describe()
                        + ": " + d);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(MatmulQ8.dotQ8Q8Scalar(xq, (long) i * k, wq, (long) j * k, k),
                                MatmulQ8.dotQ8Q8(xq, (long) i * k, wq, (long) j * k, k), "dotQ8Q8 " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void f16ConversionIsExactForEveryHalf() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(2L * 65536 + 64);
            for (int h = 0; h < 65536; h++) {
                all.set(Mem.I16, 2L * h, (short) h);
            }
            for (int h = 0; h + Simd.F.length() <= 65536; h += Simd.F.length()) {
                float[] got = MatmulHalf.f16ToF32(all, 2L * h).toArray();
                for (int l = 0; l < got.length; l++) {
                    float want = Float.float16ToFloat((short) (h + l));
                    assertEquals(Float.floatToRawIntBits(want) & (Float.isNaN(want) ? 0xff800000 : -1),
                            Float.floatToRawIntBits(got[l]) & (Float.isNaN(want) ? 0xff800000 : -1),
                            "half 0x" + Integer.toHexString(h + l) + " -> " + got[l] + ", expected " + want);
                }
            }
        }
    }

    @Test
    void rejectsMismatchedOperands() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = Mem.floats(arena, 2 * 8), w = Mem.floats(arena, 3 * 7), y = Mem.floats(arena, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Matmul.matmulF32(x, w, null, y, 2, 3, 8, 0, 2, 0, 3));
            assertTrue(e.getMessage().contains("matmulF32") && e.getMessage().contains("w[N=3, K=8]"), e.getMessage());
            MemorySegment p = Mem.floats(arena, 3L * Matmul.PANEL * 8);
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> Matmul.matmulF32Packed(Mem.floats(arena, 16), p, null, Mem.floats(arena, 6L * Matmul.PANEL),
                            2, 3 * Matmul.PANEL, 8, 0, 2, 1, 3 * Matmul.PANEL));
            assertTrue(e2.getMessage().contains("PANEL"), e2.getMessage());
        }
    }
}
