package io.foley4j.models.vit;

import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.StageTimes;
import io.foley4j.engine.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Scratch of one {@link Vit} for up to {@code maxBatch} frames of {@code height x width} pixels, allocated once (the
 * llama2.c RunState): activations, the im2col matrix, attention and INT8 scratch, and the position table for this
 * resolution (bicubic-interpolated when it differs from the training one). Results of the last
 * {@link Vit#forward} are read with {@link #pooled}, {@link #embedding} and {@link #tokens}. Not thread-safe: one
 * forward at a time per state. Owns its memory: {@link #close()} frees it.
 */
public final class VitState implements AutoCloseable {
    final int maxBatch, height, width, gridH, gridW, patches, tokens, hidden, outputDim;
    final Arena arena = Arena.ofShared();
    /** [T, D] position embeddings for this resolution */
    final Tensor pos;
    final MemorySegment col;        // [B*P, C*p*p] im2col patches
    final MemorySegment x, h;       // [B, T, D] residual stream, normed / sub-layer output
    final MemorySegment q, k, v, a; // [B, T, D] attention
    final MemorySegment m;          // [B, T, F] MLP hidden
    final MemorySegment pooled;     // [B, D]
    final MemorySegment embedding;  // [B, projectionDim]
    final MemorySegment headQ, headA, headX, headN, headM, headY; // SigLIP head: [B, D] x4 ([B, 1, D] for attention), [B, F], [B, D]
    final AttentionOps.GemmScratch attention; // blocks ([T] queries) and SigLIP head (one query per frame)
    /** INT8 activations [B*T, maxK] and their (constant) scales [B*T]; null without INT8 weights */
    final MemorySegment q8, q8Scales;
    /** Static INT8 with packed weights: the quantized activations as F32 (q * scale), [tokens, maxK]. */
    final MemorySegment q8Dequantized;
    /** When non-null, {@link Vit#forward} records max |input| per linear layer name here (calibration). */
    Map<String, float[]> observed;
    int batch;
    /** Per-stage timing of the forward, off unless {@link #profile} turned it on. */
    private final StageTimes<Vit.Stage> times = new StageTimes<>(Vit.Stage.class);

    VitState(VitWeights w, int maxBatch, int height, int width, int threads) {
        VitConfig c = w.config();
        if (maxBatch < 1 || height < 1 || width < 1 || height % c.patchSize() != 0 || width % c.patchSize() != 0) {
            throw new IllegalArgumentException("VitState: " + maxBatch + " frames of " + height + "x" + width
                    + " pixels: need a batch >= 1 and sides that are positive multiples of the patch size "
                    + c.patchSize() + " (" + c.name() + ")");
        }
        this.maxBatch = maxBatch;
        this.height = height;
        this.width = width;
        this.gridH = height / c.patchSize();
        this.gridW = width / c.patchSize();
        this.patches = gridH * gridW;
        this.tokens = patches + (c.classToken() ? 1 : 0);
        this.hidden = c.hidden();
        this.outputDim = c.outputDim();
        long bt = (long) maxBatch * tokens, d = c.hidden();
        pos = Tensor.ofFloats(arena, Positions.forGrid(w, gridH, gridW), tokens, c.hidden());
        col = floats((long) maxBatch * patches * c.patchValues());
        x = floats(bt * d);
        h = floats(bt * d);
        q = floats(bt * d);
        k = floats(bt * d);
        v = floats(bt * d);
        a = floats(bt * d);
        m = floats(bt * c.mlp());
        pooled = floats(maxBatch * d);
        embedding = floats((long) maxBatch * c.outputDim());
        boolean head = w.head() != null;
        headQ = head ? floats(maxBatch * d) : null;
        headA = head ? floats(maxBatch * d) : null;
        headX = head ? floats(maxBatch * d) : null;
        headN = head ? floats(maxBatch * d) : null;
        headM = head ? floats((long) maxBatch * c.mlp()) : null;
        headY = head ? floats(maxBatch * d) : null;
        attention = AttentionOps.GemmScratch.create(arena, threads, tokens, tokens, c.headDim());
        boolean int8 = w.linears().stream().anyMatch(l -> l.inputScale() > 0);
        int maxK = Math.max(Math.max(c.hidden(), c.mlp()), c.patchValues());
        q8 = int8 ? arena.allocate(bt * maxK, 64) : null;
        q8Scales = int8 ? floats(bt) : null;
        q8Dequantized = int8 ? floats(bt * maxK) : null;
    }

    private MemorySegment floats(long n) {
        return arena.allocate(Math.max(1, n) * 4, 64);
    }

    /** An F32 tensor over the first elements of {@code seg}. */
    static Tensor view(MemorySegment seg, int... shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return Tensor.of(DType.F32, seg.asSlice(0, n * 4), shape);
    }

    /**
     * Opt-in timing of {@link Vit#forward}: {@code true} starts (and zeros) per-stage totals, {@code false} stops.
     * Off (the default), a forward pays one null check per stage.
     */
    public void profile(boolean on) {
        times.enable(on);
    }

    /** Nanoseconds per stage (indexed by {@link Vit.Stage#ordinal()}) since profiling began; null when off. */
    public long[] stageNanos() {
        return times.nanos();
    }

    /** Profiling: a start time, or 0 when off. */
    long tick() {
        return times.tick();
    }

    /** Profiling: charges the time since {@code start} to {@code stage}; returns now (the next stage's start). */
    long lap(Vit.Stage stage, long start) {
        return times.lap(stage, start);
    }

    public int maxBatch() { return maxBatch; }
    public int height() { return height; }
    public int width() { return width; }
    /** Tokens per frame: patches (+1 class token). */
    public int tokenCount() { return tokens; }
    /** Patches per frame. */
    public int patchCount() { return patches; }

    /** [batch, hidden]: CLIP pooler_output (post-LayerNorm class token) or SigLIP attention-pool output. */
    public Tensor pooled() { return view(pooled, batch, hidden); }

    /** [batch, outputDim]: the projected embedding (CLIP image_embeds), or {@link #pooled} without a projection. */
    public Tensor embedding() { return view(embedding, batch, outputDim); }

    /**
     * [batch, tokens, hidden]: Hugging Face's last_hidden_state (CLIP: encoder output, class token first;
     * SigLIP: post-LayerNorm patches).
     */
    public Tensor tokens() { return view(x, batch, tokens, hidden); }

    /** [patches, hidden] of one frame: {@link #tokens} without the class token (a copy). */
    public float[] patchTokens(int frame) {
        if (frame < 0 || frame >= batch) {
            throw new IllegalArgumentException("VitState.patchTokens: frame " + frame + " outside batch " + batch);
        }
        int d = hidden, skip = tokens - patches;
        float[] out = new float[patches * d];
        MemorySegment.copy(x, io.foley4j.kernels.Mem.F32, ((long) frame * tokens + skip) * d * 4, out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
