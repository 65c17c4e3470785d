package io.foley4j.pipeline.cache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class ByteLruCacheTest {

    private static ByteLruCache<String, float[]> floats(long max) {
        return new ByteLruCache<>(max, v -> ByteLruCache.floatArrayBytes(v.length), 10);
    }

    @Test
    void evictsLeastRecentlyUsedBeyondTheByteBound() {
        var c = floats(3 * (16 + 40 + 10)); // room for three 10-float entries
        c.put("a", new float[10]);
        c.put("b", new float[10]);
        c.put("c", new float[10]);
        assertNotNull(c.get("a")); // a becomes most recent: b is now the oldest
        c.put("d", new float[10]);
        assertNull(c.get("b"), "b was least recently used");
        assertNotNull(c.get("a"));
        assertNotNull(c.get("c"));
        assertNotNull(c.get("d"));
        var s = c.stats();
        assertEquals(1, s.evictions());
        assertEquals(3, s.entries());
        assertEquals(3 * 66, s.bytes());
        assertEquals(4, s.hits());
        assertEquals(1, s.misses());
    }

    @Test
    void replacingAKeyReweighsIt() {
        var c = floats(1000);
        c.put("a", new float[10]);
        c.put("a", new float[100]);
        assertEquals(16 + 400 + 10, c.stats().bytes());
        assertEquals(1, c.stats().entries());
        assertTrue(c.remove("a"));
        assertEquals(0, c.stats().bytes());
    }

    @Test
    void aValueLargerThanTheBoundIsReturnedButNotStored() {
        var c = floats(100);
        c.put("small", new float[2]);
        float[] big = c.computeIfAbsent("big", k -> new float[1000]);
        assertEquals(1000, big.length);
        assertNull(c.get("big"));
        assertNotNull(c.get("small"), "an oversized value must not evict what fits");
    }

    @Test
    void countersCarryThePrefix() {
        var c = floats(1000);
        c.get("x");
        Map<String, Long> m = c.counters("frame");
        assertEquals(List.of("frame.hits", "frame.misses", "frame.evictions", "frame.bytes", "frame.entries"),
                new ArrayList<>(m.keySet()));
        assertEquals(1L, m.get("frame.misses"));
    }

    @Test
    void concurrentCallersForOneKeyComputeOnce() throws Exception {
        var c = floats(1 << 20);
        int threads = 8;
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(ex.submit(() -> {
                    start.await();
                    return c.computeIfAbsent("k", k -> {
                        computed.incrementAndGet();
                        sleep(50); // keep the computation in flight while the others arrive
                        return new float[]{42};
                    });
                }));
            }
            start.countDown();
            float[] first = fs.get(0).get(10, TimeUnit.SECONDS);
            for (var f : fs) assertSame(first, f.get(10, TimeUnit.SECONDS), "every caller gets the one value");
        } finally {
            ex.shutdownNow();
        }
        assertEquals(1, computed.get());
        assertEquals(1, c.stats().misses());
        assertEquals(threads - 1, c.stats().hits());
    }

    @Test
    void aFailingComputeIsNotCachedAndWaitersSeeTheFailure() throws Exception {
        var c = floats(1 << 20);
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> failing = ex.submit(() -> c.computeIfAbsent("k", k -> {
                inside.countDown();
                await(release);
                throw new IllegalStateException("encoder failed");
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Future<float[]> waiter = ex.submit(() -> c.computeIfAbsent("k", k -> new float[]{1}));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (c.stats().hits() < 1) { // a caller that joins an in-flight computation counts a hit
                assertTrue(System.nanoTime() < deadline, "the second caller never joined the computation");
                Thread.onSpinWait();
            }
            release.countDown();
            var e1 = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e1.getCause());
            var e2 = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
            assertSame(e1.getCause(), e2.getCause(), "the waiter gets the computing caller's exception");
        } finally {
            ex.shutdownNow();
        }
        assertNull(c.get("k"), "a failed computation stores nothing");
        assertEquals(0, c.stats().entries());
    }

    @Test
    void afterAFailureTheNextCallComputesAgain() {
        var c = floats(1 << 20);
        assertThrows(IllegalStateException.class, () -> c.computeIfAbsent("k", k -> {
            throw new IllegalStateException("boom");
        }));
        assertNull(c.get("k"));
        assertArrayEquals(new float[]{5}, c.computeIfAbsent("k", k -> new float[]{5}));
        assertArrayEquals(new float[]{5}, c.get("k"));
    }

    @Test
    void manyThreadsKeepTheByteBound() throws Exception {
        long max = 50 * (16 + 4 * 64 + 10);
        var c = floats(max);
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String k = "k" + ((i * 31 + seed * 7) % 200);
                        float[] v = c.computeIfAbsent(k, key -> new float[64]);
                        assertEquals(64, v.length);
                        assertTrue(c.stats().bytes() <= max);
                    }
                }));
            }
            for (var f : fs) f.get(30, TimeUnit.SECONDS);
        } finally {
            ex.shutdownNow();
        }
        var s = c.stats();
        assertTrue(s.bytes() <= max, s.toString());
        assertEquals(50, s.entries(), s.toString());
        assertEquals(8000, s.hits() + s.misses(), s.toString());
        assertTrue(s.evictions() > 0, s.toString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            assertTrue(l.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }
}
