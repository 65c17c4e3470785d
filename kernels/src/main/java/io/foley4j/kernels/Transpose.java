package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F32 transpose between strided layouts, optionally scaling each source column:
 * {@code dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c] * colScale[c]} for {@code r < rows},
 * {@code c < cols} (offsets and strides in floats; {@code colScale} null means 1). Attention uses it to gather
 * v_h^T and to scatter (E v_h)^T / row sums back into the output rows.
 *
 * <p>Vector version: blocks of L x L floats (L = float lanes) are loaded as L row vectors, scaled, and transposed
 * in registers by log2(L) rounds of two-vector selects; round k pairs the vectors 2^k apart and interleaves groups
 * of 2^k lanes from their first halves (LO) or second halves (HI). Each resulting vector is one whole destination
 * row segment, written with one full-width store: no masked or part stores, no reinterpreting shape changes (both
 * made later-compiled GEMMs slow or erratic in an earlier version; see README, JIT-order hazards). Rows and columns
 * left over (when there are at least L) run as one more block overlapping the last whole one: its overlap rewrites
 * the same values. Only a matrix narrower than L in either direction runs the element loop. The blocks are written
 * out per lane count (16, 8, 4) so that the L vectors stay in registers: the three differ only in L and the number
 * of rounds; keep them in step (TransposeTest runs each at its width).
 */
public final class Transpose {
    private Transpose() {}

    private static final int L = F.length();
    private static final int ROUNDS = Integer.numberOfTrailingZeros(L);
    /**
     * LO_IX[k] / HI_IX[k]: select indexes of round k (groups of 2^k lanes from the first / second halves of a and b),
     * as floats: the blocks build their index vectors from these once per call, so that C2 knows their exact class
     * (read as FloatVector objects from an array, every select carried a class check).
     */
    static final float[][] LO_IX = new float[ROUNDS][], HI_IX = new float[ROUNDS][];
    /** COLUMN[p]: the block column whose values the p-th vector holds after the rounds. */
    static final int[] COLUMN = new int[L];
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    static {
        for (int k = 0; k < ROUNDS; k++) {
            int g = 1 << k;
            float[] lo = new float[L], hi = new float[L];
            for (int i = 0; i < L; i++) {
                int group = i / g, within = i % g;
                int from = (group % 2) * L + (group / 2) * g + within; // even groups from a, odd from b
                lo[i] = from;
                hi[i] = from + L / 2;
            }
            LO_IX[k] = lo;
            HI_IX[k] = hi;
        }
        // run the rounds on column numbers: lane 0 of the p-th result names its column
        float[][] v = new float[L][L];
        for (int r = 0; r < L; r++) {
            for (int c = 0; c < L; c++) v[r][c] = c;
        }
        for (int k = 0; k < ROUNDS; k++) {
            int d = 1 << k;
            float[][] next = new float[L][];
            for (int i = 0; i < L; i++) {
                if ((i & d) != 0) continue;
                FloatVector a = FloatVector.fromArray(F, v[i], 0), b = FloatVector.fromArray(F, v[i + d], 0);
                FloatVector lo = FloatVector.fromArray(F, LO_IX[k], 0), hi = FloatVector.fromArray(F, HI_IX[k], 0);
                next[i] = lo.selectFrom(a, b).toArray();
                next[i + d] = hi.selectFrom(a, b).toArray();
            }
            v = next;
        }
        for (int p = 0; p < L; p++) {
            COLUMN[p] = (int) v[p][0];
            if (COLUMN[p] != Integer.reverse(p) >>> (32 - ROUNDS)) { // the blocks store in this order
                throw new AssertionError("Transpose.COLUMN[" + p + "] = " + COLUMN[p] + ", not bitreverse(" + p + ")");
            }
        }
    }

    public static void transpose(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                 long dstStride, int rows, int cols, MemorySegment colScale) {
        String op = "transpose";
        Checks.dims(op, "rows, cols", true, rows, cols);
        Checks.require(srcOff >= 0 && dstOff >= 0 && srcStride >= cols && dstStride >= rows, op,
                () -> "offsets must be >= 0 and strides cover a row: srcOff " + srcOff + ", srcStride " + srcStride
                        + " for " + cols + " columns, dstOff " + dstOff + ", dstStride " + dstStride + " for " + rows
                        + " rows");
        if (rows == 0 || cols == 0) return;
        Checks.fits(op, () -> "src [" + rows + " x " + cols + ", stride " + srcStride + " from " + srcOff + "]", src,
                srcOff + (rows - 1) * srcStride + cols, 4);
        Checks.fits(op, () -> "dst [" + cols + " x " + rows + ", stride " + dstStride + " from " + dstOff + "]", dst,
                dstOff + (cols - 1) * dstStride + rows, 4);
        if (colScale != null) {
            Checks.fits(op, () -> "colScale [" + cols + "]", colScale, cols, 4);
        }
        if (Simd.SCALAR) transposeScalar(src, srcOff, srcStride, dst, dstOff, dstStride, rows, cols, colScale);
        else transposeVector(src, srcOff, srcStride, dst, dstOff, dstStride, rows, cols, colScale);
    }

