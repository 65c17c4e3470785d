package io.foley4j.models.vad;

import io.foley4j.engine.ConvOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Mem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Silero VAD v5 voice-activity detection: the probability that each chunk of audio (512 samples at 16 kHz, 256 at
 * 8 kHz) contains speech. Streaming: {@link #process} carries the LSTM state and the previous chunk's tail across
 * calls; {@link #reset} starts a new stream. Not thread-safe: one instance per stream (instances may share
 * {@link SileroVadWeights}).
 *
 * <pre>
 *   x    = [tail of previous chunk (context), chunk, reflect pad (context)]        [chunk + 2*context]
 *   spec = |conv1d(x, stft basis, stride filter/2)|                                [bins, 4]
 *   e    = relu(conv k3 p1) x4, strides 1, 2, 2, 1                                 [128, 1]
 *   h, c = LSTMCell(e, (h, c))                                                     [128]
 *   p    = sigmoid(w . relu(h) + b)
 * </pre>
 */
public final class SileroVad implements AutoCloseable {
    private final SileroVadWeights w;
    private final SileroVadConfig cfg;
    private final WorkerPool pool;
    private final Arena arena;
    private final boolean ownsArena;
    // state carried across chunks
    private final RnnOps.LstmState state;
    private final float[] context;
    // scratch, sized once
    private final float[] xHeap;
    private final Tensor x, spec, mag, h1, lstmOut;
    private final Tensor[] enc = new Tensor[4];
    private final ConvOps.Conv1dParams stftParams;
    private final ConvOps.Conv1dParams[] encParams = new ConvOps.Conv1dParams[4];
    private final MemorySegment convScratch;
    private final RnnOps.LstmScratch lstmScratch;

    private SileroVad(SileroVadWeights w, WorkerPool pool, Arena arena, boolean ownsArena) {
        this.w = w;
        this.cfg = w.config();
        this.pool = pool;
        this.arena = arena;
        this.ownsArena = ownsArena;
        int h = cfg.hidden(), frames = cfg.frames();
        state = RnnOps.LstmState.zeros(arena, h);
        context = new float[cfg.context()];
        xHeap = new float[cfg.padded()];
        x = Tensor.allocate(arena, DType.F32, 1, cfg.padded());
        spec = Tensor.allocate(arena, DType.F32, 2 * cfg.bins(), frames);
        mag = Tensor.allocate(arena, DType.F32, cfg.bins(), frames);
        stftParams = ConvOps.Conv1dParams.of(cfg.hop(), 0);
        long scratch = ConvOps.conv1dScratchFloats(ConvOps.geometry1d(x, w.stftBasis(), stftParams), pool.threads());
        Tensor in = mag;
        for (int i = 0; i < 4; i++) {
            encParams[i] = ConvOps.Conv1dParams.of(SileroVadWeights.ENC_STRIDE[i], 1);
            Conv.Geometry1d g = ConvOps.geometry1d(in, w.encW()[i], encParams[i]);
            enc[i] = Tensor.allocate(arena, DType.F32, g.cout(), g.lout());
            scratch = Math.max(scratch, ConvOps.conv1dScratchFloats(g, pool.threads()));
            in = enc[i];
        }
        if (!java.util.Arrays.equals(enc[3].shape(), new int[] {h, 1})) {
            throw new IllegalStateException("Silero VAD: encoder output " + enc[3] + ", expected [" + h + ", 1]");
        }
        convScratch = Mem.floats(arena, scratch);
        h1 = enc[3].view(1, h);
        lstmOut = Tensor.allocate(arena, DType.F32, 1, h);
        lstmScratch = RnnOps.LstmScratch.allocate(arena, h, 1);
    }

    /**
     * Loads {@code silero_vad_v5.onnx} for {@code sampleRate} (16000 or 8000) with LSTM weights in {@code lstmType}
     * (F32, F16 or I8_ROW). The returned instance owns the mapping; close it to release.
     */
    public static SileroVad load(Path onnx, int sampleRate, DType lstmType, WorkerPool pool) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new SileroVad(SileroVadWeights.load(onnx, sampleRate, lstmType, arena), pool, arena, true);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** 16 kHz, F32 weights, the shared pool. */
    public static SileroVad load(Path onnx) throws IOException {
        return load(onnx, 16_000, DType.F32, WorkerPool.shared());
    }

    /** A second stream over the same weights; its scratch lives in {@code arena} (shared if the pool has threads). */
    public static SileroVad withWeights(SileroVadWeights weights, WorkerPool pool, Arena arena) {
        return new SileroVad(weights, pool, arena, false);
    }

    public SileroVadConfig config() {
        return cfg;
    }

    /** Back to the start of a stream: zero LSTM state and context. */
    public void reset() {
        state.reset();
        java.util.Arrays.fill(context, 0f);
    }

    /** Speech probability of the next chunk of exactly {@code config().chunk()} samples in [-1, 1]. */
    public float process(float[] chunk) {
        if (chunk == null || chunk.length != cfg.chunk()) {
            throw new IllegalArgumentException("Silero VAD: a chunk must be " + cfg.chunk() + " samples at "
                    + cfg.sampleRate() + " Hz, got " + (chunk == null ? "null" : chunk.length));
        }
        return process(chunk, 0);
    }

    /**
     * Speech probability of every chunk of {@code pcm} (mono, {@code config().sampleRate()}), from a fresh stream;
     * a last partial chunk is zero-padded (as silero-vad does).
     */
    public float[] speechProbabilities(float[] pcm) {
        reset();
        int n = cfg.chunk(), chunks = (pcm.length + n - 1) / n;
        float[] out = new float[chunks];
        float[] last = new float[n];
        for (int i = 0; i < chunks; i++) {
            if ((i + 1) * n <= pcm.length) {
                out[i] = process(pcm, i * n);
            } else {
                System.arraycopy(pcm, i * n, last, 0, pcm.length - i * n);
                out[i] = process(last, 0);
            }
        }
        return out;
    }

    private float process(float[] pcm, int off) {
        int ctx = cfg.context(), n = cfg.chunk(), len = ctx + n;
        System.arraycopy(context, 0, xHeap, 0, ctx);
        System.arraycopy(pcm, off, xHeap, ctx, n);
        for (int i = 0; i < ctx; i++) xHeap[len + i] = xHeap[len - 2 - i]; // ONNX Pad mode=reflect, right side
        System.arraycopy(pcm, off + n - ctx, context, 0, ctx);
        MemorySegment.copy(xHeap, 0, x.data(), Mem.F32, 0, xHeap.length);
        forward();
        MemorySegment hs = state.h().data();
        float acc = w.headB();
        for (int j = 0; j < cfg.hidden(); j++) acc += w.headW()[j] * Math.max(0f, Mem.getF32(hs, j));
        return (float) (1 / (1 + Math.exp(-acc)));
    }

    private void forward() {
        ConvOps.conv1d(pool, x, w.stftBasis(), null, stftParams, spec, convScratch);
        int bins = cfg.bins(), frames = cfg.frames();
        MemorySegment s = spec.data(), m = mag.data();
        for (int i = 0; i < bins * frames; i++) { // |re + i im|, rows [0, bins) real, [bins, 2 bins) imaginary
            float re = Mem.getF32(s, i), im = Mem.getF32(s, (long) bins * frames + i);
            Mem.setF32(m, i, (float) Math.sqrt(re * re + im * im));
        }
        Tensor in = mag;
        for (int i = 0; i < 4; i++) {
            ConvOps.conv1d(pool, in, w.encW()[i], w.encB()[i], encParams[i], enc[i], convScratch);
            relu(enc[i]);
            in = enc[i];
        }
        RnnOps.lstm(pool, h1, w.lstm(), state, lstmOut, lstmScratch);
    }

    private static void relu(Tensor t) {
        MemorySegment d = t.data();
        for (long i = 0, n = t.numel(); i < n; i++) Mem.setF32(d, i, Math.max(0f, Mem.getF32(d, i)));
    }

    @Override
    public void close() {
        if (ownsArena) arena.close();
    }
}
