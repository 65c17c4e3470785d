package io.foley4j.pipeline.video;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unreadable input ends in a VideoException naming the file and the reason, quickly, never a hang. */
class BadVideoTest {
    @TempDir
    Path tmp;

    private static void fails(Path file, String reason) {
        VideoException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(VideoException.class,
                () -> {
                    try (WorkerPool pool = new WorkerPool(2)) {
                        VideoFrames.forEachRgb(VideoIndex.open(file), 8, pool, (f, rgb) -> { });
                    }
                }));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void unsupportedStreams() {
        fails(TestData.file("hevc.mp4"), "unsupported codec 'hev1'");
        fails(TestData.file("high10.mp4"), "bit depth 10");
        fails(TestData.file("yuv422.mp4"), "chroma format");
        fails(TestData.file("audio_only.m4a"), "no video track");
    }

    @Test
    void emptyMissingAndGarbage() throws IOException {
        fails(write("empty.mp4", new byte[0]), "empty file");
        fails(tmp.resolve("missing.mp4"), "no such file");
        byte[] junk = new byte[5000];
        new Random(7).nextBytes(junk);
        fails(write("junk.mp4", junk), "MP4");
    }

    @Test
    void truncated() throws IOException {
        byte[] base = Files.readAllBytes(TestData.file("baseline.mp4"));   // index at the start
        fails(write("cut.mp4", Arrays.copyOf(base, base.length * 2 / 3)), "truncated");
        byte[] high = Files.readAllBytes(TestData.file("high.mp4"));       // index at the end
        fails(write("cut_high.mp4", Arrays.copyOf(high, high.length / 2)), "moov");
    }

    @Test
    void corruptFrameDataEndsOrFailsCleanly() throws IOException {
        byte[] high = Files.readAllBytes(TestData.file("high.mp4"));
        Random r = new Random(11);
        for (int trial = 0; trial < 4; trial++) {
            byte[] bad = high.clone();
            for (int i = 0; i < 200; i++) {
                bad[2000 + r.nextInt(high.length / 2)] = (byte) r.nextInt();
            }
            Path f = write("corrupt" + trial + ".mp4", bad);
            // JCodec may decode garbage pixels without noticing; anything else must be a VideoException
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (WorkerPool pool = new WorkerPool(2)) {
                    VideoFrames.forEachRgb(VideoIndex.open(f), 8, pool, (fr, rgb) -> { });
                } catch (VideoException e) {
                    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                }
            });
        }
    }
}
