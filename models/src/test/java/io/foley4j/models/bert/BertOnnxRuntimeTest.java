package io.foley4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import io.foley4j.models.bert.BertFixtures.Model;
import io.foley4j.models.text.BatchEncoding;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * FP32 last_hidden_state vs ONNX Runtime running the original ONNX file on the same token ids, over >= 50
 * sequences of 1..128 tokens in padded batches of mixed lengths.
 * <p>
 * Metric: max abs error over every real token (attention mask 1): <= 1e-4. Padding positions are computed too
 * but some are ill-conditioned: the mask and LayerNorm eps are the graph's (-3.4e38 added to masked scores, the same
 * as our -inf; eps 1e-12), yet PyTorch float32 itself is 1.6e-4 from float64 at the worst padding position of
 * BGE's corpus (1.5e-6 on real tokens), as is ONNX Runtime; one float32 rounding after any op moves those rows by
 * 1e-5..1e-4 (analysis: bert/padding_conditioning.py). Padding gets the bound 2e-3 and its error is printed.
 */
class BertOnnxRuntimeTest {
    static final double TOLERANCE = 1e-4;
    static final double PADDING_TOLERANCE = 2e-3;

    @ParameterizedTest
    @EnumSource(Model.class)
    void fp32MatchesOnnxRuntime(Model m) {
        BertModel model = BertFixtures.model(m, BertPrecision.FP32);
        int h = model.config().hidden();
        List<BatchEncoding> batches = BertFixtures.batches(m);
        int texts = 0, minLen = Integer.MAX_VALUE, maxLen = 0;
        double worst = 0, worstPadding = 0;
        try (BertState s = model.newState(BertFixtures.MAX_BATCH, BertFixtures.MAX_SEQ)) {
            for (int i = 0; i < batches.size(); i++) {
                BatchEncoding b = batches.get(i);
                float[] ours = model.forward(b, s).toFloats();
                float[] ref = BertFixtures.ortHidden(m, false).get(i);
                Diff real = Diff.of(masked(ours, b, h, 1), masked(ref, b, h, 1));
                Diff padding = Diff.of(masked(ours, b, h, 0), masked(ref, b, h, 0));
                String where = m + " batch " + i + " [" + b.batchSize() + ", " + b.seqLen() + "] lengths "
                        + Arrays.toString(b.lengths());
                assertTrue(real.maxAbs() <= TOLERANCE, where + ": real tokens, max abs error " + real.maxAbs()
                        + " at " + index(real.worst(), b, h) + ": " + real);
                assertTrue(padding.maxAbs() <= PADDING_TOLERANCE, where + ": padding, max abs error "
                        + padding.maxAbs() + " at " + index(padding.worst(), b, h) + ": " + padding);
                worst = Math.max(worst, real.maxAbs());
                worstPadding = Math.max(worstPadding, padding.maxAbs());
                texts += b.batchSize();
                for (int len : b.lengths()) {
                    minLen = Math.min(minLen, len);
                    maxLen = Math.max(maxLen, len);
                }
            }
        }
        System.out.printf("%s FP32 vs ONNX Runtime: %d texts of %d..%d tokens in %d batches, max abs error %.3g "
                + "(padding positions %.3g)%n", m, texts, minLen, maxLen, batches.size(), worst, worstPadding);
        assertTrue(texts >= 50 && minLen == 1 && maxLen == BertFixtures.MAX_SEQ, "corpus coverage: " + texts
                + " texts of " + minLen + ".." + maxLen + " tokens");
    }

    /** RESOURCES.md: ids [101, 7592, 2088, 102] give last_hidden_state[0][0][0..3] = 0.176444 0.039366 0.077902 0.258541. */
    @Test
    void miniLmCheckValue() {
        BertModel model = BertFixtures.model(Model.MINILM, BertPrecision.FP32);
        try (BertState s = model.newState(1, 4)) {
            float[] out = model.forward(new int[] {101, 7592, 2088, 102}, new int[] {1, 1, 1, 1}, new int[4], 1, 4, s)
                    .toFloats();
            float[] want = {0.176444f, 0.039366f, 0.077902f, 0.258541f};
            for (int i = 0; i < 4; i++) assertEquals(want[i], out[i], 2e-6, "last_hidden_state[0][0][" + i + "]");
        }
    }

    /** A copy of hidden [B, S, H] with the rows whose attention mask is not {@code keep} zeroed. */
    static float[] masked(float[] hidden, BatchEncoding b, int h, int keep) {
        float[] out = hidden.clone();
        for (int t = 0; t < b.attentionMask().length; t++) {
            if (b.attentionMask()[t] != keep) Arrays.fill(out, t * h, (t + 1) * h, 0f);
        }
        return out;
    }

    static String index(int flat, BatchEncoding b, int h) {
        return "[" + flat / h / b.seqLen() + ", " + flat / h % b.seqLen() + ", " + flat % h + "]";
    }
}
