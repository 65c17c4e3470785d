package io.foley4j.models.diffusion;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.NormOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import java.util.Arrays;
import java.util.List;

/**
 * DiT denoiser (Peebles and Xie 2023, adaLN-Zero) over audio frames, with rotary self-attention, cross-attention to
 * text tokens (PixArt-style), an added per-frame conditioning sequence and an optional residual LSTM:
 * <pre>
 *   h   = patchify(x) W_x + frameCond_patched W_f                       [B, N, D], N = T / patch
 *   c   = MLP(sinusoid(t)),  s = SiLU(c)                                 [B, D]
 *   per block: (sh1, sc1, g1, sh2, sc2, g2) = s W_mod
 *     h += g1 * SelfAttn_rope(LN(h) (1 + sc1) + sh1)
 *     h += CrossAttn(LN_affine(h), text, textMask)
 *     h += g2 * FF_geluTanh(LN(h) (1 + sc2) + sh2)
 *   h  += LSTM(h)                                                        (config.lstm)
 *   out = unpatchify((LN(h) (1 + sc) + sh) W_out),  (sh, sc) = s W_final [B, T, C]
 * </pre>
 */
public final class Dit {
    private Dit() {}

    /**
     * One denoiser evaluation. x [B, T, C], t one timestep per batch entry, text [B, S, textDim], textMask [B, S]
     * (non-zero keeps a token) or null, frameCond [B, T, condDim] or null, out [B, T, C]. B <= maxBatch,
     * T a multiple of patch up to maxFrames, S <= maxTextTokens.
     */
    public static void forward(DitWeights w, DitState st, WorkerPool pool, Tensor x, float[] t, Tensor text,
                               Tensor textMask, Tensor frameCond, Tensor out) {
        DitConfig cfg = w.config();
        check(cfg, st, x, t, text, textMask, frameCond, out);
        int b = x.dim(0), frames = x.dim(1), n = frames / cfg.patch(), rows = b * n, s = text.dim(1);
        int d = cfg.hidden(), heads = cfg.heads();
        Tensor h = st.h.slice(0, rows), y = st.y.slice(0, rows), tmp = st.tmp.slice(0, rows);
        Tensor q = st.q.slice(0, rows), k = st.k.slice(0, rows), v = st.v.slice(0, rows);
        Tensor att = st.att.slice(0, rows), ff = st.ff.slice(0, rows);
        Tensor tk = st.textK.slice(0, b * s), tv = st.textV.slice(0, b * s), mask = st.textMask.slice(0, b * s);
        Tensor mod = st.mod.slice(0, b), sc = st.sc.slice(0, b), c = st.c.slice(0, b), c1 = st.c1.slice(0, b);
        Tensor freq = st.freq.slice(0, b);
        float attScale = AttentionOps.defaultScale(cfg.headDim());

        // patch embedding (+ per-frame conditioning): [B, T, C] is [B*N, patch*C] in memory
        linear(pool, x.view(rows, cfg.patch() * cfg.inChannels()), w.xEmbed(), h);
        if (frameCond != null) {
            linear(pool, frameCond.view(rows, cfg.patch() * cfg.condDim()), w.frameEmbed(), tmp);
            DitMath.addInPlace(pool, h.data(), tmp.data(), rows * d);
        }
        // timestep conditioning c and s = SiLU(c)
        DitMath.timestepEmbedding(t, cfg.freqDim(), freq.data());
        linear(pool, freq, w.time1(), c1);
        ActivationOps.apply(ActivationOps.Fn.SILU, c1, c1, pool);
        linear(pool, c1, w.time2(), c);
        ActivationOps.apply(ActivationOps.Fn.SILU, c, sc, pool);
        DitMath.additiveMask(textMask, b, s, mask.data());
        Tensor text2 = text.view(b * s, cfg.textDim());

        for (DitWeights.Block blk : w.blocks()) {
            linear(pool, sc, blk.modulation(), mod); // [B, 6D]: shift1, scale1, gate1, shift2, scale2, gate2
            // self-attention
            NormOps.layerNorm(h, st.ones, null, cfg.eps(), y, pool);
            DitMath.modulate(pool, y.data(), mod.data(), 6 * d, 0, d, b, n, d);
            linear(pool, y, blk.q(), q);
            linear(pool, y, blk.k(), k);
            linear(pool, y, blk.v(), v);
            DitMath.rope(q.data(), st.ropeCos, st.ropeSin, b, n, heads, cfg.headDim());
            DitMath.rope(k.data(), st.ropeCos, st.ropeSin, b, n, heads, cfg.headDim());
            AttentionOps.attentionGemm(q.view(b, n, d), k.view(b, n, d), v.view(b, n, d), null, attScale,
                    att.view(b, n, d), heads, st.attention, pool);
            linear(pool, att, blk.proj(), tmp);
            DitMath.gatedAdd(pool, h.data(), tmp.data(), mod.data(), 6 * d, 2 * d, b, n, d);
            // cross-attention to the text tokens
            NormOps.layerNorm(h, blk.crossNormW(), blk.crossNormB(), cfg.eps(), y, pool);
            linear(pool, y, blk.crossQ(), q);
            linear(pool, text2, blk.crossK(), tk);
            linear(pool, text2, blk.crossV(), tv);
            AttentionOps.attentionGemm(q.view(b, n, d), tk.view(b, s, d), tv.view(b, s, d), mask.view(b, s),
                    attScale, att.view(b, n, d), heads, st.attention, pool);
            linear(pool, att, blk.crossProj(), tmp);
            DitMath.addInPlace(pool, h.data(), tmp.data(), rows * d);
            // feed-forward
            NormOps.layerNorm(h, st.ones, null, cfg.eps(), y, pool);
            DitMath.modulate(pool, y.data(), mod.data(), 6 * d, 3 * d, 4 * d, b, n, d);
            linear(pool, y, blk.fc1(), ff);
            ActivationOps.apply(ActivationOps.Fn.GELU_TANH, ff, ff, pool);
            linear(pool, ff, blk.fc2(), tmp);
            DitMath.gatedAdd(pool, h.data(), tmp.data(), mod.data(), 6 * d, 5 * d, b, n, d);
        }
        if (w.lstm() != null) { // h += LSTM(h), every batch entry from a zero state, all entries in one pass
            Tensor hs = st.lstmState.h().view(cfg.maxBatch(), d).slice(0, b).view(1, b, d);
            Tensor cs = st.lstmState.c().view(cfg.maxBatch(), d).slice(0, b).view(1, b, d);
            hs.data().fill((byte) 0);
            cs.data().fill((byte) 0);
            RnnOps.lstm(pool, new RnnOps.LstmStack(st.lstmShape, List.of(w.lstm())), h.view(b, n, d),
                    new RnnOps.RnnState(hs, cs), tmp.view(b, n, d), null, st.lstmScratch);
            DitMath.addInPlace(pool, h.data(), tmp.data(), rows * d);
        }
        Tensor fmod = st.mod.view(6 * cfg.maxBatch(), d).slice(0, 2 * b).view(b, 2 * d); // [B, 2D]: shift, scale
        linear(pool, sc, w.finalMod(), fmod);
        NormOps.layerNorm(h, st.ones, null, cfg.eps(), y, pool);
        DitMath.modulate(pool, y.data(), fmod.data(), 2 * d, 0, d, b, n, d);
        linear(pool, y, w.finalOut(), out.view(rows, cfg.patch() * cfg.inChannels()));
    }

