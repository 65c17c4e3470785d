package io.foley4j.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneTimingTest {
    /** Silence with sharp attacks at frames 20 and 60, each decaying over 10 frames. */
    static float[] envelope() {
        float[] e = new float[100];
        for (int a : new int[] {20, 60}) {
            for (int t = a; t < a + 10; t++) e[t] = Math.max(e[t], 1 - (t - a) / 10f);
        }
        return e;
    }

    @Test
    void findsAttacksAsOnsets() {
        // d[i] = e[i + 2] - e[i] is 1.0 at i = 18 (frame 20), 0.9 at i = 19, negative on the decay
        assertArrayEquals(new int[] {20, 60}, SceneTiming.onsets(envelope()));
    }

    @Test
    void onsetErrorsAndMisses() {
        double rate = 100;   // frames per second
        List<SceneTiming.Contact> cs = List.of(new SceneTiming.Contact(0.195, 1), new SceneTiming.Contact(0.63, 1),
                new SceneTiming.Contact(0.95, 1));
        double[] err = SceneTiming.onsetErrors(envelope(), cs, rate);
        assertEquals(0.005, err[0], 1e-12);
        assertEquals(0.03, err[1], 1e-12);
        assertTrue(Double.isNaN(err[2]), "no onset within 250 ms of 0.95 s");
        assertEquals(0.0175, SceneTiming.median(err), 1e-12);
    }

    @Test
    void readsContactsAndNamesABadLine(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("a.tsv");
        Files.writeString(ok, "# time_s\tx_fraction\tstrength\n0.5\t0.3\t0.7\n1.25\t0.3\t0.2\n");
        assertEquals(List.of(new SceneTiming.Contact(0.5, 0.7), new SceneTiming.Contact(1.25, 0.2)), SceneTiming.readContacts(ok));
        Path bad = dir.resolve("b.tsv");
        Files.writeString(bad, "0.5\t0.3\t0.7\nhello\n");
        Exception e = assertThrows(java.io.IOException.class, () -> SceneTiming.readContacts(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void eventScenesGiveTheirStartsAsOnsets(@TempDir Path dir) throws Exception {
        Path video = dir.resolve("door.mp4");
        Files.writeString(Path.of(video + ".events.tsv"), "# kind door\n# time_s\tduration_s\tstrength\n"
                + "0.700000\t0.776000\t0.2200\n2.663000\t0.000000\t0.4000\n");
        assertEquals(List.of(new SceneTiming.Contact(0.7, 0.22), new SceneTiming.Contact(2.663, 0.4)),
                SceneTiming.contactsOf(video));
        assertEquals("door", SceneTiming.kindOf(video));
        Files.writeString(Path.of(video + ".contacts.tsv"), "1.5\t0.5\t0.9\n");     // a contacts file wins
        assertEquals(List.of(new SceneTiming.Contact(1.5, 0.9)), SceneTiming.contactsOf(video));
        assertEquals("bouncing", SceneTiming.kindOf(video));
    }

    @Test
    void summaryPerKind() {
        List<SceneTiming.Result> rs = List.of(
                new SceneTiming.Result("scene_1.mp4", "door", "a", 0.9, 0.02, 4, 1),
                new SceneTiming.Result("scene_0.mp4", "bouncing", "a", 0.8, 0.01, 5, 0),
                new SceneTiming.Result("scene_1.mp4", "door", "b", 0.7, Double.NaN, 4, 4),
                new SceneTiming.Result("scene_2.mp4", "door", "a", 0.5, 0.06, 3, 0));
        List<SceneTiming.KindSummary> k = SceneTiming.byKind(rs);
        assertEquals(List.of(new SceneTiming.KindSummary("door", 3, 0.7, 0.04, 5, 11),
                new SceneTiming.KindSummary("bouncing", 1, 0.8, 0.01, 0, 5)), k.stream().map(x ->
                new SceneTiming.KindSummary(x.kind(), x.tracks(), Math.round(x.meanEnvelopeR() * 1e9) / 1e9,
                        Math.round(x.medianOnsetError() * 1e9) / 1e9, x.missed(), x.contacts())).toList());
    }
}
