package io.foley4j.models.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batches against Hugging Face tokenizers' encode_batch with truncation to 128 and padding to the longest
 * (text/wordpiece/batches.jsonl). Metric: exact equality of ids, attention mask and type ids.
 */
class WordPieceBatchTest {
    private static final WordPieceTokenizer TOK = ReferenceData.load(ReferenceData.MINILM_JSON);

    @Test
    void batchesMatchReference() {
        List<JsonNode> batches = ReferenceData.jsonLines("/text/wordpiece/batches.jsonl");
        assertEquals(8, batches.size());
        for (int k = 0; k < batches.size(); k++) {
            JsonNode b = batches.get(k);
            List<String> texts = new ArrayList<>();
            b.path("texts").forEach(t -> texts.add(t.asText()));
            BatchEncoding got = TOK.encodeBatch(texts, b.path("maxLength").asInt());
            JsonNode ids = b.path("ids");
            assertEquals(texts.size(), got.batchSize(), "batch " + k);
            assertEquals(ids.path(0).size(), got.seqLen(), "batch " + k + " padded length");
            for (int r = 0; r < texts.size(); r++) {
                String where = "batch " + k + " row " + r + " " + WordPieceReferenceTest.escape(texts.get(r));
                assertArrayEquals(ReferenceData.ints(ids.path(r)), slice(got.ids(), r, got.seqLen()), where + " ids");
                assertArrayEquals(ReferenceData.ints(b.path("attentionMask").path(r)),
                        slice(got.attentionMask(), r, got.seqLen()), where + " mask");
                assertArrayEquals(ReferenceData.ints(b.path("typeIds").path(r)),
                        slice(got.typeIds(), r, got.seqLen()), where + " type ids");
                assertEquals(TOK.encode(texts.get(r), 128), got.row(r), where + " row()");
            }
        }
    }

    @Test
    void emptyBatchAndSingleEmptyText() {
        BatchEncoding none = TOK.encodeBatch(List.of());
        assertEquals(0, none.batchSize());
        assertEquals(0, none.seqLen());
        BatchEncoding one = TOK.encodeBatch(List.of(""));
        assertArrayEquals(new int[] {TOK.clsId(), TOK.sepId()}, one.ids());
        assertArrayEquals(new int[] {1, 1}, one.attentionMask());
    }

    @Test
    void truncationKeepsSepLastAndPadsShortRows() {
        String longText = "footsteps on gravel ".repeat(400); // 1200 words
        BatchEncoding b = TOK.encodeBatch(List.of("door", longText), 512);
        assertEquals(512, b.seqLen());
        assertArrayEquals(new int[] {3, 512}, b.lengths());
        assertEquals(TOK.sepId(), b.ids()[2 * 512 - 1]);
        assertEquals(TOK.sepId(), b.ids()[2]);
        for (int j = 3; j < 512; j++) {
            assertEquals(TOK.padId(), b.ids()[j], "pad id at " + j);
            assertEquals(0, b.attentionMask()[j], "pad mask at " + j);
        }
        assertEquals(2, TOK.encode(longText, 2).length());
        assertArrayEquals(new int[] {TOK.clsId(), TOK.sepId()}, TOK.encode(longText, 2).ids());
    }

    private static int[] slice(int[] flat, int row, int seqLen) {
        return java.util.Arrays.copyOfRange(flat, row * seqLen, (row + 1) * seqLen);
    }
}
