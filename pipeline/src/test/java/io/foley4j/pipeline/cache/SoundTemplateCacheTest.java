package io.foley4j.pipeline.cache;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SoundTemplateCacheTest {
    private static final int DIM = 64;

    private static float[] vec(long seed) {
        Random r = new Random(seed);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** {@code a} moved toward {@code b}: cos(a', a) falls as t grows. */
    private static float[] mix(float[] a, float[] b, double t) {
        float[] v = new float[a.length];
        for (int i = 0; i < a.length; i++) v[i] = (float) ((1 - t) * a[i] + t * b[i]);
        return v;
    }

    private static SoundTemplateCache.Entry entry(String label, float[] text, float[] visual, int samples) {
        return new SoundTemplateCache.Entry(label, text, visual, new float[samples], "test:" + label);
    }

    @Test
    void findsTheClosestTextAtOrAboveTheThreshold() {
        var c = new SoundTemplateCache(1 << 20);
        float[] step = vec(1), door = vec(2), glass = vec(3);
        c.put(entry("footstep", step, null, 4800));
        c.put(entry("door", door, null, 4800));
        c.put(entry("glass", glass, null, 4800));
        Optional<SoundTemplateCache.Match> m = c.find(mix(door, vec(9), 0.2), null, 0.5);
        assertTrue(m.isPresent());
        assertEquals("door", m.get().entry().label());
        assertEquals(m.get().textScore(), m.get().score(), 0);
        assertTrue(Double.isNaN(m.get().visualScore()));
        assertEquals(1.0, c.find(door, null, 0.999).orElseThrow().score(), 1e-5, "an exact query scores 1");
        assertTrue(c.find(vec(10), null, 0.5).isEmpty(), "an unrelated query stays below the threshold");
        var s = c.stats();
        assertEquals(2, s.hits());
        assertEquals(1, s.misses());
    }

    @Test
    void storedEmbeddingsAreNormalized() {
        float[] raw = vec(4);
        var e = entry("x", raw, mix(raw, vec(5), 0.5), 10);
        assertEquals(1.0, norm(e.text()), 1e-6);
        assertEquals(1.0, norm(e.visual()), 1e-6);
        assertNotEquals(1.0, norm(raw), 1e-3, "the caller's array is not modified");
        assertThrows(IllegalArgumentException.class, () -> entry("zero", new float[DIM], null, 10));
    }

    @Test
    void visualEmbeddingBreaksATextTie() {
        var c = new SoundTemplateCache(1 << 20, 0.5);
        float[] text = vec(1), indoor = vec(20), outdoor = vec(21);
        c.put(entry("step indoor", text, indoor, 100));
        c.put(entry("step outdoor", text, outdoor, 100));
        var m = c.find(text, mix(outdoor, vec(22), 0.1), 0.0).orElseThrow();
        assertEquals("step outdoor", m.entry().label());
        assertEquals(0.5 * m.textScore() + 0.5 * m.visualScore(), m.score(), 1e-12);
        // without a query visual both score on text alone: the score is the text cosine
        assertEquals(1.0, c.find(text, null, 0.0).orElseThrow().score(), 1e-5);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        var c = new SoundTemplateCache(1 << 20);
        c.put(entry("a", vec(1), null, 10));
        var e = assertThrows(IllegalArgumentException.class, () -> c.find(new float[]{1, 0, 0}, null, 0));
        assertTrue(e.getMessage().contains("3 dimensions") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void boundedByBytesWithLeastRecentlyFoundEvicted() {
        int samples = 48_000; // one second: 192 KB of audio per entry
        var c = new SoundTemplateCache(3 * 200_000);
        float[] a = vec(1), b = vec(2), d = vec(3), e = vec(4);
        c.put(entry("a", a, null, samples));
        c.put(entry("b", b, null, samples));
        c.put(entry("d", d, null, samples));
        assertEquals("a", c.find(a, null, 0.9).orElseThrow().entry().label()); // a is now the most recent
        c.put(entry("e", e, null, samples));
        var s = c.stats();
        assertEquals(3, s.entries());
        assertEquals(1, s.evictions());
        assertTrue(s.bytes() <= 3 * 200_000 && s.bytes() > 3 * 192_000, s.toString());
        assertTrue(c.find(b, null, 0.9).isEmpty(), "b was least recently used");
        assertTrue(c.find(a, null, 0.9).isPresent());
        for (var x : c.entries()) assertEquals(1.0, x.seconds(), 0);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += f * f;
        return Math.sqrt(s);
    }
}
