package io.foley4j.pipeline.scene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event scenes against their own pictures, rendered at 24 fps without a codec: pictures change exactly while
 * something moves, a door is shut right after its slam, both shoes touch the floor at each footfall.
 */
class SceneKindsTest {
    static final int W = 320, H = 180, FPS = 24;
    static final double SECONDS = 6;

    @Test
    void renderingAndEventsAreDeterministicPerSeed() {
        for (String kind : EventScene.KINDS) {
            EventScene a = EventScene.of(kind, W, H, SECONDS, 11), b = EventScene.of(kind, W, H, SECONDS, 11);
            assertEquals(kind, a.kind());
            assertEquals(a.events(), b.events(), kind);
            assertNotEquals(a.events(), EventScene.of(kind, W, H, SECONDS, 12).events(), kind + ": seed ignored");
            byte[] ra = new byte[W * H * 3], rb = new byte[W * H * 3];
            for (double t = 0; t < SECONDS; t += 0.37) {
                a.render(t, ra);
                b.render(t, rb);
                assertArrayEquals(ra, rb, kind + " at t=" + t);
            }
        }
    }

    @Test
    void eventsAreOrderedInsideTheClip() {
        for (String kind : EventScene.KINDS) {
            for (long seed = 0; seed < 20; seed++) {
                List<SoundEvent> es = EventScene.of(kind, W, H, SECONDS, seed).events();
                assertTrue(es.size() >= 2, kind + " seed " + seed + ": only " + es.size() + " events");
                for (int i = 0; i < es.size(); i++) {
                    SoundEvent e = es.get(i);
                    assertTrue(e.end() <= SECONDS + 1e-9, kind + " seed " + seed + ": " + e + " ends after the clip");
                    if (i > 0) assertTrue(e.time() >= es.get(i - 1).time(), kind + " seed " + seed + ": not in order");
                }
            }
        }
        assertTrue(EventScene.of("sliding", W, H, SECONDS, 3).events().stream().noneMatch(SoundEvent::isImpact));
        assertTrue(EventScene.of("stepping", W, H, SECONDS, 3).events().stream().allMatch(SoundEvent::isImpact));
    }

    @Test
    void slidingPicturesChangeExactlyWhileTheBoxMoves() {
        for (long seed = 0; seed < 4; seed++) {
            SlidingScene s = new SlidingScene(W, H, SECONDS, seed);
            List<SoundEvent> slides = s.events();
            double[] diff = frameDiffs(s);
            int moving = 0, still = 0;
            for (int f = 0; f < diff.length; f++) {
                double t0 = f / (double) FPS, t1 = (f + 1) / (double) FPS;
                if (slides.stream().anyMatch(e -> t0 >= e.time() && t1 <= e.end())) {
                    assertTrue(diff[f] > 0, "seed " + seed + ": no change over [" + t0 + ", " + t1 + "] while sliding");
                    moving++;
                } else if (slides.stream().noneMatch(e -> t1 > e.time() && t0 < e.end())) {
                    assertEquals(0, diff[f], "seed " + seed + ": picture changed over [" + t0 + ", " + t1 + "], still");
                    still++;
                }
            }
            assertTrue(moving >= 24 && still >= 12, "seed " + seed + ": " + moving + " moving, " + still + " still");
        }
    }

    @Test
    void doorPicturesChangeWhileOpeningAndStopAtTheSlam() {
        for (long seed = 0; seed < 4; seed++) {
            DoorScene s = new DoorScene(W, H, SECONDS, seed);
            double[] diff = frameDiffs(s);
            byte[] shut = new byte[W * H * 3], now = new byte[W * H * 3];
            s.render(0, shut);
            List<SoundEvent> es = s.events();
            int checked = 0;
            for (SoundEvent e : es) {
                if (!e.isImpact()) {
                    // the middle half of the opening swing
                    for (int f = (int) Math.ceil((e.time() + e.duration() / 4) * FPS); (f + 1) / (double) FPS
                            <= e.time() + 0.75 * e.duration(); f++, checked++) {
                        assertTrue(diff[f] > 0, "seed " + seed + ": door still at frame " + f + " while opening");
                    }
                } else {
                    int last = (int) Math.floor(e.time() * FPS);              // the frame pair around the slam
                    assertTrue(diff[last - 1] > 0, "seed " + seed + ": door still just before the slam at " + e.time());
                    s.render((last + 1) / (double) FPS, now);
                    assertArrayEquals(shut, now, "seed " + seed + ": door not shut after the slam at " + e.time());
                    checked++;
                }
            }
            assertTrue(checked >= 10, "seed " + seed + ": checked " + checked);
        }
    }

