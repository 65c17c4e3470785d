package io.foley4j.models.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's WordPiece tokenizer, producing the same ids as Hugging Face tokenizers for a BERT tokenizer.json:
 * special tokens matched verbatim in the raw text, then per remaining segment {@link BertNormalizer}, BERT
 * pre-tokenization (split on whitespace, every punctuation character its own word), {@link WordPiece}, and
 * {@code [CLS] ... [SEP]} around the whole. Immutable and thread-safe.
 *
 * <p>Truncation keeps the first {@code maxLength - 2} tokens and then {@code [SEP]}. The truncation and padding
 * settings stored in a tokenizer.json are not used: the caller passes the maximum length (default 512, BERT's
 * position table).
 */
public final class WordPieceTokenizer {
    public static final int DEFAULT_MAX_LENGTH = 512;

    /** Everything a tokenizer is built from; {@code addedTokens} are matched in the raw text (special tokens). */
    record Spec(String source, Map<String, Integer> vocab, BertNormalizer normalizer, String unkToken,
                String clsToken, String sepToken, String padToken, String continuingSubwordPrefix,
                int maxInputCharsPerWord, Map<String, Integer> addedTokens) {}

    private final BertNormalizer normalizer;
    private final Map<String, Integer> vocab;
    private final String[] tokens; // [id] -> token, null where the vocabulary has a hole
    private final WordPiece wordPiece;
    private final int unkId, clsId, sepId, padId;
    private final String[] added; // longest first, so the first match at a position is the longest
    private final int[] addedIds;

