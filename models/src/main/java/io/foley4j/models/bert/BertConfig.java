package io.foley4j.models.bert;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.foley4j.engine.ActivationOps;

/**
 * Shape of a BERT encoder, with the keys of a Hugging Face {@code config.json} ({@link #fromJson}); the converter
 * stores the same JSON in the converted file's {@code config} metadata.
 *
 * @param vocabSize     rows of the word embedding table ({@code vocab_size})
 * @param hidden        model width ({@code hidden_size})
 * @param layers        transformer layers ({@code num_hidden_layers})
 * @param heads         attention heads; hidden = heads * headDim ({@code num_attention_heads})
 * @param intermediate  feed-forward width ({@code intermediate_size})
 * @param maxPositions  rows of the position table, the longest sequence ({@code max_position_embeddings})
 * @param typeVocab     rows of the token type table ({@code type_vocab_size})
 * @param layerNormEps  epsilon of every LayerNorm ({@code layer_norm_eps})
 * @param activation    feed-forward activation ({@code hidden_act}; "gelu" is the erf form)
 */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         int typeVocab, float layerNormEps, ActivationOps.Fn activation) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public BertConfig {
        if (vocabSize < 1 || hidden < 1 || layers < 1 || heads < 1 || intermediate < 1 || maxPositions < 1
                || typeVocab < 1 || !(layerNormEps > 0) || activation == null) {
            throw new IllegalArgumentException("BertConfig: sizes must be positive, eps > 0 and an activation given: "
                    + "vocab " + vocabSize + ", hidden " + hidden + ", layers " + layers + ", heads " + heads
                    + ", intermediate " + intermediate + ", maxPositions " + maxPositions + ", typeVocab " + typeVocab
                    + ", eps " + layerNormEps + ", activation " + activation);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("BertConfig: hidden " + hidden + " is not a multiple of heads " + heads);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Reads a Hugging Face BERT {@code config.json} (or the converted file's config metadata). */
    public static BertConfig fromJson(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("BertConfig: not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("BertConfig: config is not a JSON object");
        return new BertConfig(intKey(n, "vocab_size"), intKey(n, "hidden_size"), intKey(n, "num_hidden_layers"),
                intKey(n, "num_attention_heads"), intKey(n, "intermediate_size"), intKey(n, "max_position_embeddings"),
                intKey(n, "type_vocab_size"), (float) n.path("layer_norm_eps").asDouble(1e-12),
                ActivationOps.Fn.fromName(n.path("hidden_act").asText("gelu")));
    }

    /** The Hugging Face keys of this config, as one JSON object. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", "bert");
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hidden);
        n.put("num_hidden_layers", layers);
        n.put("num_attention_heads", heads);
        n.put("intermediate_size", intermediate);
        n.put("max_position_embeddings", maxPositions);
        n.put("type_vocab_size", typeVocab);
        n.put("layer_norm_eps", (double) layerNormEps);
        n.put("hidden_act", activationName(activation));
        return n.toString();
    }

    private static String activationName(ActivationOps.Fn fn) {
        return switch (fn) {
            case GELU -> "gelu";
            case GELU_TANH -> "gelu_new";
            case QUICK_GELU -> "quick_gelu";
            case SILU -> "silu";
            case SIGMOID -> "sigmoid";
            case TANH -> "tanh";
        };
    }

    private static int intKey(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("BertConfig: config key \"" + key + "\" is missing or not an int");
        }
        return v.intValue();
    }
}
