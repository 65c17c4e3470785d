package io.foley4j.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.loader.SafetensorsFile;
import io.foley4j.pipeline.scene.BouncingScene;
import io.foley4j.pipeline.scene.EventScene;
import io.foley4j.pipeline.scene.SoundEvent;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RecipeDump scenes with a mix of kinds: what train.py's load_scenes reads. */
class SceneMixTest {
    @Test
    void mixListsKindsInOrderAndACountIsBouncing() {
        assertEquals(List.of("bouncing", "bouncing", "bouncing"), RecipeDump.sceneKinds("3"));
        assertEquals(List.of("bouncing", "sliding", "sliding", "door"),
                RecipeDump.sceneKinds("bouncing:1,sliding:2,door:1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecipeDump.sceneKinds("rolling:2"));
        assertTrue(e.getMessage().contains("rolling:2"), e.getMessage());
    }

    @Test
    void scenesFileHasFeaturesContactsEventsAndKinds(@TempDir Path dir) throws Exception {
        RecipeDump.scenes("bouncing:1,sliding:1", 2, 24, 100, dir, 3);
        assertTrue(Files.exists(dir.resolve("scene_0.mp4.contacts.tsv")));
        assertTrue(Files.exists(dir.resolve("scene_1.mp4.events.tsv")));
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("scenes.safetensors"));
             Arena arena = Arena.ofConfined()) {
            assertEquals("sliding", f.metadata().get("kind.1"));
            assertEquals("bouncing,sliding", f.metadata().get("kinds"));
            assertArrayEquals(new long[] {48, 3}, f.info("feat.1").shape());
            assertEquals("3", f.metadata().get("features"));
            // bouncing: contacts.N as before, events.N the same impacts with duration 0
            List<BouncingScene.Contact> cs = new BouncingScene(320, 180, 2, 100).contacts();
            float[] c = f.toF32("contacts.0", arena).toFloats(), e = f.toF32("events.0", arena).toFloats();
            assertEquals(cs.size() * 2, c.length);
            for (int k = 0; k < cs.size(); k++) {
                assertEquals((float) cs.get(k).time(), c[2 * k]);
                assertEquals((float) cs.get(k).strength(), c[2 * k + 1]);
                assertArrayEquals(new float[] {c[2 * k], c[2 * k + 1], 0},
                        new float[] {e[3 * k], e[3 * k + 1], e[3 * k + 2]});
            }
            // sliding: intervals only, so contacts.N is one zero row (strength 0: no contact)
            List<SoundEvent> slides = EventScene.of("sliding", 320, 180, 2, 101).events();
            float[] e1 = f.toF32("events.1", arena).toFloats();
            assertEquals(slides.size() * 3, e1.length);
            assertEquals((float) slides.get(0).duration(), e1[2]);
            assertArrayEquals(new float[] {0, 0}, f.toF32("contacts.1", arena).toFloats());
        }
    }
}
