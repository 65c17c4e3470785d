package io.foley4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.loader.WeightsFormatException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: wrong pixel shapes, incomplete or foreign checkpoints, files that are not converted, bad configs. */
class VitErrorsTest {
    static final WorkerPool POOL = new WorkerPool(1);

    @TempDir
    Path tmp;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Vit tiny(Arena arena) throws Exception {
        try (SafetensorsFile hf = SafetensorsFile.open(VitData.path("tiny_clip.safetensors"))) {
            return new Vit(HfVitConverter.convert(hf, VitConfig.tinyClip(), arena)); // F32 copies in arena
        }
    }

    @Test
    void wrongPixelShapesNameTheProblem() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Vit vit = tiny(arena);
            try (VitState s = vit.newState(2, POOL)) {
                var e = assertThrows(IllegalArgumentException.class,
                        () -> vit.forward(s, Tensor.allocate(arena, DType.F32, 1, 3, 48, 40), POOL));
                assertTrue(e.getMessage().contains("48x40") && e.getMessage().contains("made for 40x40"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> vit.forward(s, Tensor.allocate(arena, DType.F32, 1, 4, 40, 40), POOL));
                assertTrue(e.getMessage().contains("4 channels"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> vit.forward(s, Tensor.allocate(arena, DType.F32, 3, 40, 40), POOL));
                assertTrue(e.getMessage().contains("[batch, 3, 40, 40]"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> vit.forward(s, Tensor.allocate(arena, DType.F32, 3, 3, 40, 40), POOL));
                assertTrue(e.getMessage().contains("batch of 3"), e.getMessage());
            }
            var e = assertThrows(IllegalArgumentException.class, () -> vit.newState(1, 41, 40, POOL));
            assertTrue(e.getMessage().contains("multiples of the patch size 8"), e.getMessage());
        }
    }

    @Test
    void incompleteCheckpointListsEveryProblem() throws Exception {
        Path broken = tmp.resolve("broken.safetensors");
        try (SafetensorsFile hf = SafetensorsFile.open(VitData.path("tiny_clip.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (var e : hf.entries().values()) {
                String name = e.name();
                if (name.equals("vision_model.encoder.layers.1.mlp.fc2.weight")) continue;
                if (name.equals("vision_model.post_layernorm.bias")) name = "vision_model.post_layernorm.beta";
                w.addRaw(name, e.dtype(), e.shape(), hf.bytes(e.name()));
            }
            w.write(broken);
        }
        try (SafetensorsFile f = SafetensorsFile.open(broken); Arena arena = Arena.ofConfined()) {
            var e = assertThrows(WeightsFormatException.class,
                    () -> HfVitConverter.convert(f, VitConfig.tinyClip(), arena));
            String m = e.getMessage();
            assertTrue(m.contains("missing vision_model.encoder.layers.1.mlp.fc2.weight"), m);
            assertTrue(m.contains("missing vision_model.post_layernorm.bias"), m);
            assertTrue(m.contains("unexpected vision_model.post_layernorm.beta"), m);
            assertTrue(m.contains("broken.safetensors"), m);
        }
    }

    @Test
    void siglipCheckpointWithClipConfigIsRefused() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(VitData.path("tiny_siglip.safetensors"));
             Arena arena = Arena.ofConfined()) {
            var e = assertThrows(WeightsFormatException.class,
                    () -> HfVitConverter.convert(f, VitConfig.tinyClip(), arena));
            String m = e.getMessage();
            assertTrue(m.contains("missing vision_model.embeddings.class_embedding"), m);
            assertTrue(m.contains("mis-shaped vision_model.embeddings.position_embedding.weight"), m);
            assertTrue(m.contains("unexpected vision_model.head.probe"), m);
        }
    }

