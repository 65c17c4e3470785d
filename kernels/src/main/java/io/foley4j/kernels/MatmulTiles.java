package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Register-blocked micro-kernels of {@link Matmul#matmulF32PackedVector}: each adds {@code x[i.., k0..k1) ·
 * panel[k0..k1)} into a tile of y that starts at column {@code j} (a panel start). The first K block
 * ({@code k0 == 0}) starts from the bias, later blocks from the partial sums already in y.
 * {@code pw} is the byte offset of the panel in the packed weights. Offsets are affine in the loop index
 * so the JIT can hoist the segment bounds checks.
 */
final class MatmulTiles {
    private MatmulTiles() {}

    private static final int L = F.length();
    /** Bytes per float vector. */
    private static final long VB = L * 4L;
    private static final int PANEL = Matmul.PANEL;

    private static FloatVector init(MemorySegment bias, MemorySegment y, long yo, int j, int v, int k0) {
        if (k0 > 0) {
            return FloatVector.fromMemorySegment(F, y, yo + v * VB, ORDER);
        }
        return bias == null ? FloatVector.zero(F)
                : FloatVector.fromMemorySegment(F, bias, (long) j * 4 + v * VB, ORDER);
    }

    // 6 rows x PANEL (= 4 vectors) columns: 24 accumulators, 4 weight vectors and 1 broadcast per k
    static void tile6(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                      int n, int k, int i, int j, long pw, int k0, int k1) {
        long rs = (long) n * 4, xs = (long) k * 4;
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        long y1 = y0 + rs, y2 = y0 + 2 * rs, y3 = y0 + 3 * rs, y4 = y0 + 4 * rs, y5 = y0 + 5 * rs;
        FloatVector c00 = init(bias, y, y0, j, 0, k0), c01 = init(bias, y, y0, j, 1, k0);
        FloatVector c02 = init(bias, y, y0, j, 2, k0), c03 = init(bias, y, y0, j, 3, k0);
        FloatVector c10 = init(bias, y, y1, j, 0, k0), c11 = init(bias, y, y1, j, 1, k0);
        FloatVector c12 = init(bias, y, y1, j, 2, k0), c13 = init(bias, y, y1, j, 3, k0);
        FloatVector c20 = init(bias, y, y2, j, 0, k0), c21 = init(bias, y, y2, j, 1, k0);
        FloatVector c22 = init(bias, y, y2, j, 2, k0), c23 = init(bias, y, y2, j, 3, k0);
        FloatVector c30 = init(bias, y, y3, j, 0, k0), c31 = init(bias, y, y3, j, 1, k0);
        FloatVector c32 = init(bias, y, y3, j, 2, k0), c33 = init(bias, y, y3, j, 3, k0);
        FloatVector c40 = init(bias, y, y4, j, 0, k0), c41 = init(bias, y, y4, j, 1, k0);
        FloatVector c42 = init(bias, y, y4, j, 2, k0), c43 = init(bias, y, y4, j, 3, k0);
        FloatVector c50 = init(bias, y, y5, j, 0, k0), c51 = init(bias, y, y5, j, 1, k0);
        FloatVector c52 = init(bias, y, y5, j, 2, k0), c53 = init(bias, y, y5, j, 3, k0);
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
    static void tile1(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                      int n, int k, int i, int j, long pw, int k0, int k1) {
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = init(bias, y, y0, j, 0, k0), c1 = init(bias, y, y0, j, 1, k0);
        FloatVector c2 = init(bias, y, y0, j, 2, k0), c3 = init(bias, y, y0, j, 3, k0);
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

    // 1 row of the last, narrower panel ([K][width], width < PANEL): masked loads and stores
    static void tile1Masked(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                            int n, int k, int i, int j, long pw, int width, int k0, int k1) {
        VectorMask<Float> m0 = mask(width, 0), m1 = mask(width, 1), m2 = mask(width, 2), m3 = mask(width, 3);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0, c1, c2, c3;
        if (k0 > 0) {
            c0 = FloatVector.fromMemorySegment(F, y, y0, ORDER, m0);
            c1 = FloatVector.fromMemorySegment(F, y, y0 + VB, ORDER, m1);
            c2 = FloatVector.fromMemorySegment(F, y, y0 + 2 * VB, ORDER, m2);
            c3 = FloatVector.fromMemorySegment(F, y, y0 + 3 * VB, ORDER, m3);
        } else if (bias != null) {
            long bo = (long) j * 4;
            c0 = FloatVector.fromMemorySegment(F, bias, bo, ORDER, m0);
            c1 = FloatVector.fromMemorySegment(F, bias, bo + VB, ORDER, m1);
            c2 = FloatVector.fromMemorySegment(F, bias, bo + 2 * VB, ORDER, m2);
            c3 = FloatVector.fromMemorySegment(F, bias, bo + 3 * VB, ORDER, m3);
        } else {
            c0 = c1 = c2 = c3 = FloatVector.zero(F);
        }
        long ws = width * 4L;
        for (int p = k0; p < k1; p++) {
            long wo = pw + p * ws;
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER, m0), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER, m1), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER, m2), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER, m3), c3);
        }
        c0.intoMemorySegment(y, y0, ORDER, m0);
        c1.intoMemorySegment(y, y0 + VB, ORDER, m1);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER, m2);
        c3.intoMemorySegment(y, y0 + 3 * VB, ORDER, m3);
    }
}
