package io.foley4j.models.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Unit checks of the normalizer's pieces; the reference comparison is WordPieceReferenceTest. */
class BertNormalizerTest {

    @Test
    void generatedTablesAreSortedDisjointRanges() {
        for (int[] t : new int[][] {UnicodeTables.PUNCTUATION, UnicodeTables.FORMAT, UnicodeTables.NONSPACING_MARK}) {
            assertEquals(0, t.length % 2);
            for (int i = 0; i < t.length; i += 2) {
                assertTrue(t[i] <= t[i + 1], "range " + i / 2 + " is reversed");
                assertTrue(i == 0 || t[i] > t[i - 1] + 1, "range " + i / 2 + " overlaps or touches the previous");
            }
        }
        assertTrue(BertNormalizer.isPunctuation('!') && BertNormalizer.isPunctuation(0x3002)); // ideographic full stop
        assertFalse(BertNormalizer.isPunctuation(0x2E43)); // P* in the JDK, not in the reference's tables
        assertTrue(BertNormalizer.isControl(0x200D) && !BertNormalizer.isControl(0x0890));
    }

    @Test
    void stepsInOrder() {
        BertNormalizer n = BertNormalizer.UNCASED;
        assertEquals("cafe naive angstrom", n.normalize("Café naïve Ångström"));
        assertEquals(" 中  文 ab c", n.normalize("中文a\u0000b\tc\u200d"));
        assertEquals("σασ", n.normalize("ΣΑΣ")); // per code point: no final-sigma rule
        assertEquals("istanbul", n.normalize("İstanbul"));
        assertEquals("i\u0307stanbul", new BertNormalizer(true, true, false, true).normalize("İstanbul"));
        assertEquals("Café", BertNormalizer.CASED.normalize("Café"));
        assertEquals("x\uD83D\uDE00 y", n.normalize("x\uD83D\uDE00\u00A0y")); // an emoji is one code point, kept
        assertEquals("ab", n.normalize("a\uD800b")); // a lone surrogate is dropped like a control character
    }
}
