package io.foley4j.pipeline.foley;

import java.io.IOException;
import java.util.List;

/** Real recordings the template path can place: each with a text description the prompt is matched against. */
public interface SoundBank {
    /**
     * One recording. {@code continuous} sounds (water, fire, rain, wind...) are looped over the track; the others
     * are one-shots placed at motion events.
     */
    record Sound(String id, String description, String category, boolean continuous, String licence) {}

    List<Sound> sounds();

    /** The recording as mono float samples at 48 kHz. */
    float[] load(Sound s) throws IOException;

    /** Where the recordings come from (for info and the result's model line). */
    String describe();
}
