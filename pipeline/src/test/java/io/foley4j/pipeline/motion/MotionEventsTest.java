package io.foley4j.pipeline.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.ClipWriter;
import io.foley4j.pipeline.video.VideoIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events found in a rendered clip (JCodec-encoded H.264) against the scene's exact contact times. */
class MotionEventsTest {
    /** Half a frame at 24 fps plus codec slack. */
    static final double MAX_ERROR_S = 0.03;
    /** Contacts at least this strong (impact speed relative to a full-height drop) must be found. */
    static final double STRONG = 0.3;

    @Test
    void eventsMatchContactsOfARenderedScene(@TempDir Path dir) throws Exception {
        BouncingScene scene = new BouncingScene(320, 180, 8, 7);
        Path clip = dir.resolve("scene.mp4");
        ClipWriter.write(scene, 24, clip);
        MotionEvents.Result r = MotionEvents.detect(VideoIndex.open(clip), WorkerPool.shared());
        assertEquals(24, r.fps());
        List<BouncingScene.Contact> contacts = scene.contacts();
        List<String> falseEvents = new ArrayList<>();
        for (MotionEvents.Event e : r.events()) {
            BouncingScene.Contact c = nearest(contacts, e.time());
            if (Math.abs(c.time() - e.time()) > MAX_ERROR_S || Math.abs(c.x() - e.x()) > 0.1) {
                falseEvents.add(String.format("event t=%.3f x=%.2f (nearest contact t=%.3f x=%.2f)",
                        e.time(), e.x(), c.time(), c.x()));
            }
        }
        assertTrue(falseEvents.isEmpty(), "events with no contact within " + MAX_ERROR_S + " s: " + falseEvents);
        int strong = 0, found = 0;
        List<String> missed = new ArrayList<>();
        for (BouncingScene.Contact c : contacts) {
            if (c.strength() < STRONG) continue;
            strong++;
            boolean hit = r.events().stream().anyMatch(e -> Math.abs(e.time() - c.time()) <= MAX_ERROR_S);
            if (hit) found++;
            else missed.add(String.format("t=%.3f s=%.2f", c.time(), c.strength()));
        }
        assertTrue(strong >= 5, "scene too sparse: " + strong + " strong contacts");
        assertTrue(found >= 0.8 * strong, "found " + found + " of " + strong + " strong contacts; missed " + missed);
    }

    @Test
    void stillVideoHasNoEvents() {
        MotionEvents.Analyzer a = new MotionEvents.Analyzer(24);
        float[] thumb = new float[MotionEvents.THUMB_W * MotionEvents.THUMB_H];
        java.util.Arrays.fill(thumb, 100);
        for (int i = 0; i < 48; i++) {
            float[] t = thumb.clone();
            t[i % t.length] += (i % 2 == 0 ? 8 : -8);          // flicker below the noise floor
            a.accept(t);
        }
        assertTrue(a.finish(null).events().isEmpty());
    }

    @Test
    void badThumbnailIsRejected() {
        MotionEvents.Analyzer a = new MotionEvents.Analyzer(24);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.accept(new float[7]));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }

    private static BouncingScene.Contact nearest(List<BouncingScene.Contact> cs, double t) {
        BouncingScene.Contact best = cs.get(0);
        for (BouncingScene.Contact c : cs) {
            if (Math.abs(c.time() - t) < Math.abs(best.time() - t)) best = c;
        }
        return best;
    }
}
