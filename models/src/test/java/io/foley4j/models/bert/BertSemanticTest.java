package io.foley4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.models.bert.BertFixtures.Model;
import io.foley4j.models.text.BatchEncoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A check anyone can read (bert/pairs.tsv): for each anchor sentence, a paraphrase scores a higher cosine
 * similarity than an unrelated sentence, for both models in every precision (L2-normalized pooled embeddings).
 */
class BertSemanticTest {

    @Test
    void paraphrasesScoreHigherThanUnrelatedSentencesInEveryPrecision() {
        List<String[]> rows = new ArrayList<>();
        for (String line : new String(BertFixtures.resource("/bert/pairs.tsv"), StandardCharsets.UTF_8).lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) rows.add(line.split("\t"));
        }
        assertTrue(rows.size() >= 8 && rows.stream().allMatch(r -> r.length == 3), "pairs.tsv: anchor, paraphrase, unrelated");
        for (Model m : Model.values()) {
            for (BertPrecision p : BertPrecision.values()) {
                double margin = Double.MAX_VALUE;
                for (String[] r : rows) {
                    float[][] e = embed(m, p, r);
                    double para = BertPooling.cosine(e[0], e[1]), other = BertPooling.cosine(e[0], e[2]);
                    assertTrue(para > other, m + " " + p + ": \"" + r[0] + "\" ~ \"" + r[1] + "\" " + para
                            + " should beat \"" + r[2] + "\" " + other);
                    margin = Math.min(margin, para - other);
                }
                System.out.printf("%s %s: %d paraphrase pairs beat unrelated ones, smallest margin %.3f%n", m, p,
                        rows.size(), margin);
            }
        }
    }

    /** L2-normalized pooled embeddings of the three sentences, as one padded batch. */
    static float[][] embed(Model m, BertPrecision p, String[] texts) {
        BertModel model = BertFixtures.model(m, p);
        BatchEncoding b = BertFixtures.tokenizer(m).encodeBatch(List.of(texts), BertFixtures.MAX_SEQ);
        int h = model.config().hidden();
        Tensor out = Tensor.ofHeap(new float[texts.length * h], texts.length, h);
        try (BertState s = model.newState(texts.length, b.seqLen())) {
            BertPooling.pool(m.pooling, model.forward(b, s), b.attentionMask(), out);
        }
        BertPooling.l2Normalize(out);
        float[] flat = out.toFloats();
        float[][] rows = new float[texts.length][];
        for (int i = 0; i < texts.length; i++) rows[i] = java.util.Arrays.copyOfRange(flat, i * h, (i + 1) * h);
        return rows;
    }
}
