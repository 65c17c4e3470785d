package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Attention;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class AttentionOpsTest {

    /** Batched, masked, split over 3 threads: equals one kernel call per batch entry, bit for bit. */
    @Test
    void batchedSplitEqualsKernelPerBatch() {
        int batch = 3, sq = 40, sk = 70, heads = 6, kvHeads = 2, hd = 32;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(3)) {
            Tensor q = Tensor.ofFloats(arena, NormOpsTest.random(1, batch * sq * heads * hd), batch, sq, heads * hd);
            Tensor k = Tensor.ofFloats(arena, NormOpsTest.random(2, batch * sk * kvHeads * hd), batch, sk, kvHeads * hd);
            Tensor v = Tensor.ofFloats(arena, NormOpsTest.random(3, batch * sk * kvHeads * hd), batch, sk, kvHeads * hd);
            long[] ids = new long[batch * sk];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < sk; j++) ids[b * sk + j] = j < sk - 10 * b ? 1 : 0; // entry b pads its last 10b keys
            }
            Tensor am = Tensor.allocate(arena, DType.I64, batch, sk);
            MemorySegment.copy(ids, 0, am.data(), Mem.I64, 0, ids.length);
            Tensor mask = Tensor.allocate(arena, DType.F32, batch, sk);
            AttentionOps.keyMaskFromAttentionMask(am, mask);
            Tensor out = Tensor.allocate(arena, DType.F32, batch, sq, heads * hd);
            AttentionOps.Scratch scratch = AttentionOps.Scratch.create(arena, pool.threads(), hd);
            float scale = AttentionOps.defaultScale(hd);
            AttentionOps.attention(q, k, v, mask, true, scale, out, heads, kvHeads, scratch, pool);

            Attention.Dims d = new Attention.Dims(sq, sk, heads, kvHeads, hd);
            MemorySegment s = Mem.floats(arena, Attention.scratchFloats(hd));
            for (int b = 0; b < batch; b++) {
                MemorySegment ref = Mem.floats(arena, (long) sq * heads * hd);
                Attention.attention(q.row(b).data(), k.row(b).data(), v.row(b).data(), mask.row(b).data(), true, scale,
                        ref, d, s, 0, d.items());
                assertArrayEquals(Mem.toFloats(ref), out.row(b).toFloats(), "batch entry " + b);
            }
            float[] m = mask.toFloats();
            assertTrue(m[sk - 1] == 0f && m[2 * sk - 1] == Float.NEGATIVE_INFINITY && m[sk + sk - 11] == 0f,
                    "attention mask 1/0 becomes 0/-inf");
        }
    }

    @Test
    void unbatchedWithoutMask() {
        int sq = 5, sk = 9, heads = 2, hd = 8;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            Tensor q = Tensor.ofFloats(arena, NormOpsTest.random(4, sq * heads * hd), sq, heads * hd);
            Tensor kv = Tensor.ofFloats(arena, NormOpsTest.random(5, sk * heads * hd), sk, heads * hd);
            Tensor out = Tensor.allocate(arena, DType.F32, sq, heads * hd);
            AttentionOps.attention(q, kv, kv, null, false, 0.5f, out, heads, heads,
                    AttentionOps.Scratch.create(arena, 1, hd), pool);
            MemorySegment ref = Mem.floats(arena, (long) sq * heads * hd);
            Attention.attention(q.data(), kv.data(), kv.data(), null, false, 0.5f, ref,
                    new Attention.Dims(sq, sk, heads, heads, hd), Mem.floats(arena, Attention.scratchFloats(hd)), 0, sq * heads);
            assertArrayEquals(Mem.toFloats(ref), out.toFloats());
        }
    }

    @Test
    void rejectsBadShapes() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            Tensor q = Tensor.allocate(arena, DType.F32, 2, 10, 64);
            Tensor k = Tensor.allocate(arena, DType.F32, 2, 12, 32);
            Tensor out = Tensor.allocate(arena, DType.F32, 2, 10, 64);
            AttentionOps.Scratch s = AttentionOps.Scratch.create(arena, 1, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOps.attention(q, k, k, null, false, 1f, out, 4, 1, s, pool));
            assertTrue(e.getMessage().contains("attention: k must be [2, 12, 16] (from q and heads), got k [2, 12, 32]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AttentionOps.attention(q, k, k, null, false, 1f, out,
                    4, 2, AttentionOps.Scratch.create(arena, 1, 8), pool));
            assertTrue(e.getMessage().contains("scratch was made for headDim 8"), e.getMessage());
            Tensor mask = Tensor.allocate(arena, DType.F32, 12);
            e = assertThrows(IllegalArgumentException.class, () -> AttentionOps.attention(q, k, k, mask, false, 1f, out,
                    4, 2, AttentionOps.Scratch.create(arena, 1, 16), pool));
            assertTrue(e.getMessage().contains("keyMask must be [2, 12]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOps.attention(q, k, k, null, false, 1f, out, 3, 1, s, pool));
            assertTrue(e.getMessage().contains("heads 3"), e.getMessage());
        }
    }
}
