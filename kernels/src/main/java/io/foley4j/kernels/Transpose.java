package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 transpose between strided layouts, optionally scaling each source column:
 * {@code dst[dstOff + c * dstStride + r] = src[srcOff + r * srcStride + c] (* colScale[c])} for {@code r < rows},
 * {@code c < cols}; offsets and strides in floats, {@code colScale} null or {@code cols} floats. Attention gathers a
 * head's v^T and q panels with it and scatters (E v)^T * (1 / row sums) back into the output rows.
 *
 * <p>Vector version: blocks of 4 source rows x L columns (L = float lanes) are loaded as 4 vectors, scaled, and
 * interleaved by two rounds of two-vector selects (as {@link MatmulTiles#packRows} does), which leaves each column's
 * 4 values side by side; each such 128-bit part goes to its destination row as one 4-float store. The rows and
 * columns left over run the element loop.
 */
public final class Transpose {
    private Transpose() {}

    private static final int L = F.length();
    private static final FloatVector PAIR_LO = indexes(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector PAIR_HI = indexes(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);
    private static final FloatVector QUAD_LO = indexes(i -> i % 4 < 2 ? i / 4 * 2 + i % 4 : L + i / 4 * 2 + i % 4 - 2);
    private static final FloatVector QUAD_HI = indexes(
            i -> i % 4 < 2 ? L / 2 + i / 4 * 2 + i % 4 : L + L / 2 + i / 4 * 2 + i % 4 - 2);
    /** Four floats: one column's group of 4 rows after the interleave. */
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;

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
                // vector m holds columns c + m L/4 + g in its 128-bit parts g: each part is stored to its column's
                // destination row (as a loop over g: written out with constant parts, or as a helper, it ran
                // 3-100x slower)
                FloatVector w0 = QUAD_LO.selectFrom(abLo, cdLo), w1 = QUAD_HI.selectFrom(abLo, cdLo);
                FloatVector w2 = QUAD_LO.selectFrom(abHi, cdHi), w3 = QUAD_HI.selectFrom(abHi, cdHi);
                long o0 = (dstOff + c * dstStride + r) * 4, col = dstStride * 4, q = (long) L / 4 * col;
                for (int g = 0; g < L / 4; g++) {
                    long og = o0 + g * col;
                    ((FloatVector) w0.reinterpretShape(S4, g)).intoMemorySegment(dst, og, ORDER);
                    ((FloatVector) w1.reinterpretShape(S4, g)).intoMemorySegment(dst, og + q, ORDER);
                    ((FloatVector) w2.reinterpretShape(S4, g)).intoMemorySegment(dst, og + 2 * q, ORDER);
                    ((FloatVector) w3.reinterpretShape(S4, g)).intoMemorySegment(dst, og + 3 * q, ORDER);
                }
            }
        }
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, 0, rb, cb, cols, colScale);
        edge(src, srcOff, srcStride, dst, dstOff, dstStride, rb, rows, 0, cols, colScale);
    }
}
