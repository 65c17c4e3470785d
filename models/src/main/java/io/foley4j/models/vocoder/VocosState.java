package io.foley4j.models.vocoder;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.lang.foreign.Arena;

/**
 * Scratch of one {@link Vocos} forward, allocated once for {@code maxFrames} frames and reused by every call; a
 * forward takes views of the leading rows. Not shared between concurrent forwards.
 */
public final class VocosState {
    final VocosConfig config;
    final Tensor col;   // [maxFrames, KERNEL * nMels] im2col rows of the embedding conv
    final Tensor h;     // [maxFrames, dim] residual stream
    final Tensor y;     // [maxFrames, dim] block branch
    final Tensor ff;    // [maxFrames, intermediate]
    final Tensor head;  // [maxFrames, nFft + 2] log-magnitude | phase

    public VocosState(VocosConfig c, Arena arena) {
        config = c;
        int f = c.maxFrames();
        col = f32(arena, f, VocosConfig.KERNEL * c.nMels());
        h = f32(arena, f, c.dim());
        y = f32(arena, f, c.dim());
        ff = f32(arena, f, c.intermediate());
        head = f32(arena, f, c.nFft() + 2);
    }

    private static Tensor f32(Arena arena, int... shape) {
        return Tensor.allocate(arena, DType.F32, shape);
    }
}
