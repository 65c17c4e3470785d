package io.foley4j.models.vocoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** The tiny Vocos backbone and head against the committed PyTorch outputs (generate_reference.py). */
class VocosReferenceTest {
    static final Path DIR = Path.of("src/test/resources/vocoder");
    /** FP32 vs torch: |a - e| / max(|e|, 1), for the backbone output and the spectrum (magnitudes up to 1e2). */
    static final double FP32_TOL = 1e-4;

    static Arena arena;
    static SafetensorsFile weights, ref;
    static VocosWeights w;

    @BeforeAll
    static void open() throws IOException, WeightsFormatException {
        arena = Arena.ofShared();
        weights = SafetensorsFile.open(DIR.resolve("vocos_tiny.safetensors"));
        ref = SafetensorsFile.open(DIR.resolve("vocos_reference.safetensors"));
        w = VocosWeights.load(weights, VocosConfig.tiny(), arena);
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

    static float[] spectrum(Tensor mel, int threads) {
        VocosConfig c = w.config();
        Tensor spec = Tensor.allocate(arena, DType.F32, mel.dim(0), c.bins(), 2);
        try (WorkerPool pool = new WorkerPool(threads)) {
            Vocos.forward(w, new VocosState(c, arena), pool, mel, spec);
        }
        return spec.toFloats();
    }

    @Test
    void backboneMatchesTorchAtTwoLengths() throws Exception {
        try (WorkerPool pool = new WorkerPool(1)) {
            VocosState st = new VocosState(w.config(), arena);
            for (String c : new String[] {"a", "b"}) {
                Tensor mel = get(c + ".mel");
                Tensor out = Tensor.allocate(arena, DType.F32, mel.dim(0), w.config().dim());
                Vocos.backbone(w, st, pool, mel, out);
                Diff d = Diff.of(out.toFloats(), get(c + ".backbone").toFloats(), 1.0);
                assertTrue(d.maxRel() < FP32_TOL, c + ": " + d);
            }
        }
    }

    @Test
    void spectrumMatchesTorchIncludingClippedMagnitudes() throws Exception {
        for (String c : new String[] {"a", "b"}) {
            float[] expected = get(c + ".spec").toFloats();
            Diff d = Diff.of(spectrum(get(c + ".mel"), 1), expected, 1.0);
            assertTrue(d.maxRel() < FP32_TOL, c + ": " + d);
        }
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalSpectra() throws Exception {
        Tensor mel = get("a.mel");
        assertArrayEquals(spectrum(mel, 1), spectrum(mel, 2), 0f);
    }

    @Test
    void windowComesFromTheCheckpoint() {
        float[] win = w.window();
        assertEquals(w.config().nFft(), win.length);
        assertEquals(0f, win[0], 0f);
        assertEquals(1f, win[win.length / 2], 1e-7f); // periodic Hann peaks at n/2
    }

    @Test
    void badMelShapesAreRejectedWithTheirNames() {
        VocosConfig c = w.config();
        try (WorkerPool pool = new WorkerPool(1)) {
            VocosState st = new VocosState(c, arena);
            Tensor mel = Tensor.allocate(arena, DType.F32, 5, c.nMels() + 1);
            Tensor spec = Tensor.allocate(arena, DType.F32, 5, c.bins(), 2);
            var e = assertThrows(IllegalArgumentException.class, () -> Vocos.forward(w, st, pool, mel, spec));
            assertTrue(e.getMessage().contains("mel Tensor[F32 [5, 17]]"), e.getMessage());
            Tensor tooLong = Tensor.allocate(arena, DType.F32, c.maxFrames() + 1, c.nMels());
            assertThrows(IllegalArgumentException.class, () -> Vocos.forward(w, st, pool, tooLong, spec));
            Tensor good = Tensor.allocate(arena, DType.F32, 5, c.nMels());
            Tensor badSpec = Tensor.allocate(arena, DType.F32, 5, c.bins());
            e = assertThrows(IllegalArgumentException.class, () -> Vocos.forward(w, st, pool, good, badSpec));
            assertTrue(e.getMessage().contains("spec must be F32 [5, 33, 2]"), e.getMessage());
        }
    }

    @Test
    void missingAndUnexpectedWeightsAreListedByName() {
        VocosConfig deeper = new VocosConfig(16, 32, 48, 3, 64, 16, 16000, 64);
        var e = assertThrows(WeightsFormatException.class, () -> VocosWeights.load(weights, deeper, arena));
        assertTrue(e.getMessage().contains("missing backbone.convnext.2.dwconv.weight"), e.getMessage());
        VocosConfig shallower = new VocosConfig(16, 32, 48, 1, 64, 16, 16000, 64);
        e = assertThrows(WeightsFormatException.class, () -> VocosWeights.load(weights, shallower, arena));
        assertTrue(e.getMessage().contains("unexpected backbone.convnext.1.gamma"), e.getMessage());
    }

    @Test
    void randomWeightsGiveAFiniteSpectrumWithClippedMagnitudes() {
        VocosWeights rw = VocosWeights.random(VocosConfig.tiny(), 3, arena);
        VocosConfig c = rw.config();
        float[] melf = new float[10 * c.nMels()];
        for (int i = 0; i < melf.length; i++) melf[i] = (float) Math.sin(i * 0.37) * 3 - 2;
        Tensor spec = Tensor.allocate(arena, DType.F32, 10, c.bins(), 2);
        try (WorkerPool pool = new WorkerPool(1)) {
            Vocos.forward(rw, new VocosState(c, arena), pool, Tensor.ofFloats(arena, melf, 10, c.nMels()), spec);
        }
        float[] s = spec.toFloats();
        for (int i = 0; i < s.length; i += 2) {
            double mag = Math.hypot(s[i], s[i + 1]);
            assertTrue(Double.isFinite(mag) && mag <= 100.001, "bin " + i / 2 + ": |spec| = " + mag);
        }
    }
}
