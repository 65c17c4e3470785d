package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Multi-head scaled-dot-product attention of one sequence, streaming over keys (online softmax, as in
 * FlashAttention): {@code out_h,i = sum_j softmax_j(scale q_h,i . k_g,j + mask_j) v_g,j} with g = h / (heads / kvHeads)
 * (grouped-query attention: consecutive query heads share a key/value head). The [Sq, Sk] score matrix is never
 * materialized: keys are taken in blocks of {@link #BLOCK}; a query keeps its running max m, running sum l and an
 * accumulator of headDim floats, rescaled by e^(m_old - m_new) when the max grows.
 *
 * <p>Layouts (row-major, heads interleaved along the last dim as the Q/K/V linear layers produce them):
 * q and out [Sq, heads*headDim], k and v [Sk, kvHeads*headDim], keyMask [Sk] additive (0 keeps a key, -inf or a
 * large negative value drops it) or null. With {@code causal}, query i sees keys j <= i + (Sk - Sq) (the last query
 * row aligns with the last key, as in decoding with a cache).
 *
 * <p>Work items are {@code h * Sq + i} (head-major, so a range walks one head's queries while its K/V slice stays
 * in cache); a call computes the items {@code [itemStart, itemEnd)}. A query that sees no key (every visible key
 * masked with -inf, or none visible under {@code causal}) gets a zero output row, not NaN.
 *
 * <p>{@code scratch} holds {@link #scratchFloats} floats per calling thread (scores of one block + the
 * accumulator), allocated once by the caller.
 */
public final class Attention {
    private Attention() {}

    /** Keys per streaming block. */
    public static final int BLOCK = 64;

    /** Sizes of one attention call; {@code heads} must be a multiple of {@code kvHeads}. */
    public record Dims(int sq, int sk, int heads, int kvHeads, int headDim) {
        public Dims {
            Checks.dims("attention", "[sq, sk, heads, kvHeads, headDim]", true, sq, sk, heads, kvHeads, headDim);
            Checks.require(heads > 0 && kvHeads > 0 && headDim > 0, "attention",
                    () -> "heads, kvHeads and headDim must be positive, got " + heads + ", " + kvHeads + ", "
                            + headDim);
            Checks.require(heads % kvHeads == 0, "attention",
                    () -> "heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }

        /** Floats per row of q and out. */
        public int qWidth() { return heads * headDim; }
        /** Floats per row of k and v. */
        public int kvWidth() { return kvHeads * headDim; }
        /** Work items: heads * sq. */
        public int items() { return heads * sq; }
    }

    /**
     * Floats of scratch before the accumulator: a block of scores, and room for one vector more, which the
     * reduction tree's whole-vector stores of 8 scores reach past the block.
     */
    private static final int SCORES = BLOCK + 16;

    /** Scratch floats one thread needs: a block of scores (plus a vector) and the accumulator, padded to 64 bytes. */
    public static int scratchFloats(int headDim) {
        return (SCORES + headDim + 15) & ~15;
    }

    /**
     * Keys per group in the vector scores loop ({@code scoresTree4}, {@code scoresTree2}) when vectors have at least
     * 8 lanes and the head dim is 4 or 2 vectors. q then stays in registers and the loop over the head dim is
     * written out (as a loop of 2-4 trips it cost more than the FMAs). The group's 8 partial-sum vectors, one per
     * key, are reduced together by three levels of two-vector selects ({@link #TREE_LO}, {@link #TREE_HI}) into one
     * vector of the 8 dot products: 14 selects per 8 keys, where a sum per key takes log2(L) rearranges, and one
     * vector store and max per 8 keys instead of 8 scalar ones.
     */
    private static final int KG = 8;
    private static final boolean TREE = F.length() >= KG;
    /**
     * TREE_LO[t] / TREE_HI[t]: select indexes of level t. Level t combines vectors holding 2^t groups of L / 2^t
     * lanes into one holding 2^(t+1) groups of half as many: output group o takes group o / 2 of the first
     * (o even) or second input, its first half (LO) plus its second half (HI).
     */
    static final float[][] TREE_LO = new float[3][], TREE_HI = new float[3][];
    /** At 16 lanes each key ends in a group of two lanes: this swaps neighbours so one add finishes the sums. */
    private static final VectorShuffle<Float> PAIR = F.length() > KG ? VectorShuffle.fromOp(F, i -> i ^ 1) : null;
    /** Moves key p's sum to lanes p and p + 8 (where there are 16 lanes: the copies keep the max exact). */
    private static final VectorShuffle<Float> COMPACT;

    static {
        int lanes = F.length();
        int[] keyOfLane = new int[lanes];
        if (TREE) {
            for (int t = 0; t < 3; t++) {
                int groups = 1 << t, w = lanes >> t;
                float[] lo = new float[lanes], hi = new float[lanes];
                for (int o = 0; o < 2 * groups; o++) {
                    int from = (o % 2) * lanes + (o / 2) * w;
                    for (int x = 0; x < w / 2; x++) {
                        lo[o * (w / 2) + x] = from + x;
                        hi[o * (w / 2) + x] = from + w / 2 + x;
                    }
                }
                TREE_LO[t] = lo;
                TREE_HI[t] = hi;
            }
            // run the LO selects on key numbers: lane l of the result holds (part of) key keyOfLane[l]
            float[][] v = new float[KG][lanes];
            for (int p = 0; p < KG; p++) {
                java.util.Arrays.fill(v[p], p);
            }
            for (int t = 0, count = KG; t < 3; t++, count /= 2) {
                float[][] next = new float[count / 2][];
                FloatVector lo = FloatVector.fromArray(F, TREE_LO[t], 0);
                for (int i = 0; i < count / 2; i++) {
                    next[i] = lo.selectFrom(FloatVector.fromArray(F, v[2 * i], 0), FloatVector.fromArray(F, v[2 * i + 1], 0))
                            .toArray();
                }
                v = next;
            }
            for (int l = 0; l < lanes; l++) {
                keyOfLane[l] = (int) v[0][l];
            }
        }
        COMPACT = !TREE ? null : VectorShuffle.fromOp(F, i -> {
            for (int l = 0; l < lanes; l++) {
                if (keyOfLane[l] == i % KG) return l;
            }
            throw new AssertionError("attention: no lane holds key " + i % KG);
        });
    }

    public static void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                 boolean causal, float scale, MemorySegment out, Dims d,
                                 MemorySegment scratch, int itemStart, int itemEnd) {
        String op = "attention";
        Checks.range(op, "item", itemStart, itemEnd, d.items());
        Checks.require(Float.isFinite(scale), op, () -> "scale must be finite, got " + scale);
        Checks.fits(op, () -> "q [" + d.sq() + ", " + d.qWidth() + "]", q, (long) d.sq() * d.qWidth(), 4);
        Checks.fits(op, () -> "k [" + d.sk() + ", " + d.kvWidth() + "]", k, (long) d.sk() * d.kvWidth(), 4);
        Checks.fits(op, () -> "v [" + d.sk() + ", " + d.kvWidth() + "]", v, (long) d.sk() * d.kvWidth(), 4);
        Checks.fits(op, () -> "out [" + d.sq() + ", " + d.qWidth() + "]", out, (long) d.sq() * d.qWidth(), 4);
        if (keyMask != null) {
            Checks.fits(op, () -> "keyMask [" + d.sk() + "]", keyMask, d.sk(), 4);
        }
        Checks.fits(op, "scratch", scratch, scratchFloats(d.headDim()), 4);
        if (Simd.SCALAR) {
            attentionScalar(q, k, v, keyMask, causal, scale, out, d, scratch, itemStart, itemEnd);
        } else {
            attentionVector(q, k, v, keyMask, causal, scale, out, d, scratch, itemStart, itemEnd);
        }
    }

    /** Keys visible to query i: [0, keyEnd). */
    private static int keyEnd(Dims d, boolean causal, int i) {
        return causal ? Math.max(0, Math.min(d.sk(), i + 1 + d.sk() - d.sq())) : d.sk();
    }

    public static void attentionScalar(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                       boolean causal, float scale, MemorySegment out, Dims d,
                                       MemorySegment scratch, int itemStart, int itemEnd) {
        q = Mem.plain(q); k = Mem.plain(k); v = Mem.plain(v); keyMask = Mem.plain(keyMask); out = Mem.plain(out);
        scratch = Mem.plain(scratch);
        int hd = d.headDim(), group = d.heads() / d.kvHeads();
        long acc = SCORES * 4L; // byte offset of the accumulator in scratch; scores at 0
        for (int item = itemStart; item < itemEnd; item++) {
            int h = item / d.sq(), i = item % d.sq();
            long qOff = ((long) i * d.qWidth() + (long) h * hd) * 4;
            long kvCol = (long) (h / group) * hd * 4;
            int kEnd = keyEnd(d, causal, i);
            float m = Float.NEGATIVE_INFINITY, l = 0;
            for (int c = 0; c < hd; c++) {
                scratch.set(F32, acc + c * 4L, 0f);
            }
            for (int kb = 0; kb < kEnd; kb += BLOCK) {
                int n = Math.min(BLOCK, kEnd - kb);
                float bmax = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    long kOff = (long) (kb + j) * d.kvWidth() * 4 + kvCol;
                    float s = 0;
                    for (int c = 0; c < hd; c++) {
                        s += q.get(F32, qOff + c * 4L) * k.get(F32, kOff + c * 4L);
                    }
                    s *= scale;
                    if (keyMask != null) {
                        s += keyMask.get(F32, (kb + j) * 4L);
                    }
                    scratch.set(F32, j * 4L, s);
                    bmax = Math.max(bmax, s);
                }
                if (bmax == Float.NEGATIVE_INFINITY) {
                    continue; // the whole block is masked
                }
                float mNew = Math.max(m, bmax);
                float alpha = (float) Math.exp(m - mNew); // 0 on the first visible block (m = -inf)
                l *= alpha;
                for (int c = 0; c < hd; c++) {
                    scratch.set(F32, acc + c * 4L, scratch.get(F32, acc + c * 4L) * alpha);
                }
                for (int j = 0; j < n; j++) {
                    float p = (float) Math.exp(scratch.get(F32, j * 4L) - mNew);
                    l += p;
                    long vOff = (long) (kb + j) * d.kvWidth() * 4 + kvCol;
                    for (int c = 0; c < hd; c++) {
                        scratch.set(F32, acc + c * 4L, Math.fma(p, v.get(F32, vOff + c * 4L), scratch.get(F32, acc + c * 4L)));
                    }
                }
                m = mNew;
            }
            float inv = l > 0 ? 1 / l : 0;
            for (int c = 0; c < hd; c++) {
                out.set(F32, qOff + c * 4L, scratch.get(F32, acc + c * 4L) * inv);
            }
        }
    }

    public static void attentionVector(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                       boolean causal, float scale, MemorySegment out, Dims d,
                                       MemorySegment scratch, int itemStart, int itemEnd) {
        q = Mem.plain(q); k = Mem.plain(k); v = Mem.plain(v); keyMask = Mem.plain(keyMask); out = Mem.plain(out);
        scratch = Mem.plain(scratch);
        int hd = d.headDim(), group = d.heads() / d.kvHeads();
        long acc = SCORES * 4L;
        long rowBytes = d.kvWidth() * 4L;
        for (int item = itemStart; item < itemEnd; item++) {
            int h = item / d.sq(), i = item % d.sq();
            long qOff = ((long) i * d.qWidth() + (long) h * hd) * 4;
            long kvCol = (long) (h / group) * hd * 4;
            int kEnd = keyEnd(d, causal, i);
            float m = Float.NEGATIVE_INFINITY, l = 0;
            for (int c = 0; c < hd; c++) {
                scratch.set(F32, acc + c * 4L, 0f);
            }
            for (int kb = 0; kb < kEnd; kb += BLOCK) {
                int n = Math.min(BLOCK, kEnd - kb);
                long kBase = kb * rowBytes + kvCol;
                float bmax = scoresVector(q, qOff, k, kBase, rowBytes, hd, n, scale, scratch);
                if (keyMask != null) {
                    bmax = addMask(keyMask, kb, n, scratch);
                }
                if (bmax == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                float mNew = Math.max(m, bmax);
                if (mNew > m) {
                    float alpha = (float) Math.exp(m - mNew);
                    l *= alpha;
                    scaleAcc(scratch, acc, hd, alpha);
                }
                l += Activation.expSubSumVector(scratch, scratch, 0, n, mNew);
                accumulatePv(scratch, acc, v, kb * rowBytes + kvCol, rowBytes, hd, n);
                m = mNew;
            }
            float inv = l > 0 ? 1 / l : 0;
            int c = 0;
            for (int bound = F.loopBound(hd); c < bound; c += F.length()) {
                FloatVector.fromMemorySegment(F, scratch, acc + c * 4L, ORDER).mul(inv)
                        .intoMemorySegment(out, qOff + c * 4L, ORDER);
            }
            for (; c < hd; c++) {
                out.set(F32, qOff + c * 4L, scratch.get(F32, acc + c * 4L) * inv);
            }
        }
    }

    /** scores[j] = scale * q . k_j for the n keys of a block (rows {@code rowBytes} apart); returns their max. */
    private static float scoresVector(MemorySegment q, long qOff, MemorySegment k, long kBase, long rowBytes,
                                      int hd, int n, float scale, MemorySegment scores) {
        q = Mem.plain(q); k = Mem.plain(k); scores = Mem.plain(scores);
        int bound = F.loopBound(hd);
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (TREE && n >= KG && (hd == 4 * F.length() || hd == 2 * F.length())) {
            j = n / KG * KG;
            max = hd == 4 * F.length() ? scoresTree4(q, qOff, k, kBase, rowBytes, j, scale, scores)
                    : scoresTree2(q, qOff, k, kBase, rowBytes, j, scale, scores);
        }
        for (; j + 4 <= n; j += 4) { // four keys at once: four independent fma chains
            long k0 = kBase + j * rowBytes, k1 = k0 + rowBytes, k2 = k1 + rowBytes, k3 = k2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int c = 0;
            for (; c < bound; c += F.length()) {
                long o = c * 4L;
                FloatVector qv = FloatVector.fromMemorySegment(F, q, qOff + o, ORDER);
                a0 = FloatVector.fromMemorySegment(F, k, k0 + o, ORDER).fma(qv, a0);
                a1 = FloatVector.fromMemorySegment(F, k, k1 + o, ORDER).fma(qv, a1);
                a2 = FloatVector.fromMemorySegment(F, k, k2 + o, ORDER).fma(qv, a2);
                a3 = FloatVector.fromMemorySegment(F, k, k3 + o, ORDER).fma(qv, a3);
            }
            float s0 = Simd.sum(a0), s1 = Simd.sum(a1);
            float s2 = Simd.sum(a2), s3 = Simd.sum(a3);
            for (; c < hd; c++) {
                float qc = q.get(F32, qOff + c * 4L);
                s0 = Math.fma(qc, k.get(F32, k0 + c * 4L), s0);
                s1 = Math.fma(qc, k.get(F32, k1 + c * 4L), s1);
                s2 = Math.fma(qc, k.get(F32, k2 + c * 4L), s2);
                s3 = Math.fma(qc, k.get(F32, k3 + c * 4L), s3);
            }
            s0 *= scale;
            s1 *= scale;
            s2 *= scale;
            s3 *= scale;
            scores.set(F32, j * 4L, s0);
            scores.set(F32, j * 4L + 4, s1);
            scores.set(F32, j * 4L + 8, s2);
            scores.set(F32, j * 4L + 12, s3);
            max = Math.max(max, Math.max(Math.max(s0, s1), Math.max(s2, s3)));
        }
        for (; j < n; j++) {
            long k0 = kBase + j * rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += F.length()) {
                long o = c * 4L;
                a0 = FloatVector.fromMemorySegment(F, k, k0 + o, ORDER)
                        .fma(FloatVector.fromMemorySegment(F, q, qOff + o, ORDER), a0);
            }
            float s0 = Simd.sum(a0);
            for (; c < hd; c++) {
                s0 = Math.fma(q.get(F32, qOff + c * 4L), k.get(F32, k0 + c * 4L), s0);
            }
            s0 *= scale;
            scores.set(F32, j * 4L, s0);
            max = Math.max(max, s0);
        }
        return max;
    }

    // scores of keys [0, n) (n a multiple of KG) for a head dim of 4 vectors, q held in registers; returns their max
    private static float scoresTree4(MemorySegment q, long qOff, MemorySegment k, long kBase, long rowBytes, int n,
                                     float scale, MemorySegment scores) {
        q = Mem.plain(q); k = Mem.plain(k); scores = Mem.plain(scores);
        long v1 = 4L * F.length(), v2 = 2 * v1, v3 = 3 * v1; // byte offsets of the head's 2nd, 3rd, 4th vectors
        FloatVector q0 = FloatVector.fromMemorySegment(F, q, qOff, ORDER), q1 = FloatVector.fromMemorySegment(F, q, qOff + v1, ORDER);
        FloatVector q2 = FloatVector.fromMemorySegment(F, q, qOff + v2, ORDER), q3 = FloatVector.fromMemorySegment(F, q, qOff + v3, ORDER);
        FloatVector lo0 = FloatVector.fromArray(F, TREE_LO[0], 0), hi0 = FloatVector.fromArray(F, TREE_HI[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, TREE_LO[1], 0), hi1 = FloatVector.fromArray(F, TREE_HI[1], 0);
        FloatVector lo2 = FloatVector.fromArray(F, TREE_LO[2], 0), hi2 = FloatVector.fromArray(F, TREE_HI[2], 0);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += KG) {
            long r = kBase + j * rowBytes;
            FloatVector a0 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a1 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a2 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a3 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a4 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a5 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a6 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            r += rowBytes;
            FloatVector a7 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1)).add(FloatVector.fromMemorySegment(F, k, r + v2, ORDER).mul(q2)).add(FloatVector.fromMemorySegment(F, k, r + v3, ORDER).mul(q3));
            FloatVector b0 = lo0.selectFrom(a0, a1).add(hi0.selectFrom(a0, a1));
            FloatVector b1 = lo0.selectFrom(a2, a3).add(hi0.selectFrom(a2, a3));
            FloatVector b2 = lo0.selectFrom(a4, a5).add(hi0.selectFrom(a4, a5));
            FloatVector b3 = lo0.selectFrom(a6, a7).add(hi0.selectFrom(a6, a7));
            FloatVector c0 = lo1.selectFrom(b0, b1).add(hi1.selectFrom(b0, b1));
            FloatVector c1 = lo1.selectFrom(b2, b3).add(hi1.selectFrom(b2, b3));
            FloatVector d = lo2.selectFrom(c0, c1).add(hi2.selectFrom(c0, c1));
            if (PAIR != null) {
                d = d.add(d.rearrange(PAIR));
            }
            d = d.rearrange(COMPACT).mul(scale); // lane p (and p + 8 at 16 lanes): key j + p
            d.intoMemorySegment(scores, j * 4L, ORDER); // lanes past key j + 7: overwritten or unused
            vmax = vmax.max(d);
        }
        return vmax.reduceLanes(VectorOperators.MAX);
    }

    // scoresTree4 for a head dim of 2 vectors. The reduction is written out in both rather than shared: as a method
    // taking the 8 vectors it was not inlined, and the call boxed them (18-21 ns per query-key pair instead of 7.8)
    private static float scoresTree2(MemorySegment q, long qOff, MemorySegment k, long kBase, long rowBytes, int n,
                                     float scale, MemorySegment scores) {
        q = Mem.plain(q); k = Mem.plain(k); scores = Mem.plain(scores);
        long v1 = 4L * F.length();
        FloatVector q0 = FloatVector.fromMemorySegment(F, q, qOff, ORDER), q1 = FloatVector.fromMemorySegment(F, q, qOff + v1, ORDER);
        FloatVector lo0 = FloatVector.fromArray(F, TREE_LO[0], 0), hi0 = FloatVector.fromArray(F, TREE_HI[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, TREE_LO[1], 0), hi1 = FloatVector.fromArray(F, TREE_HI[1], 0);
        FloatVector lo2 = FloatVector.fromArray(F, TREE_LO[2], 0), hi2 = FloatVector.fromArray(F, TREE_HI[2], 0);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += KG) {
            long r = kBase + j * rowBytes;
            FloatVector a0 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a1 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a2 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a3 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a4 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a5 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a6 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            r += rowBytes;
            FloatVector a7 = FloatVector.fromMemorySegment(F, k, r, ORDER).mul(q0).add(FloatVector.fromMemorySegment(F, k, r + v1, ORDER).mul(q1));
            FloatVector b0 = lo0.selectFrom(a0, a1).add(hi0.selectFrom(a0, a1));
            FloatVector b1 = lo0.selectFrom(a2, a3).add(hi0.selectFrom(a2, a3));
            FloatVector b2 = lo0.selectFrom(a4, a5).add(hi0.selectFrom(a4, a5));
            FloatVector b3 = lo0.selectFrom(a6, a7).add(hi0.selectFrom(a6, a7));
            FloatVector c0 = lo1.selectFrom(b0, b1).add(hi1.selectFrom(b0, b1));
            FloatVector c1 = lo1.selectFrom(b2, b3).add(hi1.selectFrom(b2, b3));
            FloatVector d = lo2.selectFrom(c0, c1).add(hi2.selectFrom(c0, c1));
            if (PAIR != null) {
                d = d.add(d.rearrange(PAIR));
            }
            d = d.rearrange(COMPACT).mul(scale); // lane p (and p + 8 at 16 lanes): key j + p
            d.intoMemorySegment(scores, j * 4L, ORDER);
            vmax = vmax.max(d);
        }
        return vmax.reduceLanes(VectorOperators.MAX);
    }

    /** scores[j] += mask[kb + j]; returns the new max. */
    private static float addMask(MemorySegment mask, int kb, int n, MemorySegment scores) {
        mask = Mem.plain(mask); scores = Mem.plain(scores);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            long o = j * 4L;
            FloatVector s = FloatVector.fromMemorySegment(F, scores, o, ORDER)
                    .add(FloatVector.fromMemorySegment(F, mask, (kb + j) * 4L, ORDER));
            s.intoMemorySegment(scores, o, ORDER);
            vmax = vmax.max(s);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            float s = scores.get(F32, j * 4L) + mask.get(F32, (kb + j) * 4L);
            scores.set(F32, j * 4L, s);
            max = Math.max(max, s);
        }
        return max;
    }

    private static void scaleAcc(MemorySegment scratch, long acc, int hd, float alpha) {
        scratch = Mem.plain(scratch);
        int c = 0;
        for (int bound = F.loopBound(hd); c < bound; c += F.length()) {
            long o = acc + c * 4L;
            FloatVector.fromMemorySegment(F, scratch, o, ORDER).mul(alpha).intoMemorySegment(scratch, o, ORDER);
        }
        for (; c < hd; c++) {
            scratch.set(F32, acc + c * 4L, scratch.get(F32, acc + c * 4L) * alpha);
        }
    }

    /** acc += sum_j p_j v_j over the n keys of a block (p in scratch[0, n)); acc stays in registers per chunk. */
    private static void accumulatePv(MemorySegment scratch, long acc, MemorySegment v, long vBase, long rowBytes,
                                     int hd, int n) {
        scratch = Mem.plain(scratch); v = Mem.plain(v);
        int c = 0;
        for (int bound = F.loopBound(hd); c < bound; c += F.length()) {
            long o = c * 4L;
            FloatVector a0 = FloatVector.fromMemorySegment(F, scratch, acc + o, ORDER);
            FloatVector a1 = FloatVector.zero(F); // second chain: halves the fma latency bound
            int j = 0;
            for (; j + 2 <= n; j += 2) {
                long r = vBase + j * rowBytes + o;
                a0 = FloatVector.fromMemorySegment(F, v, r, ORDER).fma(FloatVector.broadcast(F, scratch.get(F32, j * 4L)), a0);
                a1 = FloatVector.fromMemorySegment(F, v, r + rowBytes, ORDER).fma(FloatVector.broadcast(F, scratch.get(F32, j * 4L + 4)), a1);
            }
            if (j < n) {
                a0 = FloatVector.fromMemorySegment(F, v, vBase + j * rowBytes + o, ORDER).fma(FloatVector.broadcast(F, scratch.get(F32, j * 4L)), a0);
            }
            a0.add(a1).intoMemorySegment(scratch, acc + o, ORDER);
        }
        for (; c < hd; c++) {
            float a = scratch.get(F32, acc + c * 4L);
            for (int j = 0; j < n; j++) {
                a = Math.fma(scratch.get(F32, j * 4L), v.get(F32, vBase + j * rowBytes + c * 4L), a);
            }
            scratch.set(F32, acc + c * 4L, a);
        }
    }
    // ---- the softmax pieces of the GEMM form of attention, over columns: s [keys, queries] ----

    /**
     * A block {@code s [rows, width]} (keys x queries), in place: {@code s_jc = e^(s_jc + mask_j - max_c)} with
     * max_c over the column, and {@code inv[c] = 1 / sum_j s_jc}. mask [rows] additive or null; a column whose
     * entries are all -inf becomes zeros with inv 0.
     */
    public static void expColumns(MemorySegment s, int rows, int width, MemorySegment mask, MemorySegment inv) {
        String op = "expColumns";
        Checks.dims(op, "[rows, width]", false, rows, width);
        Checks.fits(op, () -> "s [" + rows + ", " + width + "]", s, (long) rows * width, 4);
        Checks.fits(op, () -> "inv [" + width + "]", inv, width, 4);
        if (mask != null) {
            Checks.fits(op, () -> "mask [" + rows + "]", mask, rows, 4);
        }
        if (Simd.SCALAR) {
            expColumnsScalar(s, rows, width, mask, inv);
        } else {
            expColumnsVector(s, rows, width, mask, inv);
        }
    }

    public static void expColumnsScalar(MemorySegment s, int rows, int width, MemorySegment mask, MemorySegment inv) {
        expColumnsScalar(s, rows, width, mask, inv, 0);
    }

    /** Columns [c0, width). */
    private static void expColumnsScalar(MemorySegment s, int rows, int width, MemorySegment mask, MemorySegment inv,
                                         int c0) {
        s = Mem.plain(s); mask = Mem.plain(mask); inv = Mem.plain(inv);
        for (int c = c0; c < width; c++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < rows; j++) {
                long o = ((long) j * width + c) * 4;
                float x = s.get(F32, o) + (mask == null ? 0f : mask.get(F32, j * 4L));
                s.set(F32, o, x);
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int j = 0; j < rows; j++) {
                long o = ((long) j * width + c) * 4;
                float e = max == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(s.get(F32, o) - max);
                s.set(F32, o, e);
                sum += e;
            }
            inv.set(F32, c * 4L, sum > 0 ? (float) (1 / sum) : 0f);
        }
    }

    public static void expColumnsVector(MemorySegment s, int rows, int width, MemorySegment mask, MemorySegment inv) {
        s = Mem.plain(s); mask = Mem.plain(mask); inv = Mem.plain(inv);
        long rowBytes = width * 4L;
        int c = 0;
        for (int bound = F.loopBound(width); c < bound; c += F.length()) {
            long col = c * 4L;
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < rows; j++) {
                long o = j * rowBytes + col;
                FloatVector x = FloatVector.fromMemorySegment(F, s, o, ORDER);
                if (mask != null) {
                    x = x.add(mask.get(F32, j * 4L));
                    x.intoMemorySegment(s, o, ORDER);
                }
                vmax = vmax.blend(x, x.compare(VectorOperators.GT, vmax)); // a NaN score: its row gets NaN
            }
            // an all -inf column: subtract 0 instead, so e = e^-inf = 0 rather than NaN
            vmax = vmax.blend(0f, vmax.eq(Float.NEGATIVE_INFINITY));
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < rows; j++) {
                long o = j * rowBytes + col;
                FloatVector e = Activation.exp(FloatVector.fromMemorySegment(F, s, o, ORDER).sub(vmax));
                e.intoMemorySegment(s, o, ORDER);
                sum = sum.add(e);
            }
            FloatVector r = FloatVector.broadcast(F, 1f).div(sum);
            r.blend(0f, sum.eq(0f)).intoMemorySegment(inv, col, ORDER);
        }
        expColumnsScalar(s, rows, width, mask, inv, c);
    }
}
