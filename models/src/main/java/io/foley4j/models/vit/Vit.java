package io.foley4j.models.vit;

import static io.foley4j.models.vit.VitState.view;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.NormOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Vision Transformer forward (Dosovitskiy et al. 2021; CLIP, Radford et al. 2021; SigLIP, Zhai et al. 2023), equal
 * to Hugging Face's CLIPVisionModelWithProjection / SiglipVisionModel:
 * <pre>
 *   x0 = [cls;] patches(pixels) W_e^T (+ b_e) + E_pos        patch embedding = conv2d(kernel = stride = p) as a matmul
 *   x0 = LN_pre(x0)                                          CLIP only
 *   x += Attn(LN1(x));  x += W2 act(W1 LN2(x))               per block (pre-LN)
 *   CLIP:   tokens = x;         pooled = LN_post(x[:, 0]);   embedding = pooled W_proj^T
 *   SigLIP: tokens = LN_post(x); pooled = MAP(tokens)        (probe attention, x += MLP(LN(x)))
 * </pre>
 * Immutable and thread-safe; each caller uses its own {@link VitState}.
 */
public final class Vit {
    private final VitWeights w;
    private final VitConfig c;

    public Vit(VitWeights weights) {
        this.w = weights;
        this.c = weights.config();
    }

    public VitConfig config() { return c; }

    /**
     * Parts of {@link #forward} timed by {@link VitState#profile}: PATCH_EMBED includes im2col, the positions and the
     * pre-LayerNorm; HEAD is everything after the last block (pooling, post-LayerNorm, projection).
     */
    public enum Stage { PATCH_EMBED, LAYER_NORM, QKV, ATTENTION, ATTENTION_OUTPUT, RESIDUAL, FFN_IN, ACTIVATION, FFN_OUT, HEAD }

    public VitWeights weights() { return w; }

    /** Scratch for up to {@code maxBatch} frames of {@code height x width} (multiples of the patch size). */
    public VitState newState(int maxBatch, int height, int width, WorkerPool pool) {
        return new VitState(w, maxBatch, height, width, pool.threads());
    }

    /** Scratch at the training resolution. */
    public VitState newState(int maxBatch, WorkerPool pool) {
        return newState(maxBatch, c.imageSize(), c.imageSize(), pool);
    }

    /** Runs pixels F32 [B, C, H, W] (normalized, B <= maxBatch, H x W the state's) into the state's outputs. */
    public void forward(VitState s, Tensor pixels, WorkerPool pool) {
        int b = checkPixels(s, pixels);
        s.batch = b;
        int t = s.tokens, p = s.patches, d = c.hidden(), f = c.mlp();
        Tensor x = view(s.x, b, t, d), h = view(s.h, b, t, d), a = view(s.a, b, t, d);
        Tensor q = view(s.q, b, t, d), k = view(s.k, b, t, d), v = view(s.v, b, t, d), m = view(s.m, b, t, f);

        long t0 = s.tick();
        // patch embedding: e[b*P, D] = im2col(pixels) W_e^T + b_e, then x = [cls;] e + pos
        var g = new Conv.Geometry2d(c.channels(), s.height, s.width, d, c.patchSize(), c.patchSize(),
                c.patchSize(), c.patchSize(), 0, 0);
        VitOps.im2col(pool, pixels.data(), g, s.col, b);
        Tensor e = view(s.h, b * p, d);
        VitOps.linear(pool, w.patchEmbed(), view(s.col, b * p, c.patchValues()), e, s);
        addPositions(s, b, pool);
        if (w.preNorm() != null) {
            layerNorm(pool, x, w.preNorm(), x);
        }
        t0 = s.lap(Stage.PATCH_EMBED, t0);

        for (VitWeights.Block blk : w.blocks()) {
            layerNorm(pool, x, blk.norm1(), h);
            t0 = s.lap(Stage.LAYER_NORM, t0);
            if (blk.qkv() != null && s.observed == null) { // one GEMM (calibration observes each layer's input)
                LinearOps.linearGroups(pool, h, blk.qkv().weight(), blk.qkv().bias(), q, k, v);
            } else {
                VitOps.linear(pool, blk.q(), h, q, s);
                VitOps.linear(pool, blk.k(), h, k, s);
                VitOps.linear(pool, blk.v(), h, v, s);
            }
            t0 = s.lap(Stage.QKV, t0);
            AttentionOps.attentionGemm(q, k, v, null, AttentionOps.defaultScale(c.headDim()), a, c.heads(),
                    s.attention, pool);
            t0 = s.lap(Stage.ATTENTION, t0);
            VitOps.linear(pool, blk.out(), a, h, s);
            t0 = s.lap(Stage.ATTENTION_OUTPUT, t0);
            VitOps.addInPlace(pool, s.x, s.h, b * t * d);
            t0 = s.lap(Stage.RESIDUAL, t0);

            layerNorm(pool, x, blk.norm2(), h);
            t0 = s.lap(Stage.LAYER_NORM, t0);
            VitOps.linear(pool, blk.fc1(), h, m, s);
            t0 = s.lap(Stage.FFN_IN, t0);
            ActivationOps.apply(c.act(), m, m, pool);
            t0 = s.lap(Stage.ACTIVATION, t0);
            VitOps.linear(pool, blk.fc2(), m, h, s);
            t0 = s.lap(Stage.FFN_OUT, t0);
            VitOps.addInPlace(pool, s.x, s.h, b * t * d);
            t0 = s.lap(Stage.RESIDUAL, t0);
        }

        Tensor pooled = view(s.pooled, b, d);
        if (c.classToken()) {
            for (int i = 0; i < b; i++) { // class token of each frame
                MemorySegment.copy(s.x, (long) i * t * d * 4, s.pooled, (long) i * d * 4, d * 4L);
            }
            layerNorm(pool, pooled, w.postNorm(), pooled);
        } else {
            layerNorm(pool, x, w.postNorm(), x);
            attentionPool(s, x, pooled, b, pool);
        }
        Tensor out = view(s.embedding, b, c.outputDim());
        if (w.projection() != null) {
            VitOps.linear(pool, w.projection(), pooled, out, s);
        } else {
            MemorySegment.copy(s.pooled, 0, s.embedding, 0, (long) b * d * 4);
        }
        s.lap(Stage.HEAD, t0);
    }

