package io.foley4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The order in which {@link Timing#timeSideBySide} runs its operations (no timing asserted). */
class TimingTest {

    /**
     * Each operation is warmed up on its own, then the repetitions alternate: the calls form 2 warm-up runs and then
     * one run per operation per repetition (a timing of all of a's repetitions, then all of b's, would form 2 runs in
     * all).
     */
    @Test
    void repetitionsAlternate() {
        int reps = 3;
        Timing t = new Timing(0.0, 0.0005, reps);
        StringBuilder runs = new StringBuilder(); // one letter per run of calls to the same operation
        Runnable a = () -> call(runs, 'a'), b = () -> call(runs, 'b');
        Timing.Result[] r = t.timeSideBySide(0, a, b);
        assertEquals(2, r.length);
        assertEquals("ab".repeat(reps + 1), runs.toString(), "runs of calls (warm-up a, warm-up b, then reps)");
        for (Timing.Result x : r) {
            assertTrue(x.best() > 0 && x.best() <= x.median(), "best " + x.best() + ", median " + x.median());
        }
    }

    private static void call(StringBuilder runs, char op) {
        if (runs.isEmpty() || runs.charAt(runs.length() - 1) != op) runs.append(op);
        for (int i = 0; i < 200; i++) Thread.onSpinWait(); // a little work per call
    }

    @Test
    void settlesOnlyForMoreThanOneThread() {
        assertEquals(0, Timing.settleFor(1));
        assertEquals(Timing.SETTLE_MILLIS, Timing.settleFor(2));
    }
}
