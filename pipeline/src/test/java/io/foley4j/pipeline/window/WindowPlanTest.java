package io.foley4j.pipeline.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Coverage and overlap properties of WindowPlan.plan over many clip, window and overlap lengths. */
class WindowPlanTest {
    /** Checks every promised property of one plan; the message names the case. */
    static void check(long total, int window, int overlap) {
        List<WindowPlan.Span> p = WindowPlan.plan(total, window, overlap);
        String what = "total " + total + " window " + window + " overlap " + overlap;
        assertEquals(0, p.getFirst().start(), what);
        assertEquals(total, p.getLast().end(), what);
        if (total <= window) {
            assertEquals(List.of(new WindowPlan.Span(0, total)), p, what);
            return;
        }
        long hop = window - overlap;
        assertEquals((total - window + hop - 1) / hop + 1, p.size(), "fewest windows, " + what);
        for (int i = 0; i < p.size(); i++) {
            if (p.get(i).length() != window) throw new AssertionError("window " + i + " " + p.get(i) + ", " + what);
            if (i == 0) continue;
            long ov = p.get(i - 1).end() - p.get(i).start();
            if (p.get(i).start() <= p.get(i - 1).start() || i < p.size() - 1 && ov != overlap) {
                throw new AssertionError("windows " + (i - 1) + ", " + i + ": " + p.get(i - 1) + " " + p.get(i) + ", " + what);
            }
            if (i == p.size() - 1) {
                assertTrue(ov >= overlap && ov < window, "last overlap " + ov + ", " + what);
            }
        }
    }

    @Test
    void everySmallCase() {
        for (int window : new int[] {1, 2, 3, 7, 16, 64, 100}) {
            for (int overlap : new int[] {0, 1, window / 4, window / 2, window / 2 + 1, window - 1}) {
                if (overlap >= window) continue;
                for (long total = 1; total <= 6L * window + 5; total++) check(total, window, overlap);
            }
        }
    }

    @Test
    void randomLargeCases() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 2000; trial++) {
            int window = 1 + r.nextInt(48_000 * 10);
            int overlap = r.nextInt(window);
            if (r.nextInt(4) == 0) overlap = 0;
            long total = 1 + r.nextLong(48_000L * 60);
            if ((total - window) / Math.max(1, window - overlap) > 2_000) continue;   // keep the test fast
            check(total, window, overlap);
        }
        check(48_000L * 3600, 48_000 * 8, 48_000);   // an hour in 8 s windows, 1 s overlap
    }

    @Test
    void exactMultiplesNeedNoShift() {
        for (int k = 0; k < 10; k++) {
            List<WindowPlan.Span> p = WindowPlan.plan(100 + k * 75L, 100, 25);
            assertEquals(k + 1, p.size());
            for (int i = 0; i < p.size(); i++) assertEquals(new WindowPlan.Span(75L * i, 75L * i + 100), p.get(i));
        }
        List<WindowPlan.Span> noOverlap = WindowPlan.plan(300, 100, 0);
        assertEquals(List.of(new WindowPlan.Span(0, 100), new WindowPlan.Span(100, 200), new WindowPlan.Span(200, 300)),
                noOverlap);
    }

    @Test
    void lastWindowShiftedBack() {
        // 250 = 100 + 75 + 75: a third window would start at 150; it ends at 250 instead of being cut to 100 samples
        assertEquals(List.of(new WindowPlan.Span(0, 100), new WindowPlan.Span(75, 175), new WindowPlan.Span(150, 250)),
                WindowPlan.plan(250, 100, 25));
        assertEquals(List.of(new WindowPlan.Span(0, 100), new WindowPlan.Span(75, 175), new WindowPlan.Span(126, 226)),
                WindowPlan.plan(226, 100, 25));
        assertEquals(List.of(new WindowPlan.Span(0, 100), new WindowPlan.Span(1, 101)), WindowPlan.plan(101, 100, 0));
        assertEquals(List.of(new WindowPlan.Span(0, 37)), WindowPlan.plan(37, 100, 25));
    }

    @Test
    void badArguments() {
        bad(0, 100, 10, "total 0");
        bad(-5, 100, 10, "total -5");
        bad(100, 0, 0, "window 0");
        bad(100, 10, -1, "overlap -1");
        bad(100, 10, 10, "overlap 10");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WindowPlan.Span(5, 5));
        assertTrue(e.getMessage().contains("[5, 5)"), e.getMessage());
    }

    private static void bad(long total, int window, int overlap, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WindowPlan.plan(total, window, overlap));
        assertTrue(e.getMessage().startsWith("WindowPlan.plan") && e.getMessage().contains(part), e.getMessage());
    }
}