    @Test
    void unconvertedOrUncalibratedFilesAreRefused() throws Exception {
        try (SafetensorsFile hf = SafetensorsFile.open(VitData.path("tiny_clip.safetensors"));
             Arena arena = Arena.ofShared()) {
            var e = assertThrows(WeightsFormatException.class, () -> VitWeights.load(hf, arena, false));
            assertTrue(e.getMessage().contains("no 'config' metadata"), e.getMessage());

            // INT8 weights whose activation scales were dropped from the metadata
            VitWeights fp32 = HfVitConverter.convert(hf, VitConfig.tinyClip(), arena);
            Map<String, Float> ranges = new java.util.HashMap<>();
            fp32.linears().forEach(l -> ranges.put(l.name(), 1f));
            VitWeights q8 = VitQuantizer.quantize(fp32, ranges, arena);
            SafetensorsWriter w = new SafetensorsWriter().config(q8.config().toJson());
            q8.tensors().forEach(w::add);
            Path noScales = tmp.resolve("noscales.safetensors");
            w.write(noScales);
            try (SafetensorsFile f = SafetensorsFile.open(noScales)) {
                var e2 = assertThrows(WeightsFormatException.class, () -> VitWeights.load(f, arena, false));
                String m = e2.getMessage();
                assertTrue(m.contains("14 INT8 weights have no positive activation scale") // 1 + 2 x 6 + projection
                        && m.contains("patch_embed.weight") && m.contains("blocks.1.mlp.fc2.weight"), m);
            }
            ranges.remove("blocks.1.mlp.fc2");
            var e3 = assertThrows(IllegalArgumentException.class, () -> VitQuantizer.quantize(fp32, ranges, arena));
            assertTrue(e3.getMessage().contains("blocks.1.mlp.fc2"), e3.getMessage());
            var e4 = assertThrows(IllegalArgumentException.class,
                    () -> fp32.pack(arena).write(tmp.resolve("packed.safetensors"), null));
            assertTrue(e4.getMessage().contains("packed"), e4.getMessage());
        }
    }

    @Test
    void configsAreCheckedAndReadFromHuggingFaceJson() {
        var e = assertThrows(IllegalArgumentException.class, () -> new VitConfig("bad", VitConfig.Pooling.CLASS_TOKEN,
                224, 16, 3, 770, 12, 12, 3072, ActivationOps.Fn.GELU, 1e-5f, 0));
        assertTrue(e.getMessage().contains("hidden 770"), e.getMessage());
        String clip = """
                {"model_type": "clip", "projection_dim": 512, "vision_config": {"hidden_size": 768,
                 "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12, "image_size": 224,
                 "patch_size": 16, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05}}""";
        VitConfig c = VitConfig.fromHuggingFace(clip);
        VitConfig b16 = VitConfig.clipB16();
        assertEquals(new VitConfig("clip", b16.pooling(), 224, 16, 3, 768, 12, 12, 3072, b16.act(), b16.eps(), 512), c);
        String siglip = """
                {"model_type": "siglip_vision_model", "hidden_size": 768, "intermediate_size": 3072,
                 "num_hidden_layers": 12, "num_attention_heads": 12, "image_size": 224, "patch_size": 16,
                 "hidden_act": "gelu_pytorch_tanh", "layer_norm_eps": 1e-06}""";
        VitConfig s = VitConfig.fromHuggingFace(siglip);
        assertEquals(VitConfig.Pooling.ATTENTION_POOL, s.pooling());
        assertEquals(ActivationOps.Fn.GELU_TANH, s.act());
        assertEquals(VitConfig.siglipB16().positions(), s.positions());
        assertEquals(VitConfig.clipL14(), VitConfig.fromJson(VitConfig.clipL14().toJson()));
        assertEquals(50, VitConfig.clipB32().positions());
        assertEquals(257, VitConfig.clipL14().positions());
        e = assertThrows(IllegalArgumentException.class, () -> VitConfig.fromHuggingFace("{\"model_type\": \"bert\"}"));
        assertTrue(e.getMessage().contains("bert"), e.getMessage());
    }
}
