package io.foley4j.pipeline.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.pipeline.scene.DoorScene;
import io.foley4j.pipeline.scene.EventScene;
import io.foley4j.pipeline.scene.SoundEvent;
import io.foley4j.pipeline.scene.SteppingScene;
import io.foley4j.pipeline.video.RgbImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The motion-stop curve of rendered scenes (24 fps, no codec) against their exact event times: a door slam or a
 * footfall at time t is frame ceil(t * fps) or the next (the last difference still holding the motion ends there).
 */
class MotionStopTest {
    static final int W = 320, H = 180, FPS = 24;
    static final double SECONDS = 6;
    static final int FRAMES = (int) (SECONDS * FPS);

    static float[] curve(EventScene s) {
        MotionStop m = new MotionStop(FRAMES);
        RgbImage img = RgbImage.allocate(W, H);
        for (int k = 0; k < FRAMES; k++) {
            s.render(k / (double) FPS, img.data());
            m.accept(MotionEvents.thumbnail(img));
        }
        float[] out = new float[FRAMES];
        m.write(out, 1, 0);
        return out;
    }

    /** The largest value over frames [ceil(t * FPS) - 1, ceil(t * FPS) + 2]: "within a frame or two". */
    static float near(float[] c, double t) {
        int k = (int) Math.ceil(t * FPS - 1e-9);
        float m = 0;
        for (int j = Math.max(0, k - 1); j <= Math.min(c.length - 1, k + 2); j++) m = Math.max(m, c[j]);
        return m;
    }

    @Test
    void doorSlamsStopStronglyAndNothingMovesAfterThem() {
        for (long seed = 0; seed < 4; seed++) {
            DoorScene s = new DoorScene(W, H, SECONDS, seed);
            float[] c = curve(s);
            List<SoundEvent> es = s.events();
            for (int i = 0; i < es.size(); i++) {
                SoundEvent e = es.get(i);
                if (!e.isImpact()) continue;
                String where = "seed " + seed + ", slam at " + e.time() + " s: " + Arrays.toString(c);
                assertTrue(near(c, e.time()) >= 0.4f, where);          // of the clip's largest stop
                // shut until the next opening: no motion, no stop
                int from = (int) Math.ceil(e.time() * FPS) + 3;
                int to = i + 1 < es.size() ? (int) Math.floor(es.get(i + 1).time() * FPS) : FRAMES;
                for (int k = from; k < to; k++) assertEquals(0f, c[k], "frame " + k + ", " + where);
            }
        }
    }

    @Test
    void footfallsStandOutOfTheWalk() {
        for (long seed = 0; seed < 4; seed++) {
            SteppingScene s = new SteppingScene(W, H, SECONDS, seed);
            float[] c = curve(s);
            double sum = 0;
            int moving = 0;
            for (float v : c) {
                if (v > 0) {
                    sum += v;
                    moving++;
                }
            }
            double mean = sum / moving, atSteps = 0;
            List<SoundEvent> steps = s.events();
            for (SoundEvent e : steps) atSteps += near(c, e.time());
            atSteps /= steps.size();
            // the walk itself (hip and swinging foot crossing tiles) leaves a floor; footfalls rise above it
            assertTrue(atSteps > 1.5 * mean, "seed " + seed + ": mean at footfalls " + atSteps + " vs " + mean
                    + " over moving frames: " + Arrays.toString(c));
        }
    }

    @Test
    void stillClipIsZero() {
        MotionStop m = new MotionStop(30);
        RgbImage img = RgbImage.allocate(W, H);
        new DoorScene(W, H, SECONDS, 1).render(0, img.data());
        for (int k = 0; k < 30; k++) m.accept(MotionEvents.thumbnail(img));
        float[] out = new float[30 * 3];
        Arrays.fill(out, -1f);
        m.write(out, 3, 2);
        for (int k = 0; k < 30; k++) {
            assertEquals(0f, out[3 * k + 2], "frame " + k);
            assertEquals(-1f, out[3 * k], "other columns untouched");
        }
    }

    @Test
    void badInputIsNamed() {
        MotionStop m = new MotionStop(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.accept(new float[10]));
        assertTrue(e.getMessage().contains("MotionStop") && e.getMessage().contains("10 values"), e.getMessage());
        m.accept(new float[MotionEvents.THUMB_W * MotionEvents.THUMB_H]);
        e = assertThrows(IllegalArgumentException.class,
                () -> m.accept(new float[MotionEvents.THUMB_W * MotionEvents.THUMB_H]));
        assertTrue(e.getMessage().contains("more than 1 frames"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.write(new float[2], 2, 2));
        assertTrue(e.getMessage().contains("column 2"), e.getMessage());
    }
}
