package io.foley4j.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightsFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tiny DiT against the committed PyTorch forward passes (generate_reference.py). */
class DitReferenceTest {
    static final Path DIR = Path.of("src/test/resources/diffusion");
    /** FP32 forward vs torch: |a - e| / max(|e|, 1). */
    static final double FP32_TOL = 1e-4;
    /** INT8 (per-row) feed-forward + FP16 LSTM vs the FP32 reference (the LSTM weights are FP16-exact). */
    static final double MIXED_TOL = 3e-2;

    static Arena arena;
    static SafetensorsFile weights, ref;

    @BeforeAll
    static void open() throws IOException {
        arena = Arena.ofShared();
        weights = SafetensorsFile.open(DIR.resolve("dit_tiny.safetensors"));
        ref = SafetensorsFile.open(DIR.resolve("dit_reference.safetensors"));
    }

    @AfterAll
    static void close() {
        weights.close();
        ref.close();
        arena.close();
    }

    static Tensor get(String name) throws WeightsFormatException {
        return ref.toF32(name, arena);
    }

    static float[] run(DitWeights w, int threads, String c, boolean cond) throws WeightsFormatException {
        Tensor x = get(c + ".x");
        Tensor out = Tensor.allocate(arena, DType.F32, x.shape());
        try (WorkerPool pool = new WorkerPool(threads)) {
            DitState st = new DitState(w.config(), threads, arena);
            Dit.forward(w, st, pool, x, get(c + ".t").toFloats(), get(c + ".text"), get(c + ".mask"),
                    cond ? get(c + ".cond") : null, out);
        }
        return out.toFloats();
    }

    @Test
    void forwardMatchesTorchAtTwoLengthsWithAndWithoutFrameConditioning() throws Exception {
        DitWeights w = DitWeights.load(weights, DitConfig.tiny(), DitWeights.Precision.FP32, arena);
        for (String c : new String[] {"forward_a", "forward_b"}) {
            float[] expected = get(c + ".out").toFloats();
            Diff d = Diff.of(run(w, 1, c, c.equals("forward_a")), expected, 1.0);
            assertTrue(d.maxRel() < FP32_TOL, c + ": " + d);
        }
    }

    @Test
    void mixedPrecisionStaysWithinItsBudget() throws Exception {
        DitWeights w = DitWeights.load(weights, DitConfig.tiny(), DitWeights.Precision.MIXED, arena);
        // INT8 feed-forward weights are panel-packed at load (LinearOps.packQ8); the LSTM stays FP16
        assertTrue(w.blocks().get(0).fc1().w().dtype() == DType.I8_ROW_PACKED && w.lstm().wHh().dtype() == DType.F16,
                "fc1 " + w.blocks().get(0).fc1().w() + ", lstm wHh " + w.lstm().wHh());
        Diff d = Diff.of(run(w, 1, "forward_a", true), get("forward_a.out").toFloats(), 1.0);
        assertTrue(d.maxRel() < MIXED_TOL && d.cosine() > 0.999, "mixed: " + d);
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalOutputs() throws Exception {
        for (DitWeights.Precision p : new DitWeights.Precision[] {DitWeights.Precision.FP32, DitWeights.Precision.MIXED}) {
            DitWeights w = DitWeights.load(weights, DitConfig.tiny(), p, arena);
            assertArrayEquals(run(w, 1, "forward_a", true), run(w, 2, "forward_a", true), 0f, p.toString());
        }
    }

    @Test
    void badShapesAreRejectedWithTheirNames() throws Exception {
        DitConfig cfg = DitConfig.tiny();
        DitWeights w = DitWeights.load(weights, cfg, DitWeights.Precision.FP32, arena);
        DitState st = new DitState(cfg, 1, arena);
        Tensor text = Tensor.allocate(arena, DType.F32, 1, 3, cfg.textDim());
        try (WorkerPool pool = new WorkerPool(1)) {
            Tensor odd = Tensor.allocate(arena, DType.F32, 1, 7, cfg.inChannels());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Dit.forward(w, st, pool, odd, new float[] {1}, text, null, null, odd));
            assertTrue(e.getMessage().contains("x [1, 7, 8]"), e.getMessage());
            Tensor tooLong = Tensor.allocate(arena, DType.F32, 1, cfg.maxFrames() + 2, cfg.inChannels());
            assertThrows(IllegalArgumentException.class,
                    () -> Dit.forward(w, st, pool, tooLong, new float[] {1}, text, null, null, tooLong));
            Tensor x = Tensor.allocate(arena, DType.F32, 1, 4, cfg.inChannels());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Dit.forward(w, st, pool, x, new float[] {1, 2}, text, null, null, x));
            assertTrue(e.getMessage().contains("one timestep per batch entry"), e.getMessage());
        }
    }

    @Test
    void missingWeightsAreListedByName() throws Exception {
        DitConfig noLstm = new DitConfig(8, 2, 32, 2, 3, 64, 16, 12, 32, 32, 8, 2, false, 1e-6f);
        var e = assertThrows(WeightsFormatException.class,
                () -> DitWeights.load(weights, noLstm, DitWeights.Precision.FP32, arena));
        assertTrue(e.getMessage().contains("missing blocks.2.attn.qkv.weight")
                && e.getMessage().contains("unexpected lstm.weight_ih_l0"), e.getMessage());
    }
}
