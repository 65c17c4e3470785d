package io.foley4j.pipeline.foleynet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.cache.FrameCache;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.scene.Scene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The neural path end to end on a tiny FoleyNet with fixed random weights (what a trained model plugs into). */
class NeuralFoleyTest {
    @TempDir
    static Path dir;
    static WorkerPool pool;
    static Path model, home;

    @BeforeAll
    static void setUp() throws Exception {
        pool = new WorkerPool(2);
        model = dir.resolve("tiny");
        home = dir.resolve("home");
        RandomFoleyNet.write(RandomFoleyNet.tiny(true), model, 11);
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    static Path video(String name) throws Exception {
        return Path.of(NeuralFoleyTest.class.getResource("/video/" + name).toURI());
    }

    static FoleyResult run(NeuralFoley g, Path video, GenerateOptions o, Path out) throws Exception {
        return g.generate(new FoleyRequest(video, "glass shatters on a tiled floor", o), out, Progress.NONE);
    }

    @Test
    void trackIsExactlyAsLongAsTheVideoAndDeterministic() throws Exception {
        Path video = video("baseline.mp4");
        try (NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, null)) {
            FoleyResult a = run(g, video, GenerateOptions.defaults().withSeed(5), dir.resolve("a.wav"));
            FoleyResult b = run(g, video, GenerateOptions.defaults().withSeed(5), dir.resolve("b.wav"));
            FoleyResult c = run(g, video, GenerateOptions.defaults().withSeed(6), dir.resolve("c.wav"));
            Wav.Audio wa = Wav.read(a.wav());
            assertEquals(48_000, wa.sampleRate());
            assertEquals(2 * 48_000, wa.frames(), "2.0 s video -> 96000 frames");
            assertArrayEquals(Files.readAllBytes(a.wav()), Files.readAllBytes(b.wav()), "same seed, same bytes");
            assertFalse(Arrays.equals(Files.readAllBytes(a.wav()), Files.readAllBytes(c.wav())), "seed changes output");
            double rms = 0;
            for (float v : wa.samples()) rms += v * v;
            assertTrue(Math.sqrt(rms / wa.frames()) > 1e-4, "not silent");
            // 2 s at 93.75 mel frames/s = 188 frames: two 128-frame windows
            assertEquals(2L, a.counters().get("windows"));
            assertTrue(a.stages().stream().anyMatch(s -> s.stage().equals("sampling")));
        }
    }

