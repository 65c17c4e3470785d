package io.foley4j.engine;

import io.foley4j.kernels.Attention;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Transpose;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Tensor-level multi-head attention, batched or not, two ways: {@link #attention} (streaming kernel
 * {@link Attention}, work items (batch, head, query) split over the pool; causal, grouped kv heads, no scratch
 * growing with the sequence) and {@link #attentionGemm} (whole-sequence queries as two packed GEMMs per
 * (batch, head), items split over the pool; several times faster once Sq is more than a few rows).
 *
 * <p>Shapes: q and out [B, Sq, heads*headDim] or [Sq, heads*headDim]; k and v [B, Sk, kvHeads*headDim] (same rank
 * as q); keyMask null or F32 additive [B, Sk] / [Sk] (0 keeps a key, -inf drops it; see
 * {@link #keyMaskFromAttentionMask}). headDim = q.dim(-1) / heads.
 */
public final class AttentionOps {
    private AttentionOps() {}

    /** Multiply-adds (items * Sk * headDim) below which a thread hand-off costs more than it saves. */
    static final long MIN_WORK_PER_THREAD = 1 << 16;

    /**
     * Per-thread kernel scratch (a block of scores + an accumulator per thread), made once from the model's shapes
     * and reused by every call; independent of sequence length.
     */
    public record Scratch(MemorySegment buffer, int slots, int headDim) {
        public static Scratch create(Arena arena, int threads, int headDim) {
            if (threads < 1 || headDim < 1) {
                throw new IllegalArgumentException("AttentionOps.Scratch: threads " + threads + " and headDim "
                        + headDim + " must be positive");
            }
            return new Scratch(Mem.floats(arena, (long) threads * Attention.scratchFloats(headDim)), threads, headDim);
        }

        MemorySegment slot(int i) {
            long bytes = Attention.scratchFloats(headDim) * 4L;
            return buffer.asSlice(i * bytes, bytes);
        }
    }

    /** The usual scale 1 / sqrt(headDim). */
    public static float defaultScale(int headDim) {
        return (float) (1 / Math.sqrt(headDim));
    }

    /** out = softmax(scale q k^T + keyMask [+ causal mask]) v per head; keyMask may be null. */
    public static void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, boolean causal, float scale,
                                 Tensor out, int heads, int kvHeads, Scratch scratch, WorkerPool pool) {
        String op = "attention";
        for (Tensor t : new Tensor[] {q, k, v, out}) {
            OpChecks.f32(op, t == q ? "q" : t == k ? "k" : t == v ? "v" : "out", t);
        }
        if (q.rank() != 2 && q.rank() != 3) {
            throw new IllegalArgumentException(op + ": q " + Arrays.toString(q.shape())
                    + " must be [Sq, heads*headDim] or [batch, Sq, heads*headDim]");
        }
        if (heads < 1 || kvHeads < 1 || q.dim(-1) % heads != 0) {
            throw new IllegalArgumentException(op + ": q " + Arrays.toString(q.shape()) + " last dim is not a positive "
                    + "multiple of heads " + heads + " (kvHeads " + kvHeads + ")");
        }
        int hd = q.dim(-1) / heads;
        boolean batched = q.rank() == 3;
        int batch = batched ? q.dim(0) : 1;
        int sq = q.dim(-2);
        int sk = k.dim(-2);
        int[] kvShape = batched ? new int[] {batch, sk, kvHeads * hd} : new int[] {sk, kvHeads * hd};
        requireShape(op, "k", k, kvShape, q);
        requireShape(op, "v", v, kvShape, q);
        OpChecks.sameShape(op, "q", q, "out", out);
        if (keyMask != null) {
            OpChecks.f32(op, "keyMask", keyMask);
            requireShape(op, "keyMask", keyMask, batched ? new int[] {batch, sk} : new int[] {sk}, k);
        }
        if (scratch.headDim() < hd) {
            throw new IllegalArgumentException(op + ": scratch was made for headDim " + scratch.headDim()
                    + ", q " + Arrays.toString(q.shape()) + " with " + heads + " heads needs " + hd);
        }
        Attention.Dims d = new Attention.Dims(sq, sk, heads, kvHeads, hd);
        long itemsLong = (long) batch * d.items();
        if (itemsLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + itemsLong + " (batch, head, query) items exceed an int");
        }
        int items = (int) itemsLong;
        long work = itemsLong * Math.max(1, sk) * hd;
        int parts = (int) Math.min(Math.min(pool.threads(), scratch.slots()), Math.max(1, work / MIN_WORK_PER_THREAD));
        MemorySegment mask = keyMask == null ? null : keyMask.data();
        // one part per thread, each with its own scratch slot; a part may span several batch entries
        pool.parallelFor(parts, 1, (ps, pe) -> {
            for (int p = ps; p < pe; p++) {
                runItems(q.data(), k.data(), v.data(), mask, causal, scale, out.data(), d, scratch.slot(p),
                        WorkerPool.bound(items, parts, p), WorkerPool.bound(items, parts, p + 1));
            }
        });
    }

    /** Items [from, to) of the flattened (batch, head, query) space, cut at batch boundaries. */
    private static void runItems(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, boolean causal,
                                 float scale, MemorySegment out, Attention.Dims d, MemorySegment scratch,
                                 int from, int to) {
        int per = d.items();
        long qBytes = (long) d.sq() * d.qWidth() * 4, kvBytes = (long) d.sk() * d.kvWidth() * 4;
        for (int b = from / Math.max(1, per); per > 0 && b * (long) per < to; b++) {
            int lo = Math.max(from - b * per, 0), hi = Math.min(to - b * per, per);
            Attention.attention(q.asSlice(b * qBytes, qBytes), k.asSlice(b * kvBytes, kvBytes),
                    v.asSlice(b * kvBytes, kvBytes), mask == null ? null : mask.asSlice(b * d.sk() * 4L, d.sk() * 4L),
                    causal, scale, out.asSlice(b * qBytes, qBytes), d, scratch, lo, hi);
        }
    }

    /**
     * Per-thread slots for {@link #attentionGemm}, made once for sequences of up to {@code maxSq} queries and
     * {@code maxSk} keys with heads of up to {@code maxHeadDim}, and reused by every call.
     */
    public record GemmScratch(MemorySegment buffer, int slots, int maxSq, int maxSk, int maxHeadDim) {
        public static GemmScratch create(Arena arena, int threads, int maxSq, int maxSk, int maxHeadDim) {
            if (threads < 1 || maxSq < 1 || maxSk < 1 || maxHeadDim < 1) {
                throw new IllegalArgumentException("AttentionOps.GemmScratch: threads " + threads + ", maxSq " + maxSq
                        + ", maxSk " + maxSk + " and maxHeadDim " + maxHeadDim + " must be positive");
            }
            return new GemmScratch(Mem.floats(arena, threads * slotFloats(maxSq, maxSk, maxHeadDim)), threads, maxSq,
                    maxSk, maxHeadDim);
        }

        /**
         * Packed scaled q [Sqp, hd]; k [Sk, hd]; v^T [hd, Sk]; E [Sqp, Sk]; (E v)^T [hd, Sqp]; 1 / sums [Sqp]; the
         * scale per head dimension [hd]; the streaming kernel's scratch for the queries past the last whole panel
         * (see {@link #gemmQueries}).
         */
        static long slotFloats(int sq, int sk, int hd) {
            return new Gemm.Layout(panels(sq), sk, hd).stream() / 4 + Attention.scratchFloats(hd);
        }

        MemorySegment slot(int i) {
            long bytes = slotFloats(maxSq, maxSk, maxHeadDim) * 4;
            return buffer.asSlice(i * bytes, bytes);
        }
    }

    /**
     * n rounded up to whole GEMM panels: the packed kernel runs a partial panel far slower than a whole one (BERT
     * MiniLM, hd 32 = half a panel at 512 bits: o_h = P v_h on the partial panel made the op 40x slower).
     */
    static int panels(int n) {
        return (n + Matmul.PANEL - 1) / Matmul.PANEL * Matmul.PANEL;
    }

    /**
     * Queries of a head that {@link #attentionGemm} runs through the GEMMs; the rest, fewer than {@code PANEL / 9},
     * go through the streaming kernel rather than padding a whole panel of queries. Measured on ViT-B/16's attention
     * (1 thread, per layer): the GEMM form costs 0.42 us per (query, head), the streaming kernel ~3.4 us (8x), so r
     * leftover queries cost ~8 r streamed against PANEL - r padded ones. 197 tokens: 192 + 5, 0.20 ms streamed
     * instead of 0.32 ms for 59 padded queries; ViT-L/14's 257: 256 + 1.
     */
    static int gemmQueries(int sq) {
        int whole = sq / Matmul.PANEL * Matmul.PANEL, rest = sq - whole;
        return whole > 0 && rest * 9 < Matmul.PANEL ? whole : sq;
    }

    /**
     * out = softmax(scale q k^T + keyMask) v per head, shapes as {@link #attention} with kvHeads = heads; keyMask
     * may be null; a query whose keys are all masked (-inf) gets zeros. Per (batch entry, head), transposed so that
     * every GEMM runs whole panels of output columns without padding hd (32 in MiniLM = half a 512-bit panel): the
     * head's columns are gathered into contiguous blocks (O(S hd) copies against O(Sq Sk hd) multiply-adds), scale q_h
     * packed for {@link Matmul#matmulF32Packed} with its query rows padded by zeros to Sqp (whole panels); S^T = k_h
     * (scale q_h)^T in one call of {@link Matmul#matmulF32PackedPanels}, whose output blocks [Sk, PANEL] per panel of
     * queries are exactly E packed as w[Sqp, Sk];
     * E = e^(S^T + keyMask - column max) and inv = 1 / column sums ({@link Attention#expColumns}); then
     * (E v_h)^T = v_h^T E^T [hd, Sqp] and out = inv * (E v_h) scattered back, so the softmax normalization touches the
     * hd-wide outputs, not the Sk-wide scores. The padded query columns are computed and dropped.
     * Each thread takes whole items with its own slot: results do not depend on the thread count.
     */
    public static void attentionGemm(Tensor q, Tensor k, Tensor v, Tensor keyMask, float scale, Tensor out,
                                     int heads, GemmScratch scratch, WorkerPool pool) {
        String op = "attentionGemm";
        for (Tensor t : new Tensor[] {q, k, v, out}) {
            OpChecks.f32(op, t == q ? "q" : t == k ? "k" : t == v ? "v" : "out", t);
        }
        if (q.rank() != 2 && q.rank() != 3) {
            throw new IllegalArgumentException(op + ": q " + Arrays.toString(q.shape())
                    + " must be [Sq, heads*headDim] or [batch, Sq, heads*headDim]");
        }
        if (heads < 1 || q.dim(-1) % heads != 0) {
            throw new IllegalArgumentException(op + ": q " + Arrays.toString(q.shape()) + " last dim is not a positive "
                    + "multiple of heads " + heads);
        }
        int hd = q.dim(-1) / heads;
        boolean batched = q.rank() == 3;
        int batch = batched ? q.dim(0) : 1;
        int sq = q.dim(-2);
        int sk = k.dim(-2);
        int[] kvShape = batched ? new int[] {batch, sk, q.dim(-1)} : new int[] {sk, q.dim(-1)};
        requireShape(op, "k", k, kvShape, q);
        requireShape(op, "v", v, kvShape, q);
        OpChecks.sameShape(op, "q", q, "out", out);
        if (keyMask != null) {
            OpChecks.f32(op, "keyMask", keyMask);
            requireShape(op, "keyMask", keyMask, batched ? new int[] {batch, sk} : new int[] {sk}, k);
        }
        if (sq > scratch.maxSq() || sk > scratch.maxSk() || hd > scratch.maxHeadDim()) {
            throw new IllegalArgumentException(op + ": scratch was made for Sq <= " + scratch.maxSq() + ", Sk <= "
                    + scratch.maxSk() + ", headDim <= " + scratch.maxHeadDim() + "; q " + Arrays.toString(q.shape())
                    + ", k " + Arrays.toString(k.shape()) + " with " + heads + " heads need " + sq + ", " + sk + ", "
                    + hd);
        }
        int items = batch * heads;
        if (out.numel() == 0) {
            return;
        }
        if (sk == 0) { // every key masked
            out.data().fill((byte) 0);
            return;
        }
        long work = (long) items * sq * Math.max(1, sk) * hd;
        int parts = (int) Math.min(Math.min(Math.min(pool.threads(), scratch.slots()), items),
                Math.max(1, work / MIN_WORK_PER_THREAD));
        Gemm g = new Gemm(q.data(), k.data(), v.data(), keyMask == null ? null : keyMask.data(), out.data(), scale,
                sq, sk, heads, hd);
        pool.parallelFor(parts, 1, (ps, pe) -> {
            for (int p = ps; p < pe; p++) {
                MemorySegment slot = scratch.slot(p);
                g.prepare(slot);
                for (int i = WorkerPool.bound(items, parts, p), end = WorkerPool.bound(items, parts, p + 1); i < end;
                     i++) {
                    g.head(i / heads, i % heads, slot);
                }
            }
        });
    }

    /** One {@link #attentionGemm} call's operands; q, k, v, out rows are heads * hd wide. */
    private record Gemm(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment out,
                        float scale, int sq, int sk, int heads, int hd) {
        /**
         * Per call and slot: the scale per head dimension, and zeros in the padding columns [Sg, Sqp) of packed q
         * (the last panel, when Sg is not whole panels; the items write only the columns [0, Sg)).
         */
        void prepare(MemorySegment slot) {
            int sg = gemmQueries(sq), sqp = panels(sg);
            Layout l = new Layout(sqp, sk, hd);
            for (int i = 0; i < hd; i++) {
                slot.set(Mem.F32, l.qScale() + 4L * i, scale);
            }
            if (sg % Matmul.PANEL != 0) {
                slot.asSlice(l.qp() + 4L * (sqp - Matmul.PANEL) * hd, 4L * Matmul.PANEL * hd).fill((byte) 0);
            }
        }

        /** Byte offsets of the slot's regions for Sqp packed queries (see {@link GemmScratch#slotFloats}). */
        record Layout(long qp, long kh, long vt, long e, long ot, long inv, long qScale, long stream) {
            Layout(int sqp, int sk, int hd) {
                this(0, 4L * sqp * hd, 4L * (sqp + sk) * hd, 4L * (sqp + 2L * sk) * hd,
                        4L * ((sqp + 2L * sk) * hd + (long) sqp * sk), 4L * ((2L * sqp + 2L * sk) * hd + (long) sqp * sk),
                        4L * ((2L * sqp + 2L * sk) * hd + (long) sqp * sk + sqp),
                        4L * ((2L * sqp + 2L * sk) * hd + (long) sqp * sk + sqp + hd));
            }
        }

        /**
         * Batch entry b, head h, in its thread's slot: queries [0, Sg) through the GEMMs, [Sg, Sq) through the
         * streaming kernel ({@link #gemmQueries}).
         */
        void head(int b, int h, MemorySegment slot) {
            int sg = gemmQueries(sq), sqp = panels(sg);
            long rowBytes = 4L * heads * hd, hdBytes = 4L * hd, col = 4L * h * hd, row = (long) heads * hd;
            long qBase = (long) b * sq * rowBytes + col, kBase = (long) b * sk * rowBytes + col;
            Layout l = new Layout(sqp, sk, hd);
            MemorySegment qp = slot.asSlice(l.qp(), 4L * sqp * hd);         // scale q_h packed as w[Sqp, hd]
            MemorySegment kh = slot.asSlice(l.kh(), 4L * sk * hd);          // [Sk, hd]
            MemorySegment vt = slot.asSlice(l.vt(), 4L * sk * hd);          // [hd, Sk] = v_h^T
            MemorySegment e = slot.asSlice(l.e(), 4L * sqp * sk);           // E packed as w[Sqp, Sk]
            MemorySegment ot = slot.asSlice(l.ot(), 4L * hd * sqp);         // [hd, Sqp] = (E v_h)^T
            MemorySegment inv = slot.asSlice(l.inv(), 4L * sqp);            // [Sqp]
            if (sg < sq) {
                long qAll = 4L * sq * heads * hd, kAll = 4L * sk * heads * hd;
                Attention.attention(q.asSlice(b * qAll, qAll), k.asSlice(b * kAll, kAll), v.asSlice(b * kAll, kAll),
                        mask == null ? null : mask.asSlice(4L * b * sk, 4L * sk), false, scale,
                        out.asSlice(b * qAll, qAll), new Attention.Dims(sq, sk, heads, heads, hd),
                        slot.asSlice(l.stream(), 4L * Attention.scratchFloats(hd)), h * sq + sg, h * sq + sq);
            }
            // packed q: per panel of PANEL queries, their [queries, hd] block of q transposed into [hd][PANEL], each
            // value times the scale (one rounding, as scaling first and packing after)
            MemorySegment qScale = slot.asSlice(l.qScale(), 4L * hd);
            for (int c0 = 0; c0 < sg; c0 += Matmul.PANEL) {
                Transpose.transpose(q, qBase / 4 + c0 * row, row, qp, (long) c0 * hd, Matmul.PANEL,
                        Math.min(Matmul.PANEL, sg - c0), hd, qScale);
            }
            for (int i = 0; i < sk; i++) {
                MemorySegment.copy(k, kBase + i * rowBytes, kh, i * hdBytes, hdBytes);
            }
            Transpose.transpose(v, kBase / 4, row, vt, 0, sk, sk, hd, null);
            MemorySegment m = mask == null ? null : mask.asSlice(4L * b * sk, 4L * sk);
            // S^T = k_h (scale q_h)^T written panel by panel of queries ([Sk, PANEL] each): E packed as w[Sqp, Sk]
            Matmul.matmulF32PackedPanels(kh, qp, e, sk, sqp, hd);
            long ePanel = 4L * sk * Matmul.PANEL;
            for (int c = 0, pi = 0; c < sqp; c += Matmul.PANEL, pi++) {
                Attention.expColumns(e.asSlice(pi * ePanel, ePanel), sk, Matmul.PANEL, m,
                        inv.asSlice(4L * c, 4L * Matmul.PANEL));
            }
            Matmul.matmulF32Packed(vt, e, null, ot, hd, sqp, sk, 0, hd, 0, sqp);
            // out rows [0, Sg) of this head = (E v_h)^T transposed, each query scaled by 1 / its sum
            Transpose.transpose(ot, 0, sqp, out, qBase / 4, row, hd, sg, inv);
        }
    }

    /**
     * Converts a Hugging Face style attention mask [B, Sk] or [Sk] (I64, I32 or F32; 1 keeps a token, 0 pads) into
     * the additive F32 key mask of the same shape (0 or -inf).
     */
    public static void keyMaskFromAttentionMask(Tensor attentionMask, Tensor out) {
        String op = "keyMaskFromAttentionMask";
        DType t = attentionMask.dtype();
        if (t != DType.I64 && t != DType.I32 && t != DType.F32) {
            throw new IllegalArgumentException(op + ": attentionMask " + Arrays.toString(attentionMask.shape())
                    + " must be I64, I32 or F32, got " + t);
        }
        OpChecks.f32(op, "out", out);
        OpChecks.sameShape(op, "attentionMask", attentionMask, "out", out);
        OpChecks.fitsInt(op, "attentionMask", attentionMask);
        float[] m = attentionMask.toFloats();
        for (int i = 0; i < m.length; i++) {
            Mem.setF32(out.data(), i, m[i] != 0 ? 0f : Float.NEGATIVE_INFINITY);
        }
    }

    private static void requireShape(String op, String name, Tensor t, int[] want, Tensor from) {
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + Arrays.toString(want) + " (from q "
                    + "and heads), got " + name + " " + Arrays.toString(t.shape()));
        }
    }
}
