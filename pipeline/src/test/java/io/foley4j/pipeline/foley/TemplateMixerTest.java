package io.foley4j.pipeline.foley;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.pipeline.motion.MotionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemplateMixerTest {
    static List<float[]> clips(int n, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            float[] x = new float[2000 + r.nextInt(150_000)];
            int silence = r.nextInt(500);
            for (int i = silence; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.exp(-(i - silence) / 8000.0));
            out.add(x);
        }
        return out;
    }

    @Test
    void blocksRenderTheSameTrackAsOnePass() {
        List<float[]> clips = clips(3, 1);
        List<MotionEvents.Event> events = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 40; i++) events.add(new MotionEvents.Event(r.nextDouble() * 9.5, r.nextDouble(), r.nextDouble()));
        events.sort((a, b) -> Double.compare(a.time(), b.time()));
        for (int ch = 1; ch <= 2; ch++) {
            List<TemplateMixer.Placement> plan = TemplateMixer.placeEvents(events, clips, ch, 7);
            int frames = 10 * TemplateMixer.RATE;
            float[] whole = new float[frames * ch];
            TemplateMixer.render(plan, clips, ch, 0, frames, whole);
            float[] blocks = new float[frames * ch], buf = new float[12_345 * ch];
            for (int f = 0; f < frames; f += 12_345) {
                int to = Math.min(frames, f + 12_345);
                TemplateMixer.render(plan, clips, ch, f, to, buf);
                System.arraycopy(buf, 0, blocks, f * ch, (to - f) * ch);
            }
            assertArrayEquals(whole, blocks, "channels " + ch);
            float peak = TemplateMixer.peak(plan, clips, ch, frames, 9_999);
            float max = 0;
            for (float v : whole) max = Math.max(max, Math.abs(v));
            assertEquals(max, peak);
            float[] limited = TemplateMixer.mix(plan, clips, ch, frames);
            float lmax = 0;
            for (float v : limited) lmax = Math.max(lmax, Math.abs(v));
            assertTrue(lmax <= TemplateMixer.PEAK + 1e-6f, "limited peak " + lmax);
        }
    }

    @Test
    void eachClipStartsAtItsEventAndNeverRepeatsBackToBack() {
        List<float[]> clips = clips(3, 3);
        List<MotionEvents.Event> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) events.add(new MotionEvents.Event(0.2 + 0.3 * i, 0.5, 1));
        List<TemplateMixer.Placement> plan = TemplateMixer.placeEvents(events, clips, 1, 11);
        for (int i = 0; i < plan.size(); i++) {
            TemplateMixer.Placement p = plan.get(i);
            long onsetAt = p.start() + TemplateMixer.onset(clips.get(p.clip()));
            assertEquals(Math.round(events.get(i).time() * TemplateMixer.RATE), onsetAt, "event " + i);
            if (i > 0) assertTrue(p.clip() != plan.get(i - 1).clip(), "clip repeated at event " + i);
        }
    }

    @Test
    void loopCoversTheWholeTrack() {
        List<float[]> clips = clips(2, 5);
        long frames = 30L * TemplateMixer.RATE;
        List<TemplateMixer.Placement> plan = TemplateMixer.loop(clips, frames, 1);
        assertEquals(0, plan.get(0).start());
        for (int i = 1; i < plan.size(); i++) {
            TemplateMixer.Placement a = plan.get(i - 1), b = plan.get(i);
            assertEquals(a.start() + a.length() - b.fadeIn(), b.start(), "placement " + i + " overlaps by the cross-fade");
        }
        TemplateMixer.Placement last = plan.get(plan.size() - 1);
        assertTrue(last.start() + last.length() >= frames);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TemplateMixer.placeEvents(List.of(), List.of(), 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> TemplateMixer.placeEvents(List.of(), List.of(new float[] {Float.NaN}), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> TemplateMixer.placeEvents(List.of(), clips(1, 1), 3, 0));
    }
}
