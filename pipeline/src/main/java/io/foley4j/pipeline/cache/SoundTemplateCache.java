package io.foley4j.pipeline.cache;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sound templates: mono 48 kHz recordings (or earlier generations) found again by their text embedding, and their
 * visual embedding when both sides have one. {@link #find} scans every entry (a few thousand 384-dimensional dot
 * products take well under a millisecond) and returns the best scoring one at or above a threshold, where
 * <pre>
 *   score = cos(text, entry.text)                                         if the query or the entry has no visual
 *   score = (1 - w) cos(text, entry.text) + w cos(visual, entry.visual)   otherwise, w = visualWeight
 * </pre>
 * so an entry without a visual embedding competes on its text score alone. Entries are keyed by {@code source}
 * (one per recording); a hit makes the entry most recent, and the cache evicts least recently used entries beyond
 * {@code maxBytes} (the audio floats dominate the weight). Thread-safe; stored arrays are shared: never modify them.
 */
public final class SoundTemplateCache {
    /** Per entry: the record, the strings, the map node (order of magnitude). */
    public static final long ENTRY_OVERHEAD = 256;
    public static final int SAMPLE_RATE = 48_000;
    /** The default weight of the visual cosine when both sides have a visual embedding. */
    public static final double DEFAULT_VISUAL_WEIGHT = 0.25;

    /**
     * One template.
     *
     * @param label  what it sounds like, in words ("footstep gravel")
     * @param text   the label's text embedding; stored L2-normalized (a copy when the input was not)
     * @param visual the visual embedding of a frame it belongs to, L2-normalized likewise, or null
     * @param audio  mono samples at 48 kHz
     * @param source where it came from and its key ("minetest-data/.../default_gravel_footstep.1.ogg", "generated:...")
     */
    public record Entry(String label, float[] text, float[] visual, float[] audio, String source) {
        public Entry {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(audio, "audio");
            text = normalized(text, "text");
            if (visual != null) visual = normalized(visual, "visual");
            if (audio.length == 0) throw new IllegalArgumentException("SoundTemplateCache.Entry " + source + ": empty audio");
        }

        public double seconds() { return audio.length / (double) SAMPLE_RATE; }

        long bytes() {
            long b = 2L * label.length() + 2L * source.length() + ByteLruCache.floatArrayBytes(text.length)
                    + ByteLruCache.floatArrayBytes(audio.length);
            return visual == null ? b : b + ByteLruCache.floatArrayBytes(visual.length);
        }
    }

    /** The best entry and its scores ({@code visualScore} NaN when the visual embeddings were not compared). */
    public record Match(Entry entry, double score, double textScore, double visualScore) {}

    private final ByteLruCache<String, Entry> cache;
    private final double visualWeight;
    private final AtomicLong hits = new AtomicLong(), misses = new AtomicLong();

    public SoundTemplateCache(long maxBytes) {
        this(maxBytes, DEFAULT_VISUAL_WEIGHT);
    }

    public SoundTemplateCache(long maxBytes, double visualWeight) {
        if (!(visualWeight >= 0 && visualWeight <= 1)) {
            throw new IllegalArgumentException("SoundTemplateCache: visualWeight " + visualWeight + " is outside [0, 1]");
        }
        this.cache = new ByteLruCache<>(maxBytes, Entry::bytes, ENTRY_OVERHEAD);
        this.visualWeight = visualWeight;
    }

    /** Stores (or replaces, by source) a template. */
    public void put(Entry e) {
        cache.put(e.source(), e);
    }

    /**
     * The highest scoring entry whose score is at least {@code threshold}, or empty (see the class comment for the
     * score). {@code text} need not be normalized; {@code visual} may be null.
     *
     * @throws IllegalArgumentException when an entry's embedding length differs from the query's
     */
    public Optional<Match> find(float[] text, float[] visual, double threshold) {
        float[] t = normalized(text, "query text");
        float[] v = visual == null ? null : normalized(visual, "query visual");
        Match best = null;
        for (Entry e : cache.values()) {
            double ts = dot(t, e.text(), "text", e), vs = Double.NaN, s = ts;
            if (v != null && e.visual() != null) {
                vs = dot(v, e.visual(), "visual", e);
                s = (1 - visualWeight) * ts + visualWeight * vs;
            }
            if (s >= threshold && (best == null || s > best.score())) best = new Match(e, s, ts, vs);
        }
        if (best == null || !cache.touch(best.entry().source())) { // touch fails when it was evicted meanwhile
            misses.incrementAndGet();
            return Optional.empty();
        }
        hits.incrementAndGet();
        return Optional.of(best);
    }

    public List<Entry> entries() { return cache.values(); }

    public double visualWeight() { return visualWeight; }

    /** {@code find} hits and misses; evictions, bytes and entries of the store. */
    public ByteLruCache.Stats stats() {
        ByteLruCache.Stats s = cache.stats();
        return new ByteLruCache.Stats(hits.get(), misses.get(), s.evictions(), s.bytes(), s.entries(), s.maxBytes());
    }

    public Map<String, Long> counters(String prefix) {
        return stats().toMap(prefix);
    }

    private static double dot(float[] a, float[] b, String what, Entry e) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("SoundTemplateCache.find: query " + what + " embedding has " + a.length
                    + " dimensions, entry " + e.source() + " has " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** {@code x / |x|}: {@code x} itself when already unit length (within 1e-5), else a copy. */
    static float[] normalized(float[] x, String what) {
        Objects.requireNonNull(x, what);
        double ss = 0;
        for (float f : x) ss += (double) f * f;
        if (!(ss > 0) || Double.isInfinite(ss)) {
            throw new IllegalArgumentException("SoundTemplateCache: " + what + " embedding of " + x.length
                    + " dimensions has norm " + Math.sqrt(ss) + " (zero, NaN or infinite)");
        }
        if (Math.abs(ss - 1) < 1e-5) return x;
        float[] out = new float[x.length];
        double inv = 1 / Math.sqrt(ss);
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] * inv);
        return out;
    }
}
