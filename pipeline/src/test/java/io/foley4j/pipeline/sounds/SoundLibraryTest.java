package io.foley4j.pipeline.sounds;

import io.foley4j.pipeline.audio.Wav;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SoundLibraryTest {
    private static final String D = Sounds.MODS + "default/sounds/", DOORS = Sounds.MODS + "doors/sounds/";

    /** id, description, category, package, licence (as Debian's copyright file gives it). */
    private static final List<List<Object>> EXPECTED = List.of(
            List.of(D + "default_break_glass.1.ogg", "break glass", Category.GLASS, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_dig_choppy.1.ogg", "dig choppy", Category.WOOD, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_dig_cracky.1.ogg", "dig cracky", Category.IMPACT, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_dug_metal.1.ogg", "dug metal", Category.METAL, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_gravel_dig.1.ogg", "gravel dig", Category.GROUND, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_metal_footstep.1.ogg", "metal footstep", Category.FOOTSTEP, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_snow_footstep.1.ogg", "snow footstep", Category.FOOTSTEP, "minetest-data", "CC-BY-SA-3.0"),
            List.of(D + "default_water_footstep.1.ogg", "water footstep", Category.FOOTSTEP, "minetest-data", "CC-BY-SA-3.0"),
            List.of(DOORS + "doors_fencegate_open.ogg", "fencegate open", Category.DOOR, "minetest-data", "CC-BY-3.0"),
            List.of(DOORS + "doors_glass_door_open.ogg", "glass door open", Category.DOOR, "minetest-data", "CC0-1.0"),
            List.of(Sounds.MODS + "tnt/sounds/tnt_explode.ogg", "explode", Category.EXPLOSION, "minetest-data", "CC0-1.0"),
            List.of("sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo/bell.oga", "bell", Category.METAL,
                    "sound-theme-freedesktop", "CC-BY-3.0"));

    @Test
    void indexesTheCommittedRecordings() throws IOException {
        SoundLibrary lib = SoundLibrary.index(Sounds.library());
        assertEquals(EXPECTED.size(), lib.clips().size(), lib.clips().toString());
        assertEquals(List.of(), lib.skipped());
        for (int i = 0; i < EXPECTED.size(); i++) {
            List<Object> e = EXPECTED.get(i);
            SoundLibrary.Clip c = lib.clips().get(i);
            assertEquals(e.get(0), c.id());
            assertEquals(e.get(1), c.description(), c.id());
            assertEquals(e.get(2), c.category(), c.id());
            assertEquals(e.get(3), c.pkg(), c.id());
            assertEquals(e.get(4), c.license(), c.id());
            assertTrue(c.seconds() > 0.1 && c.seconds() < 3, c.id() + " lasts " + c.seconds());
        }
        SoundLibrary.Clip tnt = lib.clips().get(10);
        assertEquals(1.3308, tnt.seconds(), 1e-3); // ffprobe: 1.330794 s
        assertEquals(44100, tnt.sampleRate());
        SoundLibrary.Clip bell = lib.clips().get(11);
        assertEquals(2, bell.channels());
        Map<Category, Integer> counts = lib.counts();
        assertEquals(3, counts.get(Category.FOOTSTEP));
        assertEquals(2, counts.get(Category.DOOR));
        assertEquals(0, counts.get(Category.FIRE));
        assertEquals(3, lib.byCategory(Category.FOOTSTEP).size());
    }

    @Test
    void skipsFormatsItCannotDecodeAndIgnoresOtherFilesAndLinks(@TempDir Path dir) throws IOException {
        Path lib = dir.resolve("lib");
        copyTree(Sounds.library(), lib);
        Path tw = lib.resolve("teeworlds-data/usr/share/games/teeworlds/data/audio");
        Files.createDirectories(tw);
        Files.write(tw.resolve("foley_foot_left-01.wv"), new byte[]{'w', 'v', 'p', 'k'});
        Files.writeString(tw.resolve("README.txt"), "not audio");
        Files.write(tw.resolve("broken.ogg"), new byte[100]);
        Path bell = lib.resolve("sound-theme-freedesktop/usr/share/sounds/freedesktop/stereo");
        Files.createSymbolicLink(bell.resolve("alias.oga"), Path.of("bell.oga"));
        SoundLibrary s = SoundLibrary.index(lib);
        assertEquals(EXPECTED.size(), s.clips().size(), "the link and the text file add nothing");
        assertEquals(2, s.skipped().size(), s.skipped().toString());
        assertTrue(s.skipped().get(0).file().endsWith("broken.ogg"));
        assertTrue(s.skipped().get(0).reason().contains("not an Ogg file"), s.skipped().get(0).reason());
        assertTrue(s.skipped().get(1).reason().contains("unsupported format .wv"), s.skipped().get(1).reason());
    }

    @Test
    void describesFileNamesInWords() {
        assertEquals("dig gravel", SoundLibrary.describe(Path.of("mods/default/sounds/default_dig_gravel.1.ogg")));
        assertEquals("foot left", SoundLibrary.describe(Path.of("data/audio/foley_foot_left-01.wv")));
        assertEquals("door close", SoundLibrary.describe(Path.of("mods/doors/sounds/doors_door_close.ogg")));
        assertEquals("water", SoundLibrary.describe(Path.of("mods/env_sounds/sounds/env_sounds_water.1.ogg")));
        assertEquals("fire", SoundLibrary.describe(Path.of("mods/fire/sounds/fire_fire.1.ogg")));
        assertEquals("explo big", SoundLibrary.describe(Path.of("chromium-bsu/wav/exploBig.wav")));
        assertEquals("cart moving", SoundLibrary.describe(Path.of("mods/carts/sounds/carts_cart_moving.1.ogg")));
    }

    @Test
    void categoriesPutTheActionBeforeTheMaterial() {
        assertEquals(Category.FOOTSTEP, cat("mods/default/sounds/default_wood_footstep.1.ogg"));
        assertEquals(Category.DOOR, cat("mods/doors/sounds/doors_steel_door_close.ogg"));
        assertEquals(Category.GLASS, cat("mods/default/sounds/default_break_glass.2.ogg"));
        assertEquals(Category.WATER, cat("mods/env_sounds/sounds/env_sounds_water.1.ogg"));
        assertEquals(Category.FIRE, cat("mods/fire/sounds/fire_extinguish_flame.1.ogg"));
        assertEquals(Category.METAL, cat("mods/default/sounds/default_place_node_metal.1.ogg"));
        assertEquals(Category.WOOD, cat("mods/default/sounds/default_dig_choppy.3.ogg"));
        assertEquals(Category.IMPACT, cat("mods/default/sounds/default_place_node_hard.1.ogg"));
        assertEquals(Category.EXPLOSION, cat("chromium-bsu/wav/exploBig.wav"));
        assertEquals(Category.GROUND, cat("mods/default/sounds/default_dug_node.1.ogg"));
        assertEquals(Category.OTHER, cat("stereo/dialog-information.oga"));
        // a name without a category word ("small") falls back on its folder
        assertEquals(Category.FIRE, cat("mods/fire/sounds/fire_small.ogg"));
    }

    private static Category cat(String path) {
        Path p = Path.of(path);
        return SoundLibrary.categorize(p, SoundLibrary.describe(p));
    }

    @Test
    void keywordSearchRanksSharedWords() throws IOException {
        SoundLibrary lib = SoundLibrary.index(Sounds.library());
        List<SoundLibrary.Clip> r = lib.search("footsteps on a metal floor", 3);
        assertEquals("metal footstep", r.get(0).description());
        assertEquals(Category.FOOTSTEP, r.get(1).category());
        assertEquals("break glass", lib.search("Glass breaking", 1).get(0).description());
        assertEquals("explode", lib.search("a big explosion", 1).get(0).description(), "found by category alone");
        assertEquals(List.of(), lib.search("violin", 5));
    }

    @Test
    void loadsMonoAt48k() throws IOException {
        SoundLibrary lib = SoundLibrary.index(Sounds.library());
        for (SoundLibrary.Clip c : lib.clips()) {
            float[] x = SoundLibrary.loadMono48k(c);
            Wav.Audio raw = SoundLibrary.decode(c.file());
            long want = Math.ceilDiv((long) raw.frames() * 48_000, c.sampleRate());
            assertEquals(want, x.length, c.id());
            assertEquals(c.seconds(), x.length / 48_000.0, 1.0 / c.sampleRate() + 1e-9, c.id());
            double rIn = rms(mono(raw)), rOut = rms(x);
            assertEquals(rIn, rOut, 0.02 * rIn, c.id() + ": resampling keeps the energy (band-limited content)");
        }
        // 48 kHz input passes through unchanged
        SoundLibrary.Clip snow = lib.clips().get(6);
        assertEquals(48_000, snow.sampleRate());
        assertArrayEquals(SoundLibrary.decode(snow.file()).samples(), SoundLibrary.loadMono48k(snow));
    }

    static float[] mono(Wav.Audio a) {
        float[] out = new float[a.frames()];
        for (int i = 0; i < out.length; i++) {
            float s = 0;
            for (int c = 0; c < a.channels(); c++) s += a.samples()[i * a.channels() + c];
            out[i] = s / a.channels();
        }
        return out;
    }

    static double rms(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return Math.sqrt(s / x.length);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
