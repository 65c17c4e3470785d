package io.foley4j.models.bert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxParser;
import io.foley4j.models.text.BatchEncoding;
import io.foley4j.models.text.Encoding;
import io.foley4j.models.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Shared by the BERT tests (one JVM): the real models from the langchain4j jars on the test class path, converted
 * once per precision into target/bert-converted/, ONNX Runtime sessions on the original files, and the test corpus.
 */
final class BertFixtures {
    private BertFixtures() {}

    /** A model under test: resource names in the jars and its pooling. */
    enum Model {
        MINILM("/all-minilm-l6-v2.onnx", "/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-tokenizer.json",
                BertPooling.Pooling.MEAN),
        BGE("/bge-small-en-v1.5.onnx", "/bge-small-en-v1.5-q.onnx", "/bge-small-en-v1.5-tokenizer.json",
                BertPooling.Pooling.CLS);

        final String onnx, onnxQ, tokenizer;
        final BertPooling.Pooling pooling;

        Model(String onnx, String onnxQ, String tokenizer, BertPooling.Pooling pooling) {
            this.onnx = onnx;
            this.onnxQ = onnxQ;
            this.tokenizer = tokenizer;
            this.pooling = pooling;
        }
    }

    static final int MAX_SEQ = 128, MAX_BATCH = 8;
    static final WorkerPool POOL = WorkerPool.shared();
    private static final Path DIR = Path.of("target", "bert-converted");
    private static final Map<Model, OnnxModel> PARSED = new EnumMap<>(Model.class);
    private static final Map<String, BertModel> MODELS = new HashMap<>();
    private static final Map<String, OrtSession> SESSIONS = new HashMap<>();
    private static final Map<Model, WordPieceTokenizer> TOKENIZERS = new EnumMap<>(Model.class);
    private static final Map<Model, List<BatchEncoding>> BATCHES = new EnumMap<>(Model.class);
    private static final Map<String, List<float[]>> ORT_HIDDEN = new HashMap<>();