    WordPieceTokenizer(Spec spec) {
        this.normalizer = spec.normalizer();
        this.vocab = Map.copyOf(spec.vocab());
        int maxId = -1;
        for (var e : vocab.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("WordPieceTokenizer: " + spec.source() + ": token '" + e.getKey()
                        + "' has negative id " + e.getValue());
            }
            maxId = Math.max(maxId, e.getValue());
        }
        for (int id : spec.addedTokens().values()) {
            maxId = Math.max(maxId, id);
        }
        this.tokens = new String[maxId + 1];
        vocab.forEach((t, id) -> tokens[id] = t);
        spec.addedTokens().forEach((t, id) -> tokens[id] = t);
        this.unkId = specialId(spec, "unk", spec.unkToken());
        this.clsId = specialId(spec, "cls", spec.clsToken());
        this.sepId = specialId(spec, "sep", spec.sepToken());
        this.padId = specialId(spec, "pad", spec.padToken());
        if (spec.maxInputCharsPerWord() < 1) {
            throw new IllegalArgumentException("WordPieceTokenizer: " + spec.source() + ": max_input_chars_per_word "
                    + spec.maxInputCharsPerWord() + " < 1");
        }
        this.wordPiece = new WordPiece(vocab, unkId, spec.continuingSubwordPrefix(), spec.maxInputCharsPerWord());
        List<Map.Entry<String, Integer>> byLength = new ArrayList<>(spec.addedTokens().entrySet());
        byLength.removeIf(e -> e.getKey().isEmpty());
        byLength.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
        this.added = byLength.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.addedIds = byLength.stream().mapToInt(Map.Entry::getValue).toArray();
    }

    private int specialId(Spec spec, String role, String token) {
        Integer id = spec.addedTokens().get(token);
        if (id == null) {
            id = vocab.get(token);
        }
        if (id == null) {
            throw new IllegalArgumentException("WordPieceTokenizer: " + spec.source() + ": the " + role + " token '"
                    + token + "' is not in the vocabulary (" + vocab.size() + " tokens)");
        }
        return id;
    }

    /** Reads a Hugging Face tokenizer.json (BertNormalizer, BertPreTokenizer, WordPiece, [CLS]/[SEP] template). */
    public static WordPieceTokenizer fromTokenizerJson(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return fromTokenizerJson(in, file.toString());
        }
    }

    /** As {@link #fromTokenizerJson(Path)}; {@code source} names the stream in error messages. */
    public static WordPieceTokenizer fromTokenizerJson(InputStream in, String source) throws IOException {
        return new WordPieceTokenizer(TokenizerJson.read(in, source));
    }

    /**
     * Reads a BERT vocab.txt (one token per line, the line number is the id) with the standard special tokens
     * [UNK], [CLS], [SEP], [PAD] (and [MASK] where present), matched verbatim in raw text like Hugging Face does.
     */
    public static WordPieceTokenizer fromVocab(Path vocabTxt, BertNormalizer normalizer) throws IOException {
        String text = Files.readString(vocabTxt, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast(); // the newline that ends the last line
        }
        return fromVocab(lines, normalizer, vocabTxt.toString());
    }

    /** A tokenizer over {@code tokens} (index = id) with the standard BERT special tokens. */
    public static WordPieceTokenizer fromVocab(List<String> tokens, BertNormalizer normalizer, String source) {
        if (tokens == null || normalizer == null) {
            throw new IllegalArgumentException("WordPieceTokenizer.fromVocab: " + source + ": tokens or normalizer is"
                    + " null");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i); // a repeated line keeps its last id, as BERT's load_vocab does
        }
        Map<String, Integer> specials = new HashMap<>();
        for (String s : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            if (vocab.containsKey(s)) {
                specials.put(s, vocab.get(s));
            }
        }
        return new WordPieceTokenizer(new Spec(source, vocab, normalizer, "[UNK]", "[CLS]", "[SEP]", "[PAD]", "##",
                100, specials));
    }

    public Encoding encode(String text) {
        return encode(text, DEFAULT_MAX_LENGTH);
    }

    /** {@code [CLS] tokens [SEP]}, truncated to {@code maxLength} (>= 2) tokens with [SEP] kept last. */
    public Encoding encode(String text, int maxLength) {
        checkMaxLength("encode", maxLength);
        checkText("encode", text, -1);
        IntList ids = new IntList(Math.min(maxLength, text.length() + 2));
        ids.add(clsId);
        appendIds(text, ids, maxLength - 1);
        ids.truncate(maxLength - 1);
        ids.add(sepId);
        int[] idArray = ids.toArray();
        int[] mask = new int[idArray.length];
        java.util.Arrays.fill(mask, 1);
        return new Encoding(idArray, mask, new int[idArray.length]);
    }

    public BatchEncoding encodeBatch(List<String> texts) {
        return encodeBatch(texts, DEFAULT_MAX_LENGTH);
    }

    /** Each text as {@link #encode(String, int)}, right-padded with [PAD] (mask 0) to the longest in the batch. */
    public BatchEncoding encodeBatch(List<String> texts, int maxLength) {
        checkMaxLength("encodeBatch", maxLength);
        if (texts == null) {
            throw new IllegalArgumentException("WordPieceTokenizer.encodeBatch: texts is null");
        }
        Encoding[] rows = new Encoding[texts.size()];
        int seqLen = 0;
        for (int b = 0; b < rows.length; b++) {
            checkText("encodeBatch", texts.get(b), b);
            rows[b] = encode(texts.get(b), maxLength);
            seqLen = Math.max(seqLen, rows[b].length());
        }
        int n = Math.multiplyExact(rows.length, seqLen);
        int[] ids = new int[n], mask = new int[n], types = new int[n], lengths = new int[rows.length];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < rows.length; b++) {
            Encoding e = rows[b];
            lengths[b] = e.length();
            System.arraycopy(e.ids(), 0, ids, b * seqLen, e.length());
            System.arraycopy(e.attentionMask(), 0, mask, b * seqLen, e.length());
            System.arraycopy(e.typeIds(), 0, types, b * seqLen, e.length());
        }
        return new BatchEncoding(rows.length, seqLen, ids, mask, types, lengths);
    }

    /** The WordPiece tokens of {@code text}, without [CLS]/[SEP] and without truncation. */
    public List<String> tokenize(String text) {
        checkText("tokenize", text, -1);
        IntList ids = new IntList(text.length() + 1);
        appendIds(text, ids, Integer.MAX_VALUE);
        return tokens(ids.toArray());
    }

    /** Tokens for ids; an id outside the vocabulary shows as {@code <id?>}. */
    public List<String> tokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id >= 0 && id < tokens.length && tokens[id] != null ? tokens[id] : "<" + id + "?>");
        }
        return out;
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    /** One past the largest id. */
    public int vocabSize() {
        return tokens.length;
    }

    public BertNormalizer normalizer() {
        return normalizer;
    }

    public int unkId() {
        return unkId;
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int padId() {
        return padId;
    }

    /** Appends ids until there are at least {@code limit} in {@code out} (more may follow: the caller truncates). */
    private void appendIds(String text, IntList out, int limit) {
        StringBuilder scratch = new StringBuilder(32);
        int segment = 0;
        for (int i = 0; i < text.length() && out.size() < limit; ) {
            int a = matchAdded(text, i);
            if (a < 0) {
                i++;
                continue;
            }
            appendSegment(text.substring(segment, i), out, limit, scratch);
            out.add(addedIds[a]);
            i += added[a].length();
            segment = i;
        }
        if (out.size() < limit) {
            appendSegment(text.substring(segment), out, limit, scratch);
        }
    }

    /** Index into {@link #added} of the longest added token starting at {@code pos}, or -1. */
    private int matchAdded(String text, int pos) {
        for (int a = 0; a < added.length; a++) {
            if (text.startsWith(added[a], pos)) {
                return a;
            }
        }
        return -1;
    }

    /** Normalize, pre-tokenize (whitespace removed, punctuation isolated), WordPiece each word. */
    private void appendSegment(String segment, IntList out, int limit, StringBuilder scratch) {
        if (segment.isEmpty()) {
            return;
        }
        String s = normalizer.normalize(segment);
        int word = -1; // start of the current word, -1 between words
        for (int i = 0; i < s.length() && out.size() < limit; ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            boolean space = BertNormalizer.isWhitespace(cp);
            if (space || BertNormalizer.isPunctuation(cp)) {
                if (word >= 0) {
                    wordPiece.tokenize(s.substring(word, i), scratch, out);
                    word = -1;
                }
                if (!space && out.size() < limit) {
                    wordPiece.tokenize(s.substring(i, next), scratch, out);
                }
            } else if (word < 0) {
                word = i;
            }
            i = next;
        }
        if (word >= 0 && out.size() < limit) {
            wordPiece.tokenize(s.substring(word), scratch, out);
        }
    }

    private static void checkMaxLength(String op, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("WordPieceTokenizer." + op + ": maxLength " + maxLength
                    + " < 2 leaves no room for [CLS] and [SEP]");
        }
    }

    private static void checkText(String op, String text, int index) {
        if (text == null) {
            throw new IllegalArgumentException("WordPieceTokenizer." + op + ": text"
                    + (index >= 0 ? " " + index : "") + " is null");
        }
    }
}
