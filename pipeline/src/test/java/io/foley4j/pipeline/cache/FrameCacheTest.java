package io.foley4j.pipeline.cache;

import io.foley4j.pipeline.video.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class FrameCacheTest {
    private static final int DIM = 384;

    private static RgbImage frame(int w, int h, long seed) {
        byte[] d = new byte[w * h * 3];
        new Random(seed).nextBytes(d);
        return new RgbImage(w, h, d);
    }

    /** A stand-in encoder: features from the mean of each channel, counting its calls. */
    private static Function<RgbImage, float[]> encoder(AtomicInteger calls) {
        return img -> {
            calls.incrementAndGet();
            float[] f = new float[DIM];
            for (int i = 0; i < img.data().length; i++) f[i % DIM] += img.data()[i] & 0xff;
            return f;
        };
    }

    @Test
    void identicalFramesHitAndAOnePixelChangeMisses() {
        var cache = new FrameCache(1 << 20);
        AtomicInteger calls = new AtomicInteger();
        RgbImage a = frame(225, 127, 1); // 85725 bytes: not a multiple of 8, the tail is hashed too
        RgbImage copy = new RgbImage(225, 127, a.data().clone());
        float[] fa = cache.features(a, encoder(calls));
        assertSame(fa, cache.features(copy, encoder(calls)), "an identical frame (another array) must hit");
        assertEquals(1, calls.get());

        for (int at : new int[]{0, 1000 * 3 + 1, a.data().length - 1}) { // first byte, middle, last byte of the tail
            byte[] d = a.data().clone();
            d[at] ^= 1;
            cache.features(new RgbImage(225, 127, d), encoder(calls));
        }
        assertEquals(4, calls.get(), "each one-pixel change must miss");
        var s = cache.stats();
        assertEquals(1, s.hits());
        assertEquals(4, s.misses());
        assertEquals(4, s.entries());
    }

    @Test
    void sameBytesOtherShapeIsAnotherKey() {
        byte[] d = new byte[12 * 10 * 3];
        assertNotEquals(FrameCache.key(new RgbImage(12, 10, d)), FrameCache.key(new RgbImage(10, 12, d)));
        assertNotEquals(FrameCache.key(new RgbImage(12, 10, d)), FrameCache.key(new RgbImage(120, 1, d)));
    }

    @Test
    void keysOfManyRandomAndNearDuplicateFramesAreDistinct() {
        Set<FrameCache.Key> keys = new HashSet<>();
        Set<Long> his = new HashSet<>(), los = new HashSet<>();
        RgbImage base = frame(64, 48, 7);
        int n = 0;
        for (int i = 0; i < base.data().length; i += 37) { // every 37th byte flipped, one at a time
            byte[] d = base.data().clone();
            d[i]++;
            FrameCache.Key k = FrameCache.key(new RgbImage(64, 48, d));
            keys.add(k);
            his.add(k.hi());
            los.add(k.lo());
            n++;
        }
        assertEquals(n, keys.size());
        assertEquals(n, his.size(), "each 64-bit half alone separates them");
        assertEquals(n, los.size(), "each 64-bit half alone separates them");
    }

    @Test
    void respectsTheByteBound() {
        long perEntry = ByteLruCache.floatArrayBytes(DIM) + FrameCache.ENTRY_OVERHEAD;
        var cache = new FrameCache(10 * perEntry);
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 25; i++) cache.features(frame(32, 32, i), encoder(calls));
        var s = cache.stats();
        assertEquals(10, s.entries());
        assertEquals(10 * perEntry, s.bytes());
        assertEquals(15, s.evictions());
        assertNull(cache.get(frame(32, 32, 0)), "the oldest frames were evicted");
        assertNotNull(cache.get(frame(32, 32, 24)));
        assertEquals(List.of("frame.hits", "frame.misses", "frame.evictions", "frame.bytes", "frame.entries"),
                new ArrayList<>(cache.counters("frame").keySet()));
    }

    @Test
    void concurrentRequestsEncodeEachFrameOnce() throws Exception {
        var cache = new FrameCache(64L << 20);
        AtomicInteger calls = new AtomicInteger();
        List<RgbImage> frames = new ArrayList<>();
        for (int i = 0; i < 16; i++) frames.add(frame(96, 64, 100 + i));
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<float[]>>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(ex.submit(() -> {
                    List<float[]> out = new ArrayList<>();
                    for (RgbImage f : frames) {
                        RgbImage copy = new RgbImage(f.width(), f.height(), f.data().clone()); // equal content, new array
                        out.add(cache.features(copy, encoder(calls)));
                    }
                    return out;
                }));
            }
            List<float[]> first = fs.get(0).get(30, TimeUnit.SECONDS);
            for (var f : fs) {
                List<float[]> got = f.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < got.size(); i++) assertSame(first.get(i), got.get(i), "frame " + i);
            }
        } finally {
            ex.shutdownNow();
        }
        assertEquals(16, calls.get(), "16 distinct frames, each encoded once");
        assertEquals(16, cache.stats().misses());
        assertEquals(48, cache.stats().hits());
    }
}
