package io.foley4j.pipeline.foley;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.models.bert.BertConverter;
import io.foley4j.models.bert.BertModel;
import io.foley4j.models.bert.BertPooling;
import io.foley4j.models.bert.BertPrecision;
import io.foley4j.models.bert.BertState;
import io.foley4j.models.text.BatchEncoding;
import io.foley4j.models.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The prompt encoder: all-MiniLM-L6-v2 (a real sentence encoder, Apache-2.0) run by the engine. Gives
 * sentence embeddings (mean pooling + L2 normalization, as sentence-transformers) and token states.
 * Thread-safe: calls are serialized on one scratch state (prompts are short; the encoder takes milliseconds).
 */
public final class TextEncoder implements AutoCloseable {
    /** Resources of the langchain4j model jar on the class path (data only; its code is not used). */
    public static final String MINILM_ONNX = "/all-minilm-l6-v2.onnx", MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    public static final int MAX_TOKENS = 64, MAX_BATCH = 32;

    private final WordPieceTokenizer tokenizer;
    private final BertModel model;
    private final BertState state;
    private final String description;

    private TextEncoder(WordPieceTokenizer tokenizer, BertModel model, String description) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.state = model.newState(MAX_BATCH, MAX_TOKENS);
        this.description = description;
    }

    /**
     * MiniLM from the class path, converted once into {@code cacheDir} (FP32, or dynamic INT8 for
     * {@link Precision#MIXED}) and memory-mapped from there.
     */
    public static TextEncoder miniLm(Path cacheDir, Precision precision, WorkerPool pool) throws IOException {
        BertPrecision p = precision == Precision.MIXED ? BertPrecision.INT8 : BertPrecision.FP32;
        Path converted = cacheDir.resolve("text-minilm-l6-v2-" + p.name().toLowerCase() + ".safetensors");
        WordPieceTokenizer tok;
        try (InputStream in = resource(MINILM_TOKENIZER)) {
            tok = WordPieceTokenizer.fromTokenizerJson(in, MINILM_TOKENIZER);
        }
        if (!Files.exists(converted)) {
            Files.createDirectories(cacheDir);
            Path onnx = Files.createTempFile(cacheDir, "minilm", ".onnx.part");
            Path tmp = Files.createTempFile(cacheDir, "minilm", ".safetensors.part");
            try {
                try (InputStream in = resource(MINILM_ONNX)) {
                    Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
                }
                BertConverter.convert(onnx, p, tmp);
                Files.move(tmp, converted, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(onnx);
                Files.deleteIfExists(tmp);
            }
        }
        return new TextEncoder(tok, BertModel.load(converted, pool), "all-MiniLM-L6-v2 " + p.name());
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = TextEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("text encoder: " + name + " is not on the class path (the langchain4j "
                    + "all-minilm-l6-v2 model jar, a dependency of foley4j-pipeline)");
        }
        return in;
    }

    public String describe() {
        return description;
    }

    public int dim() {
        return model.config().hidden();
    }

    /** L2-normalized mean-pooled embeddings, one [dim] row per text. */
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += MAX_BATCH) {
            List<String> part = texts.subList(start, Math.min(texts.size(), start + MAX_BATCH));
            float[][] e = embedBatch(part);
            System.arraycopy(e, 0, out, start, e.length);
        }
        return out;
    }

    public float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** Token states of a batch padded to one length: hidden [batch, seq, dim], mask [batch, seq] (1 keeps a token). */
    public record Tokens(int batch, int seq, int dim, float[] hidden, float[] mask) {}

    /** Last hidden states of {@code texts} (at most {@code maxTokens} tokens each, [CLS] and [SEP] included). */
    public synchronized Tokens tokens(List<String> texts, int maxTokens) {
        if (texts.isEmpty() || texts.size() > MAX_BATCH || maxTokens < 2 || maxTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("TextEncoder.tokens: 1.." + MAX_BATCH + " texts of 2.." + MAX_TOKENS
                    + " tokens, got " + texts.size() + " texts, maxTokens " + maxTokens);
        }
        BatchEncoding enc = tokenizer.encodeBatch(texts, maxTokens);
        Tensor hidden = model.forward(enc, state);                       // [B, S, H]
        float[] mask = new float[enc.attentionMask().length];
        for (int i = 0; i < mask.length; i++) mask[i] = enc.attentionMask()[i];
        return new Tokens(enc.batchSize(), enc.seqLen(), dim(), hidden.toFloats(), mask);
    }

    private synchronized float[][] embedBatch(List<String> texts) {
        BatchEncoding enc = tokenizer.encodeBatch(texts, MAX_TOKENS);
        Tensor hidden = model.forward(enc, state);                       // [B, S, H]
        int b = enc.batchSize(), h = dim();
        float[][] out = new float[b][h];
        try (Arena arena = Arena.ofConfined()) {
            Tensor pooled = Tensor.allocate(arena, DType.F32, b, h);
            BertPooling.pool(BertPooling.Pooling.MEAN, hidden, enc.attentionMask(), pooled);
            BertPooling.l2Normalize(pooled);
            float[] flat = pooled.toFloats();
            for (int i = 0; i < b; i++) System.arraycopy(flat, i * h, out[i], 0, h);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        state.close();
        model.close();
    }
}
