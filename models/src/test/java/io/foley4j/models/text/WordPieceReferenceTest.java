package io.foley4j.models.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every committed text against the ids Hugging Face tokenizers 0.22.2 produced for the real all-MiniLM-L6-v2 and
 * bge-small-en-v1.5 tokenizer.json files (text/wordpiece/generate_reference.py). Metric: exact id equality.
 */
class WordPieceReferenceTest {
    private static final List<JsonNode> ROWS = ReferenceData.jsonLines("/text/wordpiece/expected.jsonl");

    @Test
    void corpusIsLargeAndVaried() {
        assertTrue(ROWS.size() >= 300, "reference texts: " + ROWS.size());
        long overLimit = ROWS.stream().filter(r -> r.path("minilm").size() > 512).count();
        long empty = ROWS.stream().filter(r -> r.path("text").asText().isEmpty()).count();
        assertTrue(overLimit >= 3 && empty == 1, "texts over 512 tokens: " + overLimit + ", empty: " + empty);
    }

    @Test
    void miniLmMatchesReference() {
        checkAll(ReferenceData.load(ReferenceData.MINILM_JSON), "minilm");
    }

    @Test
    void bgeMatchesReference() {
        checkAll(ReferenceData.load(ReferenceData.BGE_JSON), "bge");
    }

    /** MiniLM's vocabulary with lowercase=false (and so no accent stripping). */
    @Test
    void casedFlagsMatchReference() {
        checkAll(withFlags(new BertNormalizer(true, true, false, false)), "cased");
    }

    /** MiniLM's vocabulary with every normalizer step off: control characters and CJK reach the pre-tokenizer. */
    @Test
    void plainFlagsMatchReference() {
        checkAll(withFlags(new BertNormalizer(false, false, false, false)), "plain");
    }

    private static WordPieceTokenizer withFlags(BertNormalizer flags) {
        WordPieceTokenizer json = ReferenceData.load(ReferenceData.MINILM_JSON);
        List<String> vocab = json.tokens(java.util.stream.IntStream.range(0, json.vocabSize()).toArray());
        return WordPieceTokenizer.fromVocab(vocab, flags, "minilm vocabulary, " + flags);
    }

    /** vocab.txt written from the tokenizer.json vocabulary, loaded with the uncased flags: the same ids. */
    @Test
    void vocabTxtMatchesReference(@TempDir Path dir) throws IOException {
        WordPieceTokenizer json = ReferenceData.load(ReferenceData.MINILM_JSON);
        List<String> lines = json.tokens(java.util.stream.IntStream.range(0, json.vocabSize()).toArray());
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, lines, StandardCharsets.UTF_8);
        checkAll(WordPieceTokenizer.fromVocab(vocab, BertNormalizer.UNCASED), "minilm");
    }

    @Test
    void resourcesCheckValue() {
        Encoding e = ReferenceData.load(ReferenceData.MINILM_JSON).encode("hello world");
        assertEquals(List.of(101, 7592, 2088, 102), Arrays.stream(e.ids()).boxed().toList());
        assertEquals(List.of(1, 1, 1, 1), Arrays.stream(e.attentionMask()).boxed().toList());
        assertEquals(List.of(0, 0, 0, 0), Arrays.stream(e.typeIds()).boxed().toList());
    }

    private static void checkAll(WordPieceTokenizer tok, String key) {
        int checked = 0;
        for (int i = 0; i < ROWS.size(); i++) {
            JsonNode row = ROWS.get(i);
            String text = row.path("text").asText();
            int[] full = ReferenceData.ints(row.path(key));
            compare(tok, i, text, "no truncation", full, tok.encode(text, Integer.MAX_VALUE).ids());
            for (int limit : new int[] {128, 512}) {
                JsonNode truncated = row.path(key + "_" + limit);
                int[] want = truncated.isMissingNode() ? full : ReferenceData.ints(truncated);
                compare(tok, i, text, "maxLength " + limit, want, tok.encode(text, limit).ids());
            }
            checked++;
        }
        assertEquals(ROWS.size(), checked);
    }

    private static void compare(WordPieceTokenizer tok, int row, String text, String mode, int[] want, int[] got) {
        if (Arrays.equals(want, got)) {
            return;
        }
        int at = Arrays.mismatch(want, got);
        fail("row " + row + " (" + mode + ") text " + escape(text) + ": first difference at token " + at
                + "\n  reference " + tok.tokens(want) + "\n  ours      " + tok.tokens(got)
                + "\n  reference ids " + Arrays.toString(want) + "\n  our ids       " + Arrays.toString(got));
    }

    /** The text with non-ASCII and control characters as \\u escapes, so the message shows what was there. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                b.appendCodePoint(cp);
            } else {
                b.append(String.format(cp > 0xFFFF ? "\\U%08X" : "\\u%04X", cp));
            }
        });
        return b.length() > 300 ? b.substring(0, 300) + "...\"" : b.append('"').toString();
    }
}
