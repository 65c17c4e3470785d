package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AttentionOps#attentionGemm} against the streaming {@link AttentionOps#attention} and a float64 reference.
 * Tagged simd: the key and head-dim padding depend on the panel width, so it runs at every vector width.
 */
@Tag("simd")
class AttentionGemmTest {

    /** Streaming kernel vs GEMMs: same math, different summation order and q pre-scaled. */
    static final double TOL_STREAMING = 2e-5;
    static final double TOL_F64 = 2e-5;

    /** Additive mask [batch, sk]: entry 0 keeps all, entry 1 drops every key, others drop their last 7b keys. */
    static float[] mask(int batch, int sk) {
        float[] m = new float[batch * sk];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < sk; j++) {
                boolean keep = b != 1 && j < sk - 7 * b;
                m[b * sk + j] = keep ? (j % 5 == 0 ? -0.75f : 0f) : Float.NEGATIVE_INFINITY;
            }
        }
        return m;
    }

    /** softmax(scale q k^T + mask) v per (batch, head) in double; all-masked rows give 0. */
    static float[] reference(float[] q, float[] k, float[] v, float[] mask, int batch, int sq, int sk, int heads,
                             int hd, float scale) {
        int d = heads * hd;
        float[] out = new float[batch * sq * d];
        double[] p = new double[sk];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < sq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sk; j++) {
                        double s = 0;
                        for (int c = 0; c < hd; c++) {
                            s += (double) q[(b * sq + i) * d + h * hd + c] * k[(b * sk + j) * d + h * hd + c];
                        }
                        p[j] = scale * s + (mask == null ? 0 : mask[b * sk + j]);
                        max = Math.max(max, p[j]);
                    }
                    if (max == Double.NEGATIVE_INFINITY) continue;
                    double sum = 0;
                    for (int j = 0; j < sk; j++) sum += p[j] = Math.exp(p[j] - max);
                    for (int c = 0; c < hd; c++) {
                        double o = 0;
                        for (int j = 0; j < sk; j++) o += p[j] * v[(b * sk + j) * d + h * hd + c];
                        out[(b * sq + i) * d + h * hd + c] = (float) (o / sum);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Tails everywhere (Sq, Sk, hd not multiples of a vector or a panel), a fully masked batch entry, 1 and 2 threads.
     * Sq 67: the queries past the last whole panel go through the streaming kernel (AttentionOps.gemmQueries).
     */
    @ParameterizedTest
    @ValueSource(ints = {37, 67})
    void matchesStreamingAndFloat64(int sq) {
        int batch = 4, sk = 70, heads = 3, hd = 20, d = heads * hd;
        float scale = AttentionOps.defaultScale(hd);
        float[] qa = NormOpsTest.random(11, batch * sq * d), ka = NormOpsTest.random(12, batch * sk * d);
        float[] va = NormOpsTest.random(13, batch * sk * d), ma = mask(batch, sk);
        try (Arena arena = Arena.ofShared(); WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            Tensor q = Tensor.ofFloats(arena, qa, batch, sq, d), k = Tensor.ofFloats(arena, ka, batch, sk, d);
            Tensor v = Tensor.ofFloats(arena, va, batch, sk, d), m = Tensor.ofFloats(arena, ma, batch, sk);
            Tensor out1 = Tensor.allocate(arena, DType.F32, batch, sq, d);
            Tensor out2 = Tensor.allocate(arena, DType.F32, batch, sq, d);
            Tensor stream = Tensor.allocate(arena, DType.F32, batch, sq, d);
            AttentionOps.attentionGemm(q, k, v, m, scale, out1, heads,
                    AttentionOps.GemmScratch.create(arena, 1, sq, sk, hd), one);
            AttentionOps.attentionGemm(q, k, v, m, scale, out2, heads,
                    AttentionOps.GemmScratch.create(arena, 2, sq, sk, hd), two);
            AttentionOps.attention(q, k, v, m, false, scale, stream, heads, heads,
                    AttentionOps.Scratch.create(arena, 2, hd), two);
            float[] got = out1.toFloats();
            assertArrayEquals(got, out2.toFloats(), "1 vs 2 threads, bit for bit");
            Diff ds = Diff.of(got, stream.toFloats());
            assertTrue(ds.maxAbs() <= TOL_STREAMING, "vs streaming attention: " + ds);
            Diff dr = Diff.of(got, reference(qa, ka, va, ma, batch, sq, sk, heads, hd, scale));
            assertTrue(dr.maxAbs() <= TOL_F64, "vs float64: " + dr);
            for (int i = sq * d; i < 2 * sq * d; i++) {
                assertTrue(got[i] == 0f, "fully masked entry 1 gives zeros, got " + got[i] + " at " + i);
            }
        }
    }

    /**
     * Self-attention sweep (moved from the ViT's own GEMM attention): token counts below, at and across a panel,
     * head sizes with tails, 1 and 2 threads, two frames, one scratch per pool reused across shapes.
     */
    @Test
    void selfAttentionSweep() {
        try (Arena arena = Arena.ofShared(); WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            for (WorkerPool pool : new WorkerPool[] {one, two}) {
                AttentionOps.GemmScratch s = AttentionOps.GemmScratch.create(arena, pool.threads(), 197, 197, 64);
                for (int t : new int[] {1, 13, 64, 70}) {
                    for (int hd : new int[] {7, 16, 64}) {
                        selfCheck(arena, pool, s, 2, t, 3, hd, 1000L * t + hd);
                    }
                }
                selfCheck(arena, pool, s, 1, 197, 2, 64, 7); // ViT-B/16 tokens
            }
        }
    }

    private static void selfCheck(Arena arena, WorkerPool pool, AttentionOps.GemmScratch s, int b, int t, int heads,
                                  int hd, long seed) {
        int d = heads * hd;
        float scale = AttentionOps.defaultScale(hd);
        float[] qa = NormOpsTest.random(seed, b * t * d), ka = NormOpsTest.random(seed + 1, b * t * d);
        float[] va = NormOpsTest.random(seed + 2, b * t * d);
        Tensor out = Tensor.allocate(arena, DType.F32, b, t, d);
        AttentionOps.attentionGemm(Tensor.ofFloats(arena, qa, b, t, d), Tensor.ofFloats(arena, ka, b, t, d),
                Tensor.ofFloats(arena, va, b, t, d), null, scale, out, heads, s, pool);
        Diff diff = Diff.of(out.toFloats(), reference(qa, ka, va, null, b, t, t, heads, hd, scale));
        assertTrue(diff.maxAbs() <= TOL_F64, "b=" + b + " t=" + t + " heads=" + heads + " hd=" + hd + " threads="
                + pool.threads() + ": " + diff);
    }

    /** A scratch dirtied by a bigger call (other padding, other strides) gives what a fresh one gives, bit for bit. */
    @Test
    void reusedScratchEqualsFresh() {
        int heads = 2, hd = 24, d = heads * hd;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            AttentionOps.GemmScratch used = AttentionOps.GemmScratch.create(arena, 2, 90, 130, 40);
            Tensor bq = Tensor.ofFloats(arena, NormOpsTest.random(21, 2 * 90 * 80), 2, 90, 80);
            Tensor bk = Tensor.ofFloats(arena, NormOpsTest.random(22, 2 * 130 * 80), 2, 130, 80);
            Tensor bOut = Tensor.allocate(arena, DType.F32, 2, 90, 80);
            AttentionOps.attentionGemm(bq, bk, bk, null, 0.3f, bOut, 2, used, pool); // hd 40, Sk 130

            int batch = 3, sq = 19, sk = 33;
            float[] qa = NormOpsTest.random(23, batch * sq * d), ka = NormOpsTest.random(24, batch * sk * d);
            float[] va = NormOpsTest.random(25, batch * sk * d), ma = mask(batch, sk);
            Tensor q = Tensor.ofFloats(arena, qa, batch, sq, d), k = Tensor.ofFloats(arena, ka, batch, sk, d);
            Tensor v = Tensor.ofFloats(arena, va, batch, sk, d), m = Tensor.ofFloats(arena, ma, batch, sk);
            Tensor out = Tensor.allocate(arena, DType.F32, batch, sq, d);
            Tensor fresh = Tensor.allocate(arena, DType.F32, batch, sq, d);
            AttentionOps.attentionGemm(q, k, v, m, 0.2f, out, heads, used, pool);
            AttentionOps.attentionGemm(q, k, v, m, 0.2f, fresh, heads,
                    AttentionOps.GemmScratch.create(arena, 2, sq, sk, hd), pool);
            assertArrayEquals(fresh.toFloats(), out.toFloats(), "reused vs fresh scratch");
            Diff dr = Diff.of(out.toFloats(), reference(qa, ka, va, ma, batch, sq, sk, heads, hd, 0.2f));
            assertTrue(dr.maxAbs() <= TOL_F64, "vs float64: " + dr);
        }
    }

    /** One query per entry (an attention-pool probe), unbatched rank 2, no mask. */
    @Test
    void singleQueryAndUnbatched() {
        int heads = 4, hd = 16, d = heads * hd, sk = 50;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            float[] qa = NormOpsTest.random(31, d), ka = NormOpsTest.random(32, sk * d), va = NormOpsTest.random(33, sk * d);
            AttentionOps.GemmScratch s = AttentionOps.GemmScratch.create(arena, 2, 1, sk, hd);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, d);
            AttentionOps.attentionGemm(Tensor.ofFloats(arena, qa, 1, d), Tensor.ofFloats(arena, ka, sk, d),
                    Tensor.ofFloats(arena, va, sk, d), null, 0.25f, out, heads, s, pool);
            Diff dr = Diff.of(out.toFloats(), reference(qa, ka, va, null, 1, 1, sk, heads, hd, 0.25f));
            assertTrue(dr.maxAbs() <= TOL_F64, "vs float64: " + dr);
        }
    }

    @Test
    void rejectsBadShapesAndSmallScratch() {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            Tensor q = Tensor.allocate(arena, DType.F32, 2, 10, 64);
            Tensor k = Tensor.allocate(arena, DType.F32, 2, 12, 32);
            Tensor kOk = Tensor.allocate(arena, DType.F32, 2, 12, 64);
            Tensor out = Tensor.allocate(arena, DType.F32, 2, 10, 64);
            AttentionOps.GemmScratch s = AttentionOps.GemmScratch.create(arena, 1, 10, 12, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOps.attentionGemm(q, k, k, null, 1f, out, 4, s, pool));
            assertTrue(e.getMessage().contains("attentionGemm: k must be [2, 12, 64] (from q and heads), got k [2, 12, 32]"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOps.attentionGemm(q, kOk, kOk, null, 1f, out, 2, s, pool));
            assertTrue(e.getMessage().contains("scratch was made for Sq <= 10, Sk <= 12, headDim <= 16"), e.getMessage());
            Tensor mask = Tensor.allocate(arena, DType.F32, 12);
            e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionOps.attentionGemm(q, kOk, kOk, mask, 1f, out, 4, s, pool));
            assertTrue(e.getMessage().contains("keyMask must be [2, 12]"), e.getMessage());
        }
    }
}