    @Test
    void concurrentGenerationsMatchASequentialOne() throws Exception {
        Path video = video("baseline.mp4");
        try (NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, null)) {
            byte[] seq = Files.readAllBytes(run(g, video, GenerateOptions.defaults().withSeed(9), dir.resolve("s.wav")).wav());
            java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var f1 = ex.submit(() -> run(g, video, GenerateOptions.defaults().withSeed(9), dir.resolve("p1.wav")));
                var f2 = ex.submit(() -> run(g, video, GenerateOptions.defaults().withSeed(9), dir.resolve("p2.wav")));
                assertArrayEquals(seq, Files.readAllBytes(f1.get().wav()));
                assertArrayEquals(seq, Files.readAllBytes(f2.get().wav()));
            } finally {
                ex.shutdown();
            }
        }
    }

    @Test
    void longTrackIsGeneratedInCrossfadedWindows() throws Exception {
        Path video = video("baseline.mp4");
        try (NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, null)) {
            FoleyResult r = run(g, video, GenerateOptions.defaults().withSeconds(4.5).withChannels(2), dir.resolve("long.wav"));
            Wav.Audio w = Wav.read(r.wav());
            assertEquals(2, w.channels());
            assertEquals((int) Math.round(4.5 * 48_000), w.frames());
            assertTrue(r.counters().get("windows") >= 3, "4.5 s needs several 1.4 s windows: " + r.counters());
        }
    }

    @Test
    void windowsCoverTheTrackAndStitchingKeepsAConstant() {
        for (int total : new int[] {10, 128, 129, 300, 1000}) {
            int window = 128, overlap = 32;
            int[] s = NeuralFoley.windows(total, Math.min(window, total), total <= window ? 0 : overlap);
            assertEquals(0, s[0]);
            assertEquals(total, s[s.length - 1] + Math.min(window, total), "last window ends at the end");
            float[] mel = new float[total * 2], weight = new float[total];
            for (int w = 0; w < s.length; w++) {
                float[] x = new float[Math.min(window, total) * 2];
                Arrays.fill(x, 3f);
                NeuralFoley.accumulate(mel, weight, x, s[w], x.length / 2, 2, w == 0 ? 0 : overlap,
                        w == s.length - 1 ? 0 : overlap);
            }
            for (int t = 0; t < total; t++) {
                assertTrue(weight[t] > 0, "frame " + t + " of " + total + " uncovered");
                assertEquals(3f, mel[t * 2] / weight[t], 1e-5f, "frame " + t);
            }
        }
    }

    @Test
    void frameCacheGivesIdenticalOutputAndHitsOnALoopingClip() throws Exception {
        // 4 s of a 25-frame (1 s at 25 fps, one JCodec GOP) loop: repeats decode to identical pictures
        Path loop = dir.resolve("loop.mp4");
        ClipWriter.write(Scene.looped(new BouncingScene(160, 96, 1, 3), 1.0, 4.0), 25, loop);
        FrameCache cache = new FrameCache(64L << 20);
        try (NeuralFoley cached = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, cache);
             NeuralFoley plain = new NeuralFoley(FoleyNet.open(model, Precision.FP32, pool, home), pool, null)) {
            FoleyResult a = run(cached, loop, GenerateOptions.defaults(), dir.resolve("cached.wav"));
            FoleyResult b = run(plain, loop, GenerateOptions.defaults(), dir.resolve("plain.wav"));
            FoleyResult b2 = run(plain, loop, GenerateOptions.defaults(), dir.resolve("plain2.wav"));
            FoleyResult a2 = run(cached, loop, GenerateOptions.defaults(), dir.resolve("cached2.wav"));
            // repeated runs (later ones JIT-compiled) give the same bytes: no kernel depends on the JIT tier
            assertArrayEquals(Files.readAllBytes(b.wav()), Files.readAllBytes(b2.wav()), "plain run 1 vs 2");
            assertArrayEquals(Files.readAllBytes(a.wav()), Files.readAllBytes(a2.wav()), "cached run 1 vs 2");
            assertArrayEquals(Files.readAllBytes(b.wav()), Files.readAllBytes(a.wav()), "cache must not change output");
            long sampled = a.counters().get("frames.sampled");
            long hits = a.counters().get("frame.hits");
            assertEquals(32, sampled, "4 s at 8 fps");
            assertTrue(hits >= 3 * 8, "loops 2..4 should hit the cache: " + hits + " of " + sampled);
        }
    }

    @Test
    void mixedPrecisionRunsAndStaysClose() throws Exception {
        Path video = video("baseline.mp4");
        try (NeuralFoley g = new NeuralFoley(FoleyNet.open(model, Precision.MIXED, pool, home), pool, null)) {
            FoleyResult r = run(g, video, GenerateOptions.defaults(), dir.resolve("mixed.wav"));
            assertEquals(2 * 48_000, Wav.read(r.wav()).frames());
        }
    }

    @Test
    void badModelFolderIsNamed() throws Exception {
        Path bad = dir.resolve("bad");
        RandomFoleyNet.write(RandomFoleyNet.tiny(false), bad, 1);
        Files.delete(bad.resolve("decoder.safetensors"));
        Exception e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> FoleyNet.open(bad, Precision.FP32, pool, home));
        assertTrue(e.getMessage().contains("decoder.safetensors"), e.getMessage());
        Files.writeString(bad.resolve(FoleyNetConfig.FILE), "{\"format\": \"foleynet/1\", \"video\": 3}");
        Exception e2 = assertThrows(java.io.IOException.class, () -> FoleyNet.open(bad, Precision.FP32, pool, home));
        assertTrue(e2.getMessage().contains(FoleyNetConfig.FILE), e2.getMessage());
    }
}
