package io.foley4j.models.bert;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.AttentionOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.NormOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightsFormatException;
import io.foley4j.models.text.BatchEncoding;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A BERT encoder (Devlin et al. 2018; Hugging Face {@code BertModel} without its pooler head): embeddings, then
 * post-LN transformer layers, returning {@code last_hidden_state [B, S, hidden]}. Sentence embeddings come from
 * {@link BertPooling}. Runs in the precision its weights are stored in ({@link BertPrecision}); FP32 weights are
 * repacked once at load time into the GEMM panel layout ({@link LinearOps#packF32}), INT8 (I8_ROW) ones likewise
 * ({@link LinearOps#packQ8}); the file on disk keeps the plain layouts.
 * Thread-safe for concurrent forwards as long as each uses its own {@link BertState}.
 */
public final class BertModel implements AutoCloseable {
    private final BertConfig config;
    private final BertWeights weights;
    private final WorkerPool pool;
    private final Arena arena = Arena.ofShared(); // repacked weights
    private final SafetensorsFile file;           // null when the weights came from elsewhere

    public BertModel(BertConfig config, BertWeights weights, WorkerPool pool) {
        this(config, weights, pool, null);
    }

    private BertModel(BertConfig config, BertWeights weights, WorkerPool pool, SafetensorsFile file) {
        this.config = config;
        this.pool = pool;
        this.file = file;
        this.weights = pack(weights, arena, file);
    }

    /** Maps a converted file ({@link BertConverter}); its config comes from the file's metadata. */
    public static BertModel load(Path converted, WorkerPool pool) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(converted);
        try {
            if (f.config() == null) {
                throw new WeightsFormatException(f.source(), null, "no config in the metadata: not a converted BERT file");
            }
            BertConfig c = BertConfig.fromJson(f.config());
            return new BertModel(c, BertWeights.bind(f, c), pool, f);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Parts of {@link #forward} timed by {@link BertState#profile}; EMBED includes its LayerNorm. */
    public enum Stage { EMBED, QKV, ATTENTION, ATTENTION_OUTPUT, FFN_IN, ACTIVATION, FFN_OUT, RESIDUAL, LAYER_NORM }

    public BertConfig config() { return config; }
    public BertPrecision precision() { return weights.precision(); }
    /** The bound (and, for FP32, GEMM-packed) weights, e.g. for benchmarks that time one layer alone. */
    public BertWeights weights() { return weights; }

    /** Scratch for batches of up to {@code maxBatch} sequences of up to {@code maxSeq} tokens. */
    public BertState newState(int maxBatch, int maxSeq) {
        return new BertState(config, weights.precision(), pool.threads(), maxBatch, maxSeq);
    }

    /** {@link #forward(int[], int[], int[], int, int, BertState)} on a tokenizer's padded batch. */
    public Tensor forward(BatchEncoding enc, BertState s) {
        return forward(enc.ids(), enc.attentionMask(), enc.typeIds(), enc.batchSize(), enc.seqLen(), s);
    }

    /**
     * last_hidden_state of a padded batch: inputs row-major {@code [batch, seq]}; attentionMask 1 keeps a token, 0
     * marks padding (a padding position still gets a hidden state, as in the reference). Returns a
     * {@code [batch, seq, hidden]} view of {@code s}, valid until its next forward. A sequence with no unmasked
     * token gets zero attention outputs.
     */
    public Tensor forward(int[] ids, int[] attentionMask, int[] typeIds, int batch, int seq, BertState s) {
        checkInputs(ids, attentionMask, typeIds, batch, seq, s);
        int rows = batch * seq, h = config.hidden();
        Tensor x = s.x.slice(0, rows), q = s.q.slice(0, rows), k = s.k.slice(0, rows), v = s.v.slice(0, rows);
        Tensor context = s.context.slice(0, rows), sum = s.sum.slice(0, rows), ffn = s.ffn.slice(0, rows);
        Tensor keyMask = s.keyMask.slice(0, rows).view(batch, seq);
        for (int i = 0; i < rows; i++) Mem.setF32(keyMask.data(), i, attentionMask[i] != 0 ? 0f : Float.NEGATIVE_INFINITY);
        float eps = config.layerNormEps(), scale = AttentionOps.defaultScale(config.headDim());

        // x = LayerNorm(E_word[id] + E_position[p] + E_type[type])
        long t = s.tick();
        embed(ids, typeIds, rows, seq, x);
        NormOps.layerNorm(x, weights.embeddingNormWeight(), weights.embeddingNormBias(), eps, x, pool);
        t = s.lap(Stage.EMBED, t);
        // INT8: the layers reading a LayerNorm output (Q, K, V, intermediate) take F32 activations (INT8 weights
        // widened in the matmul); see BertPrecision.INT8. The attention context and the GELU output are quantized.
        for (BertWeights.Layer l : weights.layers()) {
            // heads: softmax(Q K^T / sqrt(headDim) + mask) V, Q = x Wq^T + bq, K, V alike
            linear(l.query(), x, q, null);
            linear(l.key(), x, k, null);
            linear(l.value(), x, v, null);
            t = s.lap(Stage.QKV, t);
            attention(q.view(batch, seq, h), k.view(batch, seq, h), v.view(batch, seq, h), keyMask, scale,
                    context.view(batch, seq, h), s);
            t = s.lap(Stage.ATTENTION, t);
            // x = LayerNorm(x + context Wo^T + bo)
            linear(l.attentionOutput(), context, sum, s.q8Hidden);
            t = s.lap(Stage.ATTENTION_OUTPUT, t);
            add(sum, x);
            t = s.lap(Stage.RESIDUAL, t);
            NormOps.layerNorm(sum, l.attentionNormWeight(), l.attentionNormBias(), eps, x, pool);
            t = s.lap(Stage.LAYER_NORM, t);
            // x = LayerNorm(x + act(x Wi^T + bi) Wo^T + bo)
            linear(l.intermediate(), x, ffn, null);
            t = s.lap(Stage.FFN_IN, t);
            ActivationOps.apply(config.activation(), ffn, ffn, pool);
            t = s.lap(Stage.ACTIVATION, t);
            linear(l.output(), ffn, sum, s.q8Ffn);
            t = s.lap(Stage.FFN_OUT, t);
            add(sum, x);
            t = s.lap(Stage.RESIDUAL, t);
            NormOps.layerNorm(sum, l.outputNormWeight(), l.outputNormBias(), eps, x, pool);
            t = s.lap(Stage.LAYER_NORM, t);
        }
        return x.view(batch, seq, h);
    }

    /**
     * softmax(q k^T scale + keyMask) v per head: the streaming kernel up to {@link #STREAMING_MAX_SEQ} tokens, the
     * GEMM form above (per head it gathers and packs q, k, v^T and pads queries to whole panels, which short
     * sequences do not repay). MiniLM, one layer, 1 thread (bench BertProfile, busy machine), streaming vs GEMM:
     * 8 tokens 0.015 vs 0.040 ms, 16 0.034 vs 0.056, 24 0.086 vs 0.074, 32 0.106 vs 0.090, 128 1.61 vs 0.48.
     */
    private void attention(Tensor q, Tensor k, Tensor v, Tensor keyMask, float scale, Tensor out, BertState s) {
        if (q.dim(1) <= STREAMING_MAX_SEQ) {
            AttentionOps.attention(q, k, v, keyMask, false, scale, out, config.heads(), config.heads(), s.streaming,
                    pool);
        } else {
            AttentionOps.attentionGemm(q, k, v, keyMask, scale, out, config.heads(), s.attention, pool);
        }
    }

    /** Longest sequence whose attention runs the streaming kernel. */
    static final int STREAMING_MAX_SEQ = 16;

    /** y = x W^T + b; with {@code q8} (INT8 mode) x is quantized per token into it first. */
    private void linear(BertWeights.Linear l, Tensor x, Tensor y, LinearOps.Q8Activations q8) {
        if (q8 != null) LinearOps.linearQ8Q8(pool, x, l.weight(), l.bias(), y, q8);
        else LinearOps.linear(pool, x, l.weight(), l.bias(), y);
    }

    /** sum += x, elementwise over [rows, hidden]. */
    private void add(Tensor sum, Tensor x) {
        MemorySegment a = sum.data(), b = x.data();
        pool.parallelFor((int) sum.numel(), 16_384, (from, to) -> Elementwise.add(a, b, a, from, to));
    }

    /** x[t] = word[ids[t]] + position[t % seq] + type[typeIds[t]] for the rows tokens of the batch. */
    private void embed(int[] ids, int[] typeIds, int rows, int seq, Tensor x) {
        int h = config.hidden();
        MemorySegment out = x.data();
        pool.parallelFor(rows, 64, (from, to) -> {
            for (int t = from; t < to; t++) {
                long off = (long) t * h;
                row(weights.wordEmbeddings(), ids[t], out, off, h, false);
                row(weights.positionEmbeddings(), t % seq, out, off, h, true);
                row(weights.typeEmbeddings(), typeIds[t], out, off, h, true);
            }
        });
    }

    /** out[off, off + h) (+)= table[r], widening the table's dtype; one dispatch per row. */
    private static void row(Tensor table, int r, MemorySegment out, long off, int h, boolean accumulate) {
        MemorySegment d = table.data();
        long base = (long) r * h;
        switch (table.dtype()) {
            case F32 -> { // a row copy, or a vector add of the two rows
                if (accumulate) {
                    MemorySegment o = out.asSlice(off * 4, (long) h * 4);
                    Elementwise.add(o, d.asSlice(base * 4, (long) h * 4), o, 0, h);
                } else {
                    MemorySegment.copy(d, base * 4, out, off * 4, (long) h * 4);
                }
            }
            case F16 -> {
                for (int i = 0; i < h; i++) put(out, off + i, Fp16.f16ToF32(d.get(Mem.I16, 2 * (base + i))), accumulate);
            }
            case BF16 -> {
                for (int i = 0; i < h; i++) put(out, off + i, Fp16.bf16ToF32(d.get(Mem.I16, 2 * (base + i))), accumulate);
            }
            case I8_ROW -> {
                float scale = Mem.getF32(table.scales(), r);
                for (int i = 0; i < h; i++) put(out, off + i, d.get(Mem.I8, base + i) * scale, accumulate);
            }
            case I8_BLOCK32 -> {
                long blocks = DType.I8_BLOCK32.scaleCount(1, h), s0 = r * blocks; // scales [rows, ceil(h / 32)]
                for (int i = 0; i < h; i++) {
                    float scale = Mem.getF32(table.scales(), s0 + i / DType.BLOCK);
                    put(out, off + i, d.get(Mem.I8, base + i) * scale, accumulate);
                }
            }
            default -> throw new IllegalStateException("BertModel: embedding table of dtype " + table.dtype());
        }
    }

    private static void put(MemorySegment out, long i, float v, boolean accumulate) {
        Mem.setF32(out, i, accumulate ? Mem.getF32(out, i) + v : v);
    }

    private void checkInputs(int[] ids, int[] attentionMask, int[] typeIds, int batch, int seq, BertState s) {
        if (batch < 1 || seq < 1 || batch > s.maxBatch || seq > s.maxSeq) {
            throw new IllegalArgumentException("BertModel.forward: batch " + batch + " x seq " + seq
                    + " outside the state's [1, " + s.maxBatch + "] x [1, " + s.maxSeq + "]");
        }
        int n = batch * seq;
        if (ids.length != n || attentionMask.length != n || typeIds.length != n) {
            throw new IllegalArgumentException("BertModel.forward: ids " + ids.length + ", attentionMask "
                    + attentionMask.length + ", typeIds " + typeIds.length + " must each hold batch * seq = " + n);
        }
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize() || typeIds[i] < 0 || typeIds[i] >= config.typeVocab()) {
                throw new IllegalArgumentException("BertModel.forward: token " + i + " has id " + ids[i] + " (vocab "
                        + config.vocabSize() + ") and type " + typeIds[i] + " (types " + config.typeVocab() + ")");
            }
        }
    }

    /**
     * Load-time step: every F32 or I8_ROW linear weight repacked into its GEMM panel layout, in {@code arena}; the
     * mapped pages of each are dropped once it is copied ({@link SafetensorsFile#unload(Tensor)}; file null: weights
     * not from a file).
     */
    private static BertWeights pack(BertWeights w, Arena arena, SafetensorsFile file) {
        List<BertWeights.Layer> layers = new ArrayList<>();
        for (BertWeights.Layer l : w.layers()) {
            layers.add(new BertWeights.Layer(pack(l.query(), arena, file), pack(l.key(), arena, file),
                    pack(l.value(), arena, file), pack(l.attentionOutput(), arena, file), l.attentionNormWeight(),
                    l.attentionNormBias(), pack(l.intermediate(), arena, file), pack(l.output(), arena, file),
                    l.outputNormWeight(), l.outputNormBias()));
        }
        return new BertWeights(w.wordEmbeddings(), w.positionEmbeddings(), w.typeEmbeddings(),
                w.embeddingNormWeight(), w.embeddingNormBias(), layers, w.precision());
    }

    private static BertWeights.Linear pack(BertWeights.Linear l, Arena arena, SafetensorsFile file) {
        BertWeights.Linear p = switch (l.weight().dtype()) {
            case F32 -> new BertWeights.Linear(LinearOps.packF32(arena, l.weight()), l.bias());
            case I8_ROW -> new BertWeights.Linear(LinearOps.packQ8(arena, l.weight()), l.bias());
            default -> l;
        };
        if (p != l && file != null) file.unload(l.weight()); // copied: its pages are not read again
        return p;
    }

    @Override
    public void close() {
        arena.close();
        if (file != null) file.close();
    }
}