    public static void transposeScalar(MemorySegment src, long srcOff, long srcStride, MemorySegment dst,
                                       long dstOff, long dstStride, int rows, int cols, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale);
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rows, 0, cols, colScale);
    }

    public static void transposeVector(MemorySegment src, long srcOff, long srcStride, MemorySegment dst,
                                       long dstOff, long dstStride, int rows, int cols, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale);
        if (rows < L || cols < L) {
            edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rows, 0, cols, colScale);
            return;
        }
        int rb = rows / L * L;
        for (int c = 0; c < cols; c += L) {
            int cc = Math.min(c, cols - L);
            blocks(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rb, cc, colScale);
            if (rb < rows) {
                blocks(src, srcOff, srcStride, dst, dstOff, dstStride, rows - L, rows, cc, colScale);
            }
        }
    }

    private static void blocks(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                               long dstStride, int r0, int r1, int c, MemorySegment colScale) {
        switch (L) {
            case 16 -> blocks16(src, srcOff, srcStride, dst, dstOff, dstStride, r0, r1, c, colScale);
            case 8 -> blocks8(src, srcOff, srcStride, dst, dstOff, dstStride, r0, r1, c, colScale);
            default -> blocks4(src, srcOff, srcStride, dst, dstOff, dstStride, r0, r1, c, colScale);
        }
    }

    // the element loop over rows [r0, r1) x columns [c0, c1)
    private static void edge(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                             long dstStride, int r0, int r1, int c0, int c1, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale);
        for (int c = c0; c < c1; c++) {
            float s = colScale == null ? 1f : colScale.get(F32, c * 4L);
            for (int r = r0; r < r1; r++) {
                dst.set(F32, (dstOff + c * dstStride + r) * 4, src.get(F32, (srcOff + r * srcStride + c) * 4) * s);
            }
        }
    }

    // the L x L blocks at columns [c, c + L) and rows r0, r0 + L, ... < r1 (L = 16). Loads and stores walk one
    // pointer each (p += rs, q += ws) rather than L fixed offsets, which left too few registers; the p-th vector
    // after the rounds holds column COLUMN[p] = bitreverse(p), so the stores go in column order.
    private static void blocks16(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                long dstStride, int r0, int r1, int c, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale); // C2 compiles this on its own
        FloatVector s = colScale == null ? ONE : FloatVector.fromMemorySegment(F, colScale, c * 4L, ORDER);
        FloatVector lo0 = FloatVector.fromArray(F, LO_IX[0], 0), hi0 = FloatVector.fromArray(F, HI_IX[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, LO_IX[1], 0), hi1 = FloatVector.fromArray(F, HI_IX[1], 0);
        FloatVector lo2 = FloatVector.fromArray(F, LO_IX[2], 0), hi2 = FloatVector.fromArray(F, HI_IX[2], 0);
        FloatVector lo3 = FloatVector.fromArray(F, LO_IX[3], 0), hi3 = FloatVector.fromArray(F, HI_IX[3], 0);
        long rs = srcStride * 4, ws = dstStride * 4;
        for (int r = r0; r < r1; r += 16) {
            long p = (srcOff + r * srcStride + c) * 4, q = (dstOff + (long) c * dstStride + r) * 4;
            FloatVector v0 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v1 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v2 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v3 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v4 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v5 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v6 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v7 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v8 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v9 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v10 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v11 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v12 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v13 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v14 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v15 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s);
            FloatVector r0_0 = lo0.selectFrom(v0, v1), r0_1 = hi0.selectFrom(v0, v1);
            FloatVector r0_2 = lo0.selectFrom(v2, v3), r0_3 = hi0.selectFrom(v2, v3);
            FloatVector r0_4 = lo0.selectFrom(v4, v5), r0_5 = hi0.selectFrom(v4, v5);
            FloatVector r0_6 = lo0.selectFrom(v6, v7), r0_7 = hi0.selectFrom(v6, v7);
            FloatVector r0_8 = lo0.selectFrom(v8, v9), r0_9 = hi0.selectFrom(v8, v9);
            FloatVector r0_10 = lo0.selectFrom(v10, v11), r0_11 = hi0.selectFrom(v10, v11);
            FloatVector r0_12 = lo0.selectFrom(v12, v13), r0_13 = hi0.selectFrom(v12, v13);
            FloatVector r0_14 = lo0.selectFrom(v14, v15), r0_15 = hi0.selectFrom(v14, v15);
            FloatVector r1_0 = lo1.selectFrom(r0_0, r0_2), r1_2 = hi1.selectFrom(r0_0, r0_2);
            FloatVector r1_1 = lo1.selectFrom(r0_1, r0_3), r1_3 = hi1.selectFrom(r0_1, r0_3);
            FloatVector r1_4 = lo1.selectFrom(r0_4, r0_6), r1_6 = hi1.selectFrom(r0_4, r0_6);
            FloatVector r1_5 = lo1.selectFrom(r0_5, r0_7), r1_7 = hi1.selectFrom(r0_5, r0_7);
            FloatVector r1_8 = lo1.selectFrom(r0_8, r0_10), r1_10 = hi1.selectFrom(r0_8, r0_10);
            FloatVector r1_9 = lo1.selectFrom(r0_9, r0_11), r1_11 = hi1.selectFrom(r0_9, r0_11);
            FloatVector r1_12 = lo1.selectFrom(r0_12, r0_14), r1_14 = hi1.selectFrom(r0_12, r0_14);
            FloatVector r1_13 = lo1.selectFrom(r0_13, r0_15), r1_15 = hi1.selectFrom(r0_13, r0_15);
            FloatVector r2_0 = lo2.selectFrom(r1_0, r1_4), r2_4 = hi2.selectFrom(r1_0, r1_4);
            FloatVector r2_1 = lo2.selectFrom(r1_1, r1_5), r2_5 = hi2.selectFrom(r1_1, r1_5);
            FloatVector r2_2 = lo2.selectFrom(r1_2, r1_6), r2_6 = hi2.selectFrom(r1_2, r1_6);
            FloatVector r2_3 = lo2.selectFrom(r1_3, r1_7), r2_7 = hi2.selectFrom(r1_3, r1_7);
            FloatVector r2_8 = lo2.selectFrom(r1_8, r1_12), r2_12 = hi2.selectFrom(r1_8, r1_12);
            FloatVector r2_9 = lo2.selectFrom(r1_9, r1_13), r2_13 = hi2.selectFrom(r1_9, r1_13);
            FloatVector r2_10 = lo2.selectFrom(r1_10, r1_14), r2_14 = hi2.selectFrom(r1_10, r1_14);
            FloatVector r2_11 = lo2.selectFrom(r1_11, r1_15), r2_15 = hi2.selectFrom(r1_11, r1_15);
            FloatVector r3_0 = lo3.selectFrom(r2_0, r2_8), r3_8 = hi3.selectFrom(r2_0, r2_8);
            FloatVector r3_1 = lo3.selectFrom(r2_1, r2_9), r3_9 = hi3.selectFrom(r2_1, r2_9);
            FloatVector r3_2 = lo3.selectFrom(r2_2, r2_10), r3_10 = hi3.selectFrom(r2_2, r2_10);
            FloatVector r3_3 = lo3.selectFrom(r2_3, r2_11), r3_11 = hi3.selectFrom(r2_3, r2_11);
            FloatVector r3_4 = lo3.selectFrom(r2_4, r2_12), r3_12 = hi3.selectFrom(r2_4, r2_12);
            FloatVector r3_5 = lo3.selectFrom(r2_5, r2_13), r3_13 = hi3.selectFrom(r2_5, r2_13);
            FloatVector r3_6 = lo3.selectFrom(r2_6, r2_14), r3_14 = hi3.selectFrom(r2_6, r2_14);
            FloatVector r3_7 = lo3.selectFrom(r2_7, r2_15), r3_15 = hi3.selectFrom(r2_7, r2_15);
            r3_0.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_8.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_4.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_12.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_2.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_10.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_6.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_14.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_1.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_9.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_5.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_13.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_3.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_11.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_7.intoMemorySegment(dst, q, ORDER); q += ws;
            r3_15.intoMemorySegment(dst, q, ORDER);
        }
    }

    // the L x L blocks at columns [c, c + L) and rows r0, r0 + L, ... < r1 (L = 8). Loads and stores walk one
    // pointer each (p += rs, q += ws) rather than L fixed offsets, which left too few registers; the p-th vector
    // after the rounds holds column COLUMN[p] = bitreverse(p), so the stores go in column order.
    private static void blocks8(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                long dstStride, int r0, int r1, int c, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale); // C2 compiles this on its own
        FloatVector s = colScale == null ? ONE : FloatVector.fromMemorySegment(F, colScale, c * 4L, ORDER);
        FloatVector lo0 = FloatVector.fromArray(F, LO_IX[0], 0), hi0 = FloatVector.fromArray(F, HI_IX[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, LO_IX[1], 0), hi1 = FloatVector.fromArray(F, HI_IX[1], 0);
        FloatVector lo2 = FloatVector.fromArray(F, LO_IX[2], 0), hi2 = FloatVector.fromArray(F, HI_IX[2], 0);
        long rs = srcStride * 4, ws = dstStride * 4;
        for (int r = r0; r < r1; r += 8) {
            long p = (srcOff + r * srcStride + c) * 4, q = (dstOff + (long) c * dstStride + r) * 4;
            FloatVector v0 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v1 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v2 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v3 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v4 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v5 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v6 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v7 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s);
            FloatVector r0_0 = lo0.selectFrom(v0, v1), r0_1 = hi0.selectFrom(v0, v1);
            FloatVector r0_2 = lo0.selectFrom(v2, v3), r0_3 = hi0.selectFrom(v2, v3);
            FloatVector r0_4 = lo0.selectFrom(v4, v5), r0_5 = hi0.selectFrom(v4, v5);
            FloatVector r0_6 = lo0.selectFrom(v6, v7), r0_7 = hi0.selectFrom(v6, v7);
            FloatVector r1_0 = lo1.selectFrom(r0_0, r0_2), r1_2 = hi1.selectFrom(r0_0, r0_2);
            FloatVector r1_1 = lo1.selectFrom(r0_1, r0_3), r1_3 = hi1.selectFrom(r0_1, r0_3);
            FloatVector r1_4 = lo1.selectFrom(r0_4, r0_6), r1_6 = hi1.selectFrom(r0_4, r0_6);
            FloatVector r1_5 = lo1.selectFrom(r0_5, r0_7), r1_7 = hi1.selectFrom(r0_5, r0_7);
            FloatVector r2_0 = lo2.selectFrom(r1_0, r1_4), r2_4 = hi2.selectFrom(r1_0, r1_4);
            FloatVector r2_1 = lo2.selectFrom(r1_1, r1_5), r2_5 = hi2.selectFrom(r1_1, r1_5);
            FloatVector r2_2 = lo2.selectFrom(r1_2, r1_6), r2_6 = hi2.selectFrom(r1_2, r1_6);
            FloatVector r2_3 = lo2.selectFrom(r1_3, r1_7), r2_7 = hi2.selectFrom(r1_3, r1_7);
            r2_0.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_4.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_2.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_6.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_1.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_5.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_3.intoMemorySegment(dst, q, ORDER); q += ws;
            r2_7.intoMemorySegment(dst, q, ORDER);
        }
    }

    // the L x L blocks at columns [c, c + L) and rows r0, r0 + L, ... < r1 (L = 4). Loads and stores walk one
    // pointer each (p += rs, q += ws) rather than L fixed offsets, which left too few registers; the p-th vector
    // after the rounds holds column COLUMN[p] = bitreverse(p), so the stores go in column order.
    private static void blocks4(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                long dstStride, int r0, int r1, int c, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale); // C2 compiles this on its own
        FloatVector s = colScale == null ? ONE : FloatVector.fromMemorySegment(F, colScale, c * 4L, ORDER);
        FloatVector lo0 = FloatVector.fromArray(F, LO_IX[0], 0), hi0 = FloatVector.fromArray(F, HI_IX[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, LO_IX[1], 0), hi1 = FloatVector.fromArray(F, HI_IX[1], 0);
        long rs = srcStride * 4, ws = dstStride * 4;
        for (int r = r0; r < r1; r += 4) {
            long p = (srcOff + r * srcStride + c) * 4, q = (dstOff + (long) c * dstStride + r) * 4;
            FloatVector v0 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v1 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v2 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s); p += rs;
            FloatVector v3 = FloatVector.fromMemorySegment(F, src, p, ORDER).mul(s);
            FloatVector r0_0 = lo0.selectFrom(v0, v1), r0_1 = hi0.selectFrom(v0, v1);
            FloatVector r0_2 = lo0.selectFrom(v2, v3), r0_3 = hi0.selectFrom(v2, v3);
            FloatVector r1_0 = lo1.selectFrom(r0_0, r0_2), r1_2 = hi1.selectFrom(r0_0, r0_2);
            FloatVector r1_1 = lo1.selectFrom(r0_1, r0_3), r1_3 = hi1.selectFrom(r0_1, r0_3);
            r1_0.intoMemorySegment(dst, q, ORDER); q += ws;
            r1_2.intoMemorySegment(dst, q, ORDER); q += ws;
            r1_1.intoMemorySegment(dst, q, ORDER); q += ws;
            r1_3.intoMemorySegment(dst, q, ORDER);
        }
    }
}