    @Test
    void atEachFootfallBothShoesTouchTheFloor() {
        int checked = 0;
        for (long seed = 0; seed < 4; seed++) {
            SteppingScene s = new SteppingScene(W, H, SECONDS, seed);
            List<SoundEvent> es = s.events();
            for (int k = 1; k < es.size(); k++) {
                double t0 = es.get(k - 1).time(), t1 = es.get(k).time();
                if (t1 - t0 > 0.6 + 1e-9) continue;                  // not the same bout: no swing in between
                // a bout's closing step puts the shoe on the other one (steppingPicturesAreStillBetweenBouts checks it)
                if (k + 1 == es.size() || es.get(k + 1).time() - t1 > 0.6 + 1e-9) continue;
                int landed = shoePixelsOnFloor(s, t1), midSwing = shoePixelsOnFloor(s, (t0 + t1) / 2);
                assertTrue(midSwing > 0, "seed " + seed + ": no foot on the floor at " + (t0 + t1) / 2);
                assertTrue(landed > midSwing, "seed " + seed + ": footfall at " + t1 + " has " + landed
                        + " shoe pixels on the floor, mid-swing " + midSwing);
                checked++;
            }
        }
        assertTrue(checked >= 20, "only " + checked + " footfalls checked");
    }

    /** Shoe-coloured pixels in the picture row just above the floor at time t. */
    static int shoePixelsOnFloor(SteppingScene s, double t) {
        byte[] rgb = new byte[W * H * 3];
        s.render(t, rgb);
        int row = (int) (H * 0.85) - 1, n = 0;
        for (int x = 0; x < W; x++) {
            int i = (row * W + x) * 3;
            if ((rgb[i] & 0xFF) == 30 && (rgb[i + 1] & 0xFF) == 25 && (rgb[i + 2] & 0xFF) == 20) n++;
        }
        return n;
    }

    @Test
    void steppingPicturesAreStillBetweenBouts() {
        int still = 0;
        for (long seed = 0; seed < 4; seed++) {
            SteppingScene s = new SteppingScene(W, H, SECONDS, seed);
            double[] diff = frameDiffs(s);
            List<SoundEvent> es = new ArrayList<>(s.events());
            es.add(0, SoundEvent.impact(0, 1));                          // standing from the start
            for (int i = 0; i + 1 < es.size(); i++) {
                // after a bout's last footfall until one longest period (0.6 s) before the next bout's first
                double from = es.get(i).time(), to = es.get(i + 1).time() - 0.6;
                int before = (int) Math.floor(from * FPS) - 1;              // the pair just before the footfall
                if (i > 0 && to > from) {
                    assertTrue(diff[before] > 0, "seed " + seed + ": still before the footfall at " + from);
                }
                for (int f = (int) Math.ceil(from * FPS); (f + 1) / (double) FPS <= to; f++, still++) {
                    assertEquals(0, diff[f], "seed " + seed + ": picture changed at frame " + f + " while standing");
                }
            }
        }
        assertTrue(still >= 40, "only " + still + " standing frame pairs");
    }

    @Test
    void bouncingEventsAreItsContacts() {
        BouncingScene s = new BouncingScene(W, H, SECONDS, 7);
        List<SoundEvent> es = s.events();
        assertEquals(s.contacts().size(), es.size());
        for (int i = 0; i < es.size(); i++) {
            assertEquals(s.contacts().get(i).time(), es.get(i).time());
            assertEquals(s.contacts().get(i).strength(), es.get(i).strength());
            assertTrue(es.get(i).isImpact());
        }
    }

    @Test
    void eventsTsvListsEveryEvent() {
        EventScene s = EventScene.of("door", W, H, SECONDS, 5);
        String[] lines = ClipWriter.eventsTsv(s).split("\n");
        assertEquals("# kind door", lines[0]);
        assertEquals(s.events().size() + 2, lines.length);
        String[] first = lines[2].split("\t");
        assertEquals(s.events().get(0).time(), Double.parseDouble(first[0]), 1e-6);
        assertEquals(s.events().get(0).duration(), Double.parseDouble(first[1]), 1e-6);
    }

    @Test
    void badArgumentsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventScene.of("rolling", W, H, SECONDS, 1));
        assertTrue(e.getMessage().contains("rolling") && e.getMessage().contains("sliding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SteppingScene(31, H, SECONDS, 1));
        assertTrue(e.getMessage().contains("SteppingScene") && e.getMessage().contains("31x180"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DoorScene(W, H, SECONDS, 1).render(1, new byte[5]));
        assertTrue(e.getMessage().contains("DoorScene.render"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SoundEvent(1, -0.5, 0.5));
        assertFalse(new SoundEvent(1, 0.5, 0.5).isImpact());
    }

    /** Sum of |picture(f + 1) - picture(f)| over bytes, per frame pair at FPS. */
    static double[] frameDiffs(Scene s) {
        int frames = (int) Math.round(s.seconds() * FPS);
        byte[] prev = new byte[W * H * 3], cur = new byte[W * H * 3];
        double[] out = new double[frames - 1];
        s.render(0, prev);
        for (int f = 1; f < frames; f++) {
            s.render(f / (double) FPS, cur);
            long sum = 0;
            for (int i = 0; i < cur.length; i++) sum += Math.abs((cur[i] & 0xFF) - (prev[i] & 0xFF));
            out[f - 1] = sum;
            byte[] t = prev;
            prev = cur;
            cur = t;
        }
        return out;
    }
}
