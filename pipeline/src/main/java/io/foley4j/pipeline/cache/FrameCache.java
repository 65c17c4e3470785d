package io.foley4j.pipeline.cache;

import io.foley4j.pipeline.video.RgbImage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Function;

/**
 * Visual features per decoded frame, keyed by a 128-bit hash of the frame's content (width, height and every
 * byte), so the same picture seen again (a repeated request, a still shot, a looped clip) skips the image encoder.
 * Two hits are trusted without comparing bytes: for distinct frames to collide both independent 64-bit hashes must
 * agree. Returned arrays are shared with the cache: read them, never modify them. Thread-safe.
 */
public final class FrameCache {
    /** Per entry: the key record, the map node and the value wrapper (measured order of magnitude, not exact). */
    public static final long ENTRY_OVERHEAD = 128;

    /** A frame's 128-bit content hash. */
    public record Key(long hi, long lo) {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // odd 64-bit constants: the golden ratio, and the multipliers of xxHash64 and of Murmur3's finalizer
    private static final long P1 = 0x9E3779B97F4A7C15L, P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0xFF51AFD7ED558CCDL, P4 = 0x165667B19E3779F9L;

    private final ByteLruCache<Key, float[]> cache;

    public FrameCache(long maxBytes) {
        cache = new ByteLruCache<>(maxBytes, v -> ByteLruCache.floatArrayBytes(v.length), ENTRY_OVERHEAD);
    }

    /**
     * The features of {@code frame}: cached, or {@code encoder.apply(frame)} stored for next time. Concurrent calls
     * for the same content run the encoder once.
     */
    public float[] features(RgbImage frame, Function<RgbImage, float[]> encoder) {
        return cache.computeIfAbsent(key(frame), k -> encoder.apply(frame));
    }

    /** Cached features or null (counted as a hit or a miss). */
    public float[] get(RgbImage frame) {
        return cache.get(key(frame));
    }

    public void put(RgbImage frame, float[] features) {
        cache.put(key(frame), features);
    }

    public ByteLruCache.Stats stats() { return cache.stats(); }

    /** {@code prefix.hits}, {@code prefix.misses}, {@code prefix.evictions}, {@code prefix.bytes}, {@code prefix.entries}. */
    public Map<String, Long> counters(String prefix) { return cache.counters(prefix); }

    public void clear() { cache.clear(); }

    /**
     * Two independent multiply-rotate chains over the frame's little-endian longs (the tail zero-padded), seeded with
     * the dimensions, each finished with Murmur3's fmix64. Every step is a bijection of the state for a fixed input
     * word, so two frames of the same size that differ in exactly one word always get different hashes. About one
     * multiply per 8 bytes per chain; the chains are independent, so they overlap in the pipeline.
     */
    public static Key key(RgbImage frame) {
        byte[] d = frame.data();
        long h1 = P1 ^ ((long) frame.width() << 32 | frame.height());
        long h2 = P2 ^ ((long) frame.height() << 32 | frame.width()) * P3;
        int n = d.length & ~7, i = 0;
        for (; i < n; i += 8) {
            long v = (long) LONGS.get(d, i);
            h1 = Long.rotateLeft(h1 ^ v * P3, 29) * P1;
            h2 = Long.rotateLeft(h2 ^ v * P4, 37) * P2;
        }
        if (i < d.length) {
            long v = 0;
            for (int s = 0; i < d.length; i++, s += 8) v |= (d[i] & 0xffL) << s;
            h1 = Long.rotateLeft(h1 ^ v * P3, 29) * P1;
            h2 = Long.rotateLeft(h2 ^ v * P4, 37) * P2;
        }
        return new Key(fmix(h1 ^ d.length), fmix(h2 ^ d.length));
    }

    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
