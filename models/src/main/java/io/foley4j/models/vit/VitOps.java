package io.foley4j.models.vit;

import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Activation;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Quant;
import java.lang.foreign.MemorySegment;

/**
 * The ops {@link Vit} needs that the engine layer does not have yet, on top of existing kernels: residual add,
 * im2col of a batch, self-attention as per-head GEMMs, and the static-INT8 linear (activations quantized with a
 * fixed calibrated scale, then {@link MatmulQ8#matmulQ8Q8}). Candidates for {@code io.foley4j.engine}
 * (ElementwiseOps.add, AttentionOps for full-sequence attention, LinearOps.linearQ8Q8Static).
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

    /** Keys padded to whole GEMM panels: the packed kernel's narrow-panel path is ~100x slower than full panels. */
    static int paddedKeys(int tokens) {
        return (tokens + Matmul.PANEL - 1) / Matmul.PANEL * Matmul.PANEL;
    }

    /** Floats of one thread's slot in {@link #attention}: q, o [T, hd]; k, packed k, v^T, packed v^T [Tp, hd]; P [T, Tp]. */
    static long attentionFloats(int tokens, int headDim) {
        long tp = paddedKeys(tokens);
        return 2L * tokens * headDim + 4 * tp * headDim + tokens * tp;
    }

    /**
     * Multi-head self-attention, q, k, v, out [B, T, heads*hd], as two GEMMs per (frame, head):
     * {@code P = softmax((scale q_h) k_h^T)}, {@code o_h = P v_h}. The streaming per-query kernel of
     * {@code AttentionOps} runs at a few GFLOP/s on these shapes (all queries at once, T ~ 200); here the head's
     * columns are gathered into contiguous blocks and packed for {@link Matmul#matmulF32Packed}: O(T hd) copies
     * against O(T^2 hd) multiply-adds. Keys are padded with zero rows to Tp = {@link #paddedKeys}: their scores are
     * 0, left out of the softmax (so P is 0 there) and meet zero columns of v^T. Each thread takes whole
     * (frame, head) items with its own slot of {@code scratch} ({@code slots} x {@link #attentionFloats} floats,
     * zeroed at allocation: the padding is never written).
     */
    static void attention(WorkerPool pool, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                          int batch, int t, int heads, int hd, float scale, MemorySegment scratch, int slots) {
        int items = batch * heads;
        int parts = Math.min(Math.min(pool.threads(), slots), items);
        long slotBytes = attentionFloats(t, hd) * 4;
        pool.parallelFor(parts, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                MemorySegment slot = scratch.asSlice(p * slotBytes, slotBytes);
                int i0 = (int) ((long) items * p / parts), i1 = (int) ((long) items * (p + 1) / parts);
                for (int i = i0; i < i1; i++) {
                    head(q, k, v, out, i / heads, i % heads, t, heads * hd, hd, scale, slot);
                }
            }
        });
    }

    /** One (frame f, head h) item of {@link #attention}; d = heads * hd is the row width of q, k, v, out. */
    private static void head(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, int f, int h,
                             int t, int d, int hd, float scale, MemorySegment slot) {
        int tp = paddedKeys(t);
        long small = (long) t * hd * 4, big = (long) tp * hd * 4, hdBytes = hd * 4L, rowBytes = d * 4L;
        long frame = (long) f * t * rowBytes, col = (long) h * hdBytes;
        MemorySegment qh = slot.asSlice(0, small);                       // [T, hd]
        MemorySegment oh = slot.asSlice(small, small);                   // [T, hd]
        MemorySegment kh = slot.asSlice(2 * small, big);                 // [Tp, hd]
        MemorySegment kp = slot.asSlice(2 * small + big, big);           // k_h packed as w[Tp, hd]
        MemorySegment vt = slot.asSlice(2 * small + 2 * big, big);       // [hd, Tp] = v_h^T
        MemorySegment vp = slot.asSlice(2 * small + 3 * big, big);       // v_h^T packed as w[hd, Tp]
        MemorySegment sc = slot.asSlice(2 * small + 4 * big, (long) t * tp * 4); // [T, Tp] scores, then P
        for (int i = 0; i < t; i++) {
            long src = frame + i * rowBytes + col;
            MemorySegment.copy(q, src, qh, i * hdBytes, hdBytes);
            MemorySegment.copy(k, src, kh, i * hdBytes, hdBytes);
            for (int j = 0; j < hd; j++) {
                vt.set(Mem.F32, ((long) j * tp + i) * 4, v.get(Mem.F32, src + j * 4L));
            }
        }
        Elementwise.scale(qh, scale, qh, 0, t * hd);
        Matmul.packF32(kh, kp, tp, hd);
        Matmul.packF32(vt, vp, hd, tp);
        Matmul.matmulF32Packed(qh, kp, null, sc, t, tp, hd, 0, t, 0, tp);
        for (int i = 0; i < t; i++) {
            MemorySegment row = sc.asSlice((long) i * tp * 4, (long) t * 4);
            Activation.softmax(row, row, t, 0, 1);
        }
        Matmul.matmulF32Packed(sc, vp, null, oh, t, hd, tp, 0, t, 0, hd);
        for (int i = 0; i < t; i++) {
            MemorySegment.copy(oh, i * hdBytes, out, frame + i * rowBytes + col, hdBytes);
        }
    }

    /** y = l(x): F32 / F32_PACKED / I8_ROW weights through LinearOps, or static INT8 when {@code l.inputScale() > 0}. */
    static void linear(WorkerPool pool, VitWeights.Linear l, Tensor x, Tensor y, VitState s) {
        if (s.observed != null) {
            observe(s, l.name(), x);
        }
        if (l.inputScale() > 0) {
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
        float scale = l.inputScale(), inv = 1 / scale;
        MemorySegment xs = x.data();
        pool.parallelFor(m, Math.max(1, MIN_ELEMENTS_PER_THREAD / k), (r0, r1) -> quantize(xs, q, k, inv, r0, r1));
        for (int i = 0; i < m; i++) {
            qScales.set(Mem.F32, 4L * i, scale);
        }
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

    /** q = clamp(round(x * inv), -127, 127), rounding half away from zero like {@link Quant}. */
    private static void quantize(MemorySegment x, MemorySegment q, int k, float inv, int r0, int r1) {
        for (long i = (long) r0 * k, end = (long) r1 * k; i < end; i++) {
            float t = x.get(Mem.F32, 4 * i) * inv;
            int r = (int) (t + Math.copySign(0.5f, t));
            q.set(Mem.I8, i, (byte) Math.max(-Quant.Q8_MAX, Math.min(Quant.Q8_MAX, r)));
        }
    }
}
