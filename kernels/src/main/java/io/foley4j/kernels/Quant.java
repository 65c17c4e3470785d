package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.I16;
import static io.foley4j.kernels.Mem.I8;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.B_FOR_F;
import static io.foley4j.kernels.Simd.F;
import static io.foley4j.kernels.Simd.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Conversions between F32 and the weight formats of {@link Matmul}, {@link MatmulHalf} and {@link MatmulQ8}.
 *
 * <p>INT8 is symmetric: {@code scale = maxabs / 127}, {@code q = round(v / scale)} (half away from zero, computed
 * as {@code v * (1 / scale)}), an all-zero row or block gets scale 0 and q = 0, so
 * {@code |v - q * scale| <= scale / 2}. Rows are the last dimension ({@code cols} values each); ops take a row
 * range {@code [r0, r1)} so the engine can split them over threads.
 *
 * <p>{@link #quantizeRowsQ8} and {@link #dequantizeRowsQ8} run per token at inference (dynamic activation
 * quantization for {@link MatmulQ8#matmulQ8Q8}, and its F32 GEMM form on {@code xq * xScale}) and so have a scalar
 * reference and a Vector API version. The other conversions run
 * once at load time (or in tests) and are plain loops: the F16 ones use the JDK's F16 intrinsics.
 */
public final class Quant {
    private Quant() {}

    /** Largest INT8 magnitude used (symmetric range, -128 unused). */
    public static final int Q8_MAX = 127;

    /** The first F.length() lanes of a B_FOR_F vector. */
    private static final VectorMask<Byte> STORE_LANES = B_FOR_F.indexInRange(0, F.length());

    static float inverse(float scale) {
        return scale == 0 ? 0 : 1f / scale;
    }

    /** round half away from zero, the rounding both INT8 paths use */
    static byte roundQ8(float v, float inv) {
        float t = v * inv;
        return (byte) (int) (t + Math.copySign(0.5f, t));
    }

    // ---- F32 [rows, cols] -> INT8 [rows, cols] + one scale per row ----

    public static void quantizeRowsQ8(MemorySegment src, MemorySegment q, MemorySegment scales, int cols,
                                      int r0, int r1) {
        String op = "quantizeRowsQ8";
        Checks.dims(op, "cols, r0, r1", true, cols, r0, r1);
        Checks.require(r0 <= r1, op, () -> "row range [" + r0 + ", " + r1 + ") is reversed");
        Checks.fits(op, () -> "src[rows=" + r1 + ", cols=" + cols + "]", src, (long) r1 * cols, 4);
        Checks.fits(op, () -> "q[rows=" + r1 + ", cols=" + cols + "]", q, (long) r1 * cols, 1);
        Checks.fits(op, () -> "scales[rows=" + r1 + "]", scales, r1, 4);
        if (Simd.SCALAR) quantizeRowsQ8Scalar(src, q, scales, cols, r0, r1);
        else quantizeRowsQ8Vector(src, q, scales, cols, r0, r1);
    }

    public static void quantizeRowsQ8Scalar(MemorySegment src, MemorySegment q, MemorySegment scales, int cols,
                                            int r0, int r1) {
        src = Mem.plain(src); q = Mem.plain(q); scales = Mem.plain(scales);
        for (int r = r0; r < r1; r++) {
            long base = (long) r * cols;
            float max = 0;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Math.abs(src.get(F32, (base + c) * 4)));
            }
            float scale = max / Q8_MAX, inv = inverse(scale);
            scales.set(F32, (long) r * 4, scale);
            for (int c = 0; c < cols; c++) {
                q.set(I8, base + c, roundQ8(src.get(F32, (base + c) * 4), inv));
            }
        }
    }

    public static void quantizeRowsQ8Vector(MemorySegment src, MemorySegment q, MemorySegment scales, int cols,
                                            int r0, int r1) {
        src = Mem.plain(src); q = Mem.plain(q); scales = Mem.plain(scales);
        int upper = F.loopBound(cols);
        for (int r = r0; r < r1; r++) {
            long base = (long) r * cols;
            FloatVector vmax = FloatVector.zero(F);
            int c = 0;
            for (; c < upper; c += F.length()) {
                vmax = vmax.max(FloatVector.fromMemorySegment(F, src, (base + c) * 4, ORDER).abs());
            }
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (; c < cols; c++) {
                max = Math.max(max, Math.abs(src.get(F32, (base + c) * 4)));
            }
            float scale = max / Q8_MAX, inv = inverse(scale);
            scales.set(F32, (long) r * 4, scale);
            for (c = 0; c < upper; c += F.length()) {
                FloatVector t = FloatVector.fromMemorySegment(F, src, (base + c) * 4, ORDER).mul(inv);
                // t + copySign(0.5, t), truncated: round half away from zero, as roundQ8
                FloatVector half = t.reinterpretAsInts().and(0x80000000).or(Float.floatToRawIntBits(0.5f))
                        .reinterpretAsFloats();
                ByteVector b = (ByteVector) t.add(half).convertShape(VectorOperators.F2I, I, 0)
                        .convertShape(VectorOperators.I2B, B_FOR_F, 0);
                if (B_FOR_F.length() == F.length()) {
                    b.intoMemorySegment(q, base + c, ORDER);
                } else { // below 256 bits the byte species is wider than F.length() lanes
                    b.intoMemorySegment(q, base + c, ORDER, STORE_LANES);
                }
            }
            for (; c < cols; c++) {
                q.set(I8, base + c, roundQ8(src.get(F32, (base + c) * 4), inv));
            }
        }
    }

    /** dst[r, c] = q[r, c] * scales[r]: exact (one rounding), so both paths give the same bits. */
    public static void dequantizeRowsQ8(MemorySegment q, MemorySegment scales, MemorySegment dst, int cols,
                                        int r0, int r1) {
        String op = "dequantizeRowsQ8";
        Checks.dims(op, "cols, r0, r1", true, cols, r0, r1);
        Checks.require(r0 <= r1, op, () -> "row range [" + r0 + ", " + r1 + ") is reversed");
        Checks.fits(op, () -> "q[rows=" + r1 + ", cols=" + cols + "]", q, (long) r1 * cols, 1);
        Checks.fits(op, () -> "scales[rows=" + r1 + "]", scales, r1, 4);
        Checks.fits(op, () -> "dst[rows=" + r1 + ", cols=" + cols + "]", dst, (long) r1 * cols, 4);
        if (Simd.SCALAR) dequantizeRowsQ8Scalar(q, scales, dst, cols, r0, r1);
        else dequantizeRowsQ8Vector(q, scales, dst, cols, r0, r1);
    }

    public static void dequantizeRowsQ8Vector(MemorySegment q, MemorySegment scales, MemorySegment dst, int cols,
                                              int r0, int r1) {
        q = Mem.plain(q); scales = Mem.plain(scales); dst = Mem.plain(dst);
        int upper = MatmulQ8.byteLoopBound(cols);
        for (int r = r0; r < r1; r++) {
            long base = (long) r * cols;
            float scale = scales.get(F32, (long) r * 4);
            int c = 0;
            for (; c < upper; c += F.length()) {
                MatmulQ8.q8ToF32(q, base + c).mul(scale).intoMemorySegment(dst, (base + c) * 4, ORDER);
            }
            for (; c < cols; c++) {
                dst.set(F32, (base + c) * 4, q.get(I8, base + c) * scale);
            }
        }
    }

    public static void dequantizeRowsQ8Scalar(MemorySegment q, MemorySegment scales, MemorySegment dst, int cols,
                                              int r0, int r1) {
        q = Mem.plain(q); scales = Mem.plain(scales); dst = Mem.plain(dst);
        for (int r = r0; r < r1; r++) {
            float scale = scales.get(F32, (long) r * 4);
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                dst.set(F32, i * 4, q.get(I8, i) * scale);
            }
        }
    }

    // ---- F32 [rows, cols] -> INT8 + one scale per block of 32 of each row (scales [rows][ceil(cols / 32)]) ----

    public static void quantizeBlocksQ8(MemorySegment src, MemorySegment q, MemorySegment scales, int cols,
                                        int r0, int r1) {
        src = Mem.plain(src); q = Mem.plain(q); scales = Mem.plain(scales);
        int nb = MatmulQ8.blocksPerRow(cols);
        Checks.fits("quantizeBlocksQ8", () -> "scales[rows=" + r1 + ", blocks=" + nb + "]", scales, (long) r1 * nb, 4);
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < nb; b++) {
                long c0 = (long) r * cols + (long) b * MatmulQ8.BLOCK;
                int len = Math.min(MatmulQ8.BLOCK, cols - b * MatmulQ8.BLOCK);
                float max = 0;
                for (int c = 0; c < len; c++) {
                    max = Math.max(max, Math.abs(src.get(F32, (c0 + c) * 4)));
                }
                float scale = max / Q8_MAX, inv = inverse(scale);
                scales.set(F32, ((long) r * nb + b) * 4, scale);
                for (int c = 0; c < len; c++) {
                    q.set(I8, c0 + c, roundQ8(src.get(F32, (c0 + c) * 4), inv));
                }
            }
        }
    }

    public static void dequantizeBlocksQ8(MemorySegment q, MemorySegment scales, MemorySegment dst, int cols,
                                          int r0, int r1) {
        q = Mem.plain(q); scales = Mem.plain(scales); dst = Mem.plain(dst);
        int nb = MatmulQ8.blocksPerRow(cols);
        for (int r = r0; r < r1; r++) {
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                dst.set(F32, i * 4, q.get(I8, i) * scales.get(F32, ((long) r * nb + c / MatmulQ8.BLOCK) * 4));
            }
        }
    }

    // ---- F32 <-> F16 / BF16 over the element range [from, to) ----

    public static void f32ToF16(MemorySegment src, MemorySegment dst, long from, long to) {
        src = Mem.plain(src); dst = Mem.plain(dst);
        for (long i = from; i < to; i++) {
            dst.set(I16, i * 2, Float.floatToFloat16(src.get(F32, i * 4)));
        }
    }

    public static void f16ToF32(MemorySegment src, MemorySegment dst, long from, long to) {
        src = Mem.plain(src); dst = Mem.plain(dst);
        for (long i = from; i < to; i++) {
            dst.set(F32, i * 4, Float.float16ToFloat(src.get(I16, i * 2)));
        }
    }

    public static void f32ToBf16(MemorySegment src, MemorySegment dst, long from, long to) {
        src = Mem.plain(src); dst = Mem.plain(dst);
        for (long i = from; i < to; i++) {
            dst.set(I16, i * 2, Fp16.f32ToBf16(src.get(F32, i * 4)));
        }
    }

    public static void bf16ToF32(MemorySegment src, MemorySegment dst, long from, long to) {
        src = Mem.plain(src); dst = Mem.plain(dst);
        for (long i = from; i < to; i++) {
            dst.set(F32, i * 4, Fp16.bf16ToF32(src.get(I16, i * 2)));
        }
    }
}
