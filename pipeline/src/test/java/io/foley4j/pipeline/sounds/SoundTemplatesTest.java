package io.foley4j.pipeline.sounds;

import io.foley4j.pipeline.cache.ByteLruCache;
import io.foley4j.pipeline.cache.SoundTemplateCache;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The template cache filled with the committed recordings, found again by a stand-in text embedding. */
class SoundTemplatesTest {
    private static final int DIM = 128;

    /** A bag of hashed word stems: a deterministic stand-in for the text encoder (shared words -> high cosine). */
    private static float[] embed(String text) {
        float[] v = new float[DIM];
        for (String w : SoundLibrary.words(text)) {
            String s = w.length() > 4 ? w.substring(0, 4) : w; // "breaking" and "break" share a stem
            int h = s.hashCode() * 0x9E3779B1;
            v[Math.floorMod(h, DIM)] += 1;
            v[Math.floorMod(h >>> 7, DIM)] += 0.5f;
        }
        return v;
    }

    private static List<SoundTemplateCache.Entry> loaded;

    /** One entry per committed clip, decoded once for both tests. */
    private static synchronized List<SoundTemplateCache.Entry> templates(SoundLibrary lib) throws IOException {
        if (loaded != null) return loaded;
        List<SoundTemplateCache.Entry> out = new ArrayList<>();
        for (SoundLibrary.Clip c : lib.clips()) {
            out.add(new SoundTemplateCache.Entry(c.description(), embed(c.description()), null,
                    SoundLibrary.loadMono48k(c), c.id()));
        }
        return loaded = out;
    }

    @Test
    void findsRecordingsByTextAndAccountsTheirAudio() throws IOException {
        SoundLibrary lib = SoundLibrary.index(Sounds.library());
        List<SoundTemplateCache.Entry> all = templates(lib);
        var cache = new SoundTemplateCache(16L << 20);
        long audioBytes = 0;
        for (var e : all) {
            cache.put(e);
            audioBytes += ByteLruCache.floatArrayBytes(e.audio().length);
        }
        var s = cache.stats();
        assertEquals(all.size(), s.entries());
        assertTrue(s.bytes() >= audioBytes && s.bytes() < audioBytes * 1.05, s + " vs audio " + audioBytes);

        var glass = cache.find(embed("glass breaking"), null, 0.5).orElseThrow();
        assertEquals("break glass", glass.entry().label());
        assertEquals(0.546848, glass.entry().seconds(), 1e-4); // ffprobe's duration of default_break_glass.1.ogg
        assertEquals("metal footstep", cache.find(embed("metal footsteps"), null, 0.5).orElseThrow().entry().label());
        assertTrue(cache.find(embed("violin concerto"), null, 0.5).isEmpty());
    }

    @Test
    void aSmallBoundKeepsTheMostRecentRecordings() throws IOException {
        List<SoundTemplateCache.Entry> all = templates(SoundLibrary.index(Sounds.library()));
        long bound = 400_000; // about two seconds of 48 kHz floats
        var cache = new SoundTemplateCache(bound);
        for (var e : all) cache.put(e);
        var s = cache.stats();
        assertTrue(s.bytes() <= bound, s.toString());
        assertTrue(s.evictions() >= all.size() - 4, s.toString());
        // the last one put (the 0.14 s bell) is still there; the first (break glass) was evicted
        assertEquals("bell", cache.find(embed("bell"), null, 0.9).orElseThrow().entry().label());
        assertTrue(cache.find(embed("break glass"), null, 0.9).isEmpty());
    }
}
