package io.foley4j.models.vocoder;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.ConvOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.NormOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Vocos (Siuzdak 2023, "Vocos: closing the gap between time-domain and Fourier-based neural vocoders") up to the
 * complex spectrum; the iSTFT that turns it into a waveform is io.foley4j.pipeline.vocoder.VocosVocoder (the FFT
 * lives in pipeline). All activations are time-major [frames, channels]:
 * <pre>
 *   h = LN(Conv1d_k7(mel))                                             [F, dim]
 *   per block: h += gamma * W2 GELU(W1 LN(DepthwiseConv1d_k7(h)))      (gamma folded into W2 at load time)
 *   h = LN(h)
 *   (m, p) = h W_out                                                   [F, bins], [F, bins]
 *   spec = min(exp(m), 1e2) (cos p + i sin p)                          [F, bins, 2]
 * </pre>
 */
public final class Vocos {
    private Vocos() {}

    private static final float MAX_MAGNITUDE = 1e2f;
    private static final int MIN_ELEMENTS_PER_THREAD = 16_384;
    private static final int CHUNK = 64; // a multiple of every vector length in floats

    /** Backbone and head: mel [F, nMels] (1 <= F <= maxFrames) to spec [F, bins, 2] (real, imaginary). */
    public static void forward(VocosWeights w, VocosState st, WorkerPool pool, Tensor mel, Tensor spec) {
        VocosConfig c = w.config();
        int frames = checkMel(c, st, mel);
        if (spec == null || spec.dtype() != DType.F32 || !Arrays.equals(spec.shape(), new int[] {frames, c.bins(), 2})) {
            throw new IllegalArgumentException("vocos: spec must be F32 [" + frames + ", " + c.bins() + ", 2] for mel "
                    + Arrays.toString(mel.shape()) + ", got " + spec);
        }
        Tensor h = st.h.slice(0, frames);
        backbone(w, st, pool, mel, h); // the final LayerNorm runs in place on the residual stream
        Tensor head = st.head.slice(0, frames);
        LinearOps.linear(pool, h, w.out().w(), w.out().b(), head);
        polar(pool, head.data(), spec.data(), frames, c.bins());
    }

    /** The backbone alone: mel [F, nMels] to the final LayerNorm's output out [F, dim]. */
    public static void backbone(VocosWeights w, VocosState st, WorkerPool pool, Tensor mel, Tensor out) {
        VocosConfig c = w.config();
        int frames = checkMel(c, st, mel);
        if (out == null || out.dtype() != DType.F32 || !Arrays.equals(out.shape(), new int[] {frames, c.dim()})) {
            throw new IllegalArgumentException("vocos: backbone out must be F32 [" + frames + ", " + c.dim()
                    + "] for mel " + Arrays.toString(mel.shape()) + ", got " + out);
        }
        int d = c.dim(), pad = VocosConfig.KERNEL / 2;
        Tensor col = st.col.slice(0, frames), h = st.h.slice(0, frames), y = st.y.slice(0, frames);
        Tensor ff = st.ff.slice(0, frames);
        // embedding conv = im2col rows (each the KERNEL mel frames around t) times the reordered weight
        im2col(pool, mel.data(), col.data(), frames, c.nMels());
        LinearOps.linear(pool, col, w.embed().w(), w.embed().b(), h);
        NormOps.layerNorm(h, w.normW(), w.normB(), VocosConfig.EPS, h, pool);
        for (VocosWeights.Block b : w.blocks()) {
            ConvOps.depthwiseConv1dRows(pool, h, b.dwTaps(), b.dwBias(), pad, pad, y);
            NormOps.layerNorm(y, b.normW(), b.normB(), VocosConfig.EPS, y, pool);
            LinearOps.linear(pool, y, b.pw1().w(), b.pw1().b(), ff);
            ActivationOps.apply(ActivationOps.Fn.GELU, ff, ff, pool);
            LinearOps.linear(pool, ff, b.pw2().w(), b.pw2().b(), y);
            addInPlace(pool, h.data(), y.data(), frames * d);
        }
        NormOps.layerNorm(h, w.finalNormW(), w.finalNormB(), VocosConfig.EPS, out, pool);
    }

    /** col[t, k * nMels + m] = mel[t + k - KERNEL/2, m], zero outside [0, frames). */
    private static void im2col(WorkerPool pool, MemorySegment mel, MemorySegment col, int frames, int nMels) {
        int kw = VocosConfig.KERNEL, pad = kw / 2;
        long row = 4L * nMels;
        pool.parallelFor(frames, Math.max(1, MIN_ELEMENTS_PER_THREAD / (kw * nMels)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                for (int k = 0; k < kw; k++) {
                    int src = t + k - pad;
                    long dst = ((long) t * kw + k) * row;
                    if (src >= 0 && src < frames) {
                        MemorySegment.copy(mel, src * row, col, dst, row);
                    } else {
                        col.asSlice(dst, row).fill((byte) 0);
                    }
                }
            }
        });
    }

    /** spec[f, k] = min(exp(head[f, k]), 1e2) * (cos, sin)(head[f, bins + k]); per element, thread-independent. */
    private static void polar(WorkerPool pool, MemorySegment head, MemorySegment spec, int frames, int bins) {
        long width = 2L * bins;
        pool.parallelFor(frames, Math.max(1, MIN_ELEMENTS_PER_THREAD / 8 / bins), (f0, f1) -> {
            for (int f = f0; f < f1; f++) {
                long r = f * width;
                for (int k = 0; k < bins; k++) {
                    float mag = Math.min((float) Math.exp(Mem.getF32(head, r + k)), MAX_MAGNITUDE);
                    double p = Mem.getF32(head, r + bins + k);
                    Mem.setF32(spec, r + 2L * k, mag * (float) Math.cos(p));
                    Mem.setF32(spec, r + 2L * k + 1, mag * (float) Math.sin(p));
                }
            }
        });
    }

    /** a += b over n floats, in chunks so the split does not change which lanes take the scalar tail. */
    private static void addInPlace(WorkerPool pool, MemorySegment a, MemorySegment b, int n) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        pool.parallelFor(chunks, MIN_ELEMENTS_PER_THREAD / CHUNK,
                (s, e) -> Elementwise.add(a, b, a, s * CHUNK, Math.min(n, e * CHUNK)));
    }

    private static int checkMel(VocosConfig c, VocosState st, Tensor mel) {
        if (!st.config.equals(c)) {
            throw new IllegalArgumentException("vocos: state was made for " + st.config + ", weights are " + c);
        }
        if (mel == null || mel.dtype() != DType.F32 || mel.rank() != 2 || mel.dim(1) != c.nMels() || mel.dim(0) < 1
                || mel.dim(0) > c.maxFrames()) {
            throw new IllegalArgumentException("vocos: mel " + (mel == null ? "null" : mel.toString()) + " must be F32 "
                    + "[frames (1.." + c.maxFrames() + "), " + c.nMels() + "]");
        }
        return mel.dim(0);
    }
}
