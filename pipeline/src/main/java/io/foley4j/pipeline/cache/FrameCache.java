package io.foley4j.pipeline.cache;

import io.foley4j.pipeline.video.RgbImage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

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

    /**
     * As {@link #features(RgbImage, Function)} for a frame whose {@link #key} was taken earlier, e.g. on the thread
     * that decoded it, so that the frame itself need not be kept until the encoder's turn.
     */
    public float[] features(Key key, Supplier<float[]> encoder) {
        return cache.computeIfAbsent(key, k -> encoder.get());
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
     * Two independent 64-bit hashes, each over two interleaved multiply-rotate lanes (even and odd words), of the
     * frame's little-endian longs (the tail zero-padded), seeded with the dimensions and finished with Murmur3's
     * fmix64. Every lane step is a bijection of the lane's state for a fixed input word, and the lanes combine as
     * fmix(a) ^ rotl(fmix(b)), so two frames of the same size that differ in exactly one word always get different
     * hashes. The four lanes are independent chains, which keeps the multiplier busy.
     */
    public static Key key(RgbImage frame) {
        byte[] d = frame.data();
        long dims = (long) frame.width() << 32 | frame.height();
        long a1 = P1 ^ dims, b1 = P2 ^ dims, a2 = P3 ^ Long.reverse(dims), b2 = P4 ^ Long.reverse(dims);
        int n = d.length & ~15, i = 0;
        for (; i < n; i += 16) {
            long v = (long) LONGS.get(d, i), w = (long) LONGS.get(d, i + 8);
            a1 = Long.rotateLeft(a1 ^ v * P3, 29) * P1;
            b1 = Long.rotateLeft(b1 ^ w * P3, 29) * P1;
            a2 = Long.rotateLeft(a2 ^ v * P4, 37) * P2;
            b2 = Long.rotateLeft(b2 ^ w * P4, 37) * P2;
        }
        long v = 0, w = 0; // the last 0..15 bytes, zero-padded
        for (int s = 0; i < d.length; i++, s += 8) {
            if (s < 64) v |= (d[i] & 0xffL) << s;
            else w |= (d[i] & 0xffL) << (s - 64);
        }
        a1 = Long.rotateLeft(a1 ^ v * P3, 29) * P1;
        b1 = Long.rotateLeft(b1 ^ w * P3, 29) * P1;
        a2 = Long.rotateLeft(a2 ^ v * P4, 37) * P2;
        b2 = Long.rotateLeft(b2 ^ w * P4, 37) * P2;
        long len = d.length;
        return new Key(fmix(a1 ^ len) ^ Long.rotateLeft(fmix(b1 ^ len), 17),
                fmix(a2 ^ len) ^ Long.rotateLeft(fmix(b2 ^ len), 41));
    }

    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
