package io.foley4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny CLIP and SigLIP checkpoints written by make_reference.py with Hugging Face names, through the converter and
 * the engine file, against PyTorch: batch of 8 frames, and one 56x48 frame (interpolated positions).
 * Metric: max |java - torch| / max(|torch|, rms(torch)) over each output, tolerance 1e-4.
 */
class VitReferenceTest {
    static final double TOLERANCE = 1e-4;
    static final WorkerPool POOL = new WorkerPool(2);

    @TempDir
    Path tmp;
    /** Engine files mapped by a test, unmapped after it. */
    final List<SafetensorsFile> open = new ArrayList<>();

    @AfterEach
    void unmap() {
        open.forEach(SafetensorsFile::close);
    }

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static void assertClose(String what, float[] actual, float[] expected) {
        double rms = 0;
        for (float e : expected) rms += (double) e * e;
        rms = Math.sqrt(rms / expected.length);
        Diff d = Diff.of(actual, expected, Math.max(rms, 1e-6));
        assertTrue(d.maxRel() <= TOLERANCE, what + " (activation rms " + rms + "): " + d);
    }

    /** HF checkpoint -> engine file -> loaded (packed or not) model. */
    Vit convertAndLoad(String checkpoint, VitConfig c, Path tmp, Arena arena, boolean pack) throws Exception {
        Path engine = tmp.resolve(checkpoint + (pack ? ".packed" : "") + ".engine.safetensors");
        VitConfig written = HfVitConverter.convert(VitData.path(checkpoint + ".safetensors"), c, engine);
        assertEquals(c, written);
        SafetensorsFile f = SafetensorsFile.open(engine);
        open.add(f);
        assertEquals(c, VitConfig.fromJson(f.config()));
        return new Vit(VitWeights.load(f, arena, pack));
    }

    void checkModel(String tag, VitConfig c, boolean pack) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Vit vit = convertAndLoad(tag, c, tmp, arena, pack);
            Tensor px = VitData.pixels(arena, VitData.bytes("tiny_frames.u8"), 8, 40, 40);
            try (VitState s = vit.newState(8, POOL)) {
                vit.forward(s, px, POOL);
                assertArrayEquals(VitData.shape(tag + "_tokens"), s.tokens().shape());
                assertClose(tag + " tokens", s.tokens().toFloats(), VitData.f32(tag + "_tokens"));
                assertClose(tag + " pooled", s.pooled().toFloats(), VitData.f32(tag + "_pooled"));
                assertClose(tag + " embedding", s.embedding().toFloats(), VitData.f32(tag + "_embeds"));

                // a frame alone gives its row of the batch (no cross-frame leakage, partial batches work)
                float[] batched = s.embedding().toFloats();
                vit.forward(s, px.slice(5, 6), POOL);
                int dim = c.outputDim();
                Diff one = Diff.of(s.embedding().toFloats(), Arrays.copyOfRange(batched, 5 * dim, 6 * dim), 1);
                assertTrue(one.maxAbs() <= 1e-5, tag + " frame 5 alone vs in the batch: " + one);
            }
            Tensor odd = VitData.pixels(arena, VitData.bytes("tiny_frame_56x48.u8"), 1, 56, 48);
            try (VitState s = vit.newState(1, 56, 48, POOL)) {
                vit.forward(s, odd, POOL);
                assertArrayEquals(VitData.shape(tag + "_56x48_tokens"), s.tokens().shape());
                assertClose(tag + " 56x48 tokens", s.tokens().toFloats(), VitData.f32(tag + "_56x48_tokens"));
                assertClose(tag + " 56x48 embedding", s.embedding().toFloats(), VitData.f32(tag + "_56x48_embeds"));
            }
        }
    }

    @Test
    void tinyClipMatchesTorch() throws Exception {
        checkModel("tiny_clip", VitConfig.tinyClip(), true);
    }

    @Test
    void tinyClipUnpackedWeightsMatchTorch() throws Exception {
        checkModel("tiny_clip", VitConfig.tinyClip(), false);
    }

    @Test
    void tinySiglipMatchesTorch() throws Exception {
        checkModel("tiny_siglip", VitConfig.tinySiglip(), true);
    }

    @Test
    void patchTokensSkipTheClassToken() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Vit vit = convertAndLoad("tiny_clip", VitConfig.tinyClip(), tmp, arena, true);
            try (VitState s = vit.newState(2, POOL)) {
                vit.forward(s, VitData.pixels(arena, VitData.bytes("tiny_frames.u8"), 8, 40, 40).slice(0, 2), POOL);
                float[] all = s.tokens().toFloats(), p = s.patchTokens(1);
                int d = 48, t = s.tokenCount();
                assertEquals(25, s.patchCount());
                assertArrayEquals(Arrays.copyOfRange(all, (t + 1) * d, 2 * t * d), p);
            }
        }
    }

    @Test
    void clipVisionModelWithoutProjectionConvertsWithoutHead() throws Exception {
        // a CLIPVisionModel checkpoint: same tensors minus visual_projection; embedding = pooler_output
        Path plain = tmp.resolve("clip_vision_model.safetensors");
        try (SafetensorsFile hf = SafetensorsFile.open(VitData.path("tiny_clip.safetensors"))) {
            var w = new io.foley4j.loader.SafetensorsWriter();
            for (var e : hf.entries().values()) {
                if (!e.name().equals("visual_projection.weight")) w.addRaw(e.name(), e.dtype(), e.shape(), hf.bytes(e.name()));
            }
            w.write(plain);
        }
        Path engine = tmp.resolve("clip_vision_model.engine.safetensors");
        VitConfig c = HfVitConverter.convert(plain, VitConfig.tinyClip(), engine);
        assertEquals(0, c.projectionDim());
        try (Arena arena = Arena.ofShared(); SafetensorsFile f = SafetensorsFile.open(engine)) {
            Vit vit = new Vit(VitWeights.load(f, arena, true));
            try (VitState s = vit.newState(8, POOL)) {
                vit.forward(s, VitData.pixels(arena, VitData.bytes("tiny_frames.u8"), 8, 40, 40), POOL);
                assertClose("CLIPVisionModel embedding", s.embedding().toFloats(), VitData.f32("tiny_clip_pooled"));
            }
        }
    }

    @Test
    void hashWeightsMatchTheCommittedCheckpoint() throws Exception {
        // the scheme the ViT-B/16 test relies on, checked tensor by tensor against what Python wrote
        try (SafetensorsFile f = SafetensorsFile.open(VitData.path("tiny_siglip.safetensors"));
             Arena arena = Arena.ofConfined()) {
            var ours = HashWeights.huggingFace(VitConfig.tinySiglip(), arena);
            for (var e : ours.entrySet()) {
                assertArrayEquals(f.tensor(e.getKey()).toFloats(), e.getValue().toFloats(), 0f, e.getKey());
            }
            assertTrue(Files.size(VitData.path("tiny_siglip.safetensors")) > 0);
        }
    }
}
