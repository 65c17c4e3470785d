package io.foley4j.models.bert;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors of a BERT encoder, bound by their Hugging Face {@code BertModel} names (the name table is
 * {@link #table}, the only place names appear). Weight matrices are PyTorch {@code [out, in]}; all matrices and
 * embedding tables share one storage type ({@link BertPrecision}), biases and LayerNorm parameters are F32.
 * Tensors are zero-copy views of the file they were bound from.
 */
public record BertWeights(Tensor wordEmbeddings, Tensor positionEmbeddings, Tensor typeEmbeddings,
                          Tensor embeddingNormWeight, Tensor embeddingNormBias, List<Layer> layers,
                          BertPrecision precision) {

    /** y = x W^T + b; weight [out, in], bias [out] F32. */
    public record Linear(Tensor weight, Tensor bias) {
        public int out() { return weight.dim(0); }
        public int in() { return weight.dim(1); }
    }

    /** One post-LN transformer layer. */
    public record Layer(Linear query, Linear key, Linear value, Linear attentionOutput,
                        Tensor attentionNormWeight, Tensor attentionNormBias,
                        Linear intermediate, Linear output, Tensor outputNormWeight, Tensor outputNormBias) {}

    public BertWeights {
        layers = List.copyOf(layers);
    }

    // ---- the name table (Hugging Face BertModel) ----
    static final String WORD = "embeddings.word_embeddings.weight";
    static final String POSITION = "embeddings.position_embeddings.weight";
    static final String TYPE = "embeddings.token_type_embeddings.weight";
    static final String EMBEDDING_NORM = "embeddings.LayerNorm";
    static final String QUERY = "attention.self.query";
    static final String KEY = "attention.self.key";
    static final String VALUE = "attention.self.value";
    static final String ATTENTION_OUTPUT = "attention.output.dense";
    static final String ATTENTION_NORM = "attention.output.LayerNorm";
    static final String INTERMEDIATE = "intermediate.dense";
    static final String OUTPUT = "output.dense";
    static final String OUTPUT_NORM = "output.LayerNorm";

    static String layer(int i, String name) {
        return "encoder.layer." + i + "." + name;
    }

    /** Storage types of matrices and embedding tables. */
    static final Set<DType> MATRIX = EnumSet.of(DType.F32, DType.F16, DType.BF16, DType.I8_ROW, DType.I8_BLOCK32);
    /** Biases and LayerNorm parameters. */
    static final Set<DType> VECTOR = EnumSet.of(DType.F32);

    /** Every tensor of an encoder of shape {@code c}; position_ids buffers and the pooler head are not used. */
    public static WeightTable table(BertConfig c) {
        int h = c.hidden(), f = c.intermediate();
        WeightTable t = new WeightTable()
                .expect(WORD, MATRIX, c.vocabSize(), h)
                .expect(POSITION, MATRIX, c.maxPositions(), h)
                .expect(TYPE, MATRIX, c.typeVocab(), h);
        norm(t, EMBEDDING_NORM, h);
        for (int i = 0; i < c.layers(); i++) {
            linear(t, layer(i, QUERY), h, h);
            linear(t, layer(i, KEY), h, h);
            linear(t, layer(i, VALUE), h, h);
            linear(t, layer(i, ATTENTION_OUTPUT), h, h);
            norm(t, layer(i, ATTENTION_NORM), h);
            linear(t, layer(i, INTERMEDIATE), f, h);
            linear(t, layer(i, OUTPUT), h, f);
            norm(t, layer(i, OUTPUT_NORM), h);
        }
        return t.ignore(n -> n.endsWith("position_ids") || n.startsWith("pooler."));
    }

    private static void linear(WeightTable t, String name, int out, int in) {
        t.expect(name + ".weight", MATRIX, out, in).expect(name + ".bias", VECTOR, out);
    }

    private static void norm(WeightTable t, String name, int dim) {
        t.expect(name + ".weight", VECTOR, dim).expect(name + ".bias", VECTOR, dim);
    }

    /** Binds every tensor of {@code file} (one error lists every problem); all matrices must share one dtype. */
    public static BertWeights bind(SafetensorsFile file, BertConfig c) throws WeightsFormatException {
        WeightTable.Bound b = table(c).bind(file);
        DType dtype = b.get(layer(0, QUERY) + ".weight").dtype();
        List<String> mixed = new ArrayList<>();
        for (var e : table(c).expected().values()) {
            if (e.dtypes().equals(MATRIX) && b.get(e.name()).dtype() != dtype) {
                mixed.add(e.name() + " " + b.get(e.name()).dtype());
            }
        }
        if (!mixed.isEmpty()) {
            throw new WeightsFormatException(file.source(), null, "BERT matrices must share one dtype (" + dtype
                    + " like " + layer(0, QUERY) + ".weight), but: " + String.join(", ", mixed));
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new Layer(linear(b, layer(i, QUERY)), linear(b, layer(i, KEY)), linear(b, layer(i, VALUE)),
                    linear(b, layer(i, ATTENTION_OUTPUT)),
                    b.get(layer(i, ATTENTION_NORM) + ".weight"), b.get(layer(i, ATTENTION_NORM) + ".bias"),
                    linear(b, layer(i, INTERMEDIATE)), linear(b, layer(i, OUTPUT)),
                    b.get(layer(i, OUTPUT_NORM) + ".weight"), b.get(layer(i, OUTPUT_NORM) + ".bias")));
        }
        return new BertWeights(b.get(WORD), b.get(POSITION), b.get(TYPE), b.get(EMBEDDING_NORM + ".weight"),
                b.get(EMBEDDING_NORM + ".bias"), layers, BertPrecision.of(dtype));
    }

    private static Linear linear(WeightTable.Bound b, String name) {
        return new Linear(b.get(name + ".weight"), b.get(name + ".bias"));
    }
}
