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
 * <p>Vector version: blocks of L x L floats (L = float lanes) are loaded as L row vectors, scaled, and transposed in
 * registers by log2(L) rounds of two-vector selects; round k pairs the vectors 2^k apart and interleaves groups of 2^k
 * lanes from their first halves (LO) or second halves (HI). Each resulting vector is one whole destination row
 * segment, written with one full-width store: no masked or part stores, no reinterpreting shape changes (both made
 * later-compiled GEMMs slow or erratic in an earlier version; see README, JIT-order hazards). Rows and columns left
 * over run the element loop. The blocks are written out per lane count (16, 8, 4) so that the L vectors stay in
 * registers; generated, not hand-edited: keep the three in step.
 */
public final class Transpose {
    private Transpose() {}

    private static final int L = F.length();
    private static final int ROUNDS = Integer.numberOfTrailingZeros(L);
    /** LO[k] / HI[k]: select indexes of round k (groups of 2^k lanes from the first / second halves of a and b). */
    private static final FloatVector[] LO = new FloatVector[ROUNDS], HI = new FloatVector[ROUNDS];
    /** COLUMN[p]: the block column whose values the p-th vector holds after the rounds. */
    private static final int[] COLUMN = new int[L];
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
            LO[k] = FloatVector.fromArray(F, lo, 0);
            HI[k] = FloatVector.fromArray(F, hi, 0);
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
                next[i] = LO[k].selectFrom(a, b).toArray();
                next[i + d] = HI[k].selectFrom(a, b).toArray();
            }
            v = next;
        }
        for (int p = 0; p < L; p++) COLUMN[p] = (int) v[p][0];
    }

    public static void transpose(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                 long dstStride, int rows, int cols, MemorySegment colScale) {
        String op = "transpose";
        Checks.dims(op, "rows, cols", true, rows, cols);
        Checks.require(srcOff >= 0 && dstOff >= 0 && srcStride >= cols && dstStride >= rows, op,
                "offsets must be >= 0 and strides cover a row: srcOff " + srcOff + ", srcStride " + srcStride
                        + " for " + cols + " columns, dstOff " + dstOff + ", dstStride " + dstStride + " for " + rows
                        + " rows");
        if (rows == 0 || cols == 0) return;
        Checks.fits(op, "src [" + rows + " x " + cols + ", stride " + srcStride + " from " + srcOff + "]", src,
                srcOff + (rows - 1) * srcStride + cols, 4);
        Checks.fits(op, "dst [" + cols + " x " + rows + ", stride " + dstStride + " from " + dstOff + "]", dst,
                dstOff + (cols - 1) * dstStride + rows, 4);
        if (colScale != null) {
            Checks.fits(op, "colScale [" + cols + "]", colScale, cols, 4);
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
        int rb = rows / L * L, cb = cols / L * L;
        for (int c = 0; c < cb; c += L) {
            FloatVector s = colScale == null ? ONE : FloatVector.fromMemorySegment(F, colScale, c * 4L, ORDER);
            for (int r = 0; r < rb; r += L) {
                switch (L) {
                    case 16 -> block16(src, srcOff, srcStride, dst, dstOff, dstStride, r, c, s);
                    case 8 -> block8(src, srcOff, srcStride, dst, dstOff, dstStride, r, c, s);
                    default -> block4(src, srcOff, srcStride, dst, dstOff, dstStride, r, c, s);
                }
            }
        }
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, rb, rows, 0, cb, colScale);
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rows, cb, cols, colScale);
    }

    // the element loop over rows [r0, r1) x columns [c0, c1)
    private static void edge(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                             long dstStride, int r0, int r1, int c0, int c1, MemorySegment colScale) {
        for (int c = c0; c < c1; c++) {
            float s = colScale == null ? 1f : colScale.get(F32, c * 4L);
            for (int r = r0; r < r1; r++) {
                dst.set(F32, (dstOff + c * dstStride + r) * 4, src.get(F32, (srcOff + r * srcStride + c) * 4) * s);
            }
        }
    }

    // one 16x16 block (L = 16): rows r..r+15, columns c..c+15 of src
    private static void block16(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                               long dstStride, int r, int c, FloatVector s) {
        long o = (srcOff + r * srcStride + c) * 4, rs = srcStride * 4;
        FloatVector v0 = FloatVector.fromMemorySegment(F, src, o + 0 * rs, ORDER).mul(s);
        FloatVector v1 = FloatVector.fromMemorySegment(F, src, o + 1 * rs, ORDER).mul(s);
        FloatVector v2 = FloatVector.fromMemorySegment(F, src, o + 2 * rs, ORDER).mul(s);
        FloatVector v3 = FloatVector.fromMemorySegment(F, src, o + 3 * rs, ORDER).mul(s);
        FloatVector v4 = FloatVector.fromMemorySegment(F, src, o + 4 * rs, ORDER).mul(s);
        FloatVector v5 = FloatVector.fromMemorySegment(F, src, o + 5 * rs, ORDER).mul(s);
        FloatVector v6 = FloatVector.fromMemorySegment(F, src, o + 6 * rs, ORDER).mul(s);
        FloatVector v7 = FloatVector.fromMemorySegment(F, src, o + 7 * rs, ORDER).mul(s);
        FloatVector v8 = FloatVector.fromMemorySegment(F, src, o + 8 * rs, ORDER).mul(s);
        FloatVector v9 = FloatVector.fromMemorySegment(F, src, o + 9 * rs, ORDER).mul(s);
        FloatVector v10 = FloatVector.fromMemorySegment(F, src, o + 10 * rs, ORDER).mul(s);
        FloatVector v11 = FloatVector.fromMemorySegment(F, src, o + 11 * rs, ORDER).mul(s);
        FloatVector v12 = FloatVector.fromMemorySegment(F, src, o + 12 * rs, ORDER).mul(s);
        FloatVector v13 = FloatVector.fromMemorySegment(F, src, o + 13 * rs, ORDER).mul(s);
        FloatVector v14 = FloatVector.fromMemorySegment(F, src, o + 14 * rs, ORDER).mul(s);
        FloatVector v15 = FloatVector.fromMemorySegment(F, src, o + 15 * rs, ORDER).mul(s);
        FloatVector r0_0 = LO[0].selectFrom(v0, v1), r0_1 = HI[0].selectFrom(v0, v1);
        FloatVector r0_2 = LO[0].selectFrom(v2, v3), r0_3 = HI[0].selectFrom(v2, v3);
        FloatVector r0_4 = LO[0].selectFrom(v4, v5), r0_5 = HI[0].selectFrom(v4, v5);
        FloatVector r0_6 = LO[0].selectFrom(v6, v7), r0_7 = HI[0].selectFrom(v6, v7);
        FloatVector r0_8 = LO[0].selectFrom(v8, v9), r0_9 = HI[0].selectFrom(v8, v9);
        FloatVector r0_10 = LO[0].selectFrom(v10, v11), r0_11 = HI[0].selectFrom(v10, v11);
        FloatVector r0_12 = LO[0].selectFrom(v12, v13), r0_13 = HI[0].selectFrom(v12, v13);
        FloatVector r0_14 = LO[0].selectFrom(v14, v15), r0_15 = HI[0].selectFrom(v14, v15);
        FloatVector r1_0 = LO[1].selectFrom(r0_0, r0_2), r1_2 = HI[1].selectFrom(r0_0, r0_2);
        FloatVector r1_1 = LO[1].selectFrom(r0_1, r0_3), r1_3 = HI[1].selectFrom(r0_1, r0_3);
        FloatVector r1_4 = LO[1].selectFrom(r0_4, r0_6), r1_6 = HI[1].selectFrom(r0_4, r0_6);
        FloatVector r1_5 = LO[1].selectFrom(r0_5, r0_7), r1_7 = HI[1].selectFrom(r0_5, r0_7);
        FloatVector r1_8 = LO[1].selectFrom(r0_8, r0_10), r1_10 = HI[1].selectFrom(r0_8, r0_10);
        FloatVector r1_9 = LO[1].selectFrom(r0_9, r0_11), r1_11 = HI[1].selectFrom(r0_9, r0_11);
        FloatVector r1_12 = LO[1].selectFrom(r0_12, r0_14), r1_14 = HI[1].selectFrom(r0_12, r0_14);
        FloatVector r1_13 = LO[1].selectFrom(r0_13, r0_15), r1_15 = HI[1].selectFrom(r0_13, r0_15);
        FloatVector r2_0 = LO[2].selectFrom(r1_0, r1_4), r2_4 = HI[2].selectFrom(r1_0, r1_4);
        FloatVector r2_1 = LO[2].selectFrom(r1_1, r1_5), r2_5 = HI[2].selectFrom(r1_1, r1_5);
        FloatVector r2_2 = LO[2].selectFrom(r1_2, r1_6), r2_6 = HI[2].selectFrom(r1_2, r1_6);
        FloatVector r2_3 = LO[2].selectFrom(r1_3, r1_7), r2_7 = HI[2].selectFrom(r1_3, r1_7);
        FloatVector r2_8 = LO[2].selectFrom(r1_8, r1_12), r2_12 = HI[2].selectFrom(r1_8, r1_12);
        FloatVector r2_9 = LO[2].selectFrom(r1_9, r1_13), r2_13 = HI[2].selectFrom(r1_9, r1_13);
        FloatVector r2_10 = LO[2].selectFrom(r1_10, r1_14), r2_14 = HI[2].selectFrom(r1_10, r1_14);
        FloatVector r2_11 = LO[2].selectFrom(r1_11, r1_15), r2_15 = HI[2].selectFrom(r1_11, r1_15);
        FloatVector r3_0 = LO[3].selectFrom(r2_0, r2_8), r3_8 = HI[3].selectFrom(r2_0, r2_8);
        FloatVector r3_1 = LO[3].selectFrom(r2_1, r2_9), r3_9 = HI[3].selectFrom(r2_1, r2_9);
        FloatVector r3_2 = LO[3].selectFrom(r2_2, r2_10), r3_10 = HI[3].selectFrom(r2_2, r2_10);
        FloatVector r3_3 = LO[3].selectFrom(r2_3, r2_11), r3_11 = HI[3].selectFrom(r2_3, r2_11);
        FloatVector r3_4 = LO[3].selectFrom(r2_4, r2_12), r3_12 = HI[3].selectFrom(r2_4, r2_12);
        FloatVector r3_5 = LO[3].selectFrom(r2_5, r2_13), r3_13 = HI[3].selectFrom(r2_5, r2_13);
        FloatVector r3_6 = LO[3].selectFrom(r2_6, r2_14), r3_14 = HI[3].selectFrom(r2_6, r2_14);
        FloatVector r3_7 = LO[3].selectFrom(r2_7, r2_15), r3_15 = HI[3].selectFrom(r2_7, r2_15);
        long w = (dstOff + (long) c * dstStride + r) * 4, ws = dstStride * 4;
        r3_0.intoMemorySegment(dst, w + COLUMN[0] * ws, ORDER);
        r3_1.intoMemorySegment(dst, w + COLUMN[1] * ws, ORDER);
        r3_2.intoMemorySegment(dst, w + COLUMN[2] * ws, ORDER);
        r3_3.intoMemorySegment(dst, w + COLUMN[3] * ws, ORDER);
        r3_4.intoMemorySegment(dst, w + COLUMN[4] * ws, ORDER);
        r3_5.intoMemorySegment(dst, w + COLUMN[5] * ws, ORDER);
        r3_6.intoMemorySegment(dst, w + COLUMN[6] * ws, ORDER);
        r3_7.intoMemorySegment(dst, w + COLUMN[7] * ws, ORDER);
        r3_8.intoMemorySegment(dst, w + COLUMN[8] * ws, ORDER);
        r3_9.intoMemorySegment(dst, w + COLUMN[9] * ws, ORDER);
        r3_10.intoMemorySegment(dst, w + COLUMN[10] * ws, ORDER);
        r3_11.intoMemorySegment(dst, w + COLUMN[11] * ws, ORDER);
        r3_12.intoMemorySegment(dst, w + COLUMN[12] * ws, ORDER);
        r3_13.intoMemorySegment(dst, w + COLUMN[13] * ws, ORDER);
        r3_14.intoMemorySegment(dst, w + COLUMN[14] * ws, ORDER);
        r3_15.intoMemorySegment(dst, w + COLUMN[15] * ws, ORDER);
    }

    // one 8x8 block (L = 8): rows r..r+7, columns c..c+7 of src
    private static void block8(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                               long dstStride, int r, int c, FloatVector s) {
        long o = (srcOff + r * srcStride + c) * 4, rs = srcStride * 4;
        FloatVector v0 = FloatVector.fromMemorySegment(F, src, o + 0 * rs, ORDER).mul(s);
        FloatVector v1 = FloatVector.fromMemorySegment(F, src, o + 1 * rs, ORDER).mul(s);
        FloatVector v2 = FloatVector.fromMemorySegment(F, src, o + 2 * rs, ORDER).mul(s);
        FloatVector v3 = FloatVector.fromMemorySegment(F, src, o + 3 * rs, ORDER).mul(s);
        FloatVector v4 = FloatVector.fromMemorySegment(F, src, o + 4 * rs, ORDER).mul(s);
        FloatVector v5 = FloatVector.fromMemorySegment(F, src, o + 5 * rs, ORDER).mul(s);
        FloatVector v6 = FloatVector.fromMemorySegment(F, src, o + 6 * rs, ORDER).mul(s);
        FloatVector v7 = FloatVector.fromMemorySegment(F, src, o + 7 * rs, ORDER).mul(s);
        FloatVector r0_0 = LO[0].selectFrom(v0, v1), r0_1 = HI[0].selectFrom(v0, v1);
        FloatVector r0_2 = LO[0].selectFrom(v2, v3), r0_3 = HI[0].selectFrom(v2, v3);
        FloatVector r0_4 = LO[0].selectFrom(v4, v5), r0_5 = HI[0].selectFrom(v4, v5);
        FloatVector r0_6 = LO[0].selectFrom(v6, v7), r0_7 = HI[0].selectFrom(v6, v7);
        FloatVector r1_0 = LO[1].selectFrom(r0_0, r0_2), r1_2 = HI[1].selectFrom(r0_0, r0_2);
        FloatVector r1_1 = LO[1].selectFrom(r0_1, r0_3), r1_3 = HI[1].selectFrom(r0_1, r0_3);
        FloatVector r1_4 = LO[1].selectFrom(r0_4, r0_6), r1_6 = HI[1].selectFrom(r0_4, r0_6);
        FloatVector r1_5 = LO[1].selectFrom(r0_5, r0_7), r1_7 = HI[1].selectFrom(r0_5, r0_7);
        FloatVector r2_0 = LO[2].selectFrom(r1_0, r1_4), r2_4 = HI[2].selectFrom(r1_0, r1_4);
        FloatVector r2_1 = LO[2].selectFrom(r1_1, r1_5), r2_5 = HI[2].selectFrom(r1_1, r1_5);
        FloatVector r2_2 = LO[2].selectFrom(r1_2, r1_6), r2_6 = HI[2].selectFrom(r1_2, r1_6);
        FloatVector r2_3 = LO[2].selectFrom(r1_3, r1_7), r2_7 = HI[2].selectFrom(r1_3, r1_7);
        long w = (dstOff + (long) c * dstStride + r) * 4, ws = dstStride * 4;
        r2_0.intoMemorySegment(dst, w + COLUMN[0] * ws, ORDER);
        r2_1.intoMemorySegment(dst, w + COLUMN[1] * ws, ORDER);
        r2_2.intoMemorySegment(dst, w + COLUMN[2] * ws, ORDER);
        r2_3.intoMemorySegment(dst, w + COLUMN[3] * ws, ORDER);
        r2_4.intoMemorySegment(dst, w + COLUMN[4] * ws, ORDER);
        r2_5.intoMemorySegment(dst, w + COLUMN[5] * ws, ORDER);
        r2_6.intoMemorySegment(dst, w + COLUMN[6] * ws, ORDER);
        r2_7.intoMemorySegment(dst, w + COLUMN[7] * ws, ORDER);
    }

    // one 4x4 block (L = 4): rows r..r+3, columns c..c+3 of src
    private static void block4(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                               long dstStride, int r, int c, FloatVector s) {
        long o = (srcOff + r * srcStride + c) * 4, rs = srcStride * 4;
        FloatVector v0 = FloatVector.fromMemorySegment(F, src, o + 0 * rs, ORDER).mul(s);
        FloatVector v1 = FloatVector.fromMemorySegment(F, src, o + 1 * rs, ORDER).mul(s);
        FloatVector v2 = FloatVector.fromMemorySegment(F, src, o + 2 * rs, ORDER).mul(s);
        FloatVector v3 = FloatVector.fromMemorySegment(F, src, o + 3 * rs, ORDER).mul(s);
        FloatVector r0_0 = LO[0].selectFrom(v0, v1), r0_1 = HI[0].selectFrom(v0, v1);
        FloatVector r0_2 = LO[0].selectFrom(v2, v3), r0_3 = HI[0].selectFrom(v2, v3);
        FloatVector r1_0 = LO[1].selectFrom(r0_0, r0_2), r1_2 = HI[1].selectFrom(r0_0, r0_2);
        FloatVector r1_1 = LO[1].selectFrom(r0_1, r0_3), r1_3 = HI[1].selectFrom(r0_1, r0_3);
        long w = (dstOff + (long) c * dstStride + r) * 4, ws = dstStride * 4;
        r1_0.intoMemorySegment(dst, w + COLUMN[0] * ws, ORDER);
        r1_1.intoMemorySegment(dst, w + COLUMN[1] * ws, ORDER);
        r1_2.intoMemorySegment(dst, w + COLUMN[2] * ws, ORDER);
        r1_3.intoMemorySegment(dst, w + COLUMN[3] * ws, ORDER);
    }
}
