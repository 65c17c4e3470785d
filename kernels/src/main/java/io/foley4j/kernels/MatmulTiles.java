package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Register-blocked micro-kernels of {@link Matmul#matmulF32PackedVector}: each adds {@code x[i.., k0..k1) ·
 * panel[k0..k1)} into a tile of y that starts at column {@code j} (a panel start); y holds the bias (see
 * {@link Matmul#initTile}) or the partial sums of earlier K blocks.
 * {@code pw} is the byte offset of the panel in the packed weights. Offsets are affine in the loop index
 * so the JIT can hoist the segment bounds checks.
 */
final class MatmulTiles {
    private MatmulTiles() {}

    private static final int L = F.length();
    /** Bytes per float vector. */
    private static final long VB = L * 4L;
    private static final int PANEL = Matmul.PANEL;

    private static FloatVector init(MemorySegment y, long yo, int v) {
        y = Mem.plain(y);
        return FloatVector.fromMemorySegment(F, y, yo + v * VB, ORDER);
    }

    // 6 rows x PANEL (= 4 vectors) columns: 24 accumulators, 4 weight vectors and 1 broadcast per k
    static void tile6(MemorySegment x, MemorySegment packed, MemorySegment y,
                      int n, int k, int i, int j, long pw, int k0, int k1) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        long rs = (long) n * 4, xs = (long) k * 4;
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        long y1 = y0 + rs, y2 = y0 + 2 * rs, y3 = y0 + 3 * rs, y4 = y0 + 4 * rs, y5 = y0 + 5 * rs;
        FloatVector c00 = init(y, y0, 0), c01 = init(y, y0, 1);
        FloatVector c02 = init(y, y0, 2), c03 = init(y, y0, 3);
        FloatVector c10 = init(y, y1, 0), c11 = init(y, y1, 1);
        FloatVector c12 = init(y, y1, 2), c13 = init(y, y1, 3);
        FloatVector c20 = init(y, y2, 0), c21 = init(y, y2, 1);
        FloatVector c22 = init(y, y2, 2), c23 = init(y, y2, 3);
        FloatVector c30 = init(y, y3, 0), c31 = init(y, y3, 1);
        FloatVector c32 = init(y, y3, 2), c33 = init(y, y3, 3);
        FloatVector c40 = init(y, y4, 0), c41 = init(y, y4, 1);
        FloatVector c42 = init(y, y4, 2), c43 = init(y, y4, 3);
        FloatVector c50 = init(y, y5, 0), c51 = init(y, y5, 1);
        FloatVector c52 = init(y, y5, 2), c53 = init(y, y5, 3);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4), xo = x0 + (long) p * 4;
            FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + 1 * VB, ORDER);
            FloatVector b2 = FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER);
            FloatVector b3 = FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER);
            FloatVector a = FloatVector.broadcast(F, x.get(F32, xo));
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01); c02 = a.fma(b2, c02); c03 = a.fma(b3, c03);
            a = FloatVector.broadcast(F, x.get(F32, xo + 1 * xs));
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11); c12 = a.fma(b2, c12); c13 = a.fma(b3, c13);
            a = FloatVector.broadcast(F, x.get(F32, xo + 2 * xs));
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21); c22 = a.fma(b2, c22); c23 = a.fma(b3, c23);
            a = FloatVector.broadcast(F, x.get(F32, xo + 3 * xs));
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31); c32 = a.fma(b2, c32); c33 = a.fma(b3, c33);
            a = FloatVector.broadcast(F, x.get(F32, xo + 4 * xs));
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41); c42 = a.fma(b2, c42); c43 = a.fma(b3, c43);
            a = FloatVector.broadcast(F, x.get(F32, xo + 5 * xs));
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51); c52 = a.fma(b2, c52); c53 = a.fma(b3, c53);
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
        c40.intoMemorySegment(y, y4, ORDER);
        c41.intoMemorySegment(y, y4 + 1 * VB, ORDER);
        c42.intoMemorySegment(y, y4 + 2 * VB, ORDER);
        c43.intoMemorySegment(y, y4 + 3 * VB, ORDER);
        c50.intoMemorySegment(y, y5, ORDER);
        c51.intoMemorySegment(y, y5 + 1 * VB, ORDER);
        c52.intoMemorySegment(y, y5 + 2 * VB, ORDER);
        c53.intoMemorySegment(y, y5 + 3 * VB, ORDER);
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
