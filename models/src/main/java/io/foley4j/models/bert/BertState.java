package io.foley4j.models.bert;

import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.StageTimes;
import io.foley4j.engine.Tensor;
import java.lang.foreign.Arena;

/**
 * Scratch of one BERT forward pass, allocated once for up to {@code maxBatch} sequences of {@code maxSeq} tokens
 * (rows = maxBatch * maxSeq) and reused by every call and every layer. Owns its memory (a shared arena: the
 * worker pool's threads write it); {@link #close()} frees it. One state serves one forward at a time.
 */
public final class BertState implements AutoCloseable {
    final int maxBatch, maxSeq;
    final Arena arena = Arena.ofShared();
    final Tensor x;        // [rows, hidden] the hidden states, the output
    final Tensor q, k, v;  // [rows, hidden]
    final Tensor context;  // [rows, hidden] attention output before its projection
    final Tensor sum;      // [rows, hidden] sublayer output + residual, before LayerNorm
    final Tensor ffn;      // [rows, intermediate]
    final Tensor keyMask;  // [rows] additive attention mask, 0 or -inf
    final AttentionOps.GemmScratch attention;
    final AttentionOps.Scratch streaming; // attention of short sequences (BertModel.STREAMING_MAX_SEQ)
    /** INT8 mode: per-token quantized activations for layers reading hidden (K = hidden) and ffn (K = intermediate). */
    final LinearOps.Q8Activations q8Hidden, q8Ffn;
    /** Per-stage timing of the forward, off unless {@link #profile} turned it on. */
    private final StageTimes<BertModel.Stage> times = new StageTimes<>(BertModel.Stage.class);

    BertState(BertConfig c, BertPrecision precision, int threads, int maxBatch, int maxSeq) {
        if (maxBatch < 1 || maxSeq < 1 || maxSeq > c.maxPositions()) {
            throw new IllegalArgumentException("BertState: maxBatch " + maxBatch + " and maxSeq " + maxSeq
                    + " must be positive, maxSeq at most maxPositions " + c.maxPositions());
        }
        this.maxBatch = maxBatch;
        this.maxSeq = maxSeq;
        int rows = Math.multiplyExact(maxBatch, maxSeq), h = c.hidden(), f = c.intermediate();
        x = Tensor.allocate(arena, DType.F32, rows, h);
        q = Tensor.allocate(arena, DType.F32, rows, h);
        k = Tensor.allocate(arena, DType.F32, rows, h);
        v = Tensor.allocate(arena, DType.F32, rows, h);
        context = Tensor.allocate(arena, DType.F32, rows, h);
        sum = Tensor.allocate(arena, DType.F32, rows, h);
        ffn = Tensor.allocate(arena, DType.F32, rows, f);
        keyMask = Tensor.allocate(arena, DType.F32, rows);
        attention = AttentionOps.GemmScratch.create(arena, threads, maxSeq, maxSeq, c.headDim());
        streaming = AttentionOps.Scratch.create(arena, threads, c.headDim());
        if (precision == BertPrecision.INT8) {
            // one buffer, viewed with either row length
            LinearOps.Q8Activations wide = LinearOps.Q8Activations.allocate(arena, rows, Math.max(h, f));
            q8Hidden = new LinearOps.Q8Activations(wide.q(), wide.scales(), wide.dequantized(), rows, h);
            q8Ffn = new LinearOps.Q8Activations(wide.q(), wide.scales(), wide.dequantized(), rows, f);
        } else {
            q8Hidden = q8Ffn = null;
        }
    }

    /**
     * Opt-in timing of {@link BertModel#forward}: {@code true} starts (and zeros) per-stage totals, {@code false} stops.
     * Off (the default), a forward pays one null check per stage.
     */
    public void profile(boolean on) {
        times.enable(on);
    }

    /** Nanoseconds per stage (indexed by {@link BertModel.Stage#ordinal()}) since profiling began; null when off. */
    public long[] stageNanos() {
        return times.nanos();
    }

    /** Profiling: a start time, or 0 when off. */
    long tick() {
        return times.tick();
    }

    /** Profiling: charges the time since {@code start} to {@code stage}; returns now (the next stage's start). */
    long lap(BertModel.Stage stage, long start) {
        return times.lap(stage, start);
    }

    public int maxBatch() { return maxBatch; }
    public int maxSeq() { return maxSeq; }

    @Override
    public void close() {
        arena.close();
    }
}
