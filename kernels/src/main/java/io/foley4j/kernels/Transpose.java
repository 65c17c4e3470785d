package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * F32 transpose between strided layouts, optionally scaling each source column:
 * {@code dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c] (* colScale[c])} for {@code r < rows},
 * {@code c < cols}; offsets and strides in floats, {@code colScale} null or {@code cols} floats. Attention gathers a
 * head's v^T and q panels with it and scatters (E v)^T * (1 / row sums) back into the output rows.
 *
 * <p>Vector version: blocks of 4 source rows x L columns (L = float lanes) are loaded as 4 vectors, scaled, and
 * interleaved by two rounds of two-vector selects (as {@link MatmulTiles#packRows} does), which leaves each column's
 * 4 values side by side; each such group of 4 goes to its destination row with a masked store. The rows and columns
 * left over run the element loop.
 */
public final class Transpose {
    private Transpose() {}

    private static final int L = F.length();
    private static final FloatVector PAIR_LO = indexes(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector PAIR_HI = indexes(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);
    private static final FloatVector QUAD_LO = indexes(i -> i % 4 < 2 ? i / 4 * 2 + i % 4 : L + i / 4 * 2 + i % 4 - 2);
    private static final FloatVector QUAD_HI = indexes(
            i -> i % 4 < 2 ? L / 2 + i / 4 * 2 + i % 4 : L + L / 2 + i / 4 * 2 + i % 4 - 2);
    /** Gg: lanes [4g, 4g + 4), where the vector has them. */
    private static final VectorMask<Float> G0 = F.indexInRange(0, 4);
    private static final VectorMask<Float> G1 = F.indexInRange(-4, 4);
    private static final VectorMask<Float> G2 = F.indexInRange(-8, 4);
    private static final VectorMask<Float> G3 = F.indexInRange(-12, 4);

    private static FloatVector indexes(java.util.function.IntUnaryOperator f) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) a[i] = f.applyAsInt(i);
        return FloatVector.fromArray(F, a, 0);
    }

    public static void transpose(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                 long dstStride, int rows, int cols, MemorySegment colScale) {
        String op = "transpose";
        Checks.dims(op, "rows, cols", true, rows, cols);
        Checks.require(srcOff >= 0 && dstOff >= 0 && srcStride >= cols && dstStride >= rows, op,
                "offsets must be >= 0, srcStride >= cols and dstStride >= rows; got srcOff " + srcOff + ", srcStride "
                        + srcStride + ", dstOff " + dstOff + ", dstStride " + dstStride + " for " + rows + " x " + cols);
        if (rows == 0 || cols == 0) {
            return;
        }
        Checks.fits(op, "src", src, srcOff + (rows - 1) * srcStride + cols, 4);
        Checks.fits(op, "dst", dst, dstOff + (cols - 1) * dstStride + rows, 4);
        if (colScale != null) {
            Checks.fits(op, "colScale", colScale, cols, 4);
        }
        if (Simd.SCALAR) transposeScalar(src, srcOff, srcStride, dst, dstOff, dstStride, rows, cols, colScale);
        else transposeVector(src, srcOff, srcStride, dst, dstOff, dstStride, rows, cols, colScale);
    }

    public static void transposeScalar(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                       long dstStride, int rows, int cols, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale);
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rows, 0, cols, colScale);
    }

    private static void edge(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                             long dstStride, int r0, int r1, int c0, int c1, MemorySegment colScale) {
        for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
                float v = src.get(F32, (srcOff + r * srcStride + c) * 4);
                if (colScale != null) v *= colScale.get(F32, c * 4L);
                dst.set(F32, (dstOff + c * dstStride + r) * 4, v);
            }
        }
    }

    public static void transposeVector(MemorySegment src, long srcOff, long srcStride, MemorySegment dst, long dstOff,
                                       long dstStride, int rows, int cols, MemorySegment colScale) {
        src = Mem.plain(src); dst = Mem.plain(dst); colScale = Mem.plain(colScale);
        int rb = rows / 4 * 4, cb = cols / L * L;
        for (int r = 0; r < rb; r += 4) {
            long s0 = (srcOff + r * srcStride) * 4, rs = srcStride * 4;
            for (int c = 0; c < cb; c += L) {
                long o = s0 + c * 4L;
                FloatVector a = FloatVector.fromMemorySegment(F, src, o, ORDER);
                FloatVector b = FloatVector.fromMemorySegment(F, src, o + rs, ORDER);
                FloatVector cc = FloatVector.fromMemorySegment(F, src, o + 2 * rs, ORDER);
                FloatVector d = FloatVector.fromMemorySegment(F, src, o + 3 * rs, ORDER);
                if (colScale != null) {
                    FloatVector s = FloatVector.fromMemorySegment(F, colScale, c * 4L, ORDER);
                    a = a.mul(s); b = b.mul(s); cc = cc.mul(s); d = d.mul(s);
                }
                FloatVector abLo = PAIR_LO.selectFrom(a, b), abHi = PAIR_HI.selectFrom(a, b);
                FloatVector cdLo = PAIR_LO.selectFrom(cc, d), cdHi = PAIR_HI.selectFrom(cc, d);
                store(QUAD_LO.selectFrom(abLo, cdLo), dst, dstOff, dstStride, r, c);
                store(QUAD_HI.selectFrom(abLo, cdLo), dst, dstOff, dstStride, r, c + L / 4);
                store(QUAD_LO.selectFrom(abHi, cdHi), dst, dstOff, dstStride, r, c + L / 2);
                store(QUAD_HI.selectFrom(abHi, cdHi), dst, dstOff, dstStride, r, c + 3 * L / 4);
            }
        }
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rb, cb, cols, colScale);
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, rb, rows, 0, cols, colScale);
    }

    // lane group g of v holds rows r..r+3 of column c + g: each group to its destination row, lane 4g landing at
    // dst[c + g][r] (a masked store writes and checks only the set lanes). L is 4, 8 or 16: the JIT folds the tests.
    private static void store(FloatVector v, MemorySegment dst, long dstOff, long dstStride, int r, int c) {
        long o = (dstOff + c * dstStride + r) * 4, step = dstStride * 4 - 16;
        v.intoMemorySegment(dst, o, ORDER, G0);
        if (L >= 8) {
            v.intoMemorySegment(dst, o + step, ORDER, G1);
        }
        if (L >= 16) {
            v.intoMemorySegment(dst, o + 2 * step, ORDER, G2);
            v.intoMemorySegment(dst, o + 3 * step, ORDER, G3);
        }
    }
}
