package io.foley4j.models.vit;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Quant;
import java.lang.foreign.MemorySegment;

/**
 * The ops {@link Vit} needs that the engine layer does not have yet, on top of existing kernels: residual add,
 * im2col of a batch, and the static-INT8 linear (activations quantized with a fixed calibrated scale, then
 * {@link MatmulQ8#matmulQ8Q8}). Candidates for {@code io.foley4j.engine} (ElementwiseOps.add,
 * LinearOps.linearQ8Q8Static).
 */
final class VitOps {
    private VitOps() {}

    private static final int MIN_ELEMENTS_PER_THREAD = 16_384;
    /** Multiply-adds below which a thread hand-off costs more than it saves (as LinearOps). */
    private static final long MIN_MACS_PER_THREAD = 1L << 20;
    /** INT8 activation rows per tile: keeps the rows a column group re-reads in L2. */
    private static final int Q8_ROW_BYTES = 1 << 18;
    private static final int CHUNK = 64; // a multiple of every vector length in floats

    /** x += y over the first n floats. */
    static void addInPlace(WorkerPool pool, MemorySegment x, MemorySegment y, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        pool.parallelFor(chunks, MIN_ELEMENTS_PER_THREAD / CHUNK,
                (s, e) -> Elementwise.add(x, y, x, s * CHUNK, Math.min(n, e * CHUNK)));
    }

    /** col[f*P + p, :] = patch p of frame f in (c, y, x) order, for frames [0, batch) of pixels [B, C, H, W]. */
    static void im2col(WorkerPool pool, MemorySegment pixels, Conv.Geometry2d g, MemorySegment col, int batch) {
        long frameBytes = 4L * g.cin() * g.height() * g.width(), colBytes = 4L * g.patches() * g.colLength();
        int per = g.patches();
        pool.parallelFor(batch * per, Math.max(1, MIN_ELEMENTS_PER_THREAD / g.colLength()), (s, e) -> {
            for (int f = s / per; f * per < e; f++) {
                int p0 = Math.max(s - f * per, 0), p1 = Math.min(e - f * per, per);
                Conv.im2colF32(pixels.asSlice(f * frameBytes, frameBytes), g, col.asSlice(f * colBytes, colBytes),
                        p0, p1);
            }
        });
    }

    /** y = l(x): F32 / F32_PACKED / I8_ROW weights through LinearOps, or static INT8 when {@code l.inputScale() > 0}. */
    static void linear(WorkerPool pool, VitWeights.Linear l, Tensor x, Tensor y, VitState s) {
        if (s.observed != null) {
            observe(s, l.name(), x);
        }
        if (l.inputScale() > 0 && l.weight().dtype() == DType.I8_ROW_PACKED) {
            linearStaticQ8Packed(pool, l, x, y, s.q8, s.q8Scales, s.q8Dequantized);
        } else if (l.inputScale() > 0) {
            linearStaticQ8(pool, l, x, y, s.q8, s.q8Scales);
        } else {
            LinearOps.linear(pool, x, l.weight(), l.bias(), y);
        }
    }

    private static void observe(VitState s, String name, Tensor x) {
        MemorySegment d = x.data();
        float max = 0;
        for (long i = 0, n = x.numel(); i < n; i++) {
            max = Math.max(max, Math.abs(d.get(Mem.F32, 4 * i)));
        }
        float[] slot = s.observed.computeIfAbsent(name, k -> new float[1]);
        slot[0] = Math.max(slot[0], max);
    }