    private static void linear(WorkerPool pool, Tensor x, DitWeights.Linear l, Tensor y) {
        LinearOps.linear(pool, x, l.w(), l.b(), y);
    }

    private static void check(DitConfig cfg, DitState st, Tensor x, float[] t, Tensor text, Tensor textMask,
                              Tensor frameCond, Tensor out) {
        if (st.config != cfg) {
            if (!st.config.equals(cfg)) {
                throw new IllegalArgumentException("dit: state was made for " + st.config + ", weights are " + cfg);
            }
        }
        if (x.rank() != 3 || x.dim(2) != cfg.inChannels() || x.dim(0) < 1 || x.dim(0) > cfg.maxBatch()
                || x.dim(1) < cfg.patch() || x.dim(1) % cfg.patch() != 0 || x.dim(1) > cfg.maxFrames()) {
            throw new IllegalArgumentException("dit: x " + Arrays.toString(x.shape()) + " must be [B <= "
                    + cfg.maxBatch() + ", T (a multiple of " + cfg.patch() + ", <= " + cfg.maxFrames() + "), "
                    + cfg.inChannels() + "]");
        }
        int b = x.dim(0), frames = x.dim(1);
        if (t == null || t.length != b) {
            throw new IllegalArgumentException("dit: t needs one timestep per batch entry (" + b + "), got "
                    + (t == null ? "null" : t.length));
        }
        if (text.rank() != 3 || text.dim(0) != b || text.dim(1) < 1 || text.dim(1) > cfg.maxTextTokens()
                || text.dim(2) != cfg.textDim()) {
            throw new IllegalArgumentException("dit: text " + Arrays.toString(text.shape()) + " must be [" + b
                    + ", S <= " + cfg.maxTextTokens() + ", " + cfg.textDim() + "] for x " + Arrays.toString(x.shape()));
        }
        if (textMask != null && !Arrays.equals(textMask.shape(), new int[] {b, text.dim(1)})) {
            throw new IllegalArgumentException("dit: textMask " + Arrays.toString(textMask.shape()) + " must be ["
                    + b + ", " + text.dim(1) + "] for text " + Arrays.toString(text.shape()));
        }
        if (frameCond != null && !Arrays.equals(frameCond.shape(), new int[] {b, frames, cfg.condDim()})) {
            throw new IllegalArgumentException("dit: frameCond " + Arrays.toString(frameCond.shape()) + " must be ["
                    + b + ", " + frames + ", " + cfg.condDim() + "] for x " + Arrays.toString(x.shape()));
        }
        if (!Arrays.equals(out.shape(), x.shape())) {
            throw new IllegalArgumentException("dit: out " + Arrays.toString(out.shape()) + " must match x "
                    + Arrays.toString(x.shape()));
        }
    }
}
