package io.foley4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ViT-B/16 geometry (CLIP, 224, 86M parameters) with the hash weights of make_reference.py generated here, 2 threads:
 * FP32 on one frame against PyTorch (1e-4 of the activation scale), and static INT8 calibrated on 4 frames against
 * FP32 on 2 held-out frames (cosine >= 0.99, INT8 weights <= 30% of the FP32 bytes). Row-major F32 weights, and
 * packed ones with q, k and v stacked into one GEMM.
 */
class VitB16Test {
    static final WorkerPool POOL = new WorkerPool(2);
    static final VitConfig C = VitConfig.clipB16();
    static Arena arena;
    static VitWeights fp32;

    @BeforeAll
    static void weights() throws Exception {
        arena = Arena.ofShared();
        Map<String, Tensor> hf = HashWeights.huggingFace(C, arena);
        fp32 = HfVitConverter.convert(C, hf::get);
    }

    @AfterAll
    static void close() {
        POOL.close();
        arena.close();
    }

    @Test
    void fp32MatchesTorch() {
        Vit vit = new Vit(fp32);
        int[] hw = new int[2];
        byte[] rgb = VitData.rgb("b16_input.png", hw);
        try (VitState s = vit.newState(1, POOL)) {
            vit.forward(s, VitData.pixels(arena, rgb, 1, hw[0], hw[1]), POOL);
            VitReferenceTest.assertClose("B/16 tokens", s.tokens().toFloats(), VitData.f32("clip_b16_tokens"));
            VitReferenceTest.assertClose("B/16 pooled", s.pooled().toFloats(), VitData.f32("clip_b16_pooled"));
            VitReferenceTest.assertClose("B/16 embedding", s.embedding().toFloats(), VitData.f32("clip_b16_embeds"));
        }
    }

    /**
     * Packed weights run q, k and v as one GEMM ({@link VitWeights.Block#qkv}): the torch reference still holds, and
     * the tokens equal, bit for bit, a forward with the same packed weights run as three linears.
     */
    @Test
    void packedFusedQkvMatchesTorchAndThreeLinears() {
        VitWeights packed = fp32.pack(arena);
        for (VitWeights.Block b : packed.blocks()) {
            assertTrue(b.qkv() != null && b.qkv().weight().dim(0) == 3 * C.hidden(), "block without stacked qkv");
        }
        List<VitWeights.Block> split = packed.blocks().stream().map(b -> new VitWeights.Block(b.norm1(), b.q(), b.k(),
                b.v(), b.out(), b.norm2(), b.fc1(), b.fc2())).toList();
        VitWeights three = new VitWeights(packed.config(), packed.patchEmbed(), packed.classToken(), packed.posEmbed(),
                packed.preNorm(), split, packed.postNorm(), packed.projection(), packed.head());
        int[] hw = new int[2];
        byte[] rgb = VitData.rgb("b16_input.png", hw);
        Tensor px = VitData.pixels(arena, rgb, 1, hw[0], hw[1]);
        Vit fused = new Vit(packed), unfused = new Vit(three);
        try (VitState a = fused.newState(1, POOL); VitState b = unfused.newState(1, POOL)) {
            fused.forward(a, px, POOL);
            unfused.forward(b, px, POOL);
            VitReferenceTest.assertClose("B/16 packed tokens", a.tokens().toFloats(), VitData.f32("clip_b16_tokens"));
            VitReferenceTest.assertClose("B/16 packed embedding", a.embedding().toFloats(),
                    VitData.f32("clip_b16_embeds"));
            assertArrayEquals(b.tokens().toFloats(), a.tokens().toFloats(), "fused qkv vs three linears");
        }
    }

    @Test
    void staticInt8KeepsTheEmbedding() {
        Vit ref = new Vit(fp32);
        Map<String, Float> ranges = VitQuantizer.calibrate(ref,
                VitData.frames(arena, VitData.CALIBRATION.subList(0, 4), 224), 4, POOL);
        VitWeights q8 = VitQuantizer.quantize(fp32, ranges, arena);
        double ratio = (double) q8.byteSize() / fp32.byteSize();
        assertTrue(ratio <= 0.30, "INT8 / FP32 weight bytes = " + ratio);

        Tensor held = VitData.frames(arena, List.of(VitData.HELD_OUT.get(0), VitData.HELD_OUT.get(4)), 224);
        Vit int8 = new Vit(q8);
        try (VitState a = ref.newState(2, POOL); VitState b = int8.newState(2, POOL)) {
            ref.forward(a, held, POOL);
            int8.forward(b, held, POOL);
            float[] x = a.embedding().toFloats(), y = b.embedding().toFloats();
            int d = C.outputDim();
            for (int f = 0; f < 2; f++) {
                Diff diff = Diff.of(Arrays.copyOfRange(y, f * d, (f + 1) * d), Arrays.copyOfRange(x, f * d, (f + 1) * d));
                System.out.printf("B/16 static INT8 held-out frame %d: %s (weights %.1f%% of FP32)%n", f, diff,
                        100 * ratio);
                assertTrue(diff.cosine() >= 0.99, "held-out frame " + f + ": " + diff);
            }
        }
    }
}
