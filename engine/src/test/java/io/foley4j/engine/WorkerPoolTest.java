package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void coversEveryIndexExactlyOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[] {1, 2, 3, 4, 7, 100, 1001}) {
                int[] hits = new int[n];
                for (int rep = 0; rep < 50; rep++) {
                    pool.parallelFor(n, (s, e) -> {
                        for (int i = s; i < e; i++) hits[i]++;
                    });
                }
                int[] expected = new int[n];
                java.util.Arrays.fill(expected, 50);
                assertArrayEquals(expected, hits, "n=" + n);
            }
        }
    }

    @Test
    void smallWorkStaysOnCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Thread me = Thread.currentThread();
            AtomicInteger elsewhere = new AtomicInteger();
            pool.parallelFor(10, 64, (s, e) -> {
                if (Thread.currentThread() != me) elsewhere.incrementAndGet();
            });
            assertEquals(0, elsewhere.get());
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(4, (s, e) -> pool.parallelFor(10, (a, b) -> sum.addAndGet(b - a)));
            assertEquals(20, sum.get());
        }
    }

    @Test
    void taskFailureReachesCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(100, (s, t) -> {
                if (s > 0) throw new IllegalStateException("boom in worker");
            }));
            assertEquals("boom in worker", e.getMessage());
            int[] ok = new int[1];
            pool.parallelFor(2, (s, t) -> { synchronized (ok) { ok[0] += t - s; } });
            assertEquals(2, ok[0], "pool still usable after a failure");
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }
}
