package io.foley4j.pipeline.foley;

import io.foley4j.pipeline.sounds.Category;
import io.foley4j.pipeline.sounds.SoundLibrary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link SoundBank} over a {@link SoundLibrary} folder of real recordings. Continuous sounds (looped over the
 * track rather than placed at events) are fire and the water sounds whose description says it flows or falls
 * steadily (rain, river, stream, waterfall, ambience).
 */
public final class LibraryBank implements SoundBank {
    /** Shorter clips are clicks and fragments, longer ones are ambiences: neither makes a one-shot. */
    public static final double MIN_SECONDS = 0.05, MAX_SECONDS = 30;
    private static final Set<String> STEADY = Set.of("rain", "river", "stream", "flow", "flowing", "waterfall",
            "ambience", "ambient", "wind", "lava", "bubbling", "bubbles");

    private final SoundLibrary library;
    private final List<Sound> sounds = new ArrayList<>();
    private final Map<String, SoundLibrary.Clip> clips = new HashMap<>();

    private LibraryBank(SoundLibrary library) {
        this.library = library;
        for (SoundLibrary.Clip c : library.clips()) {
            if (c.category() == Category.OTHER || c.seconds() < MIN_SECONDS || c.seconds() > MAX_SECONDS) continue;
            boolean steady = c.category() == Category.FIRE || c.category() == Category.WATER
                    && List.of(c.description().split(" ")).stream().anyMatch(STEADY::contains);
            sounds.add(new Sound(c.id(), c.description(), c.category().name().toLowerCase(), steady, c.license()));
            clips.put(c.id(), c);
        }
    }

    public static LibraryBank open(Path root) throws IOException {
        LibraryBank b = new LibraryBank(SoundLibrary.index(root));
        if (b.sounds.isEmpty()) {
            throw new IOException("sound library " + root + " holds no usable recordings (fetch them with "
                    + "scripts/fetch-sounds.sh " + root + ")");
        }
        return b;
    }

    @Override
    public List<Sound> sounds() {
        return sounds;
    }

    @Override
    public float[] load(Sound s) throws IOException {
        SoundLibrary.Clip c = clips.get(s.id());
        if (c == null) throw new IllegalArgumentException("LibraryBank: no recording " + s.id());
        return SoundLibrary.loadMono48k(c);
    }

    @Override
    public String describe() {
        return library.root().toString();
    }
}
