package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The lazy forms of {@link Checks} (a {@code Supplier} for the operand's name or the message): they never build the
 * text when the check passes, and on failure they throw exactly what the eager forms throw.
 */
class ChecksTest {

    private static final MemorySegment SEG = Arena.global().allocate(16 * 4, 64);

    @Test
    void passingChecksNeverBuildTheirText() {
        AtomicInteger built = new AtomicInteger();
        Supplier<String> name = () -> "x[M=" + built.incrementAndGet() + "]";
        Checks.fits("op", name, SEG, 16, 4);
        Checks.fits("op", name, SEG, 0, 4);
        Checks.range("op", name, 0, 16, 16);
        Checks.range("op", name, 3, 3, 16);
        Checks.require(true, "op", name);
        assertEquals(0, built.get(), "a passing check called its Supplier");
    }

    @Test
    void failingChecksThrowWhatTheEagerFormsThrow() {
        MemorySegment heap = MemorySegment.ofArray(new float[16]);
        Object[][] fitsCases = { // segment, elements, element bytes
            {SEG, 17L, 4}, {SEG, -1L, 4}, {null, 1L, 4}, {heap, 1L, 4}, {SEG, 9L, 8},
        };
        for (Object[] c : fitsCases) {
            MemorySegment s = (MemorySegment) c[0];
            long n = (Long) c[1];
            int b = (Integer) c[2];
            assertSameFailure(() -> Checks.fits("op", "x[M=2, K=8]", s, n, b),
                    () -> Checks.fits("op", () -> "x[M=" + 2 + ", K=" + 8 + "]", s, n, b));
        }
        int[][] ranges = {{-1, 2, 4}, {3, 2, 4}, {0, 5, 4}};
        for (int[] r : ranges) {
            assertSameFailure(() -> Checks.range("op", "row", r[0], r[1], r[2]),
                    () -> Checks.range("op", () -> "r" + "ow", r[0], r[1], r[2]));
        }
        assertSameFailure(() -> Checks.require(false, "op", "n0 = 3 is not a multiple of 64"),
                () -> Checks.require(false, "op", () -> "n0 = " + 3 + " is not a multiple of " + 64));
    }

    private static void assertSameFailure(Runnable eager, Runnable lazy) {
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, eager::run);
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, lazy::run);
        assertEquals(a.getMessage(), b.getMessage());
    }
}