    static synchronized byte[] resource(String name) {
        try (InputStream in = BertFixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is not on the test class path (models/pom.xml)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The converted model in {@code p}, converted from the jar's ONNX file on first use. */
    static synchronized BertModel model(Model m, BertPrecision p) {
        return MODELS.computeIfAbsent(m + "-" + p, key -> {
            try {
                OnnxModel onnx = PARSED.get(m);
                if (onnx == null) {
                    onnx = OnnxParser.parse(m.onnx, MemorySegment.ofArray(resource(m.onnx)));
                    PARSED.put(m, onnx);
                }
                Files.createDirectories(DIR);
                Path file = DIR.resolve(key + ".safetensors");
                BertConverter.convert(onnx, BertConverter.inferConfig(onnx), p, file);
                return BertModel.load(file, POOL);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static synchronized Path convertedFile(Model m, BertPrecision p) {
        model(m, p);
        return DIR.resolve(m + "-" + p + ".safetensors");
    }

    static synchronized WordPieceTokenizer tokenizer(Model m) {
        return TOKENIZERS.computeIfAbsent(m, k -> {
            try {
                return WordPieceTokenizer.fromTokenizerJson(BertFixtures.class.getResourceAsStream(k.tokenizer), k.tokenizer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** An ONNX Runtime session on the original (or, quantized = true, the -q INT8) ONNX file. */
    static synchronized OrtSession session(Model m, boolean quantized) {
        String name = quantized ? m.onnxQ : m.onnx;
        return SESSIONS.computeIfAbsent(name, n -> {
            try {
                OrtSession.SessionOptions o = new OrtSession.SessionOptions();
                o.setIntraOpNumThreads(POOL.threads());
                return OrtEnvironment.getEnvironment().createSession(resource(n), o);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime cannot open " + n, e);
            }
        });
    }

    /** ORT's last_hidden_state [B, S, H] of a padded batch, flattened. */
    static float[] runOrt(OrtSession s, BatchEncoding b) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] ids = longs(b.ids(), b), mask = longs(b.attentionMask(), b), types = longs(b.typeIds(), b);
        try (OnnxTensor i = OnnxTensor.createTensor(env, ids); OnnxTensor a = OnnxTensor.createTensor(env, mask);
             OnnxTensor t = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", a, "token_type_ids", t))) {
            float[][][] out = (float[][][]) r.get(0).getValue();
            int h = out[0][0].length;
            float[] flat = new float[b.batchSize() * b.seqLen() * h];
            for (int x = 0; x < b.batchSize(); x++) {
                for (int y = 0; y < b.seqLen(); y++) System.arraycopy(out[x][y], 0, flat, (x * b.seqLen() + y) * h, h);
            }
            return flat;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[][] longs(int[] v, BatchEncoding b) {
        long[][] out = new long[b.batchSize()][b.seqLen()];
        for (int i = 0; i < v.length; i++) out[i / b.seqLen()][i % b.seqLen()] = v[i];
        return out;
    }

    /** Pooled embeddings [B, H] of a hidden state [B, S, H] (flattened), as {@link BertPooling} computes them. */
    static float[][] pooled(BertPooling.Pooling p, float[] hidden, BatchEncoding b, int h) {
        var t = io.foley4j.engine.Tensor.ofHeap(hidden.clone(), b.batchSize(), b.seqLen(), h);
        var out = io.foley4j.engine.Tensor.ofHeap(new float[b.batchSize() * h], b.batchSize(), h);
        BertPooling.pool(p, t, b.attentionMask(), out);
        float[] flat = out.toFloats();
        float[][] rows = new float[b.batchSize()][];
        for (int i = 0; i < rows.length; i++) rows[i] = Arrays.copyOfRange(flat, i * h, (i + 1) * h);
        return rows;
    }

    /** The committed sentences (bert/texts.txt), one per line. */
    static List<String> sentences() {
        String all = new String(resource("/bert/texts.txt"), StandardCharsets.UTF_8);
        return all.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    /**
     * The parity corpus: every committed sentence, long texts made by joining sentences (truncated to 128 tokens),
     * and the shortest inputs ([CLS] alone, [CLS][SEP]). Sorted by length and cut into batches of 1 to 8, so each
     * batch mixes nearby lengths with a little padding; the first batch pairs the shortest and the longest input
     * (127 padding positions). Cached per model.
     */
    static synchronized List<BatchEncoding> batches(Model m) {
        return BATCHES.computeIfAbsent(m, k -> {
            WordPieceTokenizer tok = tokenizer(m);
            List<String> s = sentences();
            List<Encoding> encs = new ArrayList<>();
            for (String t : s) encs.add(tok.encode(t, MAX_SEQ));
            Random r = new Random(42);
            for (int i = 0; i < 8; i++) {
                StringBuilder b = new StringBuilder();
                while (b.length() < 200 + 120 * i) b.append(s.get(r.nextInt(s.size()))).append(' ');
                encs.add(tok.encode(b.toString(), MAX_SEQ));
            }
            encs.add(new Encoding(new int[] {tok.clsId()}, new int[] {1}, new int[] {0}));
            encs.add(new Encoding(new int[] {tok.clsId(), tok.sepId()}, new int[] {1, 1}, new int[] {0, 0}));
            encs.sort(java.util.Comparator.comparingInt(Encoding::length));
            List<BatchEncoding> out = new ArrayList<>();
            out.add(pad(List.of(encs.removeFirst(), encs.removeLast()), tok.padId()));
            int[] sizes = {1, 3, 8, 2, 5, 4, 7, 6};
            for (int i = 0, j = 0; i < encs.size(); j++) {
                int n = Math.min(sizes[j % sizes.length], encs.size() - i);
                out.add(pad(encs.subList(i, i + n), tok.padId()));
                i += n;
            }
            return List.copyOf(out);
        });
    }

    /** Token count of each text of {@link #batches}, in batch order. */
    static int[] lengths(Model m) {
        return batches(m).stream().flatMapToInt(b -> Arrays.stream(b.lengths())).toArray();
    }

    /** ONNX Runtime's last_hidden_state of each batch of {@link #batches}, cached. */
    static synchronized List<float[]> ortHidden(Model m, boolean quantized) {
        return ORT_HIDDEN.computeIfAbsent(m + "-" + quantized,
                k -> batches(m).stream().map(b -> runOrt(session(m, quantized), b)).toList());
    }

    static BatchEncoding pad(List<Encoding> encs, int padId) {
        int seq = encs.stream().mapToInt(Encoding::length).max().orElse(0), n = encs.size();
        int[] ids = new int[n * seq], mask = new int[n * seq], types = new int[n * seq], lengths = new int[n];
        Arrays.fill(ids, padId);
        for (int b = 0; b < n; b++) {
            Encoding e = encs.get(b);
            lengths[b] = e.length();
            System.arraycopy(e.ids(), 0, ids, b * seq, e.length());
            System.arraycopy(e.attentionMask(), 0, mask, b * seq, e.length());
            System.arraycopy(e.typeIds(), 0, types, b * seq, e.length());
        }
        return new BatchEncoding(n, seq, ids, mask, types, lengths);
    }
}
