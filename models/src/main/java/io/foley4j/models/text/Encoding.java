package io.foley4j.models.text;

import java.util.Arrays;

/**
 * One encoded text: {@code [CLS] tokens... [SEP]}, all three arrays of the same length. The arrays are owned by
 * the record (not copied); equality compares their contents.
 *
 * @param ids           token ids
 * @param attentionMask 1 for every token (a single encoding has no padding)
 * @param typeIds       segment ids, 0 for a single sequence
 */
public record Encoding(int[] ids, int[] attentionMask, int[] typeIds) {

    public Encoding {
        if (ids == null || attentionMask == null || typeIds == null
                || attentionMask.length != ids.length || typeIds.length != ids.length) {
            throw new IllegalArgumentException("Encoding: ids, attentionMask and typeIds must be non-null and of "
                    + "one length");
        }
    }

    public int length() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(typeIds, e.typeIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask)) + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + "]";
    }
}
