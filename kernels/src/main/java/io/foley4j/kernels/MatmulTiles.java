package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Register-blocked micro-kernels of {@link Matmul#matmulF32PackedVector} and {@link MatmulPanels}: each adds
 * {@code x[i.., k0..k1) · panel[k0..k1)} into a tile of y that starts at column {@code j} (a panel start); y holds
 * the bias (see {@link Matmul#initTile}) or the partial sums of earlier K blocks. Every output element sums its
 * products in k order, one fma each, whichever kernel and block computes it, so results do not depend on the
 * tiling, the thread split or the JIT tier.
 * {@code pw} is the byte offset of the panel in the packed weights. Offsets are affine in the loop index
 * so the JIT can hoist the segment bounds checks.
 */
final class MatmulTiles {
    private MatmulTiles() {}

    private static final int L = F.length();
    /** Bytes per float vector. */
    private static final long VB = L * 4L;
    private static final int PANEL = Matmul.PANEL;

    private static final int MR = Matmul.MR;

    /**
     * Per-thread scratch for {@link #packRows}: up to MC x KC floats, grown to the largest block a thread has packed
     * (a call with few rows does not pay for the largest). A heap array, unlike the operands: it is never a
     * {@code MemorySegment}, so it leaves the JDK's segment access profiles alone (see {@link Mem#plain}).
     */
    private static final ThreadLocal<float[]> ROWS_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's scratch for blocks of {@code rows} x {@code cols} floats of x. */
    static float[] rowsScratch(int rows, int cols) {
        float[] a = ROWS_SCRATCH.get();
        long need = (long) Math.min(rows, Matmul.MC) * Math.min(cols, Matmul.KC);
        if (a.length < need) {
            a = new float[(int) need];
            ROWS_SCRATCH.set(a);
        }
        return a;
    }

    /**
     * y[i0:i1, j:j+width] += x[i0:i1, k0:k1] · panel[k0:k1): the full micro-tiles of rows read {@code rows} (packed
     * by {@link #packRows} from row i0 and column k0), the remaining rows read x. {@code pw} is the byte offset of the
     * panel (at k = 0) in {@code packed}.
     */
    static void panel(MemorySegment x, float[] rows, MemorySegment packed, MemorySegment y,
                      int n, int k, int i0, int i1, int j, int width, long pw, int k0, int k1) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        if (width == PANEL) {
            int kc = k1 - k0, even = kc & ~1, i = i0;
            long pk = pw + (long) k0 * PANEL * 4;
            for (int a0 = 0; i + MR <= i1; i += MR, a0 += MR * kc) {
                tile(rows, a0, packed, pk, y, n, i, j, kc);
                for (int r = 0; r < MR && even < kc; r++) { // an odd last k
                    tile1(x, packed, y, n, k, i + r, j, pw, k1 - 1, k1);
                }
            }
            for (; i < i1; i++) {
                tile1(x, packed, y, n, k, i, j, pw, k0, k1);
            }
        } else {
            for (int i = i0; i < i1; i++) {
                tile1Masked(x, packed, y, n, k, i, j, pw, width, k0, k1);
            }
        }
    }

    /**
     * Packs the full micro-tiles of rows {@code [i0, i1)} over columns {@code [k0, k1)} of x ({@code [M, K]}) into
     * {@code rows} as {@code [tiles][k1 - k0][MR]}: the MR values a micro-tile broadcasts per k lie side by side.
     * Vector version: per L columns, the MR = 4 rows are loaded as 4 vectors and interleaved by two rounds of
     * two-vector selects (8 per 4L floats): 0.11 vs 0.43 ns per float for the element loop
     * ({@link #packRowsScalar}); packed GEMM 128x384x384 183 -> 191 GFLOP/s (in a MiniLM forward the gain was within
     * run-to-run noise).
     */
    static void packRows(MemorySegment x, float[] rows, int k, int i0, int i1, int k0, int k1) {
        x = Mem.plain(x);
        int kc = k1 - k0;
        for (int t = 0; t < (i1 - i0) / MR; t++) {
            packTile(x, rows, k, i0 + t * MR, k0, kc, t * kc * MR);
        }
    }

    /** {@link #packRows}' reference: one element at a time. */
    static void packRowsScalar(MemorySegment x, float[] rows, int k, int i0, int i1, int k0, int k1) {
        x = Mem.plain(x);
        int kc = k1 - k0;
        for (int t = 0; t < (i1 - i0) / MR; t++) {
            int out = t * kc * MR;
            for (int r = 0; r < MR; r++) {
                long in = ((long) (i0 + t * MR + r) * k + k0) * 4;
                for (int p = 0; p < kc; p++) {
                    rows[out + p * MR + r] = x.get(F32, in + (long) p * 4);
                }
            }
        }
    }

    /** Select indexes: PAIR_LO/HI interleave the first/second halves of two vectors lane by lane (a0 b0 a1 b1 ..). */
    private static final FloatVector PAIR_LO = indexes(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector PAIR_HI = indexes(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);
    /** QUAD_LO/HI interleave two vectors two lanes at a time, from their first/second halves (ab0 cd0 ab1 cd1 ..). */
    private static final FloatVector QUAD_LO = indexes(i -> i % 4 < 2 ? i / 4 * 2 + i % 4 : L + i / 4 * 2 + i % 4 - 2);
    private static final FloatVector QUAD_HI = indexes(
            i -> i % 4 < 2 ? L / 2 + i / 4 * 2 + i % 4 : L + L / 2 + i / 4 * 2 + i % 4 - 2);

    private static FloatVector indexes(java.util.function.IntUnaryOperator f) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) a[i] = f.applyAsInt(i);
        return FloatVector.fromArray(F, a, 0);
    }

    // rows i..i+3, columns k0..k0+kc of x -> rows[out + p * 4 + r]; MR = 4 (the interleave is written for 4 rows)
    private static void packTile(MemorySegment x, float[] rows, int k, int i, int k0, int kc, int out) {
        long r0 = ((long) i * k + k0) * 4, rs = (long) k * 4;
        int p = 0;
        for (int bound = kc - L; p <= bound; p += L) {
            long o = r0 + (long) p * 4;
            FloatVector a = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(F, x, o + rs, ORDER);
            FloatVector c = FloatVector.fromMemorySegment(F, x, o + 2 * rs, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(F, x, o + 3 * rs, ORDER);
            FloatVector abLo = PAIR_LO.selectFrom(a, b), abHi = PAIR_HI.selectFrom(a, b);
            FloatVector cdLo = PAIR_LO.selectFrom(c, d), cdHi = PAIR_HI.selectFrom(c, d);
            int w = out + p * 4;
            QUAD_LO.selectFrom(abLo, cdLo).intoArray(rows, w);
            QUAD_HI.selectFrom(abLo, cdLo).intoArray(rows, w + L);
            QUAD_LO.selectFrom(abHi, cdHi).intoArray(rows, w + 2 * L);
            QUAD_HI.selectFrom(abHi, cdHi).intoArray(rows, w + 3 * L);
        }
        for (; p < kc; p++) {
            for (int r = 0; r < 4; r++) {
                rows[out + p * 4 + r] = x.get(F32, r0 + r * rs + (long) p * 4);
            }
        }
    }

    private static FloatVector init(MemorySegment y, long yo, int v) {
        y = Mem.plain(y);
        return FloatVector.fromMemorySegment(F, y, yo + v * VB, ORDER);
    }

    // MR rows x PANEL (= 4 vectors) columns over the first kc & ~1 steps of k, two per iteration: 16 accumulators;
    // per k, 4 weight vectors at packed[pw + p * PANEL * 4] and MR broadcasts from rows[a0 + p * MR + r] (see
    // packRows): side by side, so one index register serves them. The packed rows are a float[] because C2 hoists
    // the bounds checks of a[inv + p * MR + r] out of the loop, while those of segment reads at x0 + r * K * 4 + p * 4
    // stayed in it (one compare and branch per row per k).
    static void tile(float[] rows, int a0, MemorySegment packed, long pw, MemorySegment y,
                      int n, int i, int j, int kc) {
        packed = Mem.plain(packed); y = Mem.plain(y);
        long rs = (long) n * 4;
        long y0 = ((long) i * n + j) * 4;
        long y1 = y0 + 1 * rs, y2 = y0 + 2 * rs, y3 = y0 + 3 * rs;
        FloatVector c00 = init(y, y0, 0), c01 = init(y, y0, 1);
        FloatVector c02 = init(y, y0, 2), c03 = init(y, y0, 3);
        FloatVector c10 = init(y, y1, 0), c11 = init(y, y1, 1);
        FloatVector c12 = init(y, y1, 2), c13 = init(y, y1, 3);
        FloatVector c20 = init(y, y2, 0), c21 = init(y, y2, 1);
        FloatVector c22 = init(y, y2, 2), c23 = init(y, y2, 3);
        FloatVector c30 = init(y, y3, 0), c31 = init(y, y3, 1);
        FloatVector c32 = init(y, y3, 2), c33 = init(y, y3, 3);
        for (int p = 0, even = kc & ~1; p < even; p += 2) {
            long wo = pw + (long) p * (PANEL * 4);
            int ao = a0 + p * MR;
            {
                FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo, ORDER);
                FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + 1 * VB, ORDER);
                FloatVector b2 = FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER);
                FloatVector b3 = FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER);
                FloatVector a = FloatVector.broadcast(F, rows[ao]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01); c02 = a.fma(b2, c02); c03 = a.fma(b3, c03);
                a = FloatVector.broadcast(F, rows[ao + 1]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11); c12 = a.fma(b2, c12); c13 = a.fma(b3, c13);
                a = FloatVector.broadcast(F, rows[ao + 2]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21); c22 = a.fma(b2, c22); c23 = a.fma(b3, c23);
                a = FloatVector.broadcast(F, rows[ao + 3]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31); c32 = a.fma(b2, c32); c33 = a.fma(b3, c33);
            }
            {
                FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4, ORDER);
                FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 1 * VB, ORDER);
                FloatVector b2 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 2 * VB, ORDER);
                FloatVector b3 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 3 * VB, ORDER);
                FloatVector a = FloatVector.broadcast(F, rows[ao + 1 * MR]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01); c02 = a.fma(b2, c02); c03 = a.fma(b3, c03);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 1]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11); c12 = a.fma(b2, c12); c13 = a.fma(b3, c13);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 2]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21); c22 = a.fma(b2, c22); c23 = a.fma(b3, c23);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 3]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31); c32 = a.fma(b2, c32); c33 = a.fma(b3, c33);
            }
        }
        c00.intoMemorySegment(y, y0, ORDER);
        c01.intoMemorySegment(y, y0 + 1 * VB, ORDER);
        c02.intoMemorySegment(y, y0 + 2 * VB, ORDER);
        c03.intoMemorySegment(y, y0 + 3 * VB, ORDER);
        c10.intoMemorySegment(y, y1, ORDER);
        c11.intoMemorySegment(y, y1 + 1 * VB, ORDER);
        c12.intoMemorySegment(y, y1 + 2 * VB, ORDER);
        c13.intoMemorySegment(y, y1 + 3 * VB, ORDER);
        c20.intoMemorySegment(y, y2, ORDER);
        c21.intoMemorySegment(y, y2 + 1 * VB, ORDER);
        c22.intoMemorySegment(y, y2 + 2 * VB, ORDER);
        c23.intoMemorySegment(y, y2 + 3 * VB, ORDER);
        c30.intoMemorySegment(y, y3, ORDER);
        c31.intoMemorySegment(y, y3 + 1 * VB, ORDER);
        c32.intoMemorySegment(y, y3 + 2 * VB, ORDER);
        c33.intoMemorySegment(y, y3 + 3 * VB, ORDER);
    }

    // 1 row x PANEL columns (tail rows)
    static void tile1(MemorySegment x, MemorySegment packed, MemorySegment y,
                      int n, int k, int i, int j, long pw, int k0, int k1) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = init(y, y0, 0), c1 = init(y, y0, 1);
        FloatVector c2 = init(y, y0, 2), c3 = init(y, y0, 3);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4);
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
        }
        c0.intoMemorySegment(y, y0, ORDER);
        c1.intoMemorySegment(y, y0 + VB, ORDER);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER);
        c3.intoMemorySegment(y, y0 + 3 * VB, ORDER);
    }

    /** Lane masks of the {@code PANEL / L} vectors of a panel {@code width} columns wide. */
    static VectorMask<Float> mask(int width, int v) {
        return F.indexInRange(v * L, width);
    }

    // 1 row of the last, narrower panel (stored zero-padded [K][PANEL], width < PANEL): whole weight vectors, masked
    // load and store of y only
    static void tile1Masked(MemorySegment x, MemorySegment packed, MemorySegment y,
                            int n, int k, int i, int j, long pw, int width, int k0, int k1) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        VectorMask<Float> m0 = mask(width, 0), m1 = mask(width, 1), m2 = mask(width, 2), m3 = mask(width, 3);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = FloatVector.fromMemorySegment(F, y, y0, ORDER, m0);
        FloatVector c1 = FloatVector.fromMemorySegment(F, y, y0 + VB, ORDER, m1);
        FloatVector c2 = FloatVector.fromMemorySegment(F, y, y0 + 2 * VB, ORDER, m2);
        FloatVector c3 = FloatVector.fromMemorySegment(F, y, y0 + 3 * VB, ORDER, m3);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4);
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
        }
        c0.intoMemorySegment(y, y0, ORDER, m0);
        c1.intoMemorySegment(y, y0 + VB, ORDER, m1);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER, m2);
        c3.intoMemorySegment(y, y0 + 3 * VB, ORDER, m3);
    }
}
