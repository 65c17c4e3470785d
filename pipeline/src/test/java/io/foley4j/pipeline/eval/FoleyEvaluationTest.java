package io.foley4j.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation end to end on the committed v0 model with a synthetic two-clip held-out set. */
class FoleyEvaluationTest {
    static final Path MODEL = Path.of("../recipe/foleynet-v0");

    @TempDir
    Path home;

    @Test
    void cropsAsTheRecipeTakesThem() {
        float[] mel = new float[5 * 2];
        for (int i = 0; i < mel.length; i++) mel[i] = i;
        // short clip (5 frames) in a window of 8: offsets (8 - 5) * v / 3 = 0, 1, 2, 3
        float[] c = FoleyEvaluation.crop(mel, 5, 2, 8, 2, 4);
        assertEquals(FoleyEvaluation.LOG_FLOOR, c[3], 0f);
        assertEquals(0f, c[4], 0f);
        assertEquals(9f, c[13], 0f);
        assertEquals(FoleyEvaluation.LOG_FLOOR, c[14], 0f);
        // long clip (5 frames) in a window of 3: starts (5 - 3) * v / 3 = 0, 0, 1, 2
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, FoleyEvaluation.crop(mel, 5, 2, 3, 3, 4));
    }

    @Test
    void evaluatesDeterministically() throws Exception {
        Path data = home.resolve("data");
        Files.createDirectories(data);
        AudioClassifier cls = AudioClassifier.load(AudioClassifierTest.FILE);
        FoleyNetConfig cfg = FoleyNetConfig.read(MODEL);
        try (WorkerPool pool = new WorkerPool(2);
             NeuralFoley g = new NeuralFoley(FoleyNet.open(MODEL, Precision.FP32, pool, home), pool, null)) {
            FoleyEvaluation ev = new FoleyEvaluation(g, cfg, cls);
            // synthetic "recordings": decaying noise bursts (short, 60 frames) and steady noise (long, 300 frames)
            SplittableRandom r = new SplittableRandom(3);
            float[] burst = new float[60 * 512], steady = new float[300 * 512];
            for (int i = 0; i < burst.length; i++) burst[i] = (float) (r.nextGaussian() * 0.3 * Math.exp(-i / 4000.0));
            for (int i = 0; i < steady.length; i++) steady[i] = (float) (r.nextGaussian() * 0.05);
            float[] m0 = ev.measureAll(burst), m1 = ev.measureAll(steady);
            try (Arena arena = Arena.ofConfined()) {
                new SafetensorsWriter().add("mel.0", Tensor.ofFloats(arena, m0, m0.length / 64, 64))
                        .add("mel.1", Tensor.ofFloats(arena, m1, m1.length / 64, 64))
                        .add("mel.2", Tensor.ofFloats(arena, m1, m1.length / 64, 64))
                        .write(data.resolve("mels.safetensors"));
            }
            Files.writeString(data.resolve("dataset.json"), """
                    {"clips": [
                     {"index": 0, "id": "a/burst", "caption": "footsteps on gravel", "split": "heldout"},
                     {"index": 1, "id": "a/steady", "caption": "water flows", "split": "heldout"},
                     {"index": 2, "id": "a/train", "caption": "water flows", "split": "train"}]}
                    """);
            List<FoleyEvaluation.Clip> clips = FoleyEvaluation.heldOut(data, cls);
            assertEquals(2, clips.size());
            GenerateOptions o = GenerateOptions.defaults().withSeed(7).withSteps(4);
            FoleyEvaluation.Report a = ev.run(clips, 2, o, n -> {});
            FoleyEvaluation.Report b = ev.run(clips, 2, o, n -> {});
            assertEquals(4, a.samples().size());
            for (int i = 0; i < 4; i++) {
                FoleyEvaluation.Sample s = a.samples().get(i);
                assertEquals(i < 2 ? 0 : 3, s.label(), "label of " + s.clip());
                for (FoleyEvaluation.Version v : FoleyEvaluation.Version.values()) {
                    assertArrayEquals(s.embeddings().get(v), b.samples().get(i).embeddings().get(v), v + " of sample " + i);
                    assertEquals(s.predicted().get(v), AudioClassifier.argmax(cls.logitsOfEmbedding(s.embeddings().get(v))));
                }
            }
            for (var e : a.frechet().entrySet()) assertTrue(e.getValue() >= 0 && Double.isFinite(e.getValue()), e.toString());
            assertTrue(a.accuracy().get(FoleyEvaluation.Version.REAL) >= 0);
            Path json = home.resolve("report.json");
            FoleyEvaluation.writeJson(FoleyEvaluation.toMap(a), json);
            assertTrue(Files.readString(json).contains("\"text_fidelity\""));
        }
    }

    @Test
    void shapedNoiseFollowsTheCropsEnergy() throws Exception {
        AudioClassifier cls = AudioClassifier.load(AudioClassifierTest.FILE);
        try (WorkerPool pool = new WorkerPool(1);
             NeuralFoley g = new NeuralFoley(FoleyNet.open(MODEL, Precision.FP32, pool, home), pool, null)) {
            FoleyEvaluation ev = new FoleyEvaluation(g, FoleyNetConfig.read(MODEL), cls);
            float[] crop = new float[128 * 64];
            for (int t = 0; t < 128; t++) {
                float level = t < 20 ? -11.5f : (float) (-1 - 8 * (t - 20) / 108.0);   // silence, onset, decay
                for (int m = 0; m < 64; m++) crop[t * 64 + m] = level - m * 0.02f;
            }
            float[] noise = ev.measure(ev.shapedNoise(crop, 11));
            double r = FoleyEvaluation.pearson(FoleyEvaluation.envelope(crop, 64), FoleyEvaluation.envelope(noise, 64));
            assertTrue(r > 0.95, "envelope correlation " + r);
            // frames not a multiple of the patch (2); a condition of the wrong length
            assertThrows(IllegalArgumentException.class, () -> g.melFromCondition(new float[9], 9, "x", GenerateOptions.defaults()));
            assertThrows(IllegalArgumentException.class, () -> g.melFromCondition(new float[10], 12, "x", GenerateOptions.defaults()));
        }
    }
}