    /** x[f, 0] = cls + pos[0]; x[f, 1 + i] = e[f*P + i] + pos[1 + i] (CLIP); x[f, i] = e[f*P + i] + pos[i] (SigLIP). */
    private void addPositions(VitState s, int b, WorkerPool pool) {
        int t = s.tokens, p = s.patches, d = c.hidden(), cls = t - p;
        MemorySegment pos = s.pos.data();
        // e lives in h; x and h are distinct buffers
        for (int f = 0; f < b; f++) {
            long xf = (long) f * t * d;
            if (cls == 1) {
                for (int j = 0; j < d; j++) {
                    Mem.setF32(s.x, xf + j, Mem.getF32(w.classToken().data(), j) + Mem.getF32(pos, j));
                }
            }
            MemorySegment.copy(s.h, (long) f * p * d * 4, s.x, (xf + (long) cls * d) * 4, (long) p * d * 4);
            VitOps.addInPlace(pool, s.x.asSlice((xf + (long) cls * d) * 4), pos.asSlice((long) cls * d * 4), p * d);
        }
    }

    /** SigLIP head: pooled = y + MLP(LN(y)), y = MultiheadAttention(probe, tokens, tokens). */
    private void attentionPool(VitState s, Tensor x, Tensor pooled, int b, WorkerPool pool) {
        VitWeights.Head hd = w.head();
        int t = s.tokens, d = c.hidden(), f = c.mlp();
        // q = probe W_q^T + b_q is the same for every frame: compute row 0, copy it
        VitOps.linear(pool, hd.q(), hd.probe().view(1, d), view(s.headQ, 1, d), s);
        for (int i = 1; i < b; i++) {
            MemorySegment.copy(s.headQ, 0, s.headQ, (long) i * d * 4, d * 4L);
        }
        Tensor k = view(s.k, b, t, d), v = view(s.v, b, t, d);
        VitOps.linear(pool, hd.k(), x, k, s);
        VitOps.linear(pool, hd.v(), x, v, s);
        Tensor q1 = view(s.headQ, b, 1, d), a1 = view(s.headA, b, 1, d);
        AttentionOps.attentionGemm(q1, k, v, null, AttentionOps.defaultScale(c.headDim()), a1, c.heads(),
                s.attention, pool);
        Tensor y = view(s.headX, b, d), n = view(s.headN, b, d), mm = view(s.headM, b, f);
        VitOps.linear(pool, hd.out(), view(s.headA, b, d), y, s);
        layerNorm(pool, y, hd.norm(), n);
        VitOps.linear(pool, hd.fc1(), n, mm, s);
        ActivationOps.apply(c.act(), mm, mm, pool);
        VitOps.linear(pool, hd.fc2(), mm, pooled, s);
        VitOps.addInPlace(pool, s.pooled, s.headX, b * d);
    }

    private void layerNorm(WorkerPool pool, Tensor x, VitWeights.Norm n, Tensor out) {
        NormOps.layerNorm(x, n.weight(), n.bias(), c.eps(), out, pool);
    }

    private int checkPixels(VitState s, Tensor px) {
        if (px.dtype() != DType.F32 || px.rank() != 4) {
            throw new IllegalArgumentException("Vit.forward (" + c.name() + "): pixels must be F32 [batch, "
                    + c.channels() + ", " + s.height + ", " + s.width + "], got " + px);
        }
        int[] sh = px.shape();
        if (sh[1] != c.channels()) {
            throw new IllegalArgumentException("Vit.forward (" + c.name() + "): pixels " + Arrays.toString(sh)
                    + " have " + sh[1] + " channels, the model takes " + c.channels() + " (RGB)");
        }
        if (sh[2] != s.height || sh[3] != s.width) {
            throw new IllegalArgumentException("Vit.forward (" + c.name() + "): pixels " + Arrays.toString(sh)
                    + " are " + sh[2] + "x" + sh[3] + ", the state was made for " + s.height + "x" + s.width
                    + " (make a state per resolution; sides must be multiples of the patch size " + c.patchSize() + ")");
        }
        if (sh[0] < 1 || sh[0] > s.maxBatch) {
            throw new IllegalArgumentException("Vit.forward (" + c.name() + "): batch of " + sh[0]
                    + " frames, the state holds 1.." + s.maxBatch);
        }
        return sh[0];
    }
}
