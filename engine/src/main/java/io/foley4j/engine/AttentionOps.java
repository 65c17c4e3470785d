package io.foley4j.engine;

import io.foley4j.kernels.Attention;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Tensor-level multi-head attention (streaming kernel {@link Attention}), batched or not, with work items
 * (batch, head, query) split over the pool.
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
