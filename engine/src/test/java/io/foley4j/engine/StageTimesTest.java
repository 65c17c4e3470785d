package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StageTimesTest {
    enum Stage { A, B }

    @Test
    void offCostsNothingOnSumsPerStage() throws InterruptedException {
        StageTimes<Stage> t = new StageTimes<>(Stage.class);
        assertEquals(0, t.tick(), "off: no clock read");
        assertEquals(0, t.lap(Stage.A, 123), "off: no time charged");
        assertNull(t.nanos());
        t.enable(true);
        long s = t.tick();
        Thread.sleep(5);
        s = t.lap(Stage.B, s);
        t.lap(Stage.A, s);
        long[] n = t.nanos();
        assertEquals(2, n.length);
        assertTrue(n[Stage.B.ordinal()] >= 4_000_000, "B took the 5 ms sleep: " + n[Stage.B.ordinal()]);
        assertTrue(n[Stage.A.ordinal()] < n[Stage.B.ordinal()], "A: " + n[Stage.A.ordinal()]);
        n[0] = -1;
        assertTrue(t.nanos()[0] >= 0, "nanos() hands out a copy");
        t.enable(false);
        assertNull(t.nanos());
    }
}
