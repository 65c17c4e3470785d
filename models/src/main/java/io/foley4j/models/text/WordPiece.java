package io.foley4j.models.text;

import java.util.Map;

/**
 * WordPiece: greedy longest-match-first over a vocabulary (BERT's WordpieceTokenizer). A word is split into the
 * longest vocabulary prefix, then the longest {@code ##}-prefixed continuation, and so on; a word that cannot be
 * split entirely, or that is longer than {@code maxInputCharsPerWord} code points, becomes one unknown token.
 */
final class WordPiece {
    private final Map<String, Integer> vocab;
    private final int unkId;
    private final String prefix;
    private final int maxInputCharsPerWord;

    WordPiece(Map<String, Integer> vocab, int unkId, String continuingSubwordPrefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkId = unkId;
        this.prefix = continuingSubwordPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /** Appends the ids of {@code word} (non-empty, no whitespace) to {@code out}; {@code scratch} is the caller's. */
    void tokenize(String word, StringBuilder scratch, IntList out) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int start = 0; // char index into word, always on a code point boundary
        while (start < word.length()) {
            int end = word.length();
            int id = -1;
            while (start < end) {
                scratch.setLength(0);
                if (start > 0) {
                    scratch.append(prefix);
                }
                scratch.append(word, start, end);
                Integer hit = vocab.get(scratch.toString());
                if (hit != null) {
                    id = hit;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (id < 0) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(id);
            start = end;
        }
    }
}
