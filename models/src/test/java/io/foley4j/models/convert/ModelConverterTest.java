package io.foley4j.models.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightsFormatException;
import io.foley4j.models.bert.BertModel;
import io.foley4j.models.bert.BertPooling;
import io.foley4j.models.bert.BertPrecision;
import io.foley4j.models.bert.BertState;
import io.foley4j.models.vit.VitWeights;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ModelConverter} on the tiny Hugging Face folders written by convert/make_hf_checkpoints.py (fixed random
 * weights, HF names, sharded BERT with a task head, F16 CLIP vision, SigLIP vision), on the real all-MiniLM-L6-v2
 * ONNX file, and on every refused input.
 */
class ModelConverterTest {
    @TempDir Path dir;
    static final WorkerPool POOL = WorkerPool.shared();
    static final ObjectMapper JSON = new ObjectMapper();

    static Path resource(String name) {
        try {
            return Path.of(ModelConverterTest.class.getResource("/convert/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The converted BERT's last_hidden_state vs the script's PyTorch forward on a padded batch (9, 4, 1 tokens). */
    @Test
    void hfBertMatchesTheReferenceForward() throws IOException {
        Path out = dir.resolve("bert.safetensors");
        ConvertReport r = ModelConverter.convert(resource("hf_bert"), out, ConvertOptions.defaults());
        assertEquals(ModelFamily.BERT, r.family());
        assertEquals(5 + 2 * 16, r.tensors(), r.describe()); // embeddings 3 + norm 2, 16 per layer
        JsonNode ref = JSON.readTree(resource("hf_bert_ref.json").toFile());
        int batch = ref.get("batch").asInt(), seq = ref.get("seq").asInt();
        float[] want = floats(ref.get("last_hidden_state"));
        try (BertModel m = BertModel.load(out, POOL); BertState s = m.newState(batch, seq)) {
            float[] got = m.forward(ints(ref.get("ids")), ints(ref.get("mask")), ints(ref.get("types")), batch, seq, s)
                    .toFloats();
            // metric: max abs error over every position, padding included; tolerance 1e-5 (values are O(1))
            Diff d = Diff.of(got, want, 1e-3);
            assertTrue(d.maxAbs() <= 1e-5, "HF BERT vs PyTorch reference: " + d);
        }
    }

    /** Every precision converts, loads, records INT8 in the metadata and keeps the pooled embedding close to FP32. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void hfBertInEveryPrecision(Precision p) throws IOException {
        Path fp32 = dir.resolve("fp32.safetensors"), out = dir.resolve(p.cliName + ".safetensors");
        ModelConverter.convert(resource("hf_bert"), fp32, ConvertOptions.defaults());
        ConvertReport r = ModelConverter.convert(resource("hf_bert"), out, ConvertOptions.defaults().withPrecision(p));
        assertEquals(p, r.precision());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            String key = "quant.encoder.layer.0.intermediate.dense.weight";
            if (p.dtype.quantized()) assertEquals(p.dtype.name(), f.metadata().get(key));
            else assertNull(f.metadata().get(key));
            assertEquals(p.dtype, f.info("encoder.layer.1.output.dense.weight").engine());
            assertEquals(DType.F32, f.info("encoder.layer.1.output.dense.bias").engine());
        }
        JsonNode ref = JSON.readTree(resource("hf_bert_ref.json").toFile());
        float[] a = pooled(fp32, ref), b = pooled(out, ref);
        int h = a.length / 3;
        for (int i = 0; i < 3; i++) {
            double cos = BertPooling.cosine(java.util.Arrays.copyOfRange(a, i * h, i * h + h),
                    java.util.Arrays.copyOfRange(b, i * h, i * h + h));
            // metric: pooled cosine vs FP32; the weights are random (no outliers): 0.999 for all precisions
            assertTrue(cos >= 0.999, p + " text " + i + ": cosine " + cos);
        }
        if (p != Precision.FP32) assertTrue(r.bytesOut() < Files.size(fp32), r.describe());
    }

    /** The real all-MiniLM-L6-v2 ONNX file, INT8 per row: report, file size and the engine loads it. */
    @Test
    void onnxMiniLmToInt8() throws IOException {
        Path onnx = dir.resolve("all-minilm-l6-v2.onnx"), out = dir.resolve("minilm-int8.safetensors");
        try (InputStream in = ModelConverterTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            assertNotNull(in, "all-minilm-l6-v2.onnx is not on the test class path (models/pom.xml)");
            Files.copy(in, onnx);
        }
        ConvertReport r = ModelConverter.convert(onnx, out, new ConvertOptions(ModelFamily.BERT, Precision.INT8_ROW));
        assertEquals("onnx", r.format());
        assertEquals(5 + 6 * 16, r.tensors(), r.describe());
        assertTrue(r.bytesOut() <= 0.30 * r.bytesIn(), "INT8 file <= 30% of the ONNX FP32 file: " + r.describe());
        assertTrue(r.config().contains("\"num_hidden_layers\":6"), r.config());
        try (BertModel m = BertModel.load(out, POOL)) {
            assertEquals(BertPrecision.INT8, m.precision());
        }
    }

    @Test
    void hfClipVisionFromF16() throws IOException {
        Path out = dir.resolve("clip.safetensors");
        ConvertReport r = ModelConverter.convert(resource("hf_clip"), out, ConvertOptions.defaults());
        assertEquals(ModelFamily.CLIP_VISION, r.family());
        try (SafetensorsFile hf = SafetensorsFile.open(resource("hf_clip/model.safetensors"));
             SafetensorsFile f = SafetensorsFile.open(out); Arena arena = Arena.ofConfined()) {
            VitWeights w = VitWeights.load(f, arena, false);
            assertEquals(16, w.config().projectionDim());
            assertEquals(VitWeights.table(w.config()).expected().size(), r.tensors());
            // F16 -> F32 is exact; the conv weight [32, 3, 8, 8] is viewed as [32, 192]
            Tensor src = hf.toF32("vision_model.embeddings.patch_embedding.weight", arena);
            assertArrayEquals(src.toFloats(), w.patchEmbed().weight().toFloats());
            assertArrayEquals(hf.toF32("vision_model.encoder.layers.1.mlp.fc2.bias", arena).toFloats(),
                    w.blocks().get(1).fc2().bias().toFloats());
        }
    }

    @Test
    void hfSiglipVisionAsVit() throws IOException {
        Path out = dir.resolve("siglip.safetensors");
        ConvertReport r = ModelConverter.convert(resource("hf_siglip"), out,
                ConvertOptions.defaults().withFamily(ModelFamily.parse("vit")));
        assertEquals(ModelFamily.SIGLIP, r.family());
        try (SafetensorsFile hf = SafetensorsFile.open(resource("hf_siglip/model.safetensors"));
             SafetensorsFile f = SafetensorsFile.open(out); Arena arena = Arena.ofConfined()) {
            VitWeights w = VitWeights.load(f, arena, false);
            float[] inProj = hf.toF32("vision_model.head.attention.in_proj_weight", arena).toFloats();
            float[] v = w.head().v().weight().toFloats(); // rows [2D, 3D) of in_proj
            assertArrayEquals(java.util.Arrays.copyOfRange(inProj, 2 * v.length, 3 * v.length), v);
        }
    }

    @Test
    void refusedInputsNameTheFileAndTheProblem() throws IOException {
        Path out = dir.resolve("x.safetensors");
        WeightsFormatException pickle = assertThrows(WeightsFormatException.class,
                () -> ModelConverter.convert(resource("hf_pytorch_only"), out, ConvertOptions.defaults()));
        assertTrue(pickle.getMessage().contains("hf_pytorch_only") && pickle.getMessage().contains("pytorch_model.bin")
                && pickle.getMessage().contains("safetensors"), pickle.getMessage());

        IllegalArgumentException int8Vision = assertThrows(IllegalArgumentException.class, () -> ModelConverter
                .convert(resource("hf_clip"), out, ConvertOptions.defaults().withPrecision(Precision.INT8_ROW)));
        assertTrue(int8Vision.getMessage().contains("fp32 only"), int8Vision.getMessage());

        WeightsFormatException mismatch = assertThrows(WeightsFormatException.class, () -> ModelConverter
                .convert(resource("hf_bert"), out, ConvertOptions.defaults().withFamily(ModelFamily.SIGLIP)));
        assertTrue(mismatch.getMessage().contains("config.json") && mismatch.getMessage().contains("'bert'"),
                mismatch.getMessage());

        WeightsFormatException single = assertThrows(WeightsFormatException.class, () -> ModelConverter
                .convert(resource("hf_siglip/model.safetensors"), out, ConvertOptions.defaults()));
        assertTrue(single.getMessage().contains("model.safetensors") && single.getMessage().contains("folder"),
                single.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        WeightsFormatException noConfig = assertThrows(WeightsFormatException.class,
                () -> ModelConverter.convert(empty, out, ConvertOptions.defaults()));
        assertTrue(noConfig.getMessage().contains("no config.json"), noConfig.getMessage());

        Path onnx = Files.write(dir.resolve("fake.onnx"), new byte[] {1, 2, 3});
        WeightsFormatException onnxVision = assertThrows(WeightsFormatException.class, () -> ModelConverter
                .convert(onnx, out, ConvertOptions.defaults().withFamily(ModelFamily.CLIP_VISION)));
        assertTrue(onnxVision.getMessage().contains("fake.onnx") && onnxVision.getMessage().contains("bert family"),
                onnxVision.getMessage());
        assertTrue(Files.notExists(out), "nothing written for a refused input");

        assertThrows(IllegalArgumentException.class, () -> Precision.parse("int4"));
        assertEquals(Precision.INT8_BLOCK, Precision.parse("INT8-block"));
        assertThrows(IllegalArgumentException.class, () -> ModelFamily.parse("gpt2"));
    }

    /** Only one shard of the sharded checkpoint: one error lists every missing tensor and names the folder. */
    @Test
    void missingShardListsMissingTensors() throws IOException {
        Path half = Files.createDirectories(dir.resolve("half_bert"));
        Path src = resource("hf_bert");
        Files.copy(src.resolve("config.json"), half.resolve("config.json"));
        Files.copy(src.resolve("model-00001-of-00002.safetensors"), half.resolve("model-00001-of-00002.safetensors"));
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> ModelConverter.convert(half, dir.resolve("x.safetensors"), ConvertOptions.defaults()));
        assertTrue(e.getMessage().contains("half_bert") && e.getMessage().contains("missing encoder.layer.1.output.dense.weight"),
                e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("x.safetensors")));
        }
    }

    private static float[] pooled(Path file, JsonNode ref) throws IOException {
        int batch = ref.get("batch").asInt(), seq = ref.get("seq").asInt();
        int[] mask = ints(ref.get("mask"));
        try (BertModel m = BertModel.load(file, POOL); BertState s = m.newState(batch, seq)) {
            Tensor hidden = m.forward(ints(ref.get("ids")), mask, ints(ref.get("types")), batch, seq, s);
            Tensor out = Tensor.ofHeap(new float[batch * m.config().hidden()], batch, m.config().hidden());
            BertPooling.pool(BertPooling.Pooling.MEAN, hidden, mask, out);
            return out.toFloats();
        }
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
        return v;
    }
}
