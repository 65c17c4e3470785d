package io.foley4j.pipeline.sounds;

import java.nio.file.Path;

/** The committed recordings under src/test/resources/sounds (see LICENSES.md there). */
final class Sounds {
    private Sounds() {}

    static final String MODS = "minetest-data/usr/share/games/minetest/games/minetest_game/mods/";

    static Path path(String resource) {
        try {
            var url = Sounds.class.getResource("/sounds/" + resource);
            if (url == null) throw new IllegalStateException("missing test resource sounds/" + resource);
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path library() { return path("library"); }

    static Path clip(String underLibrary) { return library().resolve(underLibrary); }
}
