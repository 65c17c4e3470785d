package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.I8;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.B_FOR_F;
import static io.foley4j.kernels.Simd.F;
import static io.foley4j.kernels.Simd.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Linear layers with symmetric INT8 weights {@code q[N, K]} (dequantized value = q * scale):
 * <ul>
 * <li>{@code matmulQ8xF32}: one F32 scale per weight row (I8_ROW), F32 activations; the row scale is applied
 *     once to the finished dot product;
 * <li>{@code matmulQ8BxF32}: one F32 scale per block of {@value #BLOCK} weights of a row (I8_BLOCK32, scales
 *     {@code [N][ceil(K / 32)]}); each block's partial sum is scaled and accumulated;
 * <li>{@code matmulQ8PackedxF32}: I8_ROW weights repacked by {@link #packQ8} into column panels like
 *     {@link Matmul#packF32}'s, F32 activations; each K block of a panel is widened ({@code q * scale}) with vector
 *     loads into F32 and run through the GEMM micro-kernel. With activations {@code xq * xScale} (quantized, then
 *     dequantized) it computes the W8A8 product of {@code matmulQ8Q8} up to F32 rounding, at about F32 GEMM speed;
 * <li>{@code matmulQ8Q8}: INT8 activations (quantized per row by {@link Quant#quantizeRowsQ8}) times I8_ROW
 *     weights, accumulated exactly in INT32, then {@code y = xScale[i] * wScale[j] * acc + bias[j]}.
 * </ul>
 * Output tile {@code [m0, m1) x [n0, n1)} as in {@link Matmul}. Bytes are widened with B2F / B2I conversions
 * (the Vector API has no path to VNNI dot-product instructions).
 */
public final class MatmulQ8 {
    private MatmulQ8() {}

    /** Weights per scale in the block format. */
    public static final int BLOCK = 32;

    /**
     * Bound for loops that load {@code B_FOR_F} bytes at p (p a multiple of F.length()): below 256 bits that species
     * is wider than F.length() bytes (64 bits is its minimum), so the last load must end inside the row.
     */
    static int byteLoopBound(int k) {
        return F.loopBound(Math.max(0, k - (B_FOR_F.length() - F.length())));
    }

    static FloatVector q8ToF32(MemorySegment w, long off) {
        w = Mem.plain(w);
        return (FloatVector) ByteVector.fromMemorySegment(B_FOR_F, w, off, ORDER)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    static IntVector q8ToI32(MemorySegment w, long off) {
        w = Mem.plain(w);
        return (IntVector) ByteVector.fromMemorySegment(B_FOR_F, w, off, ORDER)
                .convertShape(VectorOperators.B2I, I, 0);
    }

    /** Blocks of a K-row whose vector loads stay inside the row (all full blocks from 256 bits up). */
    static int fullBlocks(int k) {
        return Math.max(0, k - (B_FOR_F.length() - F.length())) / BLOCK;
    }

    /** Scale blocks per row of K weights. */
    public static int blocksPerRow(int k) {
        return (k + BLOCK - 1) / BLOCK;
    }

    // ---- INT8 weights, one scale per row (I8_ROW): y = scale[j] * (x · q[j]) + bias ----

    public static void matmulQ8xF32(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                    MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        Matmul.checkLinear("matmulQ8xF32", x, w, 1, bias, y, m, n, k, m0, m1, n0, n1);
        Checks.fits("matmulQ8xF32", () -> "scales[N=" + n + "]", scales, n, 4);
        if (Simd.SCALAR) matmulQ8xF32Scalar(x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulQ8xF32Vector(x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulQ8xF32Scalar(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                          MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                long w0 = (long) j * (long) k * 1;
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += x.get(F32, ((long) i * k + p) * 4) * w.get(I8, w0 + (long) p * 1);
                }
                y.set(F32, ((long) i * n + j) * 4, acc * scales.get(F32, (long) j * 4) + Matmul.biasAt(bias, j));
            }
        }
    }

    public static void matmulQ8xF32Vector(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                          MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        if (m >= MatmulPanels.MIN_ROWS) {
            MatmulPanels.gemm(MatmulPanels.Format.Q8_ROW, x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
            return;
        }
        int j = n0;
        for (; j + 4 <= n1; j += 4) {
            for (int i = m0; i < m1; i++) {
                matmulQ8xF32Dot4(x, w, scales, bias, y, n, k, i, j);
            }
        }
        for (; j < n1; j++) {
            for (int i = m0; i < m1; i++) {
                matmulQ8xF32Dot1(x, w, scales, bias, y, n, k, i, j);
            }
        }
    }

    // y[i, j..j+3] = x[i, :] · w[j..j+3, :]
    private static void matmulQ8xF32Dot4(MemorySegment x, MemorySegment w, MemorySegment scales,
                                         MemorySegment bias, MemorySegment y, int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        long x0 = (long) i * k * 4, rs = (long) k * 1, w0 = (long) j * rs;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (int upper = byteLoopBound(k); p < upper; p += F.length()) {
            FloatVector xv = FloatVector.fromMemorySegment(F, x, x0 + (long) p * 4, ORDER);
            a0 = q8ToF32(w, w0 + (long) p * 1).fma(xv, a0);
            a1 = q8ToF32(w, w0 + 1 * rs + (long) p * 1).fma(xv, a1);
            a2 = q8ToF32(w, w0 + 2 * rs + (long) p * 1).fma(xv, a2);
            a3 = q8ToF32(w, w0 + 3 * rs + (long) p * 1).fma(xv, a3);
        }
        float s0 = Matmul.sum(a0), s1 = Matmul.sum(a1);
        float s2 = Matmul.sum(a2), s3 = Matmul.sum(a3);
        for (; p < k; p++) {
            float xs = x.get(F32, x0 + (long) p * 4);
            s0 += xs * w.get(I8, w0 + (long) p * 1);
            s1 += xs * w.get(I8, w0 + 1 * rs + (long) p * 1);
            s2 += xs * w.get(I8, w0 + 2 * rs + (long) p * 1);
            s3 += xs * w.get(I8, w0 + 3 * rs + (long) p * 1);
        }
        long yo = ((long) i * n + j) * 4;
        y.set(F32, yo, s0 * scales.get(F32, (long) j * 4) + Matmul.biasAt(bias, j));
        y.set(F32, yo + 4, s1 * scales.get(F32, (long) (j + 1) * 4) + Matmul.biasAt(bias, j + 1));
        y.set(F32, yo + 8, s2 * scales.get(F32, (long) (j + 2) * 4) + Matmul.biasAt(bias, j + 2));
        y.set(F32, yo + 12, s3 * scales.get(F32, (long) (j + 3) * 4) + Matmul.biasAt(bias, j + 3));
    }

    private static void matmulQ8xF32Dot1(MemorySegment x, MemorySegment w, MemorySegment scales,
                                         MemorySegment bias, MemorySegment y, int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        long x0 = (long) i * k * 4, w0 = (long) j * (long) k * 1;
        FloatVector a = FloatVector.zero(F);
        int p = 0;
        for (int upper = byteLoopBound(k); p < upper; p += F.length()) {
            a = q8ToF32(w, w0 + (long) p * 1).fma(FloatVector.fromMemorySegment(F, x, x0 + (long) p * 4, ORDER), a);
        }
        float s = Matmul.sum(a);
        for (; p < k; p++) {
            s += x.get(F32, x0 + (long) p * 4) * w.get(I8, w0 + (long) p * 1);
        }
        y.set(F32, ((long) i * n + j) * 4, s * scales.get(F32, (long) j * 4) + Matmul.biasAt(bias, j));
    }


    // ---- INT8 weights, one scale per row, packed at load time: panels [ceil(N / PANEL)][K][PANEL] bytes ----

    /** Fewest rows of x for which the vector paths widen weight panels once for the GEMM micro-kernel. */
    public static final int GEMM_MIN_ROWS = MatmulPanels.MIN_ROWS;

    /**
     * Bytes of {@link #packQ8}'s layout for [N, K] weights: ceil(N / PANEL) * PANEL * K (the last panel zero-padded,
     * as in {@link Matmul#packF32}), plus the bytes a B_FOR_F load reads past F.length() (only below 256 bits).
     */
    public static long packedQ8Bytes(int n, int k) {
        return Matmul.packedF32Floats(n, k) + (B_FOR_F.length() - F.length());
    }

    /**
     * Repacks I8_ROW weights {@code w[N, K]} into {@code packed}: byte {@code (j / PANEL) * PANEL * K + p * PANEL
     * + j % PANEL} = w[j, p], so one panel row of k is PANEL contiguous bytes, widened with whole vector loads.
     * The scales stay one per row ({@code [N]}). The layout depends on the vector width of the running JVM.
     */
    public static void packQ8(MemorySegment w, MemorySegment packed, int n, int k) {
        w = Mem.plain(w); packed = Mem.plain(packed);
        Checks.dims("packQ8", "N, K", true, n, k);
        Checks.fits("packQ8", () -> "w[N=" + n + ", K=" + k + "]", w, (long) n * k, 1);
        Checks.fits("packQ8", "packed", packed, packedQ8Bytes(n, k), 1);
        int panel = Matmul.PANEL;
        packed.asSlice(0, packedQ8Bytes(n, k)).fill((byte) 0);
        for (int j0 = 0; j0 < n; j0 += panel) {
            int width = Matmul.panelWidth(n, j0);
            long base = Matmul.panelOffset(k, j0);
            for (int c = 0; c < width; c++) {
                long src = (long) (j0 + c) * k;
                for (int p = 0; p < k; p++) {
                    packed.set(I8, base + (long) p * panel + c, w.get(I8, src + p));
                }
            }
        }
    }

    /**
     * {@code y = scale[j] * (x · q[j]) + bias[j]} with q packed by {@link #packQ8}, F32 activations. The column range
     * starts and ends on panels (or at N). The vector path widens each K block of a panel once into F32
     * ({@code q * scale}) and runs the F32 GEMM micro-kernel, for every M.
     */
    public static void matmulQ8PackedxF32(MemorySegment x, MemorySegment packed, MemorySegment scales,
                                          MemorySegment bias, MemorySegment y,
                                          int m, int n, int k, int m0, int m1, int n0, int n1) {
        String op = "matmulQ8PackedxF32";
        Matmul.checkLinear(op, x, packed, 1, bias, y, m, n, k, m0, m1, n0, n1);
        Checks.fits(op, () -> "packed[" + packedQ8Bytes(n, k) + " bytes for N=" + n + ", K=" + k + "]", packed,
                packedQ8Bytes(n, k), 1);
        Checks.fits(op, () -> "scales[N=" + n + "]", scales, n, 4);
        Checks.require(n0 == n1 || (n0 % Matmul.PANEL == 0 && (n1 % Matmul.PANEL == 0 || n1 == n)), op,
                () -> "column range [" + n0 + ", " + n1 + ") does not start and end on panels of PANEL = "
                        + Matmul.PANEL);
        if (Simd.SCALAR) matmulQ8PackedxF32Scalar(x, packed, scales, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulQ8PackedxF32Vector(x, packed, scales, bias, y, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulQ8PackedxF32Scalar(MemorySegment x, MemorySegment packed, MemorySegment scales,
                                                MemorySegment bias, MemorySegment y,
                                                int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); packed = Mem.plain(packed); scales = Mem.plain(scales); bias = Mem.plain(bias);
        y = Mem.plain(y);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                long base = Matmul.panelOffset(k, j / Matmul.PANEL * Matmul.PANEL) + j % Matmul.PANEL;
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += x.get(F32, ((long) i * k + p) * 4) * packed.get(I8, base + (long) p * Matmul.PANEL);
                }
                y.set(F32, ((long) i * n + j) * 4, acc * scales.get(F32, (long) j * 4) + Matmul.biasAt(bias, j));
            }
        }
    }

    public static void matmulQ8PackedxF32Vector(MemorySegment x, MemorySegment packed, MemorySegment scales,
                                                MemorySegment bias, MemorySegment y,
                                                int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); packed = Mem.plain(packed); scales = Mem.plain(scales); bias = Mem.plain(bias);
        y = Mem.plain(y);
        MatmulPanels.gemm(MatmulPanels.Format.Q8_PACKED, x, packed, scales, bias, y, m, n, k, m0, m1, n0, n1);
    }

    // ---- INT8 weights, one scale per block of 32 (I8_BLOCK32) ----

    public static void matmulQ8BxF32(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                     MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        Matmul.checkLinear("matmulQ8BxF32", x, w, 1, bias, y, m, n, k, m0, m1, n0, n1);
        Checks.fits("matmulQ8BxF32", () -> "scales[N=" + n + ", blocks=" + blocksPerRow(k) + "]", scales,
                (long) n * blocksPerRow(k), 4);
        if (Simd.SCALAR) matmulQ8BxF32Scalar(x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulQ8BxF32Vector(x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulQ8BxF32Scalar(MemorySegment x, MemorySegment w, MemorySegment scales,
                                           MemorySegment bias, MemorySegment y,
                                           int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        int nb = blocksPerRow(k);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    float s = scales.get(F32, ((long) j * nb + p / BLOCK) * 4);
                    acc += x.get(F32, ((long) i * k + p) * 4) * (w.get(I8, (long) j * k + p) * s);
                }
                y.set(F32, ((long) i * n + j) * 4, acc + Matmul.biasAt(bias, j));
            }
        }
    }

    public static void matmulQ8BxF32Vector(MemorySegment x, MemorySegment w, MemorySegment scales,
                                           MemorySegment bias, MemorySegment y,
                                           int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        if (m >= MatmulPanels.MIN_ROWS) {
            MatmulPanels.gemm(MatmulPanels.Format.Q8_BLOCK, x, w, scales, bias, y, m, n, k, m0, m1, n0, n1);
            return;
        }
        int j = n0;
        for (; j + 4 <= n1; j += 4) {
            for (int i = m0; i < m1; i++) {
                q8bDot4(x, w, scales, bias, y, n, k, i, j);
            }
        }
        for (; j < n1; j++) {
            for (int i = m0; i < m1; i++) {
                q8bDot1(x, w, scales, bias, y, n, k, i, j);
            }
        }
    }

    // y[i, j..j+3]: per block, 4 partial sums over BLOCK / F.length() vectors, then acc += partial * scale
    private static void q8bDot4(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                MemorySegment y, int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        int nb = blocksPerRow(k), full = fullBlocks(k);
        long x0 = (long) i * k * 4, w0 = (long) j * k, s0 = (long) j * nb * 4, ss = (long) nb * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < full; b++) {
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int v = 0; v < BLOCK; v += F.length()) {
                long p = (long) b * BLOCK + v;
                FloatVector xv = FloatVector.fromMemorySegment(F, x, x0 + p * 4, ORDER);
                p0 = q8ToF32(w, w0 + p).fma(xv, p0);
                p1 = q8ToF32(w, w0 + k + p).fma(xv, p1);
                p2 = q8ToF32(w, w0 + 2L * k + p).fma(xv, p2);
                p3 = q8ToF32(w, w0 + 3L * k + p).fma(xv, p3);
            }
            long so = s0 + (long) b * 4;
            a0 = p0.fma(FloatVector.broadcast(F, scales.get(F32, so)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scales.get(F32, so + ss)), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scales.get(F32, so + 2 * ss)), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scales.get(F32, so + 3 * ss)), a3);
        }
        float r0 = Matmul.sum(a0), r1 = Matmul.sum(a1);
        float r2 = Matmul.sum(a2), r3 = Matmul.sum(a3);
        for (int p = full * BLOCK; p < k; p++) { // the last, shorter block
            long so = s0 + (long) (p / BLOCK) * 4;
            float xs = x.get(F32, x0 + (long) p * 4);
            r0 += xs * (w.get(I8, w0 + p) * scales.get(F32, so));
            r1 += xs * (w.get(I8, w0 + k + p) * scales.get(F32, so + ss));
            r2 += xs * (w.get(I8, w0 + 2L * k + p) * scales.get(F32, so + 2 * ss));
            r3 += xs * (w.get(I8, w0 + 3L * k + p) * scales.get(F32, so + 3 * ss));
        }
        long yo = ((long) i * n + j) * 4;
        y.set(F32, yo, r0 + Matmul.biasAt(bias, j));
        y.set(F32, yo + 4, r1 + Matmul.biasAt(bias, j + 1));
        y.set(F32, yo + 8, r2 + Matmul.biasAt(bias, j + 2));
        y.set(F32, yo + 12, r3 + Matmul.biasAt(bias, j + 3));
    }

    private static void q8bDot1(MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                                MemorySegment y, int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        int nb = blocksPerRow(k), full = fullBlocks(k);
        long x0 = (long) i * k * 4, w0 = (long) j * k, s0 = (long) j * nb * 4;
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < full; b++) {
            FloatVector part = FloatVector.zero(F);
            for (int v = 0; v < BLOCK; v += F.length()) {
                long p = (long) b * BLOCK + v;
                part = q8ToF32(w, w0 + p).fma(FloatVector.fromMemorySegment(F, x, x0 + p * 4, ORDER), part);
            }
            a = part.fma(FloatVector.broadcast(F, scales.get(F32, s0 + (long) b * 4)), a);
        }
        float r = Matmul.sum(a);
        for (int p = full * BLOCK; p < k; p++) {
            r += x.get(F32, x0 + (long) p * 4) * (w.get(I8, w0 + p) * scales.get(F32, s0 + (long) (p / BLOCK) * 4));
        }
        y.set(F32, ((long) i * n + j) * 4, r + Matmul.biasAt(bias, j));
    }

    // ---- INT8 activations x INT8 weights (I8_ROW) -> INT32 -> F32 ----

    /** Exact INT32 dot product of {@code k} int8 values at byte offsets {@code a0} of a and {@code b0} of b. */
    public static int dotQ8Q8(MemorySegment a, long a0, MemorySegment b, long b0, int k) {
        Checks.require(k >= 0 && a0 >= 0 && b0 >= 0 && a0 + k <= a.byteSize() && b0 + k <= b.byteSize(), "dotQ8Q8",
                () -> "k = " + k + " at offsets " + a0 + ", " + b0 + " exceeds operands of " + a.byteSize() + ", "
                        + b.byteSize() + " bytes");
        return Simd.SCALAR ? dotQ8Q8Scalar(a, a0, b, b0, k) : dotQ8Q8Vector(a, a0, b, b0, k);
    }

    public static int dotQ8Q8Scalar(MemorySegment a, long a0, MemorySegment b, long b0, int k) {
        a = Mem.plain(a); b = Mem.plain(b);
        int acc = 0;
        for (int p = 0; p < k; p++) {
            acc += a.get(I8, a0 + p) * b.get(I8, b0 + p);
        }
        return acc;
    }

    public static int dotQ8Q8Vector(MemorySegment a, long a0, MemorySegment b, long b0, int k) {
        a = Mem.plain(a); b = Mem.plain(b);
        IntVector acc = IntVector.zero(I);
        int p = 0;
        for (int upper = byteLoopBound(k); p < upper; p += I.length()) {
            acc = q8ToI32(a, a0 + p).mul(q8ToI32(b, b0 + p)).add(acc);
        }
        int r = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            r += a.get(I8, a0 + p) * b.get(I8, b0 + p);
        }
        return r;
    }

    /**
     * {@code y[i, j] = xScales[i] * wScales[j] * (xq[i, :] · wq[j, :]) + bias[j]} over the tile; {@code xq[M, K]}
     * int8 and {@code xScales[M]} come from {@link Quant#quantizeRowsQ8} on the F32 activations.
     */
    public static void matmulQ8Q8(MemorySegment xq, MemorySegment xScales, MemorySegment w, MemorySegment wScales,
                                  MemorySegment bias, MemorySegment y,
                                  int m, int n, int k, int m0, int m1, int n0, int n1) {
        String op = "matmulQ8Q8";
        Checks.dims(op, "M, N, K", true, m, n, k);
        Checks.fits(op, () -> "xq[M=" + m + ", K=" + k + "]", xq, (long) m * k, 1);
        Checks.fits(op, () -> "xScales[M=" + m + "]", xScales, m, 4);
        Checks.fits(op, () -> "w[N=" + n + ", K=" + k + "]", w, (long) n * k, 1);
        Checks.fits(op, () -> "wScales[N=" + n + "]", wScales, n, 4);
        if (bias != null) {
            Checks.fits(op, () -> "bias[N=" + n + "]", bias, n, 4);
        }
        Checks.fits(op, () -> "y[M=" + m + ", N=" + n + "]", y, (long) m * n, 4);
        Checks.range(op, "row", m0, m1, m);
        Checks.range(op, "column", n0, n1, n);
        if (Simd.SCALAR) matmulQ8Q8Scalar(xq, xScales, w, wScales, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulQ8Q8Vector(xq, xScales, w, wScales, bias, y, m, n, k, m0, m1, n0, n1);
    }

    static float rescale(int acc, MemorySegment xScales, int i, MemorySegment wScales, int j, MemorySegment bias) {
        xScales = Mem.plain(xScales); wScales = Mem.plain(wScales); bias = Mem.plain(bias);
        return acc * (xScales.get(F32, (long) i * 4) * wScales.get(F32, (long) j * 4)) + Matmul.biasAt(bias, j);
    }

    public static void matmulQ8Q8Scalar(MemorySegment xq, MemorySegment xScales, MemorySegment w,
                                        MemorySegment wScales, MemorySegment bias, MemorySegment y,
                                        int m, int n, int k, int m0, int m1, int n0, int n1) {
        xq = Mem.plain(xq); xScales = Mem.plain(xScales); w = Mem.plain(w); wScales = Mem.plain(wScales);
        bias = Mem.plain(bias); y = Mem.plain(y);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                int acc = dotQ8Q8Scalar(xq, (long) i * k, w, (long) j * k, k);
                y.set(F32, ((long) i * n + j) * 4, rescale(acc, xScales, i, wScales, j, bias));
            }
        }
    }

    public static void matmulQ8Q8Vector(MemorySegment xq, MemorySegment xScales, MemorySegment w,
                                        MemorySegment wScales, MemorySegment bias, MemorySegment y,
                                        int m, int n, int k, int m0, int m1, int n0, int n1) {
        xq = Mem.plain(xq); xScales = Mem.plain(xScales); w = Mem.plain(w); wScales = Mem.plain(wScales);
        bias = Mem.plain(bias); y = Mem.plain(y);
        int j = n0;
        for (; j + 4 <= n1; j += 4) {
            for (int i = m0; i < m1; i++) {
                q8q8Dot4(xq, xScales, w, wScales, bias, y, n, k, i, j);
            }
        }
        for (; j < n1; j++) {
            for (int i = m0; i < m1; i++) {
                int acc = dotQ8Q8Vector(xq, (long) i * k, w, (long) j * k, k);
                y.set(F32, ((long) i * n + j) * 4, rescale(acc, xScales, i, wScales, j, bias));
            }
        }
    }

    // y[i, j..j+3]: one pass over xq[i, :] against 4 weight rows
    private static void q8q8Dot4(MemorySegment xq, MemorySegment xScales, MemorySegment w, MemorySegment wScales,
                                 MemorySegment bias, MemorySegment y, int n, int k, int i, int j) {
        xq = Mem.plain(xq); xScales = Mem.plain(xScales); w = Mem.plain(w); wScales = Mem.plain(wScales);
        bias = Mem.plain(bias); y = Mem.plain(y);
        long x0 = (long) i * k, w0 = (long) j * k;
        IntVector a0 = IntVector.zero(I), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (int upper = byteLoopBound(k); p < upper; p += I.length()) {
            IntVector xv = q8ToI32(xq, x0 + p);
            a0 = q8ToI32(w, w0 + p).mul(xv).add(a0);
            a1 = q8ToI32(w, w0 + k + p).mul(xv).add(a1);
            a2 = q8ToI32(w, w0 + 2L * k + p).mul(xv).add(a2);
            a3 = q8ToI32(w, w0 + 3L * k + p).mul(xv).add(a3);
        }
        int r0 = a0.reduceLanes(VectorOperators.ADD), r1 = a1.reduceLanes(VectorOperators.ADD);
        int r2 = a2.reduceLanes(VectorOperators.ADD), r3 = a3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            int xs = xq.get(I8, x0 + p);
            r0 += xs * w.get(I8, w0 + p);
            r1 += xs * w.get(I8, w0 + k + p);
            r2 += xs * w.get(I8, w0 + 2L * k + p);
            r3 += xs * w.get(I8, w0 + 3L * k + p);
        }
        long yo = ((long) i * n + j) * 4;
        y.set(F32, yo, rescale(r0, xScales, i, wScales, j, bias));
        y.set(F32, yo + 4, rescale(r1, xScales, i, wScales, j + 1, bias));
        y.set(F32, yo + 8, rescale(r2, xScales, i, wScales, j + 2, bias));
        y.set(F32, yo + 12, rescale(r3, xScales, i, wScales, j + 3, bias));
    }
}
