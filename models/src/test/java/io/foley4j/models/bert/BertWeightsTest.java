package io.foley4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.OnnxParser;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import io.foley4j.models.bert.BertFixtures.Model;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config JSON, the name table's error report, and the configs inferred from the real ONNX graphs. */
class BertWeightsTest {
    @TempDir Path dir;

    static final BertConfig TINY = new BertConfig(11, 8, 2, 2, 16, 6, 2, 1e-12f, ActivationOps.Fn.GELU);

    @Test
    void configRoundTripsThroughHuggingFaceJson() {
        assertEquals(TINY, BertConfig.fromJson(TINY.toJson()));
        BertConfig hf = BertConfig.fromJson("{\"vocab_size\":30522,\"hidden_size\":384,\"num_hidden_layers\":6,"
                + "\"num_attention_heads\":12,\"intermediate_size\":1536,\"max_position_embeddings\":512,"
                + "\"type_vocab_size\":2,\"layer_norm_eps\":1e-12,\"hidden_act\":\"gelu\"}");
        assertEquals(32, hf.headDim());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertConfig.fromJson("{\"vocab_size\":10}"));
        assertTrue(e.getMessage().contains("hidden_size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BertConfig(11, 10, 2, 3, 16, 6, 2, 1e-12f, ActivationOps.Fn.GELU));
    }

    @Test
    void bindingListsEveryMissingMisShapedAndUnexpectedTensorByName() throws IOException {
        WeightTable table = BertWeights.table(TINY);
        SafetensorsWriter w = new SafetensorsWriter().config(TINY.toJson());
        try (Arena arena = Arena.ofConfined()) {
            for (WeightTable.Expected e : table.expected().values()) {
                if (e.name().equals("encoder.layer.1.output.dense.bias")) continue; // missing
                int[] shape = e.name().equals("encoder.layer.0.attention.self.key.weight") ? new int[] {8, 7} : e.shape();
                w.add(e.name(), Tensor.allocate(arena, DType.F32, shape));
            }
            w.add("encoder.layer.9.extra.weight", Tensor.allocate(arena, DType.F32, 2));
            w.add("embeddings.position_ids", Tensor.allocate(arena, DType.F32, 6)); // ignored buffer
            Path p = dir.resolve("tiny.safetensors");
            w.write(p);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> BertWeights.bind(f, TINY));
                String msg = e.getMessage();
                assertTrue(msg.contains("3 weight problems") && msg.contains("missing encoder.layer.1.output.dense.bias")
                        && msg.contains("mis-shaped encoder.layer.0.attention.self.key.weight")
                        && msg.contains("unexpected encoder.layer.9.extra.weight"), msg);
            }
        }
    }

    @Test
    void configsInferredFromTheRealGraphs() throws IOException {
        BertConfig mini = infer(Model.MINILM), bge = infer(Model.BGE);
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f, ActivationOps.Fn.GELU), mini);
        assertEquals(new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12f, ActivationOps.Fn.GELU), bge);
        try (SafetensorsFile f = SafetensorsFile.open(BertFixtures.convertedFile(Model.MINILM, BertPrecision.BF16))) {
            assertEquals(mini, BertConfig.fromJson(f.config()));
            assertEquals(DType.BF16, f.tensor("encoder.layer.5.output.dense.weight").dtype());
            assertEquals(DType.F32, f.tensor("encoder.layer.5.output.dense.bias").dtype());
            assertEquals(BertWeights.table(mini).expected().size(), f.names().size(), "only the tensors of the table");
        }
    }

    static BertConfig infer(Model m) throws IOException {
        return BertConverter.inferConfig(OnnxParser.parse(m.onnx, MemorySegment.ofArray(BertFixtures.resource(m.onnx))));
    }
}
