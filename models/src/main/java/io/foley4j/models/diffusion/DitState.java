package io.foley4j.models.diffusion;

import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import java.lang.foreign.Arena;

/**
 * Scratch of one {@link Dit} forward, allocated once from the config (maxBatch x maxTokens rows) and reused by every
 * call; a forward takes views of the leading rows. Not shared between concurrent forwards.
 */
public final class DitState {
    final DitConfig config;
    final int rows;          // maxBatch * maxTokens
    final Tensor h;          // [rows, hidden] residual stream
    final Tensor y;          // [rows, hidden] normalized / modulated input of a sub-layer
    final Tensor q, k, v;    // [rows, hidden]
    final Tensor att;        // [rows, hidden] attention output
    final Tensor tmp;        // [rows, hidden] sub-layer output before the gated residual
    final Tensor ff;         // [rows, mlpHidden]
    final Tensor textK, textV; // [maxBatch * maxTextTokens, hidden]
    final Tensor textMask;   // [maxBatch * maxTextTokens] additive (0 / -inf)
    final Tensor freq;       // [maxBatch, freqDim] sinusoidal timestep features
    final Tensor c1, c, sc;  // [maxBatch, hidden] timestep MLP hidden, conditioning c, SiLU(c)
    final Tensor mod;        // [maxBatch, 6 hidden] shift/scale/gate of one block
    final RnnOps.RnnShape lstmShape;  // one batch-first layer, input = hidden
    final RnnOps.RnnState lstmState;  // h, c [1, maxBatch, hidden]
    final RnnOps.RnnScratch lstmScratch;
    final AttentionOps.GemmScratch attention; // self- (Sk = N) and cross-attention (Sk = S)
    final Tensor ones;       // [hidden] gamma of the affine-free layer norms
    final float[] ropeCos, ropeSin; // [maxTokens, headDim / 2]

    public DitState(DitConfig c, int threads, Arena arena) {
        config = c;
        int d = c.hidden(), b = c.maxBatch(), n = c.maxTokens(), s = c.maxTextTokens();
        rows = b * n;
        h = f32(arena, rows, d);
        y = f32(arena, rows, d);
        q = f32(arena, rows, d);
        k = f32(arena, rows, d);
        v = f32(arena, rows, d);
        att = f32(arena, rows, d);
        tmp = f32(arena, rows, d);
        ff = f32(arena, rows, c.mlpHidden());
        textK = f32(arena, b * s, d);
        textV = f32(arena, b * s, d);
        textMask = f32(arena, b * s);
        freq = f32(arena, b, c.freqDim());
        c1 = f32(arena, b, d);
        this.c = f32(arena, b, d);
        sc = f32(arena, b, d);
        mod = f32(arena, b, 6 * d);
        // the batch entries run through the LSTM together (batch-first), so each step reads W_hh once for all
        lstmShape = new RnnOps.RnnShape(d, d, 1, false, RnnOps.Layout.BATCH_FIRST);
        lstmState = RnnOps.RnnState.zeros(arena, lstmShape, b, true);
        lstmScratch = RnnOps.RnnScratch.allocate(arena, lstmShape, b, n);
        attention = AttentionOps.GemmScratch.create(arena, Math.max(1, threads), n, Math.max(n, s), c.headDim());
        float[] one = new float[d];
        java.util.Arrays.fill(one, 1f);
        ones = Tensor.ofFloats(arena, one, d);
        int half = c.headDim() / 2;
        ropeCos = new float[n * half];
        ropeSin = new float[n * half];
        // theta_j = 10000^(-2j / headDim), angle = position * theta_j (rotate-half layout)
        for (int p = 0; p < n; p++) {
            for (int j = 0; j < half; j++) {
                double a = p * Math.pow(10000.0, -2.0 * j / c.headDim());
                ropeCos[p * half + j] = (float) Math.cos(a);
                ropeSin[p * half + j] = (float) Math.sin(a);
            }
        }
    }

    private static Tensor f32(Arena arena, int... shape) {
        return Tensor.allocate(arena, DType.F32, shape);
    }
}
