package io.foley4j.pipeline.diffusion;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Mem;
import io.foley4j.models.diffusion.Dit;
import io.foley4j.models.diffusion.DitState;
import io.foley4j.models.diffusion.DitWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The {@link Dit} as a sampler's {@link Denoiser} for one sample x [T, C] with fixed conditioning. With guidance,
 * every call is one batch-2 forward (conditional, unconditional) and returns u + scale (c - u) (classifier-free
 * guidance, Ho and Salimans 2022), computed in double and rounded to float. Buffers are allocated once here.
 */
public final class DitDenoiser implements Denoiser {
    private final DitWeights weights;
    private final DitState state;
    private final WorkerPool pool;
    private final boolean guided;
    private final double scale;
    private final int numel;
    private final Tensor x, out, text, mask, frameCond; // batch 1 or 2
    private final float[] times, both;

    private DitDenoiser(DitWeights w, DitState st, WorkerPool pool, int frames, double scale, Tensor[] cond,
                        Tensor[] uncond, Arena arena) {
        this.weights = w;
        this.state = st;
        this.pool = pool;
        this.guided = uncond != null;
        this.scale = scale;
        int b = guided ? 2 : 1, c = w.config().inChannels();
        numel = frames * c;
        x = Tensor.allocate(arena, DType.F32, b, frames, c);
        out = Tensor.allocate(arena, DType.F32, b, frames, c);
        text = stack(arena, cond[0], guided ? uncond[0] : null);
        mask = cond[1] == null ? null : stack(arena, cond[1], guided ? uncond[1] : null);
        frameCond = cond[2] == null ? null : stack(arena, cond[2], guided ? uncond[2] : null);
        times = new float[b];
        both = new float[b * numel];
    }

    /**
     * Without guidance. text [S, textDim], textMask [S] or null, frameCond [T, condDim] or null; x of the sampler is
     * [frames, inChannels] flattened.
     */
    public static DitDenoiser unguided(DitWeights w, DitState st, WorkerPool pool, int frames, Tensor text,
                                       Tensor textMask, Tensor frameCond, Arena arena) {
        return new DitDenoiser(w, st, pool, frames, 1, new Tensor[] {text, textMask, frameCond}, null, arena);
    }

    /**
     * Classifier-free guidance with {@code scale}: the unconditional inputs have the shapes of the conditional ones
     * (both masks null or both given, both frameCond null or both given).
     */
    public static DitDenoiser guided(DitWeights w, DitState st, WorkerPool pool, int frames, double scale,
                                     Tensor text, Tensor textMask, Tensor frameCond, Tensor uncondText,
                                     Tensor uncondMask, Tensor uncondFrameCond, Arena arena) {
        if ((textMask == null) != (uncondMask == null) || (frameCond == null) != (uncondFrameCond == null)) {
            throw new IllegalArgumentException("DitDenoiser.guided: conditional and unconditional inputs must both "
                    + "have or both lack a text mask and a frame conditioning");
        }
        return new DitDenoiser(w, st, pool, frames, scale, new Tensor[] {text, textMask, frameCond},
                new Tensor[] {uncondText, uncondMask, uncondFrameCond}, arena);
    }

    public int numel() {
        return numel;
    }

    @Override
    public void predict(float[] xs, float t, float[] result) {
        if (xs.length != numel || result.length != numel) {
            throw new IllegalArgumentException("DitDenoiser.predict: x " + xs.length + " and out " + result.length
                    + " values, expected " + numel);
        }
        int b = times.length;
        for (int i = 0; i < b; i++) {
            MemorySegment.copy(xs, 0, x.data(), Mem.F32, (long) i * numel * 4, numel);
            times[i] = t;
        }
        Dit.forward(weights, state, pool, x, times, text, mask, frameCond, out);
        if (!guided) {
            MemorySegment.copy(out.data(), Mem.F32, 0, result, 0, numel);
            return;
        }
        MemorySegment.copy(out.data(), Mem.F32, 0, both, 0, 2 * numel);
        for (int j = 0; j < numel; j++) {
            double c = both[j], u = both[numel + j];
            result[j] = (float) (u + scale * (c - u));
        }
    }

    /** [b, ...] = a (and then u), copied once; a and u share a shape. */
    private static Tensor stack(Arena arena, Tensor a, Tensor u) {
        int[] s = a.shape();
        int[] shape = new int[s.length + 1];
        shape[0] = u == null ? 1 : 2;
        System.arraycopy(s, 0, shape, 1, s.length);
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        int n = Math.toIntExact(a.numel());
        if (u != null && !java.util.Arrays.equals(u.shape(), s)) {
            throw new IllegalArgumentException("DitDenoiser: unconditional " + u + " must match conditional " + a);
        }
        MemorySegment.copy(a.toFloats(), 0, t.data(), Mem.F32, 0, n);
        if (u != null) MemorySegment.copy(u.toFloats(), 0, t.data(), Mem.F32, 4L * n, n);
        return t;
    }
}
