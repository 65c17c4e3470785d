package io.foley4j.models.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input: each error is an IllegalArgumentException whose message names what is wrong. */
class WordPieceErrorsTest {
    private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "foot",
            "##steps", "on", "gravel", "!");
    private static final WordPieceTokenizer TOK = WordPieceTokenizer.fromVocab(VOCAB, BertNormalizer.UNCASED, "tiny");

    /** "_" is punctuation, a word of its own, and not in this vocabulary. */
    @Test
    void tinyVocabularyWorks() {
        int[] ids = TOK.encode("Footsteps on GRAVEL_ !").ids();
        assertArrayEquals(new int[] {2, 5, 6, 7, 8, 1, 9, 3}, ids, TOK.tokens(ids).toString());
        assertEquals(List.of("[UNK]", "!"), TOK.tokenize("stepsfoot!"));
    }

    @Test
    void nullText() {
        expect(() -> TOK.encode(null), "encode: text is null");
        expect(() -> TOK.tokenize(null), "tokenize: text is null");
        expect(() -> TOK.encodeBatch(Arrays.asList("a", null)), "encodeBatch: text 1 is null");
        expect(() -> TOK.encodeBatch(null), "texts is null");
        expect(() -> BertNormalizer.UNCASED.normalize(null), "text is null");
    }

    @Test
    void maxLengthBelowTwo() {
        expect(() -> TOK.encode("a", 1), "maxLength 1 < 2");
        expect(() -> TOK.encode("a", 0), "maxLength 0 < 2");
        expect(() -> TOK.encodeBatch(List.of("a"), -5), "maxLength -5 < 2");
    }

    @Test
    void missingSpecialTokens() {
        for (String missing : List.of("[UNK]", "[CLS]", "[SEP]", "[PAD]")) {
            List<String> vocab = VOCAB.stream().filter(t -> !t.equals(missing)).toList();
            expect(() -> WordPieceTokenizer.fromVocab(vocab, BertNormalizer.UNCASED, "tiny"),
                    "tiny: the " + missing.substring(1, 4).toLowerCase() + " token '" + missing + "' is not in the vocabulary");
        }
    }

    @Test
    void badTokenizerJson() {
        String ok = """
                {"normalizer": {"type": "BertNormalizer", "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
                 "model": {"type": "WordPiece", "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4}}}""";
        assertTrue(Arrays.equals(new int[] {2, 4, 3}, json(ok).encode("A").ids()), "minimal tokenizer.json");
        expect(() -> json("{"), "t.json: not valid JSON");
        expect(() -> json("[]"), "t.json: not a tokenizer.json object");
        expect(() -> json(ok.replace("\"WordPiece\"", "\"BPE\"")), "model type is 'BPE', only WordPiece");
        expect(() -> json(ok.replace("BertPreTokenizer", "Whitespace")), "pre_tokenizer type is 'Whitespace'");
        expect(() -> json(ok.replace("\"type\": \"BertNormalizer\"", "\"type\": \"NFKC\"")),
                "normalizer type is 'NFKC'");
        expect(() -> json(ok.replace("BertProcessing", "RobertaProcessing")),
                "post_processor type 'RobertaProcessing' is not supported");
        expect(() -> json(ok.replace("\"[UNK]\": 1, ", "")), "t.json: the unk token '[UNK]' is not in the vocabulary");
        expect(() -> json(ok.replace("\"a\": 4", "\"a\": \"x\"")), "model.vocab['a'] is not an int id");
        expect(() -> json(ok.replace("\"model\"", "\"added_tokens\": [{\"id\": 5, \"content\": \"<x>\", "
                + "\"lstrip\": true}], \"model\"")), "added token '<x>' has lstrip=true, which is not supported");
    }

    private static WordPieceTokenizer json(String text) {
        try {
            return WordPieceTokenizer.fromTokenizerJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    "t.json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void expect(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
