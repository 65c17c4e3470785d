package io.foley4j.models.text;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the parts of a Hugging Face tokenizer.json that a BERT WordPiece tokenizer has. Supported: normalizer
 * BertNormalizer (or none), pre_tokenizer BertPreTokenizer, model WordPiece, post_processor TemplateProcessing of
 * the form {@code [CLS] $A [SEP]} or BertProcessing, added tokens that are matched verbatim (normalized, lstrip,
 * rstrip and single_word all false). Anything else is rejected by name rather than tokenized differently.
 */
final class TokenizerJson {
    private TokenizerJson() {}

    static WordPieceTokenizer.Spec read(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a tokenizer.json object");
        }
        JsonNode model = root.path("model");
        requireType(source, "model", model, "WordPiece");
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode v = model.path("vocab");
        if (!v.isObject() || v.isEmpty()) {
            throw new IllegalArgumentException(source + ": model.vocab is missing or empty");
        }
        v.properties().forEach(e -> {
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(source + ": model.vocab['" + e.getKey() + "'] is not an int id");
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        });
        String unk = text(model, "unk_token", "[UNK]");
        String prefix = text(model, "continuing_subword_prefix", "##");
        int maxChars = model.path("max_input_chars_per_word").asInt(100);

        BertNormalizer normalizer = normalizer(source, root.path("normalizer"));
        requireType(source, "pre_tokenizer", root.path("pre_tokenizer"), "BertPreTokenizer");
        String[] clsSep = clsSep(source, root.path("post_processor"));
        String pad = text(root.path("padding"), "pad_token", "[PAD]");
        return new WordPieceTokenizer.Spec(source, vocab, normalizer, unk, clsSep[0], clsSep[1], pad, prefix, maxChars,
                addedTokens(source, root.path("added_tokens")));
    }

    private static BertNormalizer normalizer(String source, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return new BertNormalizer(false, false, false, false);
        }
        requireType(source, "normalizer", n, "BertNormalizer");
        boolean lowercase = n.path("lowercase").asBoolean(true);
        JsonNode strip = n.path("strip_accents");
        return new BertNormalizer(n.path("clean_text").asBoolean(true), n.path("handle_chinese_chars").asBoolean(true),
                strip.isBoolean() ? strip.booleanValue() : lowercase, lowercase);
    }

    /** {cls, sep} token strings from the post-processor. */
    private static String[] clsSep(String source, JsonNode p) {
        String type = p.path("type").asText("");
        if (type.equals("BertProcessing")) {
            return new String[] {p.path("cls").path(0).asText("[CLS]"), p.path("sep").path(0).asText("[SEP]")};
        }
        if (!type.equals("TemplateProcessing")) {
            throw new IllegalArgumentException(source + ": post_processor type '" + type + "' is not supported (only "
                    + "TemplateProcessing [CLS] $A [SEP] and BertProcessing)");
        }
        JsonNode single = p.path("single");
        if (single.size() != 3 || !single.path(0).has("SpecialToken") || !single.path(1).has("Sequence")
                || !single.path(2).has("SpecialToken") || !single.path(1).path("Sequence").path("id").asText().equals("A")) {
            throw new IllegalArgumentException(source + ": post_processor.single " + single + " is not "
                    + "[SpecialToken, Sequence A, SpecialToken]");
        }
        for (int i = 0; i < 3; i++) {
            JsonNode item = single.path(i).elements().next();
            if (item.path("type_id").asInt(0) != 0) {
                throw new IllegalArgumentException(source + ": post_processor.single type_id " + item.path("type_id")
                        + " is not supported (only 0)");
            }
        }
        return new String[] {single.path(0).path("SpecialToken").path("id").asText(),
                single.path(2).path("SpecialToken").path("id").asText()};
    }

    private static Map<String, Integer> addedTokens(String source, JsonNode list) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode t : list) {
            String content = t.path("content").asText("");
            for (String flag : new String[] {"normalized", "lstrip", "rstrip", "single_word"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw new IllegalArgumentException(source + ": added token '" + content + "' has " + flag
                            + "=true, which is not supported");
                }
            }
            if (content.isEmpty() || !t.path("id").canConvertToInt()) {
                throw new IllegalArgumentException(source + ": added token " + t + " has no content or id");
            }
            out.put(content, t.path("id").intValue());
        }
        return out;
    }

    private static void requireType(String source, String field, JsonNode n, String type) {
        String actual = n.path("type").asText(null);
        if (!type.equals(actual)) {
            throw new IllegalArgumentException(source + ": " + field + " type is "
                    + (actual == null ? "missing" : "'" + actual + "'") + ", only " + type + " is supported");
        }
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode f = n.path(field);
        return f.isTextual() ? f.textValue() : dflt;
    }
}