    /**
     * y = scale * wScale[j] * (round(x / scale) · wq[j]) + bias[j], round(x / scale) clamped to [-127, 127]: the
     * static activation scale replaces the per-row max of {@link LinearOps#linearQ8Q8}.
     */
    static void linearStaticQ8(WorkerPool pool, VitWeights.Linear l, Tensor x, Tensor y, MemorySegment q,
                               MemorySegment qScales) {
        Tensor w = l.weight();
        int n = w.dim(0), k = w.dim(1), m = (int) (x.numel() / k);
        if (x.dim(-1) != k || y.numel() != (long) m * n || q.byteSize() < (long) m * k) {
            throw new IllegalArgumentException("linearStaticQ8 " + l.name() + ": x " + x + ", y " + y + ", w " + w
                    + " (INT8 scratch " + q.byteSize() + " bytes)");
        }
        quantizeStatic(pool, l.inputScale(), x, q, qScales, null, m, k);
        MemorySegment ws = w.data(), sc = w.scales(), ys = y.data(), bs = l.bias() == null ? null : l.bias().data();
        int units = (n + 3) / 4;
        int rowTile = Math.max(6, Q8_ROW_BYTES / Math.max(1, k));
        long macsPerUnit = 4L * m * k;
        pool.parallelFor(units, (int) Math.max(1, MIN_MACS_PER_THREAD / macsPerUnit), (u0, u1) -> {
            int n0 = u0 * 4, n1 = Math.min(n, u1 * 4);
            for (int r = 0; r < m; r += rowTile) {
                MatmulQ8.matmulQ8Q8(q, qScales, ws, sc, bs, ys, m, n, k, r, Math.min(m, r + rowTile), n0, n1);
            }
        });
    }

    /**
     * The same static INT8 product with panel-packed weights: x is quantized with the calibrated scale as in
     * {@link #linearStaticQ8}, dequantized into {@code xf} ({@code q * scale}, exact in F32), then multiplied through the
     * F32 micro-kernel with the weights widened per panel ({@code wq * wScale}); equal to {@link #linearStaticQ8} up to
     * F32 rounding of the sums, at F32 GEMM speed instead of INT32 lane arithmetic (the Vector API has no int8 dot
     * product).
     */
    static void linearStaticQ8Packed(WorkerPool pool, VitWeights.Linear l, Tensor x, Tensor y, MemorySegment q,
                                     MemorySegment qScales, MemorySegment xf) {
        Tensor w = l.weight();
        int n = w.dim(0), k = w.dim(1), m = (int) (x.numel() / k);
        if (x.dim(-1) != k || y.numel() != (long) m * n || q.byteSize() < (long) m * k
                || xf.byteSize() < (long) m * k * 4) {
            throw new IllegalArgumentException("linearStaticQ8Packed " + l.name() + ": x " + x + ", y " + y + ", w "
                    + w + " (INT8 scratch " + q.byteSize() + " bytes, F32 scratch " + xf.byteSize() + " bytes)");
        }
        quantizeStatic(pool, l.inputScale(), x, q, qScales, xf, m, k);
        LinearOps.linear(pool, Tensor.of(DType.F32, xf.asSlice(0, (long) m * k * 4), x.shape()), w, l.bias(), y);
    }

    /**
     * q = the rows of x quantized with the static {@code scale}, qScales[0, m) = scale, and, when {@code xf} is not
     * null, xf = q * scale (the F32 input of the packed path), per row range on the thread that quantized it.
     */
    private static void quantizeStatic(WorkerPool pool, float scale, Tensor x, MemorySegment q, MemorySegment qScales,
                                       MemorySegment xf, int m, int k) {
        float inv = 1 / scale;
        MemorySegment xs = x.data();
        for (int i = 0; i < m; i++) {
            qScales.set(Mem.F32, 4L * i, scale);
        }
        pool.parallelFor(m, Math.max(1, MIN_ELEMENTS_PER_THREAD / k), (r0, r1) -> {
            quantize(xs, q, k, inv, r0, r1);
            if (xf != null) Quant.dequantizeRowsQ8(q, qScales, xf, k, r0, r1);
        });
    }

    /** q = clamp(round(x * inv), -127, 127), rounding half away from zero like {@link Quant}. */
    private static void quantize(MemorySegment x, MemorySegment q, int k, float inv, int r0, int r1) {
        for (long i = (long) r0 * k, end = (long) r1 * k; i < end; i++) {
            float t = x.get(Mem.F32, 4 * i) * inv;
            int r = (int) (t + Math.copySign(0.5f, t));
            q.set(Mem.I8, i, (byte) Math.max(-Quant.Q8_MAX, Math.min(Quant.Q8_MAX, r)));
        }
    }
}
