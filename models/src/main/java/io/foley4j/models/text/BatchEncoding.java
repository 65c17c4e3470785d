package io.foley4j.models.text;

import java.util.Arrays;

/**
 * A batch of texts padded to its longest encoding: row-major {@code [batchSize, seqLen]} int arrays, the layout a
 * model's forward takes. Padding is {@code [PAD]} with attention mask 0 and type id 0, on the right.
 *
 * @param ids           [batchSize * seqLen]
 * @param attentionMask [batchSize * seqLen], 1 for real tokens, 0 for padding
 * @param typeIds       [batchSize * seqLen]
 * @param lengths       [batchSize], the number of real tokens in each row
 */
public record BatchEncoding(int batchSize, int seqLen, int[] ids, int[] attentionMask, int[] typeIds,
                            int[] lengths) {

    public BatchEncoding {
        int n = Math.multiplyExact(batchSize, seqLen);
        if (batchSize < 0 || seqLen < 0 || ids == null || attentionMask == null || typeIds == null || lengths == null
                || ids.length != n || attentionMask.length != n || typeIds.length != n || lengths.length != batchSize) {
            throw new IllegalArgumentException("BatchEncoding: arrays do not match [" + batchSize + ", " + seqLen
                    + "]");
        }
    }

    /** Row {@code b} without its padding. */
    public Encoding row(int b) {
        if (b < 0 || b >= batchSize) {
            throw new IllegalArgumentException("BatchEncoding.row: row " + b + " outside [0, " + batchSize + ")");
        }
        int from = b * seqLen, to = from + lengths[b];
        return new Encoding(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(attentionMask, from, to),
                Arrays.copyOfRange(typeIds, from, to));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchEncoding e && batchSize == e.batchSize && seqLen == e.seqLen
                && Arrays.equals(ids, e.ids) && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(typeIds, e.typeIds) && Arrays.equals(lengths, e.lengths);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask)) + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "BatchEncoding[" + batchSize + " x " + seqLen + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
