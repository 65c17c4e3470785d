package io.foley4j.pipeline.foley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.cache.SoundTemplateCache;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.video.VideoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default model on the committed real recordings (12 clips) and a rendered scene with known contacts. */
class TemplateFoleyTest {
    @TempDir
    static Path dir;
    static WorkerPool pool;
    static TemplateFoley foley;
    static BouncingScene scene;
    static Path clip;

    @BeforeAll
    static void setUp() throws Exception {
        pool = new WorkerPool(2);
        Path library = Path.of(TemplateFoleyTest.class.getResource("/sounds/library").toURI());
        foley = new TemplateFoley(TextEncoder.miniLm(dir.resolve("home"), Precision.FP32, pool),
                LibraryBank.open(library), pool, new SoundTemplateCache(64L << 20));
        scene = new BouncingScene(320, 180, 6, 7);
        clip = dir.resolve("scene.mp4");
        ClipWriter.write(scene, 24, clip);
    }

    @AfterAll
    static void tearDown() {
        foley.close();
        pool.close();
    }

    @Test
    void promptsPickTheMatchingKindOfRecording() {
        assertEquals("glass", foley.rank("glass shatters on the floor").get(0).getKey().category());
        assertEquals("footstep", foley.rank("footsteps in deep snow").get(0).getKey().category());
        assertEquals("explosion", foley.rank("a bomb explodes").get(0).getKey().category());
        assertEquals("door", foley.rank("a wooden gate opens").get(0).getKey().category());
    }

    @Test
    void soundsStartAtTheContactsAndTheTrackIsAsLongAsTheVideo() throws Exception {
        Path out = dir.resolve("bounce.wav");
        FoleyResult r = foley.generate(new FoleyRequest(clip, "metal footstep", GenerateOptions.defaults().withSeed(1)),
                out, Progress.NONE);
        Wav.Audio a = Wav.read(out);
        assertEquals(48_000, a.sampleRate());
        assertEquals(6 * 48_000, a.frames());
        assertTrue(r.counters().get("motion.events") >= 5, r.counters().toString());
        float[] x = a.samples();
        int strong = 0, onsets = 0;
        List<String> missed = new ArrayList<>();
        for (BouncingScene.Contact c : scene.contacts()) {
            if (c.strength() < 0.3) continue;
            strong++;
            double before = rms(x, c.time() - 0.12, c.time() - 0.04), after = rms(x, c.time() - 0.01, c.time() + 0.05);
            if (after > 4 * before && after > 1e-3) onsets++;
            else missed.add(String.format("t=%.3f rms before %.4f after %.4f", c.time(), before, after));
        }
        assertTrue(strong >= 4, "scene has " + strong + " strong contacts");
        assertTrue(onsets >= 0.8 * strong, "sound starts at " + onsets + " of " + strong + " contacts; not at " + missed);
    }

    @Test
    void stereoPansBySideAndSimilarPromptsReuseTheTemplateCache() throws Exception {
        FoleyResult a = foley.generate(new FoleyRequest(clip, "breaking glass", GenerateOptions.defaults().withChannels(2)),
                dir.resolve("g1.wav"), Progress.NONE);
        FoleyResult b = foley.generate(new FoleyRequest(clip, "glass breaking", GenerateOptions.defaults().withChannels(2)),
                dir.resolve("g2.wav"), Progress.NONE);
        assertEquals(2, Wav.read(a.wav()).channels());
        assertEquals(1L, b.counters().get("template.hit"), "second similar prompt should hit: " + b.counters());
        assertTrue(foley.counters().get("template.hits") >= 1, foley.counters().toString());
        // a contact on the left is louder in the left channel
        Wav.Audio w = Wav.read(b.wav());
        for (BouncingScene.Contact c : scene.contacts()) {
            if (c.strength() < 0.5 || Math.abs(c.x() - 0.5) < 0.3) continue;
            double l = rmsChannel(w, 0, c.time(), c.time() + 0.05), r = rmsChannel(w, 1, c.time(), c.time() + 0.05);
            assertTrue(c.x() < 0.5 ? l > r : r > l, String.format("contact x=%.2f: left %.4f right %.4f", c.x(), l, r));
        }
    }

    @Test
    void badInputGivesClearErrorsAndLeavesNoFile() throws Exception {
        Path out = dir.resolve("never.wav");
        Path audioOnly = Path.of(TemplateFoleyTest.class.getResource("/video/audio_only.m4a").toURI());
        VideoException e = assertThrows(VideoException.class, () -> foley.generate(
                new FoleyRequest(audioOnly, "knock", GenerateOptions.defaults()), out, Progress.NONE));
        assertTrue(e.getMessage().contains("audio_only.m4a"), e.getMessage());
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        assertThrows(VideoException.class, () -> foley.generate(
                new FoleyRequest(empty, "knock", GenerateOptions.defaults()), out, Progress.NONE));
        assertThrows(FoleyInputException.class, () -> new FoleyRequest(clip, "  ", GenerateOptions.defaults()));
        assertThrows(FoleyInputException.class, () -> new FoleyRequest(clip, "a\u0000b", GenerateOptions.defaults()));
        assertThrows(FoleyInputException.class, () -> new FoleyRequest(clip, "x".repeat(5000), GenerateOptions.defaults()));
        assertThrows(FoleyInputException.class, () -> GenerateOptions.defaults().withCfg(-1));
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".part")), "temporary files left");
        }
    }

    @Test
    void concurrentGenerationsMatchASequentialOne() throws Exception {
        FoleyRequest req = new FoleyRequest(clip, "footsteps on gravel", GenerateOptions.defaults().withSeed(3));
        byte[] sequential = Files.readAllBytes(foley.generate(req, dir.resolve("seq.wav"), Progress.NONE).wav());
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Path>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path out = dir.resolve("par" + i + ".wav");
                fs.add(ex.submit(() -> foley.generate(req, out, Progress.NONE).wav()));
            }
            for (java.util.concurrent.Future<Path> f : fs) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(sequential, Files.readAllBytes(f.get()));
            }
        } finally {
            ex.shutdown();
        }
    }

    static double rms(float[] x, double t0, double t1) {
        int a = Math.max(0, (int) (t0 * 48_000)), b = Math.min(x.length, (int) (t1 * 48_000));
        double s = 0;
        for (int i = a; i < b; i++) s += x[i] * x[i];
        return b > a ? Math.sqrt(s / (b - a)) : 0;
    }

    static double rmsChannel(Wav.Audio w, int ch, double t0, double t1) {
        return rms(w.channel(ch), t0, t1);
    }
}
