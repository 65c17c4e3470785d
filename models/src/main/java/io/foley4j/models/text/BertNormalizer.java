package io.foley4j.models.text;

import java.text.Normalizer;

/**
 * BERT's text normalization, as Hugging Face tokenizers' {@code BertNormalizer} applies it, in this order:
 * clean text (drop NUL, U+FFFD and control/format/private-use characters; every whitespace becomes a space),
 * surround CJK ideographs with spaces, strip accents (NFD, then drop non-spacing marks), lower-case per code point.
 * Character classes that differ between Unicode versions come from {@link UnicodeTables}, which were read off the
 * reference library, so the result does not depend on the JDK's Unicode version for them.
 *
 * @param stripAccents already resolved: tokenizer.json's {@code strip_accents: null} means "same as lowercase"
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {

    /** bert-base-uncased and its descendants (all-MiniLM, BGE): every step on. */
    public static final BertNormalizer UNCASED = new BertNormalizer(true, true, true, true);
    /** bert-base-cased: no lower-casing, and so no accent stripping. */
    public static final BertNormalizer CASED = new BertNormalizer(true, true, false, false);

    public String normalize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("BertNormalizer.normalize: text is null");
        }
        String s = text;
        if (cleanText || handleChineseChars) {
            s = cleanAndSpaceChinese(s);
        }
        if (stripAccents) {
            s = stripAccents(s);
        }
        if (lowercase) {
            s = lowercase(s);
        }
        return s;
    }

    private String cleanAndSpaceChinese(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    continue;
                }
                if (isWhitespace(cp)) {
                    out.append(' ');
                    continue;
                }
            }
            if (handleChineseChars && isChineseChar(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static String stripAccents(String s) {
        String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            if (!UnicodeTables.contains(UnicodeTables.NONSPACING_MARK, cp)) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** Per code point, without context: no final-sigma rule, unlike {@link String#toLowerCase}. */
    private static String lowercase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x130) {
                out.append("i\u0307"); // the one unconditional one-to-many lower-case mapping (SpecialCasing.txt)
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return out.toString();
    }

    /** Rust's {@code char::is_whitespace} (the White_Space property); tab, newline and return included. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x9 && cp <= 0xD) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Cc (but tab, newline, return, which count as whitespace), Cf, Co; lone UTF-16 surrogates too. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.PRIVATE_USE || type == Character.SURROGATE
                || UnicodeTables.contains(UnicodeTables.FORMAT, cp);
    }

    /** The CJK Unified Ideograph blocks BERT splits into single characters (not kana, not Hangul). */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** BertPreTokenizer's punctuation: ASCII 33-47, 58-64, 91-96, 123-126 and Unicode P*. */
    static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                    || (cp >= 123 && cp <= 126);
        }
        return UnicodeTables.contains(UnicodeTables.PUNCTUATION, cp);
    }
}
